# Golden tables: for every shipped spec (specs/NAME.pne) this folder keeps
# spec_NAME.c and spec_NAME.h, the exact output of
#   pnec -o spec_NAME.c --symbol pne_spec_NAME --source-name specs/NAME.pne
# One test per spec regenerates them and fails, printing a unified diff,
# on any difference. After an intended change to pnec or a spec, refresh
# them with tests/golden/update.sh and review the diff like code.
foreach(f ${PNE_SPEC_FILES})
  get_filename_component(n ${f} NAME_WE)
  add_test(NAME golden/${n}
    COMMAND ${CMAKE_COMMAND} -DPNEC=$<TARGET_FILE:pnec> -DNAME=${n}
            -DSRC=${CMAKE_SOURCE_DIR} -DOUT=${CMAKE_CURRENT_BINARY_DIR}/golden
            -P ${CMAKE_CURRENT_LIST_DIR}/run_golden.cmake)
  set_tests_properties(golden/${n} PROPERTIES TIMEOUT 30)
endforeach()

# Every shipped spec compiles, twice to byte-identical output, and its
# --dump-ir and --dot listings are produced and reproducible too.
add_test(NAME golden/reproducible
  COMMAND ${CMAKE_COMMAND} -DPNEC=$<TARGET_FILE:pnec> -DSRC=${CMAKE_SOURCE_DIR}
          -DOUT=${CMAKE_CURRENT_BINARY_DIR}/golden-repro
          -P ${CMAKE_CURRENT_LIST_DIR}/run_reproducible.cmake)
set_tests_properties(golden/reproducible PROPERTIES TIMEOUT 60)
