# Diagnostic tests: each NAME.pne here has NAME.err, the exact standard
# error of `pnec --check NAME.pne` run in this folder (so file names print
# as NAME.pne); pnec must exit with status 1. Cases are found by glob:
# adding a case is adding the two files.
file(GLOB PNE_DIAG_CASES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.pne)
list(SORT PNE_DIAG_CASES)
foreach(spec ${PNE_DIAG_CASES})
  get_filename_component(n ${spec} NAME_WE)
  add_test(NAME diag/${n}
    COMMAND ${CMAKE_COMMAND} -DPNEC=$<TARGET_FILE:pnec> -DCASE=${n}
            -DDIR=${CMAKE_CURRENT_LIST_DIR}
            -P ${CMAKE_CURRENT_LIST_DIR}/run_diag.cmake)
  set_tests_properties(diag/${n} PROPERTIES TIMEOUT 10)
endforeach()
