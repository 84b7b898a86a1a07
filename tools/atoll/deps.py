"""The Debian packages Atoll needs, checked with dpkg-query and installed
with apt-get when running as root."""
import os
import subprocess

from .ui import AtollError, info

# The one list. Keep it sorted by purpose, not alphabetically.
PACKAGES = (
    "clang", "lld", "llvm", "cmake", "ninja-build", "pkg-config", "python3",
    "qemu-system-x86", "grub-pc-bin", "grub-efi-amd64-bin", "grub-common",
    "xorriso", "mtools", "ovmf",
    "libgtest-dev", "libbenchmark-dev", "hwloc", "libhwloc-dev",
    "libclang-rt-14-dev", "acpica-tools", "spin", "python3-matplotlib",
)


def parse_status(output):
    """dpkg-query '${Package} ${Status}' lines -> set of installed packages."""
    installed = set()
    for line in output.splitlines():
        fields = line.split()
        # e.g. "clang install ok installed"; held packages say "hold ok installed".
        if len(fields) == 4 and fields[2] == "ok" and fields[3] == "installed":
            installed.add(fields[0])
    return installed


def query_installed(packages):
    """Ask dpkg which of `packages` are installed (unknown ones are not)."""
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${Status}\n", *packages],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return parse_status(result.stdout)


def missing(packages=PACKAGES, query=query_installed):
    installed = query(packages)
    return [p for p in packages if p not in installed]


def install_command(packages):
    return ["apt-get", "install", "-y", *packages]


def ensure(packages=PACKAGES, query=query_installed, is_root=None, run=subprocess.run):
    """Install missing packages as root, or say exactly how to and fail."""
    absent = missing(packages, query)
    if not absent:
        return []
    if is_root is None:
        is_root = os.geteuid() == 0
    line = " ".join(install_command(absent))
    if not is_root:
        raise AtollError(f"missing Debian packages: {' '.join(absent)}\n"
                         f"Install them with:\n  sudo {line}")
    info(f"installing missing packages: {' '.join(absent)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update"], install_command(absent)):
        done = run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0:
            raise AtollError(f"'{' '.join(cmd)}' failed (exit {done.returncode})", done.stdout)
    return absent
