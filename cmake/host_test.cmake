# atoll_host_test(NAME SOURCES ... LIBS ...): a GoogleTest binary with
# ASan/UBSan, registered with CTest one test case at a time.
include_guard(GLOBAL)
find_package(GTest REQUIRED)
include(GoogleTest)

function(atoll_host_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${ATOLL_WARNINGS} ${ATOLL_HOST_SANITIZE} -g -O1)
  target_link_options(${name} PRIVATE ${ATOLL_HOST_SANITIZE})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  gtest_discover_tests(${name} TEST_PREFIX "host/" DISCOVERY_TIMEOUT 60)
endfunction()
