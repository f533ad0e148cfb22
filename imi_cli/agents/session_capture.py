"""When an agent stops: propose what the session did, for a person to review (`imi review`).

Called by the stop hook of every host (and by `imi hook session-end` where a host runs it). It drafts proposals only (never records),
reads the host's transcript when the payload names one, and never raises: a session
that ends must end, whatever the memory says.
"""

from __future__ import annotations

import os


def capture_session(payload: dict, agent_flag: str | None = None, *, cwd: str | None = None,
                    session: str | None = None) -> int:
    """Draft proposals from the session in `payload` (its cwd, session id and transcript path, unless
    the host adapter already read them); the number of new proposals (0 on any failure, or when
    IMI_CAPTURE=0). A summary draft for the same task and session is rewritten, not repeated."""
    if os.environ.get("IMI_CAPTURE", "1") == "0":
        return 0
    try:
        from pathlib import Path

        from ..memory import Project
        from .transcript import read_events

        cwd = cwd or (payload.get("cwd") if isinstance(payload.get("cwd"), str) else os.getcwd())
        session = session or (payload.get("session_id") if isinstance(payload.get("session_id"), str) else None)
        transcript = payload.get("transcript_path")
        events = read_events(transcript) if isinstance(transcript, str) else []
        with Project.open(start=Path(cwd), agent=agent_flag) as project:
            made = project.capture(events, session=session, source="hook")
        return sum(1 for _, new in made if new)
    except Exception:  # noqa: BLE001 - a hook never breaks the session; the proposals are a bonus
        return 0
