"""The settings `imi` reads from the environment, each checked: a value that means nothing is refused
with one line naming the variable, never silently replaced by a default."""

from __future__ import annotations

import os

from .errors import UsageError

DEFAULT_LEASE_MINUTES = 30
MAX_LEASE_MINUTES = 10 * 365 * 24 * 60  # ten years: "never stale" without overflowing a 64-bit integer
SWITCHES = {"": False, "0": False, "1": True}


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def lease_minutes(stored: str | None = None) -> float:
    """How long a claim lives without a heartbeat: `IMI_LEASE_MINUTES`, else the project's stored
    `lease_minutes` setting, else 30. A value that is not a number of minutes above 0 is refused."""
    raw, source = _env("IMI_LEASE_MINUTES"), "IMI_LEASE_MINUTES"
    if not raw and stored is not None:
        raw, source = str(stored).strip(), "the lease_minutes setting"
    if not raw:
        return DEFAULT_LEASE_MINUTES
    try:
        minutes = float(raw)
    except ValueError:
        minutes = float("nan")
    if not 0 < minutes <= MAX_LEASE_MINUTES:  # NaN and infinity fail it too
        raise UsageError(f"{source} must be a number of minutes above 0 and at most {MAX_LEASE_MINUTES} "
                         f"(ten years), not {raw[:40]!r}")
    return minutes


def allow_secrets(strict: bool = True) -> bool:
    """`IMI_ALLOW_SECRETS=1`: store secrets as written (0 or unset: redact them). Not `strict` (a
    hook, which must never fail): anything but 1 redacts."""
    raw = _env("IMI_ALLOW_SECRETS")
    if raw not in SWITCHES and strict:
        raise UsageError(f"IMI_ALLOW_SECRETS must be 1 (store secrets as written) or 0, not {raw[:40]!r}")
    return SWITCHES.get(raw, False)


def database_override() -> str | None:
    """`IMI_DB`: the database file to use instead of finding `.imi/state.db`; a folder is refused."""
    raw = os.environ.get("IMI_DB")
    if not raw:
        return None
    if os.path.isdir(os.path.expanduser(raw)):
        raise UsageError(f"IMI_DB must name a database file, not a folder: {raw}")
    return raw


def check() -> None:
    """Check every setting at once (the CLI does, before any command runs)."""
    lease_minutes()
    allow_secrets()
    database_override()
