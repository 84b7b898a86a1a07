/* Copying from user memory. A fault inside user_copy_insn is not a kernel
 * bug: the page-fault handler moves rip to user_copy_fault and the copy
 * returns 1 instead (see user_access.cpp). stac/clac open and close SMAP's
 * window only around the one instruction that touches user memory. */
    .section .text, "ax"
    .globl user_copy_smap, user_copy_plain, user_copy_insn_smap, user_copy_insn_plain, user_copy_fault
/* uint64_t user_copy_*(void* dst, const void* src, size_t len): 0 or 1 */
user_copy_smap:
    mov     %rdx, %rcx
    stac
user_copy_insn_smap:
    rep movsb
    clac
    xor     %eax, %eax
    ret
user_copy_plain:
    mov     %rdx, %rcx
user_copy_insn_plain:
    rep movsb
    xor     %eax, %eax
    ret
    .globl user_copy_fault_plain
user_copy_fault:
    clac
user_copy_fault_plain:
    mov     $1, %eax
    ret
