"""At session end: propose what the session did, for a person to review (`imi review`).

Called by the session-end hook of every host. It drafts proposals only (never records),
reads the host's transcript when the payload names one, and never raises: a session
that ends must end, whatever the memory says.
"""

from __future__ import annotations

import os


def capture_session(payload: dict, agent_flag: str | None = None) -> int:
    """Draft proposals from the session in `payload` (its cwd, session id, transcript path);
    the number of new proposals (0 on any failure, or when IMI_CAPTURE=0)."""
    if os.environ.get("IMI_CAPTURE", "1") == "0":
        return 0
    try:
        from pathlib import Path

        from ..memory import Project
        from .transcript import read_events

        cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else os.getcwd()
        session = payload.get("session_id") if isinstance(payload.get("session_id"), str) else None
        transcript = payload.get("transcript_path")
        events = read_events(transcript) if isinstance(transcript, str) else []
        with Project.open(start=Path(cwd), agent=agent_flag) as project:
            made = project.capture(events, session=session, source="session-end")
        return sum(1 for _, new in made if new)
    except Exception:  # noqa: BLE001 - a hook never breaks the session; the proposals are a bonus
        return 0
