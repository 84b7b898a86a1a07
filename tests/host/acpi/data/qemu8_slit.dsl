/*
 * qemu8 SLIT at 0x7FFE268D: 2 localities, 21 between them. Body as QEMU 7.2.
 */
[0004]                          Signature : "SLIT"    [System Locality Information Table]
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "ATOLL "
[0008]                       Oem Table ID : "ATOLLQ8 "
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 20200925

[0008]                         Localities : 0000000000000002
[0002]                       Locality   0 : 0A 15
[0002]                       Locality   1 : 15 0A
