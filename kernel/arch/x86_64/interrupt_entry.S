#include "kernel/arch/x86_64/kcb_offsets.h"
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
    push    %rax
    push    %rbx
    push    %rcx
    push    %rdx
    push    %rsi
    push    %rdi
    push    %rbp
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    cld
    mov     %rsp, %rdi
    /* Link the interrupted frame so backtraces continue through it. */
    mov     17 * 8(%rsp), %rax       /* interrupted rip */
    push    %rax
    push    %rbp
    mov     %rsp, %rbp
    call    interrupt_dispatch
    add     $16, %rsp
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %r11
    pop     %r10
    pop     %r9
    pop     %r8
    pop     %rbp
    pop     %rdi
    pop     %rsi
    pop     %rdx
    pop     %rcx
    pop     %rbx
    pop     %rax
    add     $16, %rsp                /* vector, error code */
    iretq

interrupt_from_user:
    swapgs
    push    %rax
    push    %rbx
    push    %rcx
    push    %rdx
    push    %rsi
    push    %rdi
    push    %rbp
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    push    %r12
    push    %r13
    push    %r14
    push    %r15
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
