/*
 * server2s XSDT at 0x6FFF0200: WAET, MADT, SRAT, SLIT
 */
[0004]                          Signature : "XSDT"    [Extended System Description Table]
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "ATOLL "
[0008]                       Oem Table ID : "ATOLLS2 "
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 20200925

[0008]             ACPI Table Address   0 : 000000006FFF3100
[0008]             ACPI Table Address   1 : 000000006FFF1000
[0008]             ACPI Table Address   2 : 000000006FFF2000
[0008]             ACPI Table Address   3 : 000000006FFF3000
