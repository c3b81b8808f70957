# Runs one diagnostic case (see tests.cmake): cmake -DPNEC=... -DCASE=NAME
# -DDIR=tests/diag -P run_diag.cmake
cmake_minimum_required(VERSION 3.20)

if(NOT EXISTS "${DIR}/${CASE}.err")
  message(FATAL_ERROR "${CASE}: ${CASE}.err is missing")
endif()
execute_process(COMMAND "${PNEC}" --check "${CASE}.pne"
                WORKING_DIRECTORY "${DIR}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(READ "${DIR}/${CASE}.err" want)
if(NOT "${rc}" STREQUAL "1")
  message(FATAL_ERROR "${CASE}: pnec exited with '${rc}', expected 1\n${err}")
endif()
if(NOT "${err}" STREQUAL "${want}")
  message(FATAL_ERROR "${CASE}: standard error differs\n"
                      "--- expected\n${want}--- got\n${err}---")
endif()
