# Runs one libFuzzer binary for a bounded time (cmake -P, from CTest) starting
# from a fresh copy of its seeds, so runs are repeatable; any crash, leak,
# timeout or sanitizer report fails the test and leaves the input in ARTIFACTS.
#   -DFUZZER=<binary> -DSEEDS=<dir> -DWORK=<scratch dir> -DMAX_TIME=<s> -DSEED=<n>
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)
execute_process(
  COMMAND ${FUZZER} -max_total_time=${MAX_TIME} -seed=${SEED} -timeout=10 -max_len=4096 -print_final_stats=1
          -artifact_prefix=${WORK}/artifacts/ ${WORK}/corpus ${SEEDS}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} exited with ${rc}; the failing input is in ${WORK}/artifacts")
endif()
