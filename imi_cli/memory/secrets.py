"""What to do with secrets during one operation, and what was found: the part of redaction every
command sets up, kept apart from the rules so that a command that stores no text (`imi context`,
a hook) does not pay for loading them.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar


class Finding:
    """One credential that was found: its kind and where (for the message, never the value)."""

    __slots__ = ("kind", "what")

    def __init__(self, kind: str, what: str):
        self.kind, self.what = kind, what


class Policy:
    """What to do with secrets in the current operation, and what was found."""

    __slots__ = ("allow", "found", "_seen")

    def __init__(self, allow: bool = False):
        self.allow = allow
        self.found: list[Finding] = []
        self._seen: set[int] = set()

    def record(self, kind: str, what: str, secret: str) -> None:
        """Count a secret once, however many times the text passes a redaction on its way in."""
        key = hash((kind, secret))
        if key not in self._seen:
            self._seen.add(key)
            self.found.append(Finding(kind, what))

    def summary(self) -> str:
        """"2 secrets (github-token, url-password)" for the message to the user."""
        kinds = sorted({f.kind for f in self.found})
        count = len(self.found)
        return f"{count} secret{'s' if count != 1 else ''} ({', '.join(kinds)})"


_POLICY: ContextVar[Policy | None] = ContextVar("imi_secret_policy", default=None)


@contextmanager
def policy(allow: bool = False):
    """Collect what is redacted during one operation (a CLI command, a server request)."""
    current = Policy(allow)
    token = _POLICY.set(current)
    try:
        yield current
    finally:
        _POLICY.reset(token)
