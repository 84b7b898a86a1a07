/*
 * server2s WAET at 0x6FFF3100: an unrelated table listed first
 */
[0004]                          Signature : "WAET"    [Windows ACPI Emulated Devices Table]
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "ATOLL "
[0008]                       Oem Table ID : "ATOLLS2 "
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 20200925

[0004]              Flags (decoded below) : 00000002
                     RTC needs no INT ack : 0
                  PM timer, one read only : 1
