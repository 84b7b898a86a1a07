"""Short progress lines on stderr and the error every verb reports."""
import sys


class AtollError(Exception):
    """A failure to report in one line (plus optional detail) and exit 1."""

    def __init__(self, message, detail=""):
        super().__init__(message)
        self.detail = detail


def info(message):
    print(f"atoll: {message}", file=sys.stderr, flush=True)


def error(message, detail=""):
    if detail:
        sys.stderr.write(detail if detail.endswith("\n") else detail + "\n")
    print(f"atoll: error: {message}", file=sys.stderr, flush=True)
