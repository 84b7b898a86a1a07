"""ctest with compact output: failures in full, passes silently (or as a
progress line on a terminal), and ctest's own summary at the end."""
import re
import subprocess
import sys
import time

from . import boottest, paths
from .ui import info

# Options after which the user wants ctest's own output, untouched.
RAW_FLAGS = {"-V", "-VV", "--verbose", "--extra-verbose", "-N", "--show-only",
             "--help", "-h", "--debug", "--print-labels", "--progress"}

STATUS = re.compile(r"^\s*(\d+)/(\d+) Test\s+#\d+: (\S+) .*?(Passed|\*\*\*\w+.*?|Not Run.*?)"
                    r"\s+([\d.]+) sec\s*$")
START = re.compile(r"^\s*Start\s+\d+: |^Test project |^Internal ctest changing into directory")
SUMMARY = re.compile(r"^\d+% tests passed")
SLOW_SECONDS = 5.0   # passed tests slower than this still get a line
DOTS = re.compile(r" \.{4,}(?=\s|\*)")   # ctest pads names to the longest one


class Filter:
    def __init__(self, out=sys.stdout, progress=None):
        self.out = out
        self.progress = progress    # stream for a \r progress line, or None
        self.in_failure = False
        self.in_summary = False

    def _emit(self, line):
        if self.progress:
            self.progress.write("\r\033[K")
        self.out.write(line if line.endswith("\n") else line + "\n")
        self.out.flush()

    def _status(self, match, line):
        index, total, name, result, seconds = match.groups()
        passed, skipped = result == "Passed", "Skipped" in result
        self.in_failure = not passed and not skipped
        if self.in_failure or (passed and float(seconds) >= SLOW_SECONDS):
            self._emit(DOTS.sub(" ...", line))
        elif self.progress:
            self.progress.write(f"\r\033[K[{index}/{total}] {name}")
            self.progress.flush()

    def feed(self, line):
        if self.in_summary:
            self._emit(line)
        elif START.match(line):
            pass   # "Test project ...", "Start 12: name"
        elif SUMMARY.match(line):
            self.in_summary = True
            self._emit("\n" + line)
        elif m := STATUS.match(line):
            self._status(m, line)
        elif self.in_failure or line.strip():
            self._emit(line)   # a failed test's output, or ctest's own message


def command(build_dir, extra):
    return ["ctest", "--test-dir", str(build_dir), "--output-on-failure", "-j2", *extra]


def run(extra, build_dir=paths.BUILD):
    cmd = command(build_dir, extra)
    info(f"testing ({' '.join(cmd)})")
    start = time.time()
    if RAW_FLAGS.intersection(extra):
        return subprocess.run(cmd).returncode
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, errors="replace", bufsize=1)
    progress = sys.stderr if sys.stderr.isatty() else None
    filt = Filter(sys.stdout, progress)
    for line in proc.stdout:
        filt.feed(line)
    code = proc.wait()
    for config, reason in boottest.skipped(build_dir, since=start):
        info(f"boot/{config} skipped: {reason}")
    print(f"full log: {build_dir / 'Testing' / 'Temporary' / 'LastTest.log'}", file=sys.stderr)
    return code
