"""Time in milliseconds and how it is shown to people."""

import time


def now_ms() -> int:
    """The current time in milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def ago(ms: int | None, now: int | None = None) -> str:
    """A short relative time: "just now", "5m ago", "3h ago", "2d ago"."""
    if not ms:
        return "never"
    seconds = max(0, ((now or now_ms()) - ms) // 1000)
    if seconds < 45:
        return "just now"
    for size, unit in ((86400 * 365, "y"), (86400 * 30, "mo"), (86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "1m ago"


def iso(ms: int | None) -> str | None:
    """UTC ISO 8601 with seconds, for JSON output and hovers."""
    if not ms:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))
