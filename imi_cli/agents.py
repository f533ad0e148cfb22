"""Who is writing: `IMI_AGENT_ID`, then `--agent`, then the user's login name."""

import os


def agent_id(flag: str | None = None) -> str:
    """The agent id to record on writes and claims."""
    for candidate in (os.environ.get("IMI_AGENT_ID"), flag):
        if candidate and candidate.strip():
            return candidate.strip()
    for var in ("USER", "LOGNAME", "USERNAME"):
        if os.environ.get(var):
            return os.environ[var]
    return "user"
