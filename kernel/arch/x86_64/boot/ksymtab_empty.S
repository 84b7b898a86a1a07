/* First link: an empty symbol table (the space is reserved by kernel.ld). */
    .section .ksymtab, "a"
    .balign 8
    .long 0x4d59534b, 0, 16, 0
