# Boot tests: QEMU boots the kernel once per configuration (a CTest fixture)
# and one CTest test per check reads the saved serial log:
#
#   boot/<config>             fixture setup: boot, save build/boot-logs/<config>/
#   boot/<config>/<ktest>     'KTEST PASS <ktest>', no FAIL, summary, no PANIC
#   boot/<config>/online      each 'core N online' exactly once, N = 0..cores-1
#   boot/<config>/shutdown    'atoll: shutdown status=0' and the QEMU exit agrees
#   boot/<config>/numa        (tcg-numa) nodes per APIC and 'numa: distance' 10/21
#   boot/<config>/srat        (tcg-badsrat) 'acpi: ... SRAT ...', every core on node 0
#   boot/<config>/panic       (tcg-panic) the deliberate panic is reported and stops the machine
#
# The configurations live in tools/atoll/configs.py (one table for this file
# and the runner). In-kernel test names come from KTEST(name, ...) in
# kernel/**.cpp and percpu/**.cpp; cmake re-runs when those files change.
if(NOT TARGET atoll_image)
  message(STATUS "Boot tests: no atoll_image target yet, not registered")
  return()
endif()

find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(ATOLL_TOOLS_ENV "PYTHONPATH=${PROJECT_SOURCE_DIR}/tools" "PYTHONDONTWRITEBYTECODE=1")
set(ATOLL_BOOT_CHECKS online shutdown numa srat panic user topology bench)   # reserved: not usable as KTEST names

# --- The malformed SRAT for tcg-badsrat (path must match configs.BAD_SRAT).
set(ATOLL_BAD_SRAT ${CMAKE_BINARY_DIR}/tests/boot/bad-srat.dat)
add_custom_command(OUTPUT ${ATOLL_BAD_SRAT}
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/make_bad_srat.py ${ATOLL_BAD_SRAT}
  DEPENDS ${CMAKE_CURRENT_LIST_DIR}/make_bad_srat.py
  COMMENT "Generating a malformed SRAT for boot/tcg-badsrat")
add_custom_target(atoll_bad_srat ALL DEPENDS ${ATOLL_BAD_SRAT})

# --- In-kernel test names: KTEST(name, scope) outside #define lines, except
# KtestScope::kManual ones (they run only when named, never under test=all;
# keep the scope on the KTEST line so this scan sees it).
function(atoll_find_ktests out)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/kernel/*.cpp ${PROJECT_SOURCE_DIR}/percpu/*.cpp)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${sources})
  set(names "")
  foreach(source IN LISTS sources)
    file(STRINGS ${source} lines REGEX "KTEST\\([a-z0-9_]+")
    foreach(line IN LISTS lines)
      if(line MATCHES "^[ \t]*#[ \t]*define" OR line MATCHES "KtestScope::kManual")
        continue()
      endif()
      string(REGEX MATCHALL "KTEST\\(([a-z0-9_]+)" hits "${line}")
      foreach(hit IN LISTS hits)
        string(REGEX REPLACE "^KTEST\\(" "" name "${hit}")
        list(APPEND names ${name})
      endforeach()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES names)
  list(SORT names)
  foreach(name IN LISTS names)
    if(name IN_LIST ATOLL_BOOT_CHECKS)
      message(FATAL_ERROR "KTEST(${name}, ...) clashes with the boot check boot/<config>/${name}; rename it")
    endif()
  endforeach()
  set(${out} ${names} PARENT_SCOPE)
endfunction()

function(atoll_boot_test name)
  add_test(NAME ${name} COMMAND ${Python3_EXECUTABLE} -m atoll.boottest ${ARGN})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${ATOLL_TOOLS_ENV}"
                       SKIP_RETURN_CODE 77 LABELS boot)
endfunction()

# One configuration: the booting fixture, its checks, and one test per KTEST.
function(atoll_boot_config config timeout processors with_ktests)
  set(where --config ${config} --build-dir ${CMAKE_BINARY_DIR})
  atoll_boot_test(boot/${config} boot ${where})
  math(EXPR ctest_timeout "${timeout} + 120")   # ISO build, firmware, margin
  set_tests_properties(boot/${config} PROPERTIES FIXTURES_SETUP boot-${config}
                       TIMEOUT ${ctest_timeout} PROCESSORS ${processors})
  set(tests "")
  foreach(check IN LISTS ARGN)
    atoll_boot_test(boot/${config}/${check} check ${where} ${check})
    list(APPEND tests boot/${config}/${check})
  endforeach()
  if(with_ktests)
    foreach(ktest IN LISTS ATOLL_KTESTS)
      atoll_boot_test(boot/${config}/${ktest} check ${where} ktest ${ktest})
      list(APPEND tests boot/${config}/${ktest})
    endforeach()
  endif()
  set_tests_properties(${tests} PROPERTIES FIXTURES_REQUIRED boot-${config} TIMEOUT 60)
endfunction()

atoll_find_ktests(ATOLL_KTESTS)
list(LENGTH ATOLL_KTESTS ktest_count)

execute_process(
  COMMAND ${CMAKE_COMMAND} -E env ${ATOLL_TOOLS_ENV} ${Python3_EXECUTABLE} -m atoll.boottest manifest
  OUTPUT_VARIABLE manifest ERROR_VARIABLE manifest_error RESULT_VARIABLE manifest_status)
if(NOT manifest_status EQUAL 0)
  message(FATAL_ERROR "python3 -m atoll.boottest manifest failed:\n${manifest_error}")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/tools/atoll/configs.py)

# Each manifest line: <config> <timeout s> <host cores> <ktests 0|1> <check>...
string(REPLACE "\n" ";" manifest_lines "${manifest}")
set(config_names "")
foreach(line IN LISTS manifest_lines)
  if(line STREQUAL "")
    continue()
  endif()
  separate_arguments(fields UNIX_COMMAND "${line}")
  atoll_boot_config(${fields})
  list(GET fields 0 config)
  list(APPEND config_names ${config})
endforeach()
string(REPLACE ";" " " config_names "${config_names}")
message(STATUS "Boot tests: ${ktest_count} in-kernel test(s); configurations: ${config_names}")
