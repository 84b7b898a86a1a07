/* Boot entry: both loaders (QEMU -kernel via multiboot v1, GRUB via
 * multiboot2) jump here in 32-bit protected mode with paging off. We save
 * the pristine .data, build a throw-away identity + higher-half map, enter
 * long mode and call bsp_entry64(magic, info_phys) on the boot core's
 * private kernel stack. */

#define KERNEL_VMA      0xffffffff80000000
#define PHYS(sym)       ((sym) - KERNEL_VMA)

#define MB1_MAGIC       0x1badb002
#define MB1_FLAGS       0x00010003   /* page-align modules, memory map, address fields */
#define MB2_MAGIC       0xe85250d6

    .section .multiboot1, "a"
    .balign 4
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)
    /* QEMU refuses ELF64 through -kernel, so the image it loads is a flat
     * binary described by these address fields. */
    .long mb1_header            /* header_addr */
    .long __image_start_phys    /* load_addr */
    .long __load_end_phys       /* load_end_addr */
    .long __image_end_phys      /* bss_end_addr: loader zeroes up to here */
    .long _start32              /* entry_addr */

    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long 0                     /* i386 protected mode */
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
    /* information request: cmdline, modules, memory map, ACPI old + new */
    .balign 8
    .short 1, 0
    .long 8 + 5 * 4
    .long 1, 3, 6, 14, 15
    .balign 8
    .short 0, 0                 /* end tag */
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .globl _start32
_start32:
    cli
    cld
    mov     %eax, %edi                  /* loader magic */
    mov     %ebx, %esi                  /* loader info (physical) */
    mov     $PHYS(boot_stack_top), %esp

    /* A 32-bit-only CPU gets a sentence on the serial port, not a reset. */
    mov     $0x80000000, %eax
    cpuid
    cmp     $0x80000001, %eax
    jb      no_long_mode
    mov     $0x80000001, %eax
    cpuid
    test    $(1 << 29), %edx
    jz      no_long_mode
    mov     %edx, %ebp                  /* keep NX support bit (20) */

    /* Save .data before anything writes it: other cores start from it. */
    push    %edi
    push    %esi
    mov     $PHYS(__data_start), %esi
    mov     $PHYS(__data_template), %edi
    mov     $PHYS(__data_end), %ecx
    sub     $PHYS(__data_start), %ecx
    rep movsb

    /* 0-4 GiB identity with 2 MiB pages: four page directories. */
    mov     $PHYS(early_pd), %edi
    xor     %ecx, %ecx
1:  mov     %ecx, %eax
    shl     $21, %eax
    or      $0x83, %eax                 /* present, writable, 2 MiB */
    mov     %eax, (%edi, %ecx, 8)
    mov     %ecx, %eax
    shr     $11, %eax                   /* high dword = index >> 11 (4 GiB units) */
    mov     %eax, 4(%edi, %ecx, 8)
    inc     %ecx
    cmp     $2048, %ecx
    jb      1b

    mov     $PHYS(early_pdpt_low), %edi
    mov     $PHYS(early_pd), %eax
    or      $0x3, %eax
    mov     %eax, 0(%edi)
    add     $0x1000, %eax
    mov     %eax, 8(%edi)
    add     $0x1000, %eax
    mov     %eax, 16(%edi)
    add     $0x1000, %eax
    mov     %eax, 24(%edi)

    /* Kernel window: 0xffffffff80000000 -> physical 0 (first 1 GiB). */
    mov     $PHYS(early_pdpt_high), %edi
    mov     $PHYS(early_pd), %eax
    or      $0x3, %eax
    mov     %eax, 510 * 8(%edi)

    mov     $PHYS(early_pml4), %edi
    mov     $PHYS(early_pdpt_low), %eax
    or      $0x3, %eax
    mov     %eax, 0(%edi)               /* identity, for this code */
    mov     %eax, 256 * 8(%edi)         /* physmap 0xffff800000000000 */
    mov     $PHYS(early_pdpt_high), %eax
    or      $0x3, %eax
    mov     %eax, 511 * 8(%edi)

    pop     %esi
    pop     %edi

    mov     %cr4, %eax
    or      $(1 << 5), %eax             /* PAE */
    mov     %eax, %cr4
    mov     $PHYS(early_pml4), %eax
    mov     %eax, %cr3

    mov     $0xc0000080, %ecx           /* EFER */
    rdmsr
    or      $(1 << 8), %eax             /* LME */
    test    $(1 << 20), %ebp
    jz      2f
    or      $(1 << 11), %eax            /* NXE */
2:  wrmsr

    mov     %cr0, %eax
    or      $0x80010001, %eax           /* PG, WP, PE */
    mov     %eax, %cr0

    lgdt    early_gdt_ptr
    ljmp    $0x08, $long_mode_entry

no_long_mode:
    mov     $no_long_mode_msg, %esi
1:  lodsb
    test    %al, %al
    jz      2f
    mov     %al, %bl
    mov     $0x3fd, %dx                 /* wait for the transmitter */
3:  in      %dx, %al
    test    $0x20, %al
    jz      3b
    mov     $0x3f8, %dx
    mov     %bl, %al
    out     %al, %dx
    jmp     1b
2:  hlt
    jmp     2b

    .code64
long_mode_entry:
    mov     $0x10, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    xor     %eax, %eax
    mov     %eax, %fs
    mov     %eax, %gs
    movabs  $kernel_stack_top, %rsp
    xor     %ebp, %ebp                  /* backtraces end here */
    mov     %edi, %edi                  /* zero-extend magic and info */
    mov     %esi, %esi
    movabs  $bsp_entry64, %rax
    call    *%rax
    ud2

    .section .boot.rodata, "a"
    .balign 8
early_gdt:
    .quad 0
    .quad 0x00af9a000000ffff            /* 64-bit code */
    .quad 0x00cf92000000ffff            /* data */
early_gdt_ptr:
    .short early_gdt_ptr - early_gdt - 1
    .long early_gdt
no_long_mode_msg:
    .asciz "atoll: this CPU has no 64-bit long mode; Atoll needs x86-64\r\n"

    .section .boot_bss, "aw", @nobits
    .balign 4096
early_pml4:         .skip 4096
early_pdpt_low:     .skip 4096
early_pdpt_high:    .skip 4096
early_pd:           .skip 4 * 4096
boot_stack:         .skip 16384
boot_stack_top:

    /* Each core's kernel stack: same address everywhere, private backing. */
    .section .bss, "aw", @nobits
    .balign 16
    .globl kernel_stack, kernel_stack_top
kernel_stack:       .skip 65536
kernel_stack_top:
