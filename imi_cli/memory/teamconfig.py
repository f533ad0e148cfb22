"""Whether team-wide claims are on: one small file read, so that every claim command can ask
without importing the claims machinery (git subprocesses, dataclasses) when they are off."""

from __future__ import annotations

import os

CONFIG_FILE = "claims-remote"  # in .imi/
_OFF = {"0", "off", "false", "no"}


def config_path(root):
    """`.imi/claims-remote` under the project root (a Path)."""
    return root / ".imi" / CONFIG_FILE


def configured_remote(root) -> str | None:
    """The remote named in .imi/claims-remote, unless IMI_TEAM_CLAIMS turns team claims off."""
    if os.environ.get("IMI_TEAM_CLAIMS", "").strip().lower() in _OFF:
        return None
    try:
        name = config_path(root).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name or None
