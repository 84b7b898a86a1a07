/* AP start-up trampoline. The boot core copies [trampoline_start,
 * trampoline_end) to TRAMPOLINE_PHYS and fills trampoline_params; a SIPI
 * starts the AP here in real mode at CS:IP = 0x0800:0000. We go straight to
 * long mode on the bring-up page tables named in the parameters and call
 * ap_entry64(core) on the AP's bring-up stack. Code is position-dependent on
 * TRAMPOLINE_PHYS only through ABS(). */

#define TRAMPOLINE_PHYS 0x8000
#define ABS(label)      (TRAMPOLINE_PHYS + (label - trampoline_start))

    .section .rodata, "a"
    .balign 16
    .globl trampoline_start, trampoline_end, trampoline_params
trampoline_start:
    .code16
    cli
    cld
    xor     %ax, %ax
    mov     %ax, %ds
    lgdtl   ABS(tramp_gdt_ptr)
    mov     %cr0, %eax
    or      $1, %eax
    mov     %eax, %cr0
    ljmpl   $0x18, $ABS(tramp_pm32)

    .code32
tramp_pm32:
    mov     $0x20, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     %cr4, %eax
    or      $(1 << 5), %eax             /* PAE */
    mov     %eax, %cr4
    mov     ABS(tp_cr3), %eax
    mov     %eax, %cr3
    mov     $0xc0000080, %ecx           /* EFER: LME, and NXE when the BSP saw NX */
    rdmsr
    or      $(1 << 8), %eax
    or      ABS(tp_efer_extra), %eax
    wrmsr
    mov     %cr0, %eax
    or      $0x80010000, %eax           /* PG, WP */
    mov     %eax, %cr0
    ljmp    $0x08, $ABS(tramp_lm64)

    .code64
tramp_lm64:
    mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    xor     %eax, %eax
    mov     %ax, %fs
    mov     %ax, %gs
    mov     ABS(tp_stack), %rsp
    mov     ABS(tp_core), %edi
    mov     ABS(tp_entry), %rax
    xor     %ebp, %ebp
    call    *%rax
1:  hlt
    jmp     1b

    .balign 8
tramp_gdt:
    .quad 0
    .quad 0x00af9a000000ffff            /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff            /* 0x10: data */
    .quad 0x00cf9a000000ffff            /* 0x18: 32-bit code */
    .quad 0x00cf92000000ffff            /* 0x20: 32-bit data */
tramp_gdt_ptr:
    .short tramp_gdt_ptr - tramp_gdt - 1
    .long ABS(tramp_gdt)

    .balign 8
trampoline_params:
tp_cr3:         .long 0
tp_efer_extra:  .long 0
tp_entry:       .quad 0
tp_stack:       .quad 0
tp_core:        .long 0
                .long 0
trampoline_end:
