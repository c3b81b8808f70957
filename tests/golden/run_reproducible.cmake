# Every spec twice through each output of pnec: identical bytes each time
# (see tests.cmake). cmake -DPNEC=... -DSRC=... -DOUT=... -P run_reproducible.cmake
cmake_minimum_required(VERSION 3.20)

file(GLOB specs ${SRC}/specs/*.pne)
list(SORT specs)
if(NOT specs)
  message(FATAL_ERROR "no specs found in ${SRC}/specs")
endif()
foreach(run a b)
  file(MAKE_DIRECTORY ${OUT}/${run})
endforeach()
foreach(f ${specs})
  get_filename_component(n ${f} NAME_WE)
  foreach(run a b)
    set(d ${OUT}/${run})
    execute_process(
      COMMAND "${PNEC}" -o ${d}/spec_${n}.c --symbol pne_spec_${n}
              --source-name specs/${n}.pne ${f}
      RESULT_VARIABLE rc1 ERROR_VARIABLE e1)
    execute_process(COMMAND "${PNEC}" --dump-ir ${f}
      RESULT_VARIABLE rc2 OUTPUT_FILE ${d}/${n}.ir ERROR_VARIABLE e2)
    execute_process(COMMAND "${PNEC}" --dot ${f}
      RESULT_VARIABLE rc3 OUTPUT_FILE ${d}/${n}.dot ERROR_VARIABLE e3)
    if(NOT rc1 EQUAL 0 OR NOT rc2 EQUAL 0 OR NOT rc3 EQUAL 0)
      message(FATAL_ERROR "${n}: pnec failed\n${e1}${e2}${e3}")
    endif()
  endforeach()
  foreach(out spec_${n}.c spec_${n}.h ${n}.ir ${n}.dot)
    file(READ ${OUT}/a/${out} x)
    file(READ ${OUT}/b/${out} y)
    if(NOT x STREQUAL y)
      message(FATAL_ERROR "${out}: two runs of pnec differ")
    endif()
    if(x STREQUAL "")
      message(FATAL_ERROR "${out}: empty output")
    endif()
  endforeach()
endforeach()
