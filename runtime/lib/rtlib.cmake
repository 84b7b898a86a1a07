# The runtime library's parsers of untrusted input (ELF images, boot.cfg and
# the tokenizer of its dialect, which the placement planner's parser shares):
# used by the kernel to start the first tasks and by the root task, and
# compiled again for host tests and the fuzzer.
atoll_shared_library(atoll_rtlib SOURCES
  ${PROJECT_SOURCE_DIR}/runtime/lib/elf.cpp
  ${PROJECT_SOURCE_DIR}/runtime/lib/ini.cpp
  ${PROJECT_SOURCE_DIR}/runtime/lib/boot_config.cpp)
