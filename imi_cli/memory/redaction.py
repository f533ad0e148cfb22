"""Secrets pasted into memory are never stored as they are: they are replaced before any write.

Agents paste command output, config snippets and URLs into notes and summaries;
a credential there would end up in the database, its WAL and the git-tracked
text. Each pattern below names one kind of credential; a match is replaced by
`[REDACTED:<kind>]` and reported, unless storing it was asked for on purpose.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar

# (kind, pattern, group to replace: 0 = the whole match)
_PATTERNS: list[tuple[str, str, int]] = [
    ("private-key", r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)", 0),
    ("aws-access-key", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b", 0),
    ("aws-secret-key", r"(?i)aws_?secret_?(?:access_?)?key[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])", 1),
    ("github-token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b", 0),
    ("gitlab-token", r"\bglpat-[A-Za-z0-9_-]{20,}\b", 0),
    ("anthropic-key", r"\bsk-ant-[A-Za-z0-9_-]{20,}", 0),
    ("openai-key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", 0),
    ("google-api-key", r"\bAIza[0-9A-Za-z_-]{35}\b", 0),
    ("slack-token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", 0),
    ("stripe-key", r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}\b", 0),
    ("huggingface-token", r"\bhf_[A-Za-z0-9]{30,}\b", 0),
    ("npm-token", r"\bnpm_[A-Za-z0-9]{36}\b", 0),
    ("pypi-token", r"\bpypi-AgE[A-Za-z0-9_-]{50,}", 0),
    ("jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", 0),
    ("url-password", r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:([^\s@/]+)@", 1),
    ("password", r"(?i)\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret)"
                 r"[\"']?\s*[:=]\s*[\"']?((?=[^\s\"']*\d)[^\s\"']{8,})", 1),
]
_COMPILED: list[tuple[str, re.Pattern[str], int]] | None = None


class Finding:
    """One credential that was found: its kind and where (for the message, never the value)."""

    __slots__ = ("kind", "what")

    def __init__(self, kind: str, what: str):
        self.kind, self.what = kind, what


class Policy:
    """What to do with secrets in the current operation, and what was found."""

    __slots__ = ("allow", "found")

    def __init__(self, allow: bool = False):
        self.allow = allow
        self.found: list[Finding] = []

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


def _patterns() -> list[tuple[str, re.Pattern[str], int]]:
    global _COMPILED
    if _COMPILED is None:  # compiled on first use: most commands store no text
        _COMPILED = [(kind, re.compile(pattern), group) for kind, pattern, group in _PATTERNS]
    return _COMPILED


def find(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every credential in the text, outermost first, not overlapping."""
    spans: list[tuple[str, int, int]] = []
    for kind, pattern, group in _patterns():
        for match in pattern.finditer(text):
            start, end = match.span(group)
            if start < end and not any(s < end and start < e for _, s, e in spans):
                spans.append((kind, start, end))
    return sorted(spans, key=lambda span: span[1])


def redact(text: str, what: str = "text") -> str:
    """Replace credentials with `[REDACTED:kind]`, recording each in the current policy.

    With a policy that allows secrets, the text comes back as it was (findings are
    still recorded, so the caller can say what was kept).
    """
    spans = find(text)
    if not spans:
        return text
    current = _POLICY.get()
    if current is not None:
        current.found.extend(Finding(kind, what) for kind, _, _ in spans)
        if current.allow:
            return text
    out, last = [], 0
    for kind, start, end in spans:
        out.append(text[last:start])
        out.append(f"[REDACTED:{kind}]")
        last = end
    out.append(text[last:])
    return "".join(out)
