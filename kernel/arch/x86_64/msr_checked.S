/* The instructions behind msr_checked.hpp: a #GP anywhere in these resumes
 * at msr_access_failed (msr_checked.cpp arms this core's exception probe),
 * which returns 0. The faulting instruction left the stack as it was, so
 * `ret` still works. */
    .text
    .globl msr_write_checked, msr_read_checked, msr_access_failed

/* int msr_write_checked(uint32_t msr, uint64_t value): 1 if written */
msr_write_checked:
    mov     %edi, %ecx
    mov     %esi, %eax
    mov     %rsi, %rdx
    shr     $32, %rdx
    wrmsr
    mov     $1, %eax
    ret

/* int msr_read_checked(uint32_t msr, uint64_t* value): 1 if read */
msr_read_checked:
    mov     %edi, %ecx
    rdmsr
    shl     $32, %rdx
    or      %rdx, %rax
    mov     %rax, (%rsi)
    mov     $1, %eax
    ret

msr_access_failed:
    xor     %eax, %eax
    ret
