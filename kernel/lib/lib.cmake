# Kernel code that is also compiled for host tests.
atoll_shared_library(atoll_klib SOURCES
  ${PROJECT_SOURCE_DIR}/kernel/lib/format.cpp
  ${PROJECT_SOURCE_DIR}/kernel/arch/x86_64/page_table.cpp
  ${PROJECT_SOURCE_DIR}/kernel/debug/ksymtab.cpp
  ${PROJECT_SOURCE_DIR}/kernel/boot/multiboot.cpp
  ${PROJECT_SOURCE_DIR}/percpu/cmdline.cpp
  ${PROJECT_SOURCE_DIR}/percpu/bootstrap_frames.cpp)
