# Corpus tests: every shipped spec framed by pne-frame over the
# third-party captures of ../shared/corpus, checked against tshark's
# dissectors (tests/corpus/run_corpus.py; exceptions with their reasons
# in tests/corpus/expectations.txt). One test per protocol.
set(PNE_CORPUS_DIR "${CMAKE_SOURCE_DIR}/../shared/corpus" CACHE PATH
    "Third-party capture corpus (with INDEX.md) for the corpus tests")
find_program(PNE_TSHARK tshark)
find_program(PNE_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT PNE_PYTHON3)
  find_program(PNE_PYTHON3 python3)
endif()

set(PNE_CORPUS_PROTOCOLS http iscsi dns tls http2 websocket mqtt kafka redis
    pgsql mysql smb2 modbus rpc bgp)

if(NOT EXISTS "${PNE_CORPUS_DIR}/INDEX.md" OR NOT PNE_TSHARK OR NOT PNE_PYTHON3)
  message(STATUS "corpus tests disabled: need ${PNE_CORPUS_DIR}/INDEX.md, tshark and python3")
else()
  foreach(p ${PNE_CORPUS_PROTOCOLS})
    # Only protocols whose spec ships (specs/NAME.pne) and that the
    # harness has an oracle for (websocket has no capture yet).
    list(FIND PNE_SPEC_FILES "${CMAKE_SOURCE_DIR}/specs/${p}.pne" shipped)
    if(shipped EQUAL -1 OR p STREQUAL "websocket")
      continue()
    endif()
    add_test(NAME corpus/${p}
      COMMAND ${PNE_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/run_corpus.py
              --pne-frame $<TARGET_FILE:pne-frame>
              --corpus ${PNE_CORPUS_DIR}
              --proto ${p}
              --workdir ${CMAKE_BINARY_DIR}/corpus-work/${p}
      WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
    set_tests_properties(corpus/${p} PROPERTIES TIMEOUT 600 LABELS corpus)
  endforeach()
endif()
