# pne-replay's tests (runtime/replay/, docs/pne-replay.md):
#   replay/cli     command line, bad and cut captures, formats, specs and
#                  modules, counter sums, on captures the script builds
#   replay/corpus  every corpus capture: pne-replay's ADUs equal those of
#                  the corpus harness (tshark streams framed by pne-frame),
#                  and its stats add up (needs the corpus and tshark)
#   replay/regress/NAME  each tests/regress/NAME/input.pcap against its
#                  expected.jsonl (see tests/regress/README.md)
#   replay/impair/NAME   the same capture impaired by pcap_impair.py
#                  (impair.py; impair_expect.txt lists allowed losses)
find_program(PNE_REPLAY_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT PNE_REPLAY_PYTHON3)
  find_program(PNE_REPLAY_PYTHON3 python3 REQUIRED)
endif()

if(PNE_REPLAY_PYTHON3)
  add_test(NAME replay/cli
    COMMAND ${PNE_REPLAY_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_cli.py
            $<TARGET_FILE:pne-replay> $<TARGET_FILE:pnec> ${CMAKE_SOURCE_DIR}
            ${CMAKE_BINARY_DIR}/replay-work/cli)
  set_tests_properties(replay/cli PROPERTIES TIMEOUT 120 LABELS replay)
endif()

# PNE_CORPUS_DIR is the corpus tests' cache variable (tests/corpus/tests.cmake)
set(PNE_CORPUS_DIR "${CMAKE_SOURCE_DIR}/../shared/corpus" CACHE PATH
    "Third-party capture corpus (with INDEX.md) for the corpus tests")
find_program(PNE_REPLAY_TSHARK tshark REQUIRED)
if(PNE_REPLAY_PYTHON3 AND PNE_REPLAY_TSHARK AND EXISTS "${PNE_CORPUS_DIR}/INDEX.md")
  add_test(NAME replay/corpus
    COMMAND ${PNE_REPLAY_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/compare_corpus.py
            --pne-replay $<TARGET_FILE:pne-replay> --pne-frame $<TARGET_FILE:pne-frame>
            --corpus ${PNE_CORPUS_DIR} --workdir ${CMAKE_BINARY_DIR}/replay-work/corpus)
  set_tests_properties(replay/corpus PROPERTIES TIMEOUT 300 LABELS "replay;corpus")
else()
  message(STATUS "replay/corpus test disabled: need ${PNE_CORPUS_DIR}/INDEX.md, tshark and python3")
endif()

# One test per regression case (tests/regress/NAME/input.pcap with its
# expected.jsonl).
file(GLOB PNE_REPLAY_REGRESS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/regress/*/input.pcap)
list(SORT PNE_REPLAY_REGRESS)
foreach(pcap ${PNE_REPLAY_REGRESS})
  get_filename_component(dir ${pcap} DIRECTORY)
  get_filename_component(name ${dir} NAME)
  if(PNE_REPLAY_PYTHON3 AND EXISTS "${dir}/expected.jsonl")
    add_test(NAME replay/regress/${name}
      COMMAND ${PNE_REPLAY_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/regress.py
              $<TARGET_FILE:pne-replay> ${dir} ${CMAKE_BINARY_DIR}/replay-work/regress)
    set_tests_properties(replay/regress/${name} PROPERTIES TIMEOUT 60 LABELS replay
                         SKIP_RETURN_CODE 77)
  endif()
endforeach()

# replay/impair/NAME: each regression capture reordered, duplicated,
# delayed, split into overlapping segments (the clean capture's ADUs
# exactly) and cut at its start (mid-stream pickup: exactly the clean
# ADUs from the resync on), by impair.py with tests/tools/pcap_impair.py.
foreach(pcap ${PNE_REPLAY_REGRESS})
  get_filename_component(dir ${pcap} DIRECTORY)
  get_filename_component(name ${dir} NAME)
  if(PNE_REPLAY_PYTHON3)
    add_test(NAME replay/impair/${name}
      COMMAND ${PNE_REPLAY_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/impair.py
              $<TARGET_FILE:pne-replay> ${dir} ${CMAKE_BINARY_DIR}/replay-work/impair)
    set_tests_properties(replay/impair/${name} PROPERTIES TIMEOUT 120 LABELS replay)
  endif()
endforeach()
