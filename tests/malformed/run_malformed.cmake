# One malformed-spec run (see tests.cmake): cmake -DPNEC=... -DSPEC=...
cmake_minimum_required(VERSION 3.20)

execute_process(COMMAND "${PNEC}" --check "${SPEC}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT "${rc}" STREQUAL "1")
  message(FATAL_ERROR "pnec exited with '${rc}', expected 1\n${err}")
endif()
string(FIND "${err}" ": error: " pos)
if(pos EQUAL -1)
  message(FATAL_ERROR "no error was reported\n${err}")
endif()
