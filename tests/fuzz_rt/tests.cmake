# Packet parser fuzzing (-DPNE_FUZZ=ON, clang): the fuzz_packet libFuzzer
# target (tests/fuzz/fuzz_packet.c) and a 30-second ctest run over the
# seed frames here. The parser and flow table sources are built again
# into the target so that they carry libFuzzer's coverage instrumentation.
if(PNE_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "PNE_FUZZ needs clang: configure with CC=clang")
  endif()
  add_executable(fuzz_packet
    ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_packet.c
    ${CMAKE_SOURCE_DIR}/runtime/packet.c
    ${CMAKE_SOURCE_DIR}/runtime/flow_table.c)
  target_link_libraries(fuzz_packet PRIVATE pne_headers)
  target_compile_options(fuzz_packet PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_packet PRIVATE -fsanitize=fuzzer,address,undefined)
  set_target_properties(fuzz_packet PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)

  # New inputs go to the build tree; the seed corpus is read only.
  set(fuzz_packet_work ${CMAKE_BINARY_DIR}/fuzz-packet-corpus)
  file(MAKE_DIRECTORY ${fuzz_packet_work})
  add_test(NAME fuzz/packet-short
    COMMAND fuzz_packet -max_total_time=30 -max_len=4096 -timeout=10
            -rss_limit_mb=2048 -print_final_stats=1
            ${fuzz_packet_work} ${CMAKE_CURRENT_LIST_DIR}/corpus)
  set_tests_properties(fuzz/packet-short PROPERTIES TIMEOUT 120)
endif()
