"""Configure and build with the CMake presets, quietly unless it fails."""
import subprocess
import time

from . import paths
from .ui import AtollError, info


def _step(what, cmd):
    info(f"{what} ({' '.join(cmd)})")
    start = time.monotonic()
    done = subprocess.run(cmd, cwd=paths.ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        raise AtollError(f"{what} failed: '{' '.join(cmd)}' exited {done.returncode}",
                         done.stdout)
    info(f"{what}: done in {time.monotonic() - start:.1f} s")


def ensure_built(build_dir=paths.BUILD):
    """Configure once (cmake re-runs itself when CMakeLists change), then build."""
    if not (build_dir / "build.ninja").exists():
        _step("configuring", ["cmake", "--preset", "default"])
    _step("building", ["cmake", "--build", "--preset", "default"])
