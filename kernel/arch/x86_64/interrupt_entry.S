#include "kernel/arch/x86_64/kcb_offsets.h"
#include "kernel/arch/x86_64/frame_macros.h"
/* Interrupt and exception entry: 256 stubs of 16 bytes each, so the IDT
 * can compute a stub's address instead of storing a table. Each stub makes
 * the frame uniform (a zero where the CPU pushes no error code), pushes its
 * vector, and joins the common path that saves registers and calls C++. */

    .section .text, "ax"
    .balign 16
    .globl interrupt_stubs
interrupt_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    pushq   $0
    .endif
    pushq   $vec
    jmp     interrupt_common
    .set vec, vec + 1
    .endr

interrupt_common:
    /* From user mode the CPU pushed onto TSS.rsp0, which points at the end
     * of the running thread's frame: finish the frame there, then move to
     * this core's kernel stack. */
    testb   $3, 24(%rsp)
    jnz     interrupt_from_user
    PUSH_GPRS
    cld
    mov     %rsp, %rdi
    /* Link the interrupted frame so backtraces continue through it. */
    mov     17 * 8(%rsp), %rax       /* interrupted rip */
    push    %rax
    push    %rbp
    mov     %rsp, %rbp
    call    interrupt_dispatch
    add     $16, %rsp
    POP_GPRS
    add     $16, %rsp                /* vector, error code */
    iretq

interrupt_from_user:
    swapgs
    PUSH_GPRS
    cld
    mov     %rsp, %rdi
    mov     %gs:KCB_KERNEL_STACK, %rsp
    xor     %ebp, %ebp
    call    user_interrupt_dispatch      /* never returns: ends in return_to_user */
    ud2

/* For the exception self-test: a ud2 at a known place to resume after. */
    .globl ktest_trigger_ud2, ktest_trigger_ud2_resume
ktest_trigger_ud2:
    ud2
ktest_trigger_ud2_resume:
    ret
