/*
 * qemu8 RSDT at 0x7FFE2721: MADT, SRAT, SLIT, WAET
 */
[0004]                          Signature : "RSDT"    [Root System Description Table]
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "ATOLL "
[0008]                       Oem Table ID : "ATOLLQ8 "
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 20200925

[0004]             ACPI Table Address   0 : 7FFE2455
[0004]             ACPI Table Address   1 : 7FFE253D
[0004]             ACPI Table Address   2 : 7FFE268D
[0004]             ACPI Table Address   3 : 7FFE26F9
