/*
 * Fuzz seed, whole-memory image: RSDP at physical 0 (revision 0), RSDT right
 * after it at 0x14. The image is this, mem_rsdt, and the qemu8 MADT, SRAT and
 * SLIT back to back (at 0x44, 0xF4, 0x244).
 */
[0008]                          Signature : "RSD PTR "
[0001]                           Checksum : 00
[0006]                             Oem ID : "ATOLL "
[0001]                           Revision : 00
[0004]                       RSDT Address : 00000014
