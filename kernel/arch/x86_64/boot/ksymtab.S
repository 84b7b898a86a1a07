/* Second link: the symbol table generated from the first link. */
    .section .ksymtab, "a"
    .balign 8
    .incbin KSYMTAB_BIN
