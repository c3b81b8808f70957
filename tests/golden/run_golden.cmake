# One golden case (see tests.cmake): cmake -DPNEC=... -DNAME=http
# -DSRC=<source root> -DOUT=<scratch dir> -P run_golden.cmake
cmake_minimum_required(VERSION 3.20)

set(golden ${SRC}/tests/golden)
file(MAKE_DIRECTORY ${OUT})
execute_process(
  COMMAND "${PNEC}" -o ${OUT}/spec_${NAME}.c --symbol pne_spec_${NAME}
          --source-name specs/${NAME}.pne ${SRC}/specs/${NAME}.pne
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NAME}: pnec failed (${rc})\n${err}")
endif()
set(failed "")
foreach(ext c h)
  set(want ${golden}/spec_${NAME}.${ext})
  set(got ${OUT}/spec_${NAME}.${ext})
  if(NOT EXISTS ${want})
    string(APPEND failed "${want} is missing: run tests/golden/update.sh\n")
    continue()
  endif()
  file(READ ${want} a)
  file(READ ${got} b)
  if(NOT a STREQUAL b)
    execute_process(COMMAND diff -u ${want} ${got} OUTPUT_VARIABLE d)
    string(APPEND failed "spec_${NAME}.${ext} differs from its golden copy:\n${d}")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "${failed}If the change is intended, run tests/golden/update.sh")
endif()
