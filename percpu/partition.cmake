# Boot-time split of physical memory into one partition per core.
atoll_shared_library(atoll_partition SOURCES ${PROJECT_SOURCE_DIR}/percpu/partition.cpp)
