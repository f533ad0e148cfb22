"""Records as markdown: who, when, why, a lesson's correct behaviour, a task's status and claimant."""

from __future__ import annotations

import re

from imi_cli.memory import (Decision, FileRef, Goal, Lesson, Memory, Note, Record, Task, ago, iso, now_ms, one_line,
                            shorten)


def _when(ms: int | None, now: int) -> str:
    stamp = iso(ms)
    return f"{stamp[:10]} ({ago(ms, now)})" if stamp else "unknown date"


def _by(agent: str | None) -> str:
    return f" by **{_inert(one_line(agent, 80))}**" if agent else ""


# A line that markdown would read as a heading, quote, list, rule, fence or table row.
_BLOCK_START = re.compile(r"^(\s*)(?:([#>*+\-=|~`_])|(\d+)([.)]))")


def _inert(line: str) -> str:
    return _BLOCK_START.sub(lambda m: m[1] + (f"\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}"), line.rstrip())


def _quote(text: str | None, limit: int = 1200) -> str:
    """A field as one markdown paragraph: its lines cannot start a heading, a fence or a new paragraph
    (so no record can fake a label or a section of the hover)."""
    lines = [line for line in shorten(text or "", limit).split("\n") if line.strip()]
    return "  \n".join(_inert(line) for line in lines)


def files_line(files: list[FileRef]) -> str:
    """The "Files: `a.py:3-4`, ..." paragraph (empty without files)."""
    if not files:
        return ""
    labels = ", ".join(f"`{ref.label()}`" for ref in files[:8])
    return f"\n\nFiles: {labels}" + (f" (+{len(files) - 8} more)" if len(files) > 8 else "")


def lesson(r: Lesson, now: int) -> str:
    # the lesson and its correct behaviour first, the id last: that is what a reader needs first.
    # The heading holds the lesson on one line; a longer or multi-line one follows in full.
    title = one_line(r.text, 200)
    full = "" if title == " ".join((r.text or "").split()) else f"**What went wrong:** {_quote(r.text)}\n\n"
    return (f"### Lesson: {_inert(title)}\n\n{full}"
            f"**Correct behaviour:** {_quote(r.correct_behavior)}\n\n"
            f"{f'Verified by **{_inert(one_line(r.verified_by, 80))}**' if r.verified_by else '**Not verified**'}"
            f" · recorded{_by(r.agent)} on {_when(r.created_at, now)}" + files_line(r.files) + f" · `{r.id}`")


def decision(r: Decision, now: int, approved_by: str | None = None) -> str:
    head = "Killed" if r.decision_kind == "killed" else "Decision"
    text = f"### {head} `{r.id}`\n\n**{_quote(r.what, 400)}**"
    if r.why:
        text += f"\n\n**Why:** {_quote(r.why)}"
    if r.affects:
        text += f"\n\n**Affects:** {_quote(r.affects, 300)}"
    approval = f", approved{_by(approved_by)}" if approved_by else ""  # proposed by a session, accepted by a person
    return text + f"\n\nDecided{_by(r.agent)}{approval} on {_when(r.created_at, now)}" + files_line(r.files)


def task(r: Task, now: int) -> str:
    state = r.status.replace("_", " ")
    if r.status == "in_progress":
        state += f", claimed by **{r.claimant or '?'}** (heartbeat {ago(r.last_ping_at or r.claimed_at, now)})"
    elif r.status == "done":
        state += f" by **{r.claimant or r.agent or '?'}** {ago(r.completed_at, now)}"
    text = f"### Task `{r.id}`: {_quote(r.title, 300)}\n\n**Status:** {state} · priority {r.priority}"
    for label, value in (("Why", r.why), ("Context", r.context), ("Acceptance", r.acceptance_criteria),
                         ("Summary", r.summary)):
        if value:
            text += f"\n\n**{label}:** {_quote(value, 600)}"
    if r.blocked_by:
        text += "\n\n**Blocked by:** " + ", ".join(f"`{b}`" for b in r.blocked_by)
    return text + f"\n\nCreated{_by(r.agent)} on {_when(r.created_at, now)}" + files_line(r.files)


def goal(r: Goal, now: int) -> str:
    text = f"### Goal `{r.id}`: {_quote(r.name, 300)}\n\n**Status:** {r.status} · priority {r.priority}"
    for label, value in (("Why", r.why), ("For", r.for_who), ("Success", r.success_signal)):
        if value:
            text += f"\n\n**{label}:** {_quote(value, 600)}"
    return text + f"\n\nCreated{_by(r.agent)} on {_when(r.created_at, now)}" + files_line(r.files)


def note(r: Note, now: int) -> str:
    head = "Product vision" if r.note_kind == "vision" else "Note"
    return f"### {head} `{r.id}`\n\n{_quote(r.content)}\n\nWritten{_by(r.agent)} on {_when(r.created_at, now)}" \
        + files_line(r.files)


def memory(r: Memory, now: int) -> str:
    return f"### Memory `{r.id}`: {r.key}\n\n{_quote(r.value)}\n\nSaved{_by(r.agent)} on {_when(r.created_at, now)}"


RENDERERS = {"lesson": lesson, "decision": decision, "task": task, "goal": goal, "note": note, "memory": memory}


def record(r: Record, now: int | None = None, approved_by: str | None = None) -> str:
    """One record as a markdown section (a decision says who approved it, when a person accepted it
    from a session's proposal; an accepted lesson says so in its "verified by")."""
    if approved_by and r.kind == "decision":
        return decision(r, now or now_ms(), approved_by)
    return RENDERERS[r.kind](r, now or now_ms())


def records(found: list[Record], limit: int = 20, more_hint: str = "", approvals: dict[str, str] | None = None) -> str:
    """Several records, separated by rules; past `limit`, a line saying how many were left out.
    `approvals`: record id -> who approved it (`Project.origin`)."""
    now = now_ms()
    approvals = approvals or {}
    parts = [record(r, now, approvals.get(r.id)) for r in found[:limit]]
    if len(found) > limit:
        parts.append(f"… and {len(found) - limit} more{more_hint}")
    return "\n\n---\n\n".join(parts)
