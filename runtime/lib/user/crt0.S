/* Program entry: the kernel starts a task's first thread here with a
 * 16-byte aligned stack. Calls main() and exits with its return value. */
    .section .text._start, "ax"
    .globl _start
_start:
    xor     %ebp, %ebp                  /* backtraces end here */
    and     $-16, %rsp
    call    atoll_start                 /* rdi: this thread's UTCB, rsi: environment (runtime/lib/user/start.cpp) */
    ud2
