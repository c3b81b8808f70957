# Test tools: small programs the script-driven tests run.
# pne-frame runs a built-in spec over a conversation file (see
# tests/tools/pne_frame.c) for the corpus harness (tests/corpus/).
add_executable(pne-frame ${CMAKE_CURRENT_LIST_DIR}/pne_frame.c)
target_link_libraries(pne-frame PRIVATE pne_runtime pne_specs)
set_target_properties(pne-frame PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)

# pne-frame's own checks: command line, file format, feeding rules.
find_program(PNE_TOOLS_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT PNE_TOOLS_PYTHON3)
  find_program(PNE_TOOLS_PYTHON3 python3)
endif()
if(PNE_TOOLS_PYTHON3 AND EXISTS "${CMAKE_SOURCE_DIR}/specs/http.pne")
  add_test(NAME tools/pne-frame
    COMMAND ${PNE_TOOLS_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_pne_frame.py
            $<TARGET_FILE:pne-frame> ${CMAKE_BINARY_DIR}/tools-work)
endif()
