# atoll_shared_library(NAME SOURCES ...)
#
# Code that runs both inside the kernel and in host tests is declared once.
# This makes two object libraries from one source list:
#   NAME_kernel  freestanding, kernel code model, no SSE, no exceptions/RTTI
#   NAME_host    hosted, with ASan/UBSan, for GoogleTest and libFuzzer
# Shared sources include only freestanding headers (<stdint.h>, <stddef.h>,
# <atomic>, <type_traits>, <bit>, <limits>, <new>, <concepts>).
include_guard(GLOBAL)

set(ATOLL_KERNEL_CXX_FLAGS
  -ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics
  -fno-use-cxa-atexit -fno-stack-protector -fno-pic -fno-pie
  -mno-red-zone -mcmodel=kernel
  -mno-sse -mno-sse2 -mno-mmx -mno-3dnow -mno-avx -msoft-float
  -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer
  -fno-asynchronous-unwind-tables -fno-unwind-tables
  -ffunction-sections -fdata-sections
  -O2 -g)

set(ATOLL_HOST_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=all
                        -fno-omit-frame-pointer)

function(atoll_shared_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;KERNEL_ONLY;HOST_ONLY" ${ARGN})
  add_library(${name}_kernel OBJECT ${ARG_SOURCES} ${ARG_KERNEL_ONLY})
  target_compile_options(${name}_kernel PRIVATE ${ATOLL_WARNINGS}
    $<$<COMPILE_LANGUAGE:CXX,C>:${ATOLL_KERNEL_CXX_FLAGS}>)
  target_compile_definitions(${name}_kernel PUBLIC ATOLL_KERNEL=1)
  target_include_directories(${name}_kernel PUBLIC ${PROJECT_SOURCE_DIR})

  add_library(${name}_host STATIC ${ARG_SOURCES} ${ARG_HOST_ONLY})
  target_compile_options(${name}_host PRIVATE ${ATOLL_WARNINGS} ${ATOLL_HOST_SANITIZE} -g -O1)
  target_link_options(${name}_host PUBLIC ${ATOLL_HOST_SANITIZE})
  target_compile_definitions(${name}_host PUBLIC ATOLL_HOST=1)
  target_include_directories(${name}_host PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()
