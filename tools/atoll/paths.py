"""Where things are: repository root, build tree, kernel images."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"


def kernel_mb(build_dir=BUILD):
    """ELF32 container with a multiboot v1 header, for QEMU -kernel."""
    return Path(build_dir) / "kernel" / "atoll.mb"


def kernel_elf(build_dir=BUILD):
    """ELF64 with a multiboot2 header, for GRUB."""
    return Path(build_dir) / "kernel" / "atoll.elf"


def boot_logs(build_dir=BUILD):
    return Path(build_dir) / "boot-logs"


def accel_cache(build_dir=BUILD):
    return Path(build_dir) / "accel-probe.txt"
