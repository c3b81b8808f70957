# Stream tracker and pne-replay fuzzing (-DPNE_FUZZ=ON, clang): the
# fuzz_tracker and fuzz_replay libFuzzer targets (tests/fuzz/) and a
# 30-second ctest run of each over the seed corpora here. The runtime's
# sources (and for fuzz_replay pne-replay's and the body decoder's) are
# built again into each target so that they carry libFuzzer's coverage
# instrumentation; the compiled spec tables are data and are linked as
# they are. tests/fuzz_trk/README.md says how the seeds were made and
# how to run the targets for longer.
if(PNE_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "PNE_FUZZ needs clang: configure with CC=clang")
  endif()

  # Absolute source paths of a target.
  function(pne_fuzz_sources target out)
    get_target_property(srcs ${target} SOURCES)
    get_target_property(dir ${target} SOURCE_DIR)
    set(abs)
    foreach(s ${srcs})
      if(IS_ABSOLUTE ${s})
        list(APPEND abs ${s})
      else()
        list(APPEND abs ${dir}/${s})
      endif()
    endforeach()
    set(${out} ${abs} PARENT_SCOPE)
  endfunction()

  set(fuzz_flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
  # Imported targets are scoped to their directory: look them up here.
  pkg_check_modules(FUZZ_PCAP REQUIRED IMPORTED_TARGET libpcap)
  pkg_check_modules(FUZZ_ZLIB REQUIRED IMPORTED_TARGET zlib)
  pkg_check_modules(FUZZ_LZMA REQUIRED IMPORTED_TARGET liblzma)
  pne_fuzz_sources(pne_runtime fuzz_runtime_srcs)

  add_executable(fuzz_tracker ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_tracker.c
                 ${fuzz_runtime_srcs})
  target_link_libraries(fuzz_tracker PRIVATE pne_headers pne_specs)
  target_compile_options(fuzz_tracker PRIVATE ${fuzz_flags})
  target_link_options(fuzz_tracker PRIVATE ${fuzz_flags})
  set_target_properties(fuzz_tracker PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)

  # pne-replay's sources but its main file, which fuzz_replay.c includes.
  pne_fuzz_sources(pne-replay fuzz_replay_srcs)
  list(FILTER fuzz_replay_srcs EXCLUDE REGEX "/pne_replay\\.c$")
  pne_fuzz_sources(pne_cache fuzz_cache_srcs)
  pne_fuzz_sources(pne_specsel fuzz_specsel_srcs)
  add_executable(fuzz_replay ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_replay.c
                 ${fuzz_replay_srcs} ${fuzz_specsel_srcs} ${fuzz_runtime_srcs}
                 ${fuzz_cache_srcs})
  target_include_directories(fuzz_replay PRIVATE ${CMAKE_SOURCE_DIR}/runtime/replay
                             ${CMAKE_SOURCE_DIR}/cache)
  target_compile_definitions(fuzz_replay PRIVATE PNE_HAVE_ZLIB)
  target_link_libraries(fuzz_replay PRIVATE pne_headers pne_specs PkgConfig::FUZZ_PCAP
                        PkgConfig::FUZZ_ZLIB PkgConfig::FUZZ_LZMA ${CMAKE_DL_LIBS} m)
  target_compile_options(fuzz_replay PRIVATE ${fuzz_flags})
  target_link_options(fuzz_replay PRIVATE ${fuzz_flags})
  set_target_properties(fuzz_replay PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)

  # New inputs go to the build tree; the seed corpora are read only.
  # Inputs up to 64 KiB: the seed captures longer than that are cut,
  # which libpcap reports as a truncated record, a case worth having.
  foreach(t tracker replay)
    set(work ${CMAKE_BINARY_DIR}/fuzz-${t}-corpus)
    file(MAKE_DIRECTORY ${work})
    add_test(NAME fuzz/${t}-short
      COMMAND fuzz_${t} -max_total_time=30 -max_len=65536 -timeout=10
              -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1
              ${work} ${CMAKE_CURRENT_LIST_DIR}/corpus_${t})
    set_tests_properties(fuzz/${t}-short PROPERTIES TIMEOUT 120)
    # Every input that once crashed a target is run again, as is.
    file(GLOB crashes ${CMAKE_CURRENT_LIST_DIR}/crashes/${t}-* ${CMAKE_CURRENT_LIST_DIR}/crashes/*-${t}-*)
    if(crashes)
      add_test(NAME fuzz/${t}-crashes COMMAND fuzz_${t} ${crashes})
      set_tests_properties(fuzz/${t}-crashes PROPERTIES TIMEOUT 60)
    endif()
  endforeach()
endif()
