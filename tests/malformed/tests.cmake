# Malformed specs: every file here must make `pnec --check` exit with 1
# and print at least one "error:" line, without crashing, hanging or
# exhausting memory (TIMEOUT; sanitizer builds also catch bad accesses).
file(GLOB PNE_MALFORMED CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.pne)
list(SORT PNE_MALFORMED)
foreach(spec ${PNE_MALFORMED})
  get_filename_component(n ${spec} NAME_WE)
  add_test(NAME malformed/${n}
    COMMAND ${CMAKE_COMMAND} -DPNEC=$<TARGET_FILE:pnec> -DSPEC=${spec}
            -P ${CMAKE_CURRENT_LIST_DIR}/run_malformed.cmake)
  set_tests_properties(malformed/${n} PROPERTIES TIMEOUT 10)
endforeach()
