"""Revoke of a page mapped on K cores against K: xcore_unmap's BENCH lines
(atoll/frame_revoke_unmap/cross_core/holders_K) as a table with the cost
per holder core, and (with matplotlib) a PNG line plot. The issue's target
is growth no worse than linear in K: the table shows the increment per
added core next to the first core's cost."""
import re
from pathlib import Path

from . import figures

HOLDERS = re.compile(r"^atoll/frame_revoke_unmap/cross_core/holders_(\d+)$")


def points(entries, key):
    """{K: value} for the holders_K entries."""
    out = {}
    for e in entries:
        m = HOLDERS.match(e["name"])
        if m:
            out[int(m.group(1))] = e[key]
    return dict(sorted(out.items()))


def table(values, unit):
    lines = [f"Revoke of a page mapped on K other cores, {unit} (median):", "",
             "| K | revoke | added by the K-th core | per core |", "|---:|---:|---:|---:|"]
    previous = None
    for k, v in values.items():
        added = "-" if previous is None else f"{v - previous:,.0f}"
        lines.append(f"| {k} | {v:,.0f} | {added} | {v / k:,.0f} |")
        previous = v
    return "\n".join(lines) + "\n"


def plot(values, unit, path, title):
    """Writes a PNG; returns False (and says why) without matplotlib."""
    plt = figures.pyplot("revoke plot")
    if plt is None:
        return False
    ks, vs = list(values), list(values.values())
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(ks, vs, marker="o", label="Atoll: revoke (unmap and TLB flush on each core)")
    if ks:  # the linear reference: K times the one-core cost
        ax.plot(ks, [vs[0] * k / ks[0] for k in ks], linestyle="--", color="grey", label="linear in K")
    ax.set_xlabel("cores holding the mapped page (K)")
    ax.set_ylabel(unit)
    ax.set_xticks(ks)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def write(entries, accel, out_dir, note=""):
    key, unit = ("instructions", "instructions (-icount: all vCPUs together)") if accel == "icount" \
        else ("ns", f"ns ({accel})")
    values = points(entries, key)
    if not values:
        return
    out_dir = Path(out_dir)
    (out_dir / "unmap.md").write_text(table(values, unit) + (f"\n{note}\n" if note else ""))
    plot(values, unit, out_dir / "unmap.png", f"Atoll: revoke of a mapped page vs cores, {accel}")
