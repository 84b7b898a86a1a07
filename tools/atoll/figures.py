"""Matplotlib for the PNG figures, headless; None (and a line saying what is
missing) where Debian's python3-matplotlib is not installed."""
from .ui import info


def pyplot(what):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        info(f"no {what}: matplotlib is missing (Debian package python3-matplotlib)")
        return None
    return plt
