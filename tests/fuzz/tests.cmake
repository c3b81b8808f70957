# pnec fuzzing (-DPNE_FUZZ=ON, clang): the fuzz_pnec libFuzzer target and
# a 30-second ctest run over the seed corpus here and the shipped specs.
# The compiler's sources are built again into the target so that all of
# them carry libFuzzer's coverage instrumentation.
if(PNE_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "PNE_FUZZ needs clang: configure with CC=clang")
  endif()
  get_target_property(fuzz_core_srcs pnec_core SOURCES)
  get_target_property(fuzz_core_dir pnec_core SOURCE_DIR)
  set(fuzz_srcs ${CMAKE_CURRENT_LIST_DIR}/fuzz_pnec.c)
  foreach(s ${fuzz_core_srcs})
    if(IS_ABSOLUTE ${s})
      list(APPEND fuzz_srcs ${s})
    else()
      list(APPEND fuzz_srcs ${fuzz_core_dir}/${s})
    endif()
  endforeach()
  add_executable(fuzz_pnec ${fuzz_srcs})
  add_dependencies(fuzz_pnec pnec_core)
  target_include_directories(fuzz_pnec PRIVATE
    $<TARGET_PROPERTY:pnec_core,INCLUDE_DIRECTORIES>)
  target_link_libraries(fuzz_pnec PRIVATE pne_headers)
  target_compile_options(fuzz_pnec PRIVATE -fsanitize=fuzzer,address,undefined
                         -Wno-sign-compare -Wno-unused-function)
  target_link_options(fuzz_pnec PRIVATE -fsanitize=fuzzer,address,undefined)
  set_target_properties(fuzz_pnec PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)

  # New inputs go to the build tree; the source corpora are read only.
  set(fuzz_work ${CMAKE_BINARY_DIR}/fuzz-corpus)
  file(MAKE_DIRECTORY ${fuzz_work})
  add_test(NAME fuzz/pnec-short
    COMMAND fuzz_pnec -max_total_time=30 -max_len=65536 -timeout=10
            -rss_limit_mb=2048 -print_final_stats=1
            ${fuzz_work} ${CMAKE_CURRENT_LIST_DIR}/corpus ${CMAKE_SOURCE_DIR}/specs)
  set_tests_properties(fuzz/pnec-short PROPERTIES TIMEOUT 120)
endif()
