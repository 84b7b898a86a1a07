# The kernel image: every kernel object, linked twice so the second link can
# embed a symbol table of the first (kernel.ld reserves its space, so no
# address moves), then flattened for QEMU's multiboot v1 loader.
find_program(LLVM_NM NAMES llvm-nm llvm-nm-14 REQUIRED)
find_program(LLVM_OBJCOPY NAMES llvm-objcopy llvm-objcopy-14 REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(K ${PROJECT_SOURCE_DIR}/kernel)
set(P ${PROJECT_SOURCE_DIR}/percpu)
add_library(atoll_kernel_core OBJECT
  ${K}/arch/x86_64/boot/entry32.S
  ${K}/arch/x86_64/boot/trampoline.S
  ${K}/arch/x86_64/interrupt_entry.S
  ${K}/arch/x86_64/syscall_entry.S
  ${K}/arch/x86_64/syscall_setup.cpp
  ${K}/arch/x86_64/fpu.cpp
  ${K}/arch/x86_64/msr_checked.S
  ${K}/arch/x86_64/msr_checked.cpp
  ${K}/arch/x86_64/perf_counters.cpp
  ${K}/abi/status.cpp
  ${K}/object/kobject.cpp
  ${K}/object/task.cpp
  ${K}/object/thread.cpp
  ${K}/object/elf_task.cpp
  ${K}/object/endpoint.cpp
  ${K}/object/notification.cpp
  ${K}/object/reply.cpp
  ${K}/object/frame.cpp
  ${K}/object/mapping.cpp
  ${K}/object/log_port.cpp
  ${K}/object/remote_ref.cpp
  ${K}/object/irq.cpp
  ${K}/object/io_port.cpp
  ${K}/object/task_io.cpp
  ${K}/syscall/object_calls.cpp
  ${K}/syscall/memory_calls.cpp
  ${K}/syscall/task_calls.cpp
  ${K}/syscall/device_calls.cpp
  ${K}/cap/cap_space.cpp
  ${K}/ipc/ipc.cpp
  ${K}/sched/scheduler.cpp
  ${K}/sched/pcid.cpp
  ${K}/syscall/dispatch.cpp
  ${K}/syscall/user_access.cpp
  ${K}/syscall/user_copy.S
  ${K}/arch/x86_64/descriptors.cpp
  ${K}/arch/x86_64/lapic.cpp
  ${K}/arch/x86_64/ioapic.cpp
  ${K}/arch/x86_64/io_bitmap.cpp
  ${K}/arch/x86_64/pit.cpp
  ${K}/console/serial.cpp
  ${K}/debug/backtrace.cpp
  ${K}/lib/string.cpp
  ${K}/log.cpp
  ${K}/panic.cpp
  ${K}/power.cpp
  ${K}/time.cpp
  ${K}/timer.cpp
  ${K}/test/ktest.cpp
  ${K}/test/boot_ktests.cpp
  ${P}/address_space.cpp
  ${P}/ap_entry.cpp
  ${P}/ap_start.cpp
  ${P}/boot_core.cpp
  ${P}/boot_info.cpp
  ${P}/coordinator.cpp
  ${P}/first_tasks.cpp
  ${P}/exports.cpp
  ${P}/core_endpoints.cpp
  ${P}/remote_ipc.cpp
  ${P}/remote_invoke.cpp
  ${P}/span.cpp
  ${P}/transfer.cpp
  ${P}/core_tasks.cpp
  ${P}/core_init.cpp
  ${P}/device_interrupts.cpp
  ${P}/kcb.cpp
  ${P}/log_forward.cpp
  ${P}/messenger.cpp
  ${P}/remote_map.cpp
  ${P}/percpu_ktests.cpp)
target_compile_options(atoll_kernel_core PRIVATE ${ATOLL_WARNINGS}
  $<$<COMPILE_LANGUAGE:CXX,C>:${ATOLL_KERNEL_CXX_FLAGS}>)
target_compile_definitions(atoll_kernel_core PUBLIC ATOLL_KERNEL=1)
target_include_directories(atoll_kernel_core PUBLIC ${PROJECT_SOURCE_DIR})

set(ATOLL_KERNEL_OBJECTS
  $<TARGET_OBJECTS:atoll_kernel_core>
  $<TARGET_OBJECTS:atoll_klib_kernel>
  $<TARGET_OBJECTS:atoll_acpi_kernel>
  $<TARGET_OBJECTS:atoll_mem_kernel>
  $<TARGET_OBJECTS:atoll_partition_kernel>
  $<TARGET_OBJECTS:atoll_channel_kernel>
  $<TARGET_OBJECTS:atoll_rtlib_kernel>)
set(ATOLL_LINKER_SCRIPT ${K}/arch/x86_64/kernel.ld)
set(ATOLL_KERNEL_LINK_OPTIONS -nostdlib -static -fuse-ld=lld
  -Wl,-T,${ATOLL_LINKER_SCRIPT} -Wl,--no-dynamic-linker -Wl,-z,noexecstack -Wl,--build-id=none)

function(atoll_kernel_link name symtab_source)
  add_executable(${name} ${ATOLL_KERNEL_OBJECTS} ${symtab_source})
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE CXX LINK_DEPENDS ${ATOLL_LINKER_SCRIPT}
                        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/kernel)
  target_link_options(${name} PRIVATE ${ATOLL_KERNEL_LINK_OPTIONS})
  # The host linker flags from the preset must not leak in.
  set_target_properties(${name} PROPERTIES LINK_FLAGS "")
endfunction()

atoll_kernel_link(atoll-stage1 ${K}/arch/x86_64/boot/ksymtab_empty.S)

set(KSYMTAB_BIN ${CMAKE_BINARY_DIR}/kernel/ksymtab.bin)
add_custom_command(OUTPUT ${KSYMTAB_BIN}
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/gen_ksymtab.py ${LLVM_NM}
          $<TARGET_FILE:atoll-stage1> ${KSYMTAB_BIN}
  DEPENDS atoll-stage1 ${PROJECT_SOURCE_DIR}/tools/gen_ksymtab.py
  COMMENT "Kernel symbol table")
set_source_files_properties(${K}/arch/x86_64/boot/ksymtab.S PROPERTIES
  OBJECT_DEPENDS ${KSYMTAB_BIN} COMPILE_DEFINITIONS "KSYMTAB_BIN=\"${KSYMTAB_BIN}\"")

atoll_kernel_link(atoll-final ${K}/arch/x86_64/boot/ksymtab.S)
set_target_properties(atoll-final PROPERTIES OUTPUT_NAME atoll.elf)

set(ATOLL_MB ${CMAKE_BINARY_DIR}/kernel/atoll.mb)
set(ATOLL_LAYOUT_STAMP ${CMAKE_BINARY_DIR}/kernel/layout.checked)
add_custom_command(OUTPUT ${ATOLL_MB} ${ATOLL_LAYOUT_STAMP}
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/check_same_layout.py ${LLVM_NM}
          $<TARGET_FILE:atoll-stage1> $<TARGET_FILE:atoll-final> ${ATOLL_LAYOUT_STAMP}
  COMMAND ${LLVM_OBJCOPY} -O binary $<TARGET_FILE:atoll-final> ${ATOLL_MB}
  DEPENDS atoll-final atoll-stage1 ${PROJECT_SOURCE_DIR}/tools/check_same_layout.py
  COMMENT "Multiboot v1 flat image (QEMU -kernel)")
add_custom_target(atoll_image ALL DEPENDS ${ATOLL_MB})
