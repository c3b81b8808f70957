# HTTP message bodies (cache/http_body.h, pne-replay --body-hash/--bodies)
# against the peers' oracles in the corpus (PNE_CORPUS_DIR):
#   bodies/evader  the 502 HTTP evader captures: one decoded response body
#                  holding the EICAR file each (suricata's verdict), bar
#                  those evader_expect.txt lists with a reason
#   bodies/arkime  body MD5s of arkime's .test session files
#   bodies/zeek    body lengths and MD5s of zeek's baselines (http.log,
#                  files.log, extracted files)
if(TARGET test_http_body)
  target_link_libraries(test_http_body PRIVATE pne_cache)
endif()

set(PNE_CORPUS_DIR "${CMAKE_SOURCE_DIR}/../shared/corpus" CACHE PATH
    "Third-party capture corpus (with INDEX.md) for the corpus tests")
find_program(PNE_BODIES_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(PNE_BODIES_PYTHON3 AND EXISTS "${PNE_CORPUS_DIR}/INDEX.md")
  foreach(o evader arkime zeek)
    add_test(NAME bodies/${o}
      COMMAND ${PNE_BODIES_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/${o}.py
              $<TARGET_FILE:pne-replay> ${PNE_CORPUS_DIR}
              ${CMAKE_BINARY_DIR}/bodies-work/${o})
    set_tests_properties(bodies/${o} PROPERTIES TIMEOUT 120 LABELS "bodies;corpus"
                         SKIP_RETURN_CODE 77)
  endforeach()
else()
  message(STATUS "bodies/* tests disabled: need ${PNE_CORPUS_DIR}/INDEX.md and /usr/bin/python3")
endif()
