"""What a boot configuration (boot.cfg, docs/boot.md) needs on the host:
the boot modules to hand QEMU or GRUB. The root task parses the file for
real on Atoll (runtime/lib/boot_config.cpp) and reports every error with
file:line; here only the images are read, so a bad file still boots and
the root task says what is wrong with it."""
import re
from pathlib import Path

from .ui import AtollError

_SECTION = re.compile(r"^\s*\[\s*program\s+([a-z0-9_-]+)\s*\]")
_IMAGE = re.compile(r"^\s*image\s*=\s*(\S+)")

DEFAULT = Path("user") / "boot.cfg"   # build-dir relative: runtime/root/boot.cfg, copied by CMake
ROOT_MODULES = ("user/sigma0", "user/root")


def images(path):
    """Every program's image, in file order, without repeats."""
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        raise AtollError(f"cannot read boot configuration {path}: {e.strerror}")
    found = []
    for line in lines:
        if m := _SECTION.match(line):
            found.append(m.group(1))
        elif (m := _IMAGE.match(line)) and found:
            found[-1] = m.group(1)
    return list(dict.fromkeys(found))


def modules(config, build_dir):
    """Boot modules for an L4Re-style boot with `config`: sigma0, the root
    task, each image (from build/user/) and the configuration itself."""
    build_dir = Path(build_dir)
    config = Path(config)
    if config.suffix != ".cfg":
        raise AtollError(f"{config}: a boot configuration's name must end in .cfg (the root task looks for one)")
    mods = [build_dir / m for m in ROOT_MODULES]
    mods += [build_dir / "user" / image for image in images(config)]
    missing = [str(m) for m in mods if not m.is_file()]
    if missing:
        raise AtollError(f"{config}: not built: {', '.join(missing)} (programs are built into {build_dir}/user)")
    return tuple(mods) + (config,)
