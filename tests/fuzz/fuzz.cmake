# Fuzz targets: libFuzzer binaries compiled from the same sources as the
# kernel (again, with coverage and sanitizers), each run by CTest for a bounded
# time from a seed corpus; any crash fails the test.
if(NOT TARGET atoll_acpi_host)
  return()
endif()

find_program(ATOLL_IASL iasl REQUIRED)  # Debian package acpica-tools
set(ATOLL_FUZZ_FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)

get_target_property(ATOLL_ACPI_SOURCES atoll_acpi_host SOURCES)
add_executable(acpi_fuzz ${CMAKE_CURRENT_LIST_DIR}/acpi_fuzz.cpp ${ATOLL_ACPI_SOURCES})
target_compile_options(acpi_fuzz PRIVATE ${ATOLL_WARNINGS} ${ATOLL_FUZZ_FLAGS} -g -O1)
target_link_options(acpi_fuzz PRIVATE ${ATOLL_FUZZ_FLAGS})
target_compile_definitions(acpi_fuzz PRIVATE ATOLL_HOST=1)
target_include_directories(acpi_fuzz PRIVATE ${PROJECT_SOURCE_DIR})

# Seeds: every table the host tests use, plus a whole-memory image (RSDP at
# address 0, RSDT, then the qemu8 MADT, SRAT and SLIT back to back).
set(ACPI_FUZZ_DIR ${CMAKE_CURRENT_BINARY_DIR}/fuzz/acpi)
set(ACPI_SEED_DIR ${ACPI_FUZZ_DIR}/seeds)
file(GLOB ACPI_SEED_DSL CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/tests/host/acpi/data/*.dsl ${CMAKE_CURRENT_LIST_DIR}/acpi_seeds/*.dsl)
set(ACPI_SEEDS)
foreach(dsl ${ACPI_SEED_DSL})
  get_filename_component(name ${dsl} NAME_WE)
  add_custom_command(
    OUTPUT ${ACPI_SEED_DIR}/${name}.aml
    COMMAND ${CMAKE_COMMAND} -E make_directory ${ACPI_SEED_DIR}
    COMMAND ${ATOLL_IASL} -vs -we -p ${ACPI_SEED_DIR}/${name} ${dsl}
    DEPENDS ${dsl}
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    COMMENT "iasl: compiling fuzz seed ${name}.dsl"
    VERBATIM)
  list(APPEND ACPI_SEEDS ${ACPI_SEED_DIR}/${name}.aml)
endforeach()
set(ACPI_IMAGE_PARTS)
foreach(part mem_rsdp mem_rsdt qemu8_madt qemu8_srat qemu8_slit)
  list(APPEND ACPI_IMAGE_PARTS ${ACPI_SEED_DIR}/${part}.aml)
endforeach()
list(JOIN ACPI_IMAGE_PARTS " " ACPI_IMAGE_PARTS_ARGS)
add_custom_command(
  OUTPUT ${ACPI_SEED_DIR}/qemu8_memory.bin
  COMMAND sh -c "cat ${ACPI_IMAGE_PARTS_ARGS} > ${ACPI_SEED_DIR}/qemu8_memory.bin"
  DEPENDS ${ACPI_IMAGE_PARTS}
  COMMENT "fuzz seed: qemu8 whole-memory image"
  VERBATIM)
add_custom_target(acpi_fuzz_seeds DEPENDS ${ACPI_SEEDS} ${ACPI_SEED_DIR}/qemu8_memory.bin)
add_dependencies(acpi_fuzz acpi_fuzz_seeds)

add_test(NAME fuzz/acpi
  COMMAND ${CMAKE_COMMAND} -DFUZZER=$<TARGET_FILE:acpi_fuzz> -DSEEDS=${ACPI_SEED_DIR}
          -DWORK=${ACPI_FUZZ_DIR}/run -DMAX_TIME=20 -DSEED=1
          -P ${CMAKE_CURRENT_LIST_DIR}/run_fuzzer.cmake)
set_tests_properties(fuzz/acpi PROPERTIES TIMEOUT 180 LABELS fuzz)

# Runtime library: ELF load plans and boot.cfg. Seeds are the host tests'
# linked programs and config files (tests/host/runtime), copied into one
# directory when they change.
if(TARGET atoll_rtlib_host)
  get_target_property(ATOLL_RTLIB_SOURCES atoll_rtlib_host SOURCES)
  add_executable(runtime_fuzz ${CMAKE_CURRENT_LIST_DIR}/runtime_fuzz.cpp ${ATOLL_RTLIB_SOURCES})
  target_compile_options(runtime_fuzz PRIVATE ${ATOLL_WARNINGS} ${ATOLL_FUZZ_FLAGS} -g -O1)
  target_link_options(runtime_fuzz PRIVATE ${ATOLL_FUZZ_FLAGS})
  target_compile_definitions(runtime_fuzz PRIVATE ATOLL_HOST=1)
  target_include_directories(runtime_fuzz PRIVATE ${PROJECT_SOURCE_DIR})

  set(RUNTIME_FUZZ_DIR ${CMAKE_CURRENT_BINARY_DIR}/fuzz/runtime)
  set(RUNTIME_SEED_DIR ${RUNTIME_FUZZ_DIR}/seeds)
  get_property(RUNTIME_SEEDS GLOBAL PROPERTY ATOLL_RUNTIME_SEEDS)
  set(RUNTIME_SEED_COPY)
  if(RUNTIME_SEEDS)
    set(RUNTIME_SEED_COPY COMMAND ${CMAKE_COMMAND} -E copy_if_different ${RUNTIME_SEEDS} ${RUNTIME_SEED_DIR})
  endif()
  add_custom_target(runtime_fuzz_seeds
    COMMAND ${CMAKE_COMMAND} -E make_directory ${RUNTIME_SEED_DIR}
    ${RUNTIME_SEED_COPY}
    COMMENT "fuzz seeds: runtime test programs and configs"
    VERBATIM)
  if(TARGET runtime_test_programs)
    add_dependencies(runtime_fuzz_seeds runtime_test_programs)
  endif()
  add_dependencies(runtime_fuzz runtime_fuzz_seeds)

  add_test(NAME fuzz/runtime
    COMMAND ${CMAKE_COMMAND} -DFUZZER=$<TARGET_FILE:runtime_fuzz> -DSEEDS=${RUNTIME_SEED_DIR}
            -DWORK=${RUNTIME_FUZZ_DIR}/run -DMAX_TIME=15 -DSEED=1
            -P ${CMAKE_CURRENT_LIST_DIR}/run_fuzzer.cmake)
  set_tests_properties(fuzz/runtime PROPERTIES TIMEOUT 180 LABELS fuzz)
endif()
