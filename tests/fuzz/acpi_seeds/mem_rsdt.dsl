/*
 * Fuzz seed, whole-memory image: RSDT at 0x14 listing the qemu8 MADT, SRAT
 * and SLIT where the image places them (see mem_rsdp.dsl).
 */
[0004]                          Signature : "RSDT"    [Root System Description Table]
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "ATOLL "
[0008]                       Oem Table ID : "ATOLLFZ "
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 20200925

[0004]             ACPI Table Address   0 : 00000044
[0004]             ACPI Table Address   1 : 000000F4
[0004]             ACPI Table Address   2 : 00000244
