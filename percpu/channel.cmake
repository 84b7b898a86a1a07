# Channel: the SPSC message ring between two cores (kernel and host builds).
atoll_shared_library(atoll_channel SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/channel.cpp)
