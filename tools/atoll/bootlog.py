"""Parsing the kernel's serial log.

Lines look like `[c3 +0.041234] core 3 online: apic 3, ...`. Firmware and
GRUB print other things (escape sequences included) before the kernel
starts, so the prefix is searched for anywhere in a line; a line without it
is kept as text from an unknown core.
"""
import re
from dataclasses import asdict, dataclass, field
from typing import Optional

PREFIX = re.compile(r"\[c(\d+) \+(\d+\.\d{6})\] ?(.*)$")
ONLINE = re.compile(r"^core (\d+) online: apic (\d+), package (\d+), core (\d+), "
                    r"thread (\d+), node (\d+)\s*$")
DISTANCE = re.compile(r"^numa: distance (\d+) (\d+) = (\d+)\s*$")
KTEST = re.compile(r"^KTEST (PASS|FAIL) ([a-z0-9_]+) core=(\d+)(?: (.*))?$")
SUMMARY = re.compile(r"^KTEST-SUMMARY passed=(\d+) failed=(\d+)\s*$")
SHUTDOWN = re.compile(r"^atoll: shutdown status=(\d+)\s*$")
PANIC = re.compile(r"PANIC core (\d+): (.*)$")
# "hello: USER PASS hello/yield" (kernel log), "[hello@0] USER PASS ..." (console service)
USER = re.compile(r"^(?:\[([\w.-]+)@\d+\]|([\w.-]+):) USER (PASS|FAIL) (\S+)")
ROOT_EXIT = re.compile(r"^root: ([\w.-]+) (?:exited with status (-?\d+)|was killed)\s*$")
BENCH = re.compile(r"^[\w.-]+: BENCH (\S+) iterations=(\d+) ticks_min=(\d+) ticks_median=(\d+) ticks_p99=(\d+)")
# Present where the kernel started the hardware counters (RDPMC): medians per operation.
BENCH_COUNTERS = re.compile(r" instructions_median=(\d+) cycles_median=(\d+)")
TASK_EVENT = re.compile(r"^task ([\w.-]+) (?:thread .* killed: .*|exited with status -?\d+)$")

PANIC_END = re.compile(r"PANIC end core (\d+)")
FRAME = re.compile(r"^\s*(#\d+ [0-9a-fA-F]+ .*?)\s*$")      # "  #1 ffffffff80012345 kmain+0x1c"
PANIC_BLOCK_LINES = 60   # at most: panic line, registers, backtrace, "PANIC end core N"


@dataclass
class Line:
    number: int                 # 1-based line number in the log
    core: Optional[int]
    time: Optional[float]
    text: str


@dataclass
class Online:
    core: int
    apic: int
    package: int
    core_id: int
    thread: int
    node: int
    line: int


@dataclass
class KtestResult:
    name: str
    passed: bool
    core: int
    reason: str
    line: int


@dataclass
class Panic:
    core: int
    reason: str
    line: int
    frames: list = field(default_factory=list)   # backtrace lines, "#N address symbol+offset"
    ended: bool = False                          # "PANIC end core N" seen


@dataclass
class BootLog:
    online: list = field(default_factory=list)       # [Online]
    distances: list = field(default_factory=list)    # [[i, j, value]]
    ktests: list = field(default_factory=list)       # [KtestResult]
    summary: Optional[list] = None                   # [passed, failed]
    shutdown_status: Optional[int] = None
    panics: list = field(default_factory=list)       # [Panic]
    acpi: list = field(default_factory=list)         # text of `acpi: ...` lines
    topology: list = field(default_factory=list)     # text of `topology: ...` lines
    user: list = field(default_factory=list)         # [task, passed, name] from user test programs
    tasks: list = field(default_factory=list)        # text of `task X ... killed/exited` lines
    selfcheck: list = field(default_factory=list)    # text of `selfcheck: ...` lines
    bench: list = field(default_factory=list)        # [name, iterations, min, median, p99] in TSC ticks
    root_exits: list = field(default_factory=list)   # [program, status or "killed"] as the root task reported

    def passes(self, name):
        return [k for k in self.ktests if k.name == name and k.passed]

    def failures(self, name):
        return [k for k in self.ktests if k.name == name and not k.passed]

    def ktest_names(self):
        return sorted({k.name for k in self.ktests})

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(online=[Online(**o) for o in data["online"]],
                   distances=[list(d) for d in data["distances"]],
                   ktests=[KtestResult(**k) for k in data["ktests"]],
                   summary=data["summary"],
                   shutdown_status=data["shutdown_status"],
                   panics=[Panic(**p) for p in data["panics"]],
                   acpi=list(data["acpi"]), topology=list(data["topology"]),
                   user=[list(u) for u in data.get("user", [])], tasks=list(data.get("tasks", [])),
                   selfcheck=list(data.get("selfcheck", [])), bench=[list(b) for b in data.get("bench", [])],
                   root_exits=[list(r) for r in data.get("root_exits", [])])


def split_line(number, raw):
    raw = raw.rstrip("\r\n").replace("\r", "")
    match = PREFIX.search(raw)
    if match:
        return Line(number, int(match.group(1)), float(match.group(2)), match.group(3))
    return Line(number, None, None, raw)


def lines(text):
    return [split_line(n, raw) for n, raw in enumerate(text.splitlines(), start=1)]


def _apply(log, line):
    """Record what one line says; every pattern is anchored on the text part."""
    text = line.text
    if m := ONLINE.match(text):
        log.online.append(Online(*map(int, m.groups()), line=line.number))
    elif m := DISTANCE.match(text):
        log.distances.append([int(g) for g in m.groups()])
    elif m := KTEST.match(text):
        log.ktests.append(KtestResult(m.group(2), m.group(1) == "PASS", int(m.group(3)),
                                      (m.group(4) or "").strip(), line.number))
    elif m := SUMMARY.match(text):
        log.summary = [int(m.group(1)), int(m.group(2))]
    elif m := SHUTDOWN.match(text):
        log.shutdown_status = int(m.group(1))
    elif m := BENCH.match(text):
        entry = [m.group(1)] + [int(g) for g in m.groups()[1:]]
        counted = BENCH_COUNTERS.search(text)
        entry.append({"instructions": int(counted.group(1)), "cycles": int(counted.group(2))} if counted else {})
        log.bench.append(entry)
    elif m := USER.match(text):
        log.user.append([m.group(1) or m.group(2), m.group(3) == "PASS", m.group(4)])
    elif m := ROOT_EXIT.match(text):
        log.root_exits.append([m.group(1), int(m.group(2)) if m.group(2) is not None else "killed"])
    elif TASK_EVENT.match(text):
        log.tasks.append(text)
    elif text.startswith("selfcheck: "):
        log.selfcheck.append(text)
    elif m := PANIC.search(text):
        log.panics.append(Panic(int(m.group(1)), m.group(2).strip(), line.number))
    elif text.startswith("acpi: "):
        log.acpi.append(text)
    elif text.startswith("topology: "):
        log.topology.append(text)


def _continue_panic(panic, line):
    """Lines after a PANIC: collect backtrace frames until "PANIC end"; True if consumed."""
    if PANIC_END.search(line.text):
        panic.ended = True
        return True
    if m := FRAME.match(line.text):
        panic.frames.append(m.group(1))
        return True
    return False


def parse(text):
    log = BootLog()
    for line in lines(text):
        panic = log.panics[-1] if log.panics and not log.panics[-1].ended else None
        if panic is None or not _continue_panic(panic, line):
            _apply(log, line)
    return log


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def panic_blocks(text, log):
    """The raw lines of each PANIC up to its "PANIC end core N" (registers, backtrace)."""
    raw = text.splitlines()
    blocks = []
    for p in log.panics:
        block = raw[p.line - 1:p.line - 1 + PANIC_BLOCK_LINES]
        ends = [i for i, line in enumerate(block) if PANIC_END.search(line)]
        blocks.append("\n".join(block[:ends[0] + 1] if ends else block))
    return blocks


def tail(text, count=30):
    return "\n".join(text.splitlines()[-count:])


def matching(text, needle):
    """Log lines containing `needle`, with line numbers."""
    return [f"{n}: {raw}" for n, raw in enumerate(text.splitlines(), start=1) if needle in raw]
