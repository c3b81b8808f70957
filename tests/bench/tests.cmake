# Smoke test of the scaling benchmark's tools: gen_trace frames the ADUs
# it says it does (pne-replay and bench/min_examined.py agree), and
# bench_scale counts them alike with one and two workers. Counts only,
# never a timing (bench/README.md has the measurements).
if(TARGET bench_scale)
  add_test(NAME bench/gen-trace-smoke
    COMMAND ${PNE_TESTS_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/smoke.py
            --gen-trace $<TARGET_FILE:gen_trace>
            --bench-scale $<TARGET_FILE:bench_scale>
            --pne-replay $<TARGET_FILE:pne-replay>
            --min-examined ${CMAKE_SOURCE_DIR}/bench/min_examined.py
            --python ${PNE_TESTS_PYTHON3}
            --workdir ${CMAKE_BINARY_DIR}/bench-smoke)
  set_tests_properties(bench/gen-trace-smoke PROPERTIES TIMEOUT 120 LABELS bench)
endif()
