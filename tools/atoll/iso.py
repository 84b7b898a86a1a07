"""A bootable hybrid ISO (BIOS + UEFI) with GRUB loading the kernel via
multiboot2, console on the first serial port."""
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .ui import AtollError

_PLAIN_WORD = re.compile(r"^[A-Za-z0-9=,._:/+@%-]+$")


def grub_quote(word):
    """GRUB script quoting is sh-like: single quotes, no escapes inside."""
    if _PLAIN_WORD.match(word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


def grub_cfg(cmdline="", modules=()):
    args = "".join(" " + grub_quote(w) for w in cmdline.split())
    # The module's string repeats its path: the kernel names a module by the
    # last component of the string's first word, whatever GRUB puts there.
    mods = "".join(f"    module2 /boot/modules/{m} /boot/modules/{m}\n" for m in modules)
    return ("serial --unit=0 --speed=115200\n"
            "terminal_input serial console\n"
            "terminal_output serial console\n"
            "set timeout=0\n"
            "set default=0\n"
            "\n"
            'menuentry "Atoll" {\n'
            f"    multiboot2 /boot/atoll.elf{args}\n"
            f"{mods}"
            "    boot\n"
            "}\n")


def stage(directory, elf, cmdline, modules=()):
    """Lay out the ISO tree: /boot/atoll.elf, /boot/modules/* and
    /boot/grub/grub.cfg."""
    grub_dir = Path(directory) / "boot" / "grub"
    grub_dir.mkdir(parents=True)
    shutil.copyfile(elf, Path(directory) / "boot" / "atoll.elf")
    names = []
    if modules:
        (Path(directory) / "boot" / "modules").mkdir()
    for module in modules:
        module = Path(module)
        if module.name in names:
            raise AtollError(f"two boot modules named {module.name}")
        shutil.copyfile(module, Path(directory) / "boot" / "modules" / module.name)
        names.append(module.name)
    (grub_dir / "grub.cfg").write_text(grub_cfg(cmdline, names))


def build(elf, out, cmdline="", modules=()):
    elf, out = Path(elf), Path(out)
    if not elf.is_file():
        raise AtollError(f"kernel image {elf} not found (built by the CMake target atoll_image)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="atoll-iso-") as tmp:
        tree = Path(tmp) / "iso"
        stage(tree, elf, cmdline, modules)
        cmd = ["grub-mkrescue", "-o", str(out), str(tree)]
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0 or not out.is_file():
        raise AtollError(f"grub-mkrescue failed (exit {done.returncode})", done.stdout)
    return out
