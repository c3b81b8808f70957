# Peer-oracle tests (tests/oracles/): pne-replay's --flows records and
# --streams files against the peers' own expected outputs in the corpus.
#   oracles/ndpi               nDPI result files: packets and wire bytes per
#                              direction of every TCP flow
#   oracles/suricata-overlap   suricata-verify TCP overlap/gap/RST cases:
#                              reassembled streams, first copy wins
#   oracles/zeek-conn          zeek conn.log baselines: sequence-space bytes,
#                              missed bytes, packets, IP bytes, duration,
#                              history letters
# expectations.txt lists every difference, with its reason.
find_program(PNE_ORACLES_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
find_program(PNE_ORACLES_TSHARK tshark)
# PNE_CORPUS_DIR is the corpus tests' cache variable (tests/corpus/tests.cmake)
set(PNE_CORPUS_DIR "${CMAKE_SOURCE_DIR}/../shared/corpus" CACHE PATH
    "Third-party capture corpus (with INDEX.md) for the corpus tests")

if(PNE_ORACLES_PYTHON3 AND EXISTS "${PNE_CORPUS_DIR}/INDEX.md")
  foreach(t ndpi zeek-conn suricata-overlap)
    string(REPLACE "-" "_" script ${t})
    if(t STREQUAL "suricata-overlap" AND NOT PNE_ORACLES_TSHARK)
      message(STATUS "oracles/${t} disabled: needs tshark")
      continue()
    endif()
    add_test(NAME oracles/${t}
      COMMAND ${PNE_ORACLES_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/oracle_${script}.py
              --pne-replay $<TARGET_FILE:pne-replay> --corpus ${PNE_CORPUS_DIR}
              --workdir ${CMAKE_BINARY_DIR}/oracles-work/${t})
    set_tests_properties(oracles/${t} PROPERTIES TIMEOUT 60 LABELS "oracles;corpus")
  endforeach()
else()
  message(STATUS "oracles tests disabled: need /usr/bin/python3 and ${PNE_CORPUS_DIR}/INDEX.md")
endif()
