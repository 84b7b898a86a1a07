/*
 * server2s RSDT at 0x6FFF0100: same tables as the XSDT
 */
[0004]                          Signature : "RSDT"    [Root System Description Table]
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "ATOLL "
[0008]                       Oem Table ID : "ATOLLS2 "
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 20200925

[0004]             ACPI Table Address   0 : 6FFF3100
[0004]             ACPI Table Address   1 : 6FFF1000
[0004]             ACPI Table Address   2 : 6FFF2000
[0004]             ACPI Table Address   3 : 6FFF3000
