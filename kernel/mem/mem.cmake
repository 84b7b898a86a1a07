# Per-core memory management: buddy frame allocator and kernel heap.
atoll_shared_library(atoll_mem SOURCES
  ${PROJECT_SOURCE_DIR}/kernel/mem/frame_allocator.cpp
  ${PROJECT_SOURCE_DIR}/kernel/mem/heap.cpp)
