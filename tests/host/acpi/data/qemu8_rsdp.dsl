/*
 * qemu8 RSDP at 0x000F5980: revision 0 (SeaBIOS style), RSDT only
 */
[0008]                          Signature : "RSD PTR "
[0001]                           Checksum : 00
[0006]                             Oem ID : "ATOLL "
[0001]                           Revision : 00
[0004]                       RSDT Address : 7FFE2721
