"""Who is writing: `IMI_AGENT_ID`, then `--agent`, then the user's login name."""

import os

from .errors import UsageError
from .lazyre import LazyPattern

MAX_AGENT = 200
# An id this short made of these characters holds no credential: every redaction rule that can match
# so few characters needs a space, ":" or "=" (tests/test_redaction_prefilter.py holds the rules to it).
SHORT_PLAIN_ID = 14
_PLAIN_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
_UNPRINTABLE = LazyPattern(r"[\x00-\x1f\x7f-\x9f]")


def agent_id(flag: str | None = None) -> str:
    """The agent id to record on writes and claims."""
    for source, candidate in (("IMI_AGENT_ID", os.environ.get("IMI_AGENT_ID")), ("--agent", flag)):
        if candidate and candidate.strip():
            return _checked(candidate.strip(), source)
    for var in ("USER", "LOGNAME", "USERNAME"):
        if os.environ.get(var):
            return os.environ[var]
    return "user"


def _scrubbed(text: str) -> str:
    from .text import scrub

    return scrub(text)


def _checked(agent: str, source: str) -> str:
    """An agent id is shown on one line everywhere: refuse control characters, bad bytes and essays.
    (Cleaning and redaction load here: most commands take the login name and never need them.)"""
    if len(agent) <= SHORT_PLAIN_ID and _PLAIN_ID_CHARS.issuperset(agent):
        return agent  # "claude-1", "bench": nothing to clean, nothing a rule could take for a secret
    from .redaction import redact

    try:
        agent.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{source} is not valid UTF-8 text") from None
    plain = agent.isascii() and agent.isprintable()  # then nothing in it is hidden: no need to load `scrub`
    if not plain and (_UNPRINTABLE.search(agent) or _scrubbed(agent) != agent) or len(agent) > MAX_AGENT:
        raise UsageError(f"{source} must be one printable line of at most {MAX_AGENT} characters")
    return redact(agent, "agent id")  # an id is stored on every record it writes: a token pasted there too
