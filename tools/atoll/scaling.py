"""Revoke and unmap against the number of cores involved, from two
programs' BENCH lines:

- xcore_unmap: revoke of a page mapped on K other cores
  (atoll/frame_revoke_unmap/cross_core/holders_K): K + 1 cores involved;
- xcore_span: unmap of a page in one address space used on K cores, with
  TLB shootdown (atoll/unmap/shared_as/cores_K): K cores involved.

Written as unmap.md (a table per series with the cost each added core
brings) and, with matplotlib, unmap.png. The issue's target is growth no
worse than linear in the cores: the tables show the increment per core
next to the first one's cost."""
import re
from pathlib import Path

from . import figures

# (name pattern, cores involved for the captured K, label, table heading)
SERIES = (
    (re.compile(r"^atoll/frame_revoke_unmap/cross_core/holders_(\d+)$"), lambda k: k + 1,
     "revoke of a frame mapped on the other cores", "Revoke of a page mapped on K - 1 other cores"),
    (re.compile(r"^atoll/unmap/shared_as/cores_(\d+)$"), lambda k: k,
     "unmap in one address space used on K cores", "Unmap of a page in one address space used on K cores"),
)


def points(entries, key, pattern, cores_of):
    """{cores involved: value} for one series."""
    out = {}
    for e in entries:
        m = pattern.match(e["name"])
        if m:
            out[cores_of(int(m.group(1)))] = e[key]
    return dict(sorted(out.items()))


def table(values, unit, heading):
    lines = [f"{heading}, {unit} (median):", "",
             "| K | cost | added by the K-th core | per core |", "|---:|---:|---:|---:|"]
    previous = None
    for k, v in values.items():
        added = "-" if previous is None else f"{v - previous:,.0f}"
        lines.append(f"| {k} | {v:,.0f} | {added} | {v / k:,.0f} |")
        previous = v
    return "\n".join(lines) + "\n"


def plot(series, unit, path, title):
    """Writes a PNG of every series; returns False (and says why) without matplotlib."""
    plt = figures.pyplot("revoke and unmap plot")
    if plt is None:
        return False
    fig, ax = plt.subplots(figsize=(6, 4))
    ticks = set()
    for label, values in series:
        ks, vs = list(values), list(values.values())
        ticks.update(ks)
        ax.plot(ks, vs, marker="o", label=f"Atoll: {label}")
        if ks:  # the linear reference: K times the cost at the first K
            ax.plot(ks, [vs[0] * k / ks[0] for k in ks], linestyle="--", color="grey", linewidth=0.8)
    ax.set_xlabel("cores involved (K); dashed: linear in K")
    ax.set_ylabel(unit)
    ax.set_xticks(sorted(ticks))
    ax.set_title(title)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def write(entries, accel, out_dir, note=""):
    key, unit = ("instructions", "instructions (-icount: all vCPUs together)") if accel == "icount" \
        else ("ns", f"ns ({accel})")
    found = [(label, heading, points(entries, key, pattern, cores_of))
             for pattern, cores_of, label, heading in SERIES]
    found = [(label, heading, values) for label, heading, values in found if values]
    if not found:
        return
    out_dir = Path(out_dir)
    text = "\n".join(table(values, unit, heading) for _, heading, values in found)
    (out_dir / "unmap.md").write_text(text + (f"\n{note}\n" if note else ""))
    plot([(label, values) for label, _, values in found], unit, out_dir / "unmap.png",
         f"Atoll: revoke and unmap vs cores, {accel}")
