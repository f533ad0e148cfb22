"""What to do with secrets during one operation, and what was found: the part of redaction every
command sets up, kept apart from the rules so that a command that stores no text (`imi context`,
a hook) does not pay for loading them.

The current policy belongs to the thread (a server may answer requests on several): a thread-local
rather than a ContextVar, whose module is a shared library every command would load. Nothing
awaits inside a policy's block, so tasks of one event loop cannot see each other's.
"""

from __future__ import annotations

from _thread import _local


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


_THREAD = _local()


def current() -> Policy | None:
    """The policy of the operation running in this thread, or None outside any."""
    return getattr(_THREAD, "policy", None)


def policy(allow: bool = False) -> Scope:
    """Collect what is redacted during one operation (a CLI command, a server request):
    `with policy() as found:`."""
    return Scope(Policy(allow))


class Scope:
    """A policy made current for a `with` block (a plain class: contextlib costs every command 3 M instructions)."""

    __slots__ = ("policy", "_outer")

    def __init__(self, policy: Policy):
        self.policy, self._outer = policy, None

    def __enter__(self) -> Policy:
        self._outer = current()
        _THREAD.policy = self.policy
        return self.policy

    def __exit__(self, kind, exc, traceback) -> bool:
        _THREAD.policy = self._outer
        return False
