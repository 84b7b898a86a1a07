# atoll_user_program(NAME SOURCES ...): a static user-mode ELF for Atoll,
# linked against the user runtime. Output: build/user/NAME.
include_guard(GLOBAL)

set(ATOLL_USER_CXX_FLAGS
  -ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-pic -fno-pie
  -fno-stack-protector -fno-omit-frame-pointer -O2 -g)

add_library(atoll_user_runtime OBJECT
  ${PROJECT_SOURCE_DIR}/runtime/lib/user/crt0.S
  ${PROJECT_SOURCE_DIR}/runtime/lib/user/start.cpp
  ${PROJECT_SOURCE_DIR}/runtime/lib/user/print.cpp
  ${PROJECT_SOURCE_DIR}/runtime/lib/user/malloc.cpp
  ${PROJECT_SOURCE_DIR}/runtime/lib/user/slots.cpp
  ${PROJECT_SOURCE_DIR}/runtime/lib/user/env.cpp
  ${PROJECT_SOURCE_DIR}/runtime/lib/user/console_client.cpp
  ${PROJECT_SOURCE_DIR}/runtime/lib/user/assert.cpp
  ${PROJECT_SOURCE_DIR}/kernel/lib/format.cpp
  ${PROJECT_SOURCE_DIR}/kernel/abi/status.cpp
  ${PROJECT_SOURCE_DIR}/kernel/lib/string.cpp)
target_compile_options(atoll_user_runtime PRIVATE ${ATOLL_WARNINGS}
  $<$<COMPILE_LANGUAGE:CXX,C>:${ATOLL_USER_CXX_FLAGS}>)
target_compile_definitions(atoll_user_runtime PUBLIC ATOLL_USER=1)
target_include_directories(atoll_user_runtime PUBLIC ${PROJECT_SOURCE_DIR})

function(atoll_user_program name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES} $<TARGET_OBJECTS:atoll_user_runtime>)
  target_compile_options(${name} PRIVATE ${ATOLL_WARNINGS} ${ATOLL_USER_CXX_FLAGS})
  target_compile_definitions(${name} PRIVATE ATOLL_USER=1)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  set(script ${PROJECT_SOURCE_DIR}/runtime/lib/user/user.ld)
  target_link_options(${name} PRIVATE -nostdlib -static -fuse-ld=lld -Wl,-T,${script}
                      -Wl,--build-id=none -Wl,-z,noexecstack)
  set_target_properties(${name} PROPERTIES LINK_DEPENDS ${script} LINK_FLAGS ""
                        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/user)
endfunction()
