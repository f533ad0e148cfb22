"""`imi init --agents`: a short, marked IMI section in each agent's instruction file.

The section sits between `<!-- imi:start -->` and `<!-- imi:end -->` lines. Adding
it again updates it in place; removing it gives back the file byte for byte as it
was (a file IMI created is deleted again). Everything outside the markers is the
user's and is never changed: files are handled as bytes, line endings follow the
file's own.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..memory import ImiError, UsageError

AGENT_FILES = {
    "claude": "CLAUDE.md",
    "codex": "AGENTS.md",
    "copilot": ".github/copilot-instructions.md",
    "cursor": ".cursor/rules/imi.mdc",
    "gemini": "GEMINI.md",
}
START = "<!-- imi:start -->"
END = "<!-- imi:end -->"
_START_LINE = re.compile(rb"^<!-- imi:start -->\r?$", re.MULTILINE)
_END_LINE = re.compile(rb"^<!-- imi:end -->\r?$", re.MULTILINE)
MDC_FRONT_MATTER = ("---\ndescription: IMI project memory - read context, claim tasks, write back\n"
                    "globs:\nalwaysApply: true\n---\n")

SECTION = """\
## Project memory (IMI)

This repository keeps goals, tasks, decisions and lessons in `.imi/state.db`; the `imi` CLI reads and writes them.

- Start every session with `imi context`. Before changing a file, `imi context --file PATH` shows the lessons \
and decisions that name it.
- Claim work before doing it: `imi next` (most urgent ready task) or `imi start TASK_ID`. A claim is exclusive; \
`imi ping TASK_ID` keeps it alive.
- Save progress with `imi checkpoint TASK_ID "where it stands"`.
- When done: `imi complete TASK_ID "what was done" --outcome "how it was verified"`; to give a task back: \
`imi fail TASK_ID "why"`.
- Record what the next session must know: `imi decide "what" "why" --files PATHS`, \
`imi lesson "what went wrong" --correct-behavior "what to do instead" --files PATHS`, `imi log "note"`.
- `imi search WORDS` finds any record; `--json` works on every command. Set `IMI_AGENT_ID` to tell agents apart.
"""


@dataclass(slots=True)
class Change:
    """What happened to one agent's file."""

    agent: str
    path: Path
    action: str  # added, updated, unchanged, removed, absent

    def to_json(self) -> dict:
        return {"agent": self.agent, "path": str(self.path), "action": self.action}


def parse_agents(value: str) -> list[str]:
    """`claude,cursor` (or `all`) as a list of known agent names; UsageError for anything else."""
    names = [part.strip().lower() for part in (value or "").split(",") if part.strip()]
    if names == ["all"]:
        return list(AGENT_FILES)
    unknown = [name for name in names if name not in AGENT_FILES]
    if unknown or not names:
        raise UsageError(f"unknown agent {', '.join(map(repr, unknown)) or repr(value)} for --agents: "
                         f"use {', '.join(AGENT_FILES)} or all, comma-separated")
    return list(dict.fromkeys(names))


def block(newline: bytes = b"\n") -> bytes:
    """The marked section, without a final line ending."""
    text = f"{START}\n{SECTION}{END}"
    return text.encode("utf-8").replace(b"\n", newline)


def _newline(content: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in content else b"\n"


def _span(content: bytes, name: str) -> tuple[int, int, bytes] | None:
    """(start of the start marker, end of the end marker, the section's line ending); None if there is none."""
    starts = list(_START_LINE.finditer(content))
    ends = list(_END_LINE.finditer(content))
    if not starts and not ends:
        return None
    if len(starts) != 1 or len(ends) != 1 or ends[0].start() < starts[0].start():
        raise ImiError(f"{name} has a broken IMI section (expected one `{START}` line followed by one `{END}` "
                       f"line): fix it by hand, then run again")
    end = ends[0].end()
    if content[end - 1:end] == b"\r":
        end -= 1
    newline = b"\r\n" if starts[0].group().endswith(b"\r") else b"\n"
    return starts[0].start(), end, newline


def with_section(content: bytes, name: str = "the file") -> bytes:
    """`content` with the IMI section added at the end, or updated in place if it is there."""
    span = _span(content, name)
    if span is not None:
        start, end, newline = span
        return content[:start] + block(newline) + content[end:]
    newline = _newline(content)
    # One line ending before the section: a blank line after text that ends a line, or the end of a
    # last line without one. Removal takes exactly one away again, so the user's bytes come back.
    separator = newline if content else b""
    return content + separator + block(newline) + newline


def without_section(content: bytes, name: str = "the file") -> bytes | None:
    """`content` with the IMI section (and the line endings added with it) taken out; None if it has none."""
    span = _span(content, name)
    if span is None:
        return None
    start, end, newline = span
    before, after = content[:start], content[end:]
    if after.startswith(newline):
        after = after[len(newline):]
    if before.endswith(newline):
        before = before[:-len(newline)]
    return before + after


def _write(path: Path, data: bytes) -> None:
    """Replace the file atomically, keeping its permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ImiError(f"cannot read {path}: {exc.strerror}") from None


def check(root: Path, agents: list[str]) -> None:
    """Raise ImiError (one line) when an agent's file has a broken section: run before changing anything."""
    for agent in agents:
        old = _read(root / AGENT_FILES[agent])
        if old is not None:
            _span(old, AGENT_FILES[agent])


def install(root: Path, agents: list[str]) -> list[Change]:
    """Add or update the IMI section in each agent's file under `root`."""
    changes = []
    plans = []
    for agent in agents:  # check every file before writing any
        path = root / AGENT_FILES[agent]
        old = _read(path)
        base = old if old is not None else (MDC_FRONT_MATTER.encode() if path.suffix == ".mdc" else b"")
        new = with_section(base, AGENT_FILES[agent])
        action = "added" if old is None or _span(old, AGENT_FILES[agent]) is None else (
            "unchanged" if new == old else "updated")
        plans.append((agent, path, new, action))
    for agent, path, new, action in plans:
        if action != "unchanged":
            _write(path, new)
        changes.append(Change(agent, path, action))
    return changes


def remove(root: Path, agents: list[str]) -> list[Change]:
    """Take the IMI section out of each agent's file; delete files (and folders) that only held it."""
    changes = []
    plans = []
    for agent in agents:
        path = root / AGENT_FILES[agent]
        old = _read(path)
        new = without_section(old, AGENT_FILES[agent]) if old is not None else None
        plans.append((agent, path, new))
    for agent, path, new in plans:
        if new is None:
            changes.append(Change(agent, path, "absent"))
            continue
        if new == b"" or (path.suffix == ".mdc" and new == MDC_FRONT_MATTER.encode()):
            path.unlink()
            _prune(path.parent, root)
        else:
            _write(path, new)
        changes.append(Change(agent, path, "removed"))
    return changes


def _prune(folder: Path, root: Path) -> None:
    """Remove folders left empty (`.cursor/rules`, `.github`) up to the workspace root."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
