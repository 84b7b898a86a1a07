"""A stand-in kernel for host tests: multiboot v1 + v2 headers, 32-bit code
that writes canned text to COM1 and then exits through isa-debug-exit,
hangs, or triple-faults. Built with clang + ld.lld into a temp directory,
as atoll.mb (ELF32, for -kernel) and atoll.elf (ELF64, for GRUB)."""
import shutil
import subprocess
from pathlib import Path

TOOLS = ("clang", "ld.lld", "qemu-system-x86_64")

_ENDINGS = {
    "exit": "mov ${status}, %eax\n mov $0xf4, %dx\n outl %eax, %dx\n3: hlt\n jmp 3b",
    "hang": "3: hlt\n jmp 3b",
    "triple-fault": "lidt zero_idt\n int $3\nzero_idt: .word 0\n .long 0",
}

_ASM = """
.section .multiboot, "a"
.align 8
.long 0x1BADB002, 0, -(0x1BADB002)
.align 8
mb2: .long 0xE85250D6, 0, mb2_end - mb2, -(0xE85250D6 + (mb2_end - mb2))
.short 0, 0
.long 8
mb2_end:
.text
.code32
.globl _start
_start:
 mov $msg, %esi
1: lodsb
 test %al, %al
 jz 2f
 mov $0x3f8, %dx
 outb %al, %dx
 jmp 1b
2:
 {ending}
.data
msg: .byte {data}
"""

_LINK = """ENTRY(_start)
SECTIONS { . = 1M; .multiboot : { KEEP(*(.multiboot)) } .text : { *(.text) } .data : { *(.data) } }
"""


def available():
    return all(shutil.which(tool) for tool in TOOLS)


def build(directory, text, status=0, mode="exit"):
    """Write atoll.mb and atoll.elf into directory/kernel/; returns that dir."""
    out = Path(directory) / "kernel"
    out.mkdir(parents=True, exist_ok=True)
    data = ",".join(str(b) for b in text.encode()) + ",0"
    (out / "dummy.s").write_text(_ASM.format(ending=_ENDINGS[mode].format(status=status),
                                             data=data))
    (out / "link.ld").write_text(_LINK)
    for arch, emulation, image in (("i386", "elf_i386", "atoll.mb"),
                                   ("x86_64", "elf_x86_64", "atoll.elf")):
        obj = out / f"dummy-{arch}.o"
        subprocess.run(["clang", f"--target={arch}-elf", "-c", str(out / "dummy.s"),
                        "-o", str(obj)], check=True)
        subprocess.run(["ld.lld", "-m", emulation, "-T", str(out / "link.ld"),
                        "-o", str(out / image), str(obj)], check=True)
    return out


def lines(*texts, core=0):
    return "".join(f"[c{core} +0.000001] {t}\n" for t in texts)
