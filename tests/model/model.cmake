# Model checks: spin explores a Promela model of a protocol exhaustively.
#
#   model/capability_protocol   tests/model/capability_protocol.pml, the
#                               cross-core capability protocol for 3 cores
#                               (docs/cross_core_protocol.md)
#
# Registered only when spin and a C compiler are found.
find_program(ATOLL_SPIN spin)
find_package(Python3 COMPONENTS Interpreter)
if(NOT ATOLL_SPIN OR NOT Python3_Interpreter_FOUND)
  message(STATUS "Model tests: spin or python3 not found, not registered")
  return()
endif()

add_test(NAME model/capability_protocol
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run_spin.py
          ${CMAKE_CURRENT_LIST_DIR}/capability_protocol.pml
          ${CMAKE_BINARY_DIR}/tests/model/capability_protocol)
set_tests_properties(model/capability_protocol PROPERTIES
  TIMEOUT 120 LABELS model)

# Each injected bug must be caught: a model whose invariants let a broken
# protocol through would check nothing.
foreach(bug NO_ACK_WAIT GRANT_STALE RELEASE_UNCHECKED NO_JOIN)
  add_test(NAME model/capability_protocol/catches_${bug}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run_spin.py
            ${CMAKE_CURRENT_LIST_DIR}/capability_protocol.pml
            ${CMAKE_BINARY_DIR}/tests/model/bug_${bug} --expect-violation -DBUG_${bug})
  set_tests_properties(model/capability_protocol/catches_${bug} PROPERTIES
    TIMEOUT 120 LABELS model)
endforeach()
