# Generated-stream tests (tests/gen/): random but valid conversations of
# every shipped protocol, built from the protocols' own specifications by
# gen_streams.py, segmented at random, framed by pne-frame and compared
# with the ADUs the generator knows are there.
#   gen/NAME         exact ADUs, unbroken and with a gap inside an opaque
#                    payload (must be absorbed); first checks that the
#                    checker notices spoilt expectations
#   gen-resync/NAME  a gap over an ADU's header: the ADUs after the
#                    resynchronisation must be the expected tail, no synced
#                    ADU at a wrong boundary
# A failure prints the seed, the first differing ADU and the commands to
# regenerate the conversation and rerun pne-frame on it.
find_program(PNE_GEN_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT PNE_GEN_PYTHON3)
  find_program(PNE_GEN_PYTHON3 python3)
endif()

set(PNE_GEN_SEEDS 200 CACHE STRING "Seeds per generated-stream test")
set(PNE_GEN_PROTOCOLS http iscsi dns tls http2 websocket mqtt kafka redis
    pgsql mysql smb2 modbus rpc bgp)

if(NOT PNE_GEN_PYTHON3)
  message(STATUS "generated-stream tests disabled: need python3")
else()
  foreach(p ${PNE_GEN_PROTOCOLS})
    if(NOT EXISTS "${CMAKE_SOURCE_DIR}/specs/${p}.pne")
      continue()
    endif()
    add_test(NAME gen/${p}
      COMMAND ${PNE_GEN_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/gen_streams.py
              --pne-frame ${CMAKE_BINARY_DIR}/bin/pne-frame --spec ${p}
              --seeds ${PNE_GEN_SEEDS} --variant plain,bodygap --selfcheck
              --workdir ${CMAKE_BINARY_DIR}/gen-work/${p})
    add_test(NAME gen-resync/${p}
      COMMAND ${PNE_GEN_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/gen_streams.py
              --pne-frame ${CMAKE_BINARY_DIR}/bin/pne-frame --spec ${p}
              --seeds ${PNE_GEN_SEEDS} --variant hdrgap
              --workdir ${CMAKE_BINARY_DIR}/gen-work/${p})
    set_tests_properties(gen/${p} gen-resync/${p} PROPERTIES TIMEOUT 120 LABELS gen)
  endforeach()
endif()
