# Regression captures made from real software (tests/regress/*/input.pcap,
# made by make_captures.sh). Here only what needs no PNE binary:
# tests/tools/pcap_impair.py must leave every capture's byte streams
# unchanged as tshark reassembles them (check_impair.py).
find_program(PNE_REGRESS_TSHARK tshark)
find_program(PNE_REGRESS_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT PNE_REGRESS_PYTHON3)
  find_program(PNE_REGRESS_PYTHON3 python3)
endif()
file(GLOB PNE_REGRESS_CAPTURES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*/input.pcap)
list(SORT PNE_REGRESS_CAPTURES)
if(NOT PNE_REGRESS_TSHARK OR NOT PNE_REGRESS_PYTHON3 OR NOT PNE_REGRESS_CAPTURES)
  message(STATUS "regress/pcap-impair test disabled: needs tshark, python3 and tests/regress/*/input.pcap")
else()
  add_test(NAME regress/pcap-impair
    COMMAND ${PNE_REGRESS_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/check_impair.py
            --tshark ${PNE_REGRESS_TSHARK}
            --workdir ${CMAKE_BINARY_DIR}/regress-work
            ${PNE_REGRESS_CAPTURES})
  set_tests_properties(regress/pcap-impair PROPERTIES TIMEOUT 120 LABELS regress)
endif()
