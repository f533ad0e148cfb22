"""Typed records: what the CLI prints and the language server shows."""

from __future__ import annotations

from ..clock import iso
from ..typed import RecordType

# record kind -> its table
TABLES = {"goal": "goals", "task": "tasks", "decision": "decisions", "lesson": "lessons",
          "note": "direction_notes", "memory": "memories"}


class FileRef(metaclass=RecordType):
    """A record's reference to a file, glob or folder, optionally a line range or symbol."""

    path: str
    is_glob: bool = False
    line_start: int | None = None
    line_end: int | None = None
    symbol: str | None = None
    origin: str = "explicit"  # "explicit" (--files) or "text" (named in the record's text)
    anchor_text: str | None = None  # the anchored lines when the record was written
    commit: str | None = None        # the commit they were read at
    ref_id: int | None = None
    now: object = None               # where an anchor is now (anchors.status.Located), when computed

    @property
    def is_anchor(self) -> bool:
        """A reference to lines or a symbol (not just a file)."""
        return not self.is_glob and bool(self.line_start or self.symbol)

    def label(self) -> str:
        """`path`, `path:10-15` or `path#symbol`, as a user would type it."""
        text = self.path
        if self.line_start:
            text += f":{self.line_start}" if self.line_end in (None, self.line_start) else f":{self.line_start}-{self.line_end}"
        if self.symbol:
            text += f"#{self.symbol}"
        return text

    def to_json(self) -> dict:
        out = {"path": self.path, "glob": self.is_glob, "line_start": self.line_start,
               "line_end": self.line_end, "symbol": self.symbol, "origin": self.origin}
        if self.now is not None:
            out["anchor"] = self.now.to_json()
        return out


class _Record(metaclass=RecordType):
    """Shared behaviour: JSON form with ISO times, the files it names."""

    __slots__ = ()
    kind = "record"
    _time_fields = ("created_at", "updated_at", "completed_at", "archived_at", "claimed_at", "last_ping_at")

    def to_json(self) -> dict:
        out: dict = {"kind": self.kind}
        for name in self._fields:
            value = getattr(self, name)
            if name == "files":
                value = [ref.to_json() for ref in value]
            elif name in self._time_fields:
                value = iso(value)
            out[name] = value
        return out


class Goal(_Record):
    id: str
    name: str
    description: str = ""
    why: str | None = None
    for_who: str | None = None
    success_signal: str | None = None
    status: str = "todo"
    priority: str = "medium"
    agent: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    completed_at: int | None = None
    archived_at: int | None = None
    files: list[FileRef] = list
    kind = "goal"

    @property
    def title(self) -> str:
        return self.name


class Task(_Record):
    id: str
    title: str
    goal_id: str | None = None
    description: str = ""
    why: str | None = None
    context: str | None = None
    acceptance_criteria: str | None = None
    tools: list[str] = list
    priority: str = "medium"
    status: str = "todo"
    agent: str | None = None  # who created it
    claimant: str | None = None
    claimed_at: int | None = None
    last_ping_at: int | None = None
    summary: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    completed_at: int | None = None
    archived_at: int | None = None
    blocked_by: list[str] = list
    files: list[FileRef] = list
    kind = "task"


class Decision(_Record):
    id: str
    what: str
    why: str = ""
    affects: str | None = None
    decision_kind: str = "decision"  # "decision" or "killed"
    agent: str | None = None
    created_at: int | None = None
    archived_at: int | None = None
    supersedes: str | None = None  # the record this one replaced (archived)
    aging: int | None = None  # days neither used nor verified, when beyond the aging time (see usage.py)
    files: list[FileRef] = list
    kind = "decision"

    @property
    def title(self) -> str:
        return self.what


class Lesson(_Record):
    id: str
    text: str
    correct_behavior: str = ""
    verified_by: str = ""  # who or what verified it; empty: nobody has (an agent's own lesson)
    agent: str | None = None
    created_at: int | None = None
    archived_at: int | None = None
    supersedes: str | None = None  # the record this one replaced (archived)
    aging: int | None = None  # days neither used nor verified, when beyond the aging time (see usage.py)
    files: list[FileRef] = list
    kind = "lesson"

    @property
    def title(self) -> str:
        return self.text


class Note(_Record):
    id: str
    content: str
    note_kind: str = "note"  # "note" (direction note) or "vision"
    agent: str | None = None
    created_at: int | None = None
    archived_at: int | None = None
    files: list[FileRef] = list
    kind = "note"

    @property
    def title(self) -> str:
        return self.content


class Memory(_Record):
    id: str
    key: str
    value: str
    type: str = "learning"
    goal_id: str | None = None
    task_id: str | None = None
    agent: str | None = None
    created_at: int | None = None
    files: list[FileRef] = list
    kind = "memory"

    @property
    def title(self) -> str:
        return f"{self.key}: {self.value}"


Record = Goal | Task | Decision | Lesson | Note | Memory


class SearchHit(metaclass=RecordType):
    """One match: the record's kind and id, a short plain snippet, where the matches are in it, the rank."""

    kind: str
    id: str
    snippet: str
    marks: tuple = ()  # (start, end) of each match in the snippet
    rank: float = 0.0

    def highlighted(self, open_mark: str, close_mark: str) -> str:
        """The snippet with each match between the two marks (brackets, bold, ANSI codes)."""
        out, last = [], 0
        for start, end in self.marks:
            out += [self.snippet[last:start], open_mark, self.snippet[start:end], close_mark]
            last = end
        return "".join(out) + self.snippet[last:]

    def to_json(self) -> dict:
        return {"kind": self.kind, "id": self.id, "snippet": self.snippet, "matches": [list(m) for m in self.marks],
                "rank": self.rank}
