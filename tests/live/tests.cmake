# Live tests of dpdk-pne (label "live"): real clients and servers in
# network namespaces talking through dpdk-pne inline on two af_packet
# ports (tests/live/live.sh says how and what is checked):
#   live/http     curl (1 KB .. 50 MB, SHA-256 checked), ab, h2load --h1
#                 against nginx
#   live/iscsi    iscsi-test-cu (a subset passing against tgt) and
#                 iscsi-perf against tgtd
#   live/loss     both, with 2 % random loss both ways before dpdk-pne
#   live/workers  two workers with two queues per port against one: each
#                 flow on one worker, the same ADUs
# Every case compares dpdk-pne's ADU log with tshark's dissection of a
# capture (tshark_adus.py). They need root (namespaces, af_packet) and
# the test packages of scripts/deps.sh. Each takes both CPUs of a small
# machine (dpdk-pne's lcores poll), so ctest runs nothing beside it
# (PROCESSORS) and one at a time (RESOURCE_LOCK). live.sh stops itself
# (LIVE_DEADLINE) before ctest's TIMEOUT would kill it, so that its trap
# always removes the namespaces and processes it made.
set(PNE_LIVE_CASES http iscsi loss workers)
set(PNE_LIVE_TIMEOUT_http 240)
set(PNE_LIVE_TIMEOUT_iscsi 240)
set(PNE_LIVE_TIMEOUT_loss 360)
set(PNE_LIVE_TIMEOUT_workers 240)
foreach(c ${PNE_LIVE_CASES})
  add_test(NAME live/${c}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/live.sh $<TARGET_FILE:dpdk-pne> ${c}
            ${CMAKE_BINARY_DIR}/live-work)
  math(EXPR deadline "${PNE_LIVE_TIMEOUT_${c}} - 30")
  set_tests_properties(live/${c} PROPERTIES
    LABELS live
    TIMEOUT ${PNE_LIVE_TIMEOUT_${c}}
    ENVIRONMENT "LIVE_DEADLINE=${deadline}"
    PROCESSORS 2
    RESOURCE_LOCK pne-live)
endforeach()
