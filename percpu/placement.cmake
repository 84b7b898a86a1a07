# Placement planner: one core per program from the topology and the programs'
# requests (docs/placement.md). Shared by the kernel side (the root task,
# later) and the host, where atoll-place runs it for `./atoll place`.
atoll_shared_library(atoll_placement SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/placement.cpp
  ${CMAKE_CURRENT_LIST_DIR}/placement_config.cpp)
# The config parser reads boot.cfg with the runtime library's tokenizer and
# placement-key readers (runtime/lib/ini.cpp, boot_config.cpp). An image that
# takes atoll_placement_kernel's objects takes atoll_rtlib_kernel's too, as
# the kernel image already does.
target_link_libraries(atoll_placement_host PUBLIC atoll_rtlib_host)
target_link_libraries(atoll_placement_kernel PUBLIC atoll_rtlib_kernel)

# build/tools/atoll-place: reads a machine in the kernel's log format, a
# config and an optional cost model; prints the plan (tools/atoll/place.py).
add_executable(atoll-place ${CMAKE_CURRENT_LIST_DIR}/placement_main.cpp)
target_compile_options(atoll-place PRIVATE ${ATOLL_WARNINGS} -g -O1)
target_link_libraries(atoll-place PRIVATE atoll_placement_host)
set_target_properties(atoll-place PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tools)
