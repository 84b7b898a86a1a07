/* SYSCALL entry and the one way back to user mode.
 *
 * One kernel stack per core: user registers are saved straight into the
 * running thread's frame (the Thread object, found through gs), in the same
 * layout as an interrupt frame, so a thread that blocks in the kernel holds
 * no kernel stack and any core path can resume any thread the same way. */
#include "kernel/arch/x86_64/kcb_offsets.h"
#include "kernel/arch/x86_64/frame_macros.h"

    .section .text, "ax"
    .globl syscall_entry
syscall_entry:
    swapgs
    mov     %rsp, %gs:KCB_USER_RSP
    mov     %gs:KCB_CTX_END, %rsp       /* push into the thread's frame */
    pushq   $USER_SS
    pushq   %gs:KCB_USER_RSP
    push    %r11                        /* rflags */
    pushq   $USER_CS
    push    %rcx                        /* rip */
    pushq   $0                          /* error code */
    pushq   $-1                         /* "vector": marks a syscall */
    PUSH_GPRS
    mov     %rsp, %rdi
    mov     %gs:KCB_KERNEL_STACK, %rsp
    xor     %ebp, %ebp
    call    syscall_dispatch            /* never returns: ends in return_to_user */
    ud2

/* return_to_user(InterruptFrame* frame): restore a user frame and iretq.
 * Interrupts stay off from here to iretq. */
    .globl return_to_user
return_to_user:
    cli
    mov     %rdi, %rsp
    POP_GPRS
    add     $16, %rsp
    swapgs
    iretq
