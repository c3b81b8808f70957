# dpdk-pne's tests (pmd-app/, docs/dpdk-pne.md), on DPDK virtual devices
# with --no-pci --no-huge: no NIC, no hugepages; each run has its own
# --file-prefix, so they may run in parallel. The live tests on veth
# pairs are tests/live/.
#   pmd/replay     every tests/regress capture through net_pcap: exactly
#                  pne-replay's ADU records, and every frame forwarded
#                  unchanged and in order (one lcore, and worker + logger)
#   pmd/multi      two port pairs on two workers
#   pmd/no-track   forwarding only
#   pmd/monitor    receive only
#   pmd/bad-args   bad arguments, missing and failing ports: messages and
#                  exit statuses, no hang
#   pmd/telemetry  /pne/* telemetry while running; SIGINT flushes every ADU
#   pmd/bench      --bench (the in-memory replay of bench/pmd_cost.sh):
#                  counts per pass, ADUs of n track passes = n x pne-replay's
#                  records; no timing
find_program(PNE_PMD_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
file(GLOB PNE_PMD_CAPTURES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/regress/*/input.pcap)
list(SORT PNE_PMD_CAPTURES)
set(PNE_PMD_TEST ${PNE_PMD_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/pmd_test.py
    --dpdk-pne $<TARGET_FILE:dpdk-pne> --pne-replay $<TARGET_FILE:pne-replay>)
set(PNE_PMD_KEEPALIVE ${CMAKE_SOURCE_DIR}/tests/regress/http-keepalive/input.pcap)
set(PNE_PMD_ISCSI ${CMAKE_SOURCE_DIR}/tests/regress/iscsi-rw/input.pcap)

add_test(NAME pmd/replay COMMAND ${PNE_PMD_TEST} --workdir ${CMAKE_BINARY_DIR}/pmd-work/replay
         replay ${PNE_PMD_CAPTURES})
add_test(NAME pmd/multi COMMAND ${PNE_PMD_TEST} --workdir ${CMAKE_BINARY_DIR}/pmd-work/multi
         multi ${PNE_PMD_KEEPALIVE} ${PNE_PMD_ISCSI})
add_test(NAME pmd/no-track COMMAND ${PNE_PMD_TEST} --workdir ${CMAKE_BINARY_DIR}/pmd-work/no-track
         no-track ${PNE_PMD_ISCSI})
add_test(NAME pmd/monitor COMMAND ${PNE_PMD_TEST} --workdir ${CMAKE_BINARY_DIR}/pmd-work/monitor
         monitor ${PNE_PMD_KEEPALIVE})
add_test(NAME pmd/bad-args COMMAND ${PNE_PMD_TEST} --workdir ${CMAKE_BINARY_DIR}/pmd-work/bad-args
         bad-args ${PNE_PMD_KEEPALIVE})
add_test(NAME pmd/telemetry COMMAND ${PNE_PMD_TEST} --workdir ${CMAKE_BINARY_DIR}/pmd-work/telemetry
         telemetry ${PNE_PMD_KEEPALIVE})
add_test(NAME pmd/bench COMMAND ${PNE_PMD_TEST} --workdir ${CMAKE_BINARY_DIR}/pmd-work/bench
         bench ${PNE_PMD_ISCSI} ${PNE_PMD_KEEPALIVE})
set_tests_properties(pmd/replay PROPERTIES TIMEOUT 300 LABELS pmd)
set_tests_properties(pmd/multi pmd/no-track pmd/monitor pmd/bad-args pmd/telemetry pmd/bench
                     PROPERTIES TIMEOUT 180 LABELS pmd)
