# ACPI table parsing, CPUID topology decoding and the topology table built
# from them: shared by the kernel, the host tests and the fuzzer.
atoll_shared_library(atoll_acpi SOURCES
  ${PROJECT_SOURCE_DIR}/kernel/acpi/rsdp.cpp
  ${PROJECT_SOURCE_DIR}/kernel/acpi/sdt.cpp
  ${PROJECT_SOURCE_DIR}/kernel/acpi/madt.cpp
  ${PROJECT_SOURCE_DIR}/kernel/acpi/irq_route.cpp
  ${PROJECT_SOURCE_DIR}/kernel/acpi/srat.cpp
  ${PROJECT_SOURCE_DIR}/kernel/acpi/slit.cpp
  ${PROJECT_SOURCE_DIR}/kernel/arch/x86_64/cpu_topology.cpp
  ${PROJECT_SOURCE_DIR}/percpu/topology.cpp)
