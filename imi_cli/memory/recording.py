"""Creating records from user input: clean text, validate, link files, stamp provenance."""

from __future__ import annotations

from pathlib import Path

from . import paths
from .identity import agent_id
from .gitinfo import head_commit
from .priorities import parse_priority
from .store import Store
from .store import queries, writes
from .store.writes import Provenance
from .errors import UsageError
from .lazyre import LazyPattern
from .text import clean

TYPE_CHECKING = False  # not `from typing import ...`: typing costs milliseconds at every start
if TYPE_CHECKING:
    from typing import Callable

    LineReader = Callable[[Path], "list[str] | None"]

KILL_WORD = LazyPattern(r"(?i)\bkilled\b")


def provenance(store: Store, agent_flag: str | None = None) -> Provenance:
    """Who (agent id), when (now, ms) and at which commit a write happens."""
    prov = Provenance(agent_id(agent_flag), head_commit(store.root))
    store.actor = prov.agent
    return prov


def collect_refs(store: Store, files: list[str], texts: list[str | None], cwd: Path | None = None,
                 read: LineReader | None = None) -> list:
    """(FileSpec, origin) pairs: the `--files` entries, then existing paths named in the texts.
    `read` gives a file's lines (an editor passes its open documents' text); by default, the file on disk."""
    refs: list = []
    seen = set()
    for raw in files:
        spec = paths.parse_spec(raw, store.root, cwd)
        key = (spec.path, spec.line_start, spec.line_end, spec.symbol)
        if key not in seen:
            seen.add(key)
            refs.append((spec, "explicit"))
    explicit_paths = {spec.path for spec, _ in refs}
    missing: list[str] = []
    for text in texts:
        for spec in paths.paths_in_text(text or "", store.root, missing):
            key = (spec.path, spec.line_start, spec.line_end, spec.symbol)
            if key not in seen and spec.path not in explicit_paths:
                seen.add(key)
                refs.append((spec, "text"))
    for path in missing:
        if path not in explicit_paths:
            store.notice(f"not linked: {path} does not exist (name it with --files to link it anyway)")
    return [(anchored(store, spec, read, strict=origin == "explicit"), origin) for spec, origin in refs]


def anchored(store: Store, spec: paths.FileSpec, read: LineReader | None = None, *,
             strict: bool = True) -> paths.FileSpec:
    """A reference to lines or a symbol with a snapshot of the code it names (secrets redacted),
    so its status can be computed as the code changes.

    `strict` (a reference the user named with --files): raises UsageError when the lines begin past the end
    of the file (a file not there yet may be named). A reference found in free text is kept as written."""
    if spec.is_glob or not (spec.line_start or spec.symbol):
        return spec
    from .anchors.status import snapshot
    from .anchors.text import read_lines
    from .redaction import redact

    lines = (read or read_lines)(store.root / spec.path)
    if strict and lines is not None and spec.line_start and not spec.symbol and spec.line_start > len(lines):
        where = f"{spec.path}:{spec.line_start}" + (f"-{spec.line_end}" if (spec.line_end or 0) > spec.line_start else "")
        raise UsageError(f"{where} is past the end of the file: {spec.path} has {len(lines)} "
                         f"line{'' if len(lines) == 1 else 's'}; nothing was recorded")
    start, end, text = snapshot(store.root, spec.path, spec.line_start, spec.line_end, spec.symbol,
                                read=lambda _path: lines)
    return spec._replace(line_start=start, line_end=end, text=redact(text, "anchored code") if text else None)


def add_goal(store: Store, prov: Provenance, name: str, description: str | None = None, priority=None,
             why: str | None = None, for_who: str | None = None, success_signal: str | None = None,
             files: list[str] = ()) -> str:
    """Create a goal; returns its id."""
    name = clean(name, "goal name")
    description = clean(description, "description", required=False) or ""
    why, for_who = clean(why, "why", required=False), clean(for_who, "for who", required=False)
    success_signal = clean(success_signal, "success signal", required=False)
    level = parse_priority(priority)
    refs = collect_refs(store, list(files), [name, description, why])
    with store.write():
        return writes.add_goal(store, prov, name=name, description=description, priority=level, why=why,
                               for_who=for_who, success_signal=success_signal, refs=refs)


def add_task(store: Store, prov: Provenance, goal: str, title: str, description: str | None = None, priority=None,
             why: str | None = None, context: str | None = None, acceptance_criteria: str | None = None,
             tools: list[str] = (), blocked_by: list[str] = (), files: list[str] = ()) -> str:
    """Create a task under a goal (id or unique prefix); returns its id."""
    title = clean(title, "task title")
    description = clean(description, "description", required=False) or ""
    why, context = clean(why, "why", required=False), clean(context, "context", required=False)
    acceptance_criteria = clean(acceptance_criteria, "acceptance criteria", required=False)
    level = parse_priority(priority)
    refs = collect_refs(store, list(files), [title, description, why, context, acceptance_criteria])
    with store.write():
        _, goal_id = queries.resolve(store, goal, ["goal"])
        blockers = [queries.resolve(store, b, ["task"])[1] for b in blocked_by]
        return writes.add_task(store, prov, goal_id=goal_id, title=title, description=description, priority=level,
                               why=why, context=context, acceptance_criteria=acceptance_criteria,
                               tools=[t for t in (clean(x, "tool", required=False) for x in tools) if t],
                               blocked_by=blockers, refs=refs)


def add_decision(store: Store, prov: Provenance, what: str, why: str | None, affects: str | None = None,
                 killed: bool = False, files: list[str] = (), read: LineReader | None = None,
                 supersedes: str | None = None) -> str:
    """Record a decision (or, with `killed`, a killed feature); returns its id.

    As in IMI 0.3, a decision whose text says "killed" is filed as a kill.
    """
    what = clean(what, "what was decided")
    why = clean(why, "why", required=False) or ""
    affects = clean(affects, "affects", required=False)
    said = f"{what} {why}"
    said_killed = "killed" in said.lower() or not said.isascii()  # no regex run for most decisions
    kind = "killed" if killed or said_killed and KILL_WORD.search(said) else "decision"
    refs = collect_refs(store, list(files), [what, why, affects], read=read)
    with store.write():
        record_id = writes.add_decision(store, prov, what=what, why=why, affects=affects, kind=kind, refs=refs)
        return _checked_against_others(store, prov, "decision", record_id, supersedes)


def add_lesson(store: Store, prov: Provenance, text: str, correct_behavior: str | None,
               verified_by: str | None = None, files: list[str] = (), read: LineReader | None = None,
               supersedes: str | None = None) -> str:
    """Record a lesson: what went wrong and the correct behaviour; returns its id."""
    text = clean(text, "lesson text")
    correct = clean(correct_behavior, "--correct-behavior")
    verified = clean(verified_by, "--verified-by", required=False) or ""  # unverified until a person or check says
    refs = collect_refs(store, list(files), [text, correct], read=read)
    with store.write():
        record_id = writes.add_lesson(store, prov, text=text, correct_behavior=correct, verified_by=verified, refs=refs)
        return _checked_against_others(store, prov, "lesson", record_id, supersedes)


def _checked_against_others(store: Store, prov: Provenance, kind: str, record_id: str, supersedes: str | None) -> str:
    """Link the new record to the one it replaces, then report duplicates and records about the same code."""
    from . import overlap

    if supersedes:
        overlap.supersede(store, kind, record_id, supersedes, prov.at)
    overlap.report(store, kind, record_id)
    return record_id


def add_note(store: Store, prov: Provenance, content: str, kind: str = "note", files: list[str] = (),
             read: LineReader | None = None) -> str:
    """A direction note (`log`) or the product vision (`vision`); returns its id."""
    content = clean(content, "vision" if kind == "vision" else "note")
    refs = collect_refs(store, list(files), [content], read=read)
    with store.write():
        return writes.add_note(store, prov, content=content, kind=kind, refs=refs)


def add_memory(store: Store, prov: Provenance, goal: str, key: str, value: str, files: list[str] = ()) -> str:
    """`memory add GOAL KEY VALUE`: a learning attached to a goal; returns its id."""
    key, value = clean(key, "key"), clean(value, "value")
    refs = collect_refs(store, list(files), [value])
    with store.write():
        _, goal_id = queries.resolve(store, goal, ["goal"])
        return writes.add_memory(store, prov, key=key, value=value, type="learning", goal_id=goal_id, refs=refs)
