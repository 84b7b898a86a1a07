/*
 * server2s RSDP at 0x6FFF0000: revision 2, RSDT 0x6FFF0100, XSDT 0x6FFF0200
 */
[0008]                          Signature : "RSD PTR "
[0001]                           Checksum : 00
[0006]                             Oem ID : "ATOLL "
[0001]                           Revision : 02
[0004]                       RSDT Address : 6FFF0100
[0004]                             Length : 00000024
[0008]                       XSDT Address : 000000006FFF0200
[0001]                  Extended Checksum : 00
[0003]                           Reserved : 000000
