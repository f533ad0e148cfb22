"""The context an agent reads at the start of a session, packed into a character budget.

Sections keep the seed's order. When everything does not fit, sections are filled
round-robin in order of importance (in-progress work and lessons first), long
items are shortened, and a last line says what was left out and how to see it.
"""

from __future__ import annotations

from .clock import ago, now_ms
from .excerpt import field, one_line, shorten
from .store import Store, queries
from .store.lease import is_stale, lease_ms
from .store.records import Decision, Goal, Lesson, Note, Task
from .usage import aging_days, mark_aging

DEFAULT_BUDGET = 10_000
MIN_BUDGET = 500
TASKS_PER_GOAL = 6
NOTE_DAYS = 7
FOOTER_RESERVE = 320

# Filling order when the budget is tight: what an agent must not miss comes first.
IMPORTANCE = ("in_progress", "lessons", "unverified", "vision", "killed", "decisions", "notes", "goals",
              "prior_work", "finished_goals")
FINISHED_GOALS = 3  # the most recently finished goals, one line each


FIRST_BATCH = 6  # records read and prepared together first (about what a section shows in a session's
                 # budget, and one more to see that it does not fit); then batches double


class Section:
    """One heading of the context: its records, prepared (files, anchors...) in growing batches and
    rendered one by one, only as far as the budget reaches. With `load(offset, limit)`, the records are
    read batch by batch too, up to `cap` of them."""

    __slots__ = ("key", "title", "records", "render_item", "prepare", "total", "empty_text", "more", "shown",
                 "load", "cap", "_items", "_prepared")

    def __init__(self, key: str, title: str, records: list, render_item, total: int | None = None,
                 empty_text: str = "", more: str = "", prepare=None, load=None, cap: int = 0):
        self.key, self.title, self.records, self.render_item = key, title, records, render_item
        self.total = len(records) if total is None else total
        self.empty_text, self.more, self.prepare = empty_text, more, prepare
        self.load, self.cap = load, cap
        self.shown = 0
        self._items: list[str] = []
        self._prepared = 0

    def item(self, index: int) -> str | None:
        """The rendered text of record `index`, or None when there is no such record. Records are read
        (with `load`) and prepared in batches as the budget reaches them; each is rendered when asked for."""
        records, items = self.records, self._items
        if index < len(items):
            return items[index]
        while self._prepared <= index:
            start = self._prepared
            end = start + max(FIRST_BATCH, start)
            if self.load and end > len(records) and len(records) < self.cap:
                wanted = min(end, self.cap) - len(records)
                page = self.load(len(records), wanted)
                records.extend(page)
                if len(page) < wanted:  # fewer than counted (a concurrent change): what there is
                    self.cap = len(records)
            batch = records[start:end]
            if not batch:
                return None
            if self.prepare:
                self.prepare(batch)
            self._prepared += len(batch)
        while len(items) <= index:
            items.append(self.render_item(records[len(items)]))
        return items[index]

    @property
    def available(self) -> int:
        return self.cap if self.load else len(self.records)

    @property
    def items(self) -> list[str]:
        return [self.item(i) for i in range(self.shown)]

    @property
    def omitted(self) -> int:
        return self.total - self.shown


class Context:
    """The packed context: a header, sections with what fits, and a footer naming what was left out."""

    __slots__ = ("header", "sections", "budget", "footer", "compact")

    def __init__(self, header: str, sections: list[Section], budget: int, footer: str = ""):
        self.header, self.sections, self.budget, self.footer = header, sections, budget, footer
        self.compact = False  # leave out the "(N left out)" lines: the footer says it all

    def render(self) -> str:
        """The packed text, never longer than the budget."""
        parts = [self.header]
        for section in self.sections:
            parts.append(f"\n## {section.title}")
            shown = section.items
            if shown:
                parts.extend(shown)
            elif section.total and not self.compact:
                parts.append(f"  ({section.total} left out)")
            elif section.empty_text:
                parts.append(f"  {section.empty_text}")
        if self.footer:
            parts.append("\n" + self.footer)
        return "\n".join(parts) + "\n"

    def to_json(self) -> dict:
        return {
            "budget": self.budget,
            "sections": [
                {"key": s.key, "title": s.title, "total": s.total, "shown": s.shown, "omitted": s.omitted,
                 "records": [r.to_json() for r in s.records[:s.shown]]}
                for s in self.sections
            ],
            "omitted": {s.key: s.omitted for s in self.sections if s.omitted},
            "text": self.render(),
        }


def _ref_label(ref) -> str:
    now = ref.now
    if now is None or now.status == "fresh":
        return ref.label()
    where = f"{now.path}:{now.line_start}-{now.line_end}"
    if now.status in ("moved", "renamed"):
        return where + f" ({now.status} from {ref.label()})"
    if now.status == "changed":
        return f"{ref.label()} (STALE: code changed, now {where})"
    return f"{ref.label()} (STALE: code gone)"


def _files(record) -> str:
    refs = getattr(record, "files", [])
    if not refs:
        return ""
    shown = ", ".join(_ref_label(ref) for ref in refs[:6])
    text = f"\n    files: {shown}" + (f" (+{len(refs) - 6} more)" if len(refs) > 6 else "")
    if any(ref.now is not None and ref.now.stale for ref in refs):
        text += f"\n    ⚠ the code this names changed since it was written: check before relying on it " \
                f"(`imi verify {record.id}` if it still holds)"
    return text


def _by(agent: str | None) -> str:
    return f"  @{one_line(agent, 80)}" if agent else ""


def _replaced(record) -> str:
    """A pointer to the history of a record that replaced another (only the newest of a chain is shown),
    and a mark on memory nobody used or verified for the aging time."""
    text = f" · replaces {record.supersedes} (`imi show {record.id}` for the history)" if record.supersedes else ""
    if record.aging is not None:
        text += (f"\n    ⌛ aging: not used or verified for {record.aging} days "
                 f"(`imi verify {record.id}` if it still holds, else `imi archive {record.id}`)")
    return text


STALE_MODES = ("flag", "withhold")


def stale_mode() -> str:
    """IMI_STALE_MEMORY: how context, hooks and MCP show a record whose anchored code changed or is
    gone. "flag" (default) shows it marked with what changed: the moment its code changes is when a
    lesson matters most, and the agent can check it. "withhold" shows one line in its place."""
    import os

    mode = os.environ.get("IMI_STALE_MEMORY", "flag").strip().lower() or "flag"
    if mode not in STALE_MODES:
        from .errors import ImiError

        raise ImiError(f"IMI_STALE_MEMORY must be flag or withhold, not {mode[:40]!r}")
    return mode


def _withheld(record) -> str:
    """The line that stands for a stale record when the setting withholds it, else ""."""
    if not any(ref.now is not None and ref.now.stale for ref in getattr(record, "files", ())):
        return ""
    if stale_mode() != "withhold":
        return ""
    return (f"  - withheld: {record.kind} {record.id} names code that changed since it was written "
            f"(`imi show {record.id}`; `imi verify {record.id}` if it still holds)")


def render_decision(d: Decision, now: int) -> str:
    withheld = _withheld(d)
    if withheld:
        return withheld
    text = f"  {field(d.what, 300)}"
    if d.why:
        text += f"\n    why: {field(d.why, 300)}"
    if d.affects:
        text += f"\n    affects: {field(d.affects, 160)}"
    return text + _files(d) + f"\n    {ago(d.created_at, now)}{_by(d.agent)} · {d.id}" + _replaced(d)


def _verified(lesson: Lesson) -> str:
    """Who vouches for a lesson: a person or a named check, or nobody yet (then who wrote it shows)."""
    return f"verified by: {one_line(lesson.verified_by, 80)}" if lesson.verified_by else "unverified"


def render_lesson(lesson: Lesson, now: int) -> str:
    withheld = _withheld(lesson)
    if withheld:
        return withheld
    return (f"  - {field(lesson.text, 300)}\n    correct behavior: {field(lesson.correct_behavior, 300)}"
            f"\n    {_verified(lesson)}{_by(lesson.agent)} ({ago(lesson.created_at, now)}) · {lesson.id}"
            + _replaced(lesson) + _files(lesson))


def render_note(note: Note, now: int) -> str:
    return (f"  ▸ {field(note.content, 500)}\n    {ago(note.created_at, now)}{_by(note.agent)} · {note.id}"
            + _files(note))


def render_task_line(task: Task, now: int, lease: int) -> str:
    state = task.status.replace("_", " ")
    line = f"    - [{state}] [{task.priority}] {one_line(task.title, 160)}  {task.id}"
    if task.status == "in_progress":
        line += f"  @{one_line(task.claimant, 80)}" + (" (STALE)" if is_stale(task, now, lease) else "")
    elif task.blocked_by:
        line += f"  (blocked by {', '.join(task.blocked_by)})"
    return line


def render_goal(goal: Goal, tasks: list[Task], open_count: int, done: int, now: int, lease: int) -> str:
    """A goal with its first open tasks (in progress first, then by priority)."""
    text = (f"  [{goal.priority}] {one_line(goal.name, 200)}  {goal.id}  "
            f"({goal.status}, {done}/{open_count + done} tasks done)")
    if goal.why:
        text += f"\n    why: {field(goal.why, 200)}"
    if goal.success_signal:
        text += f"\n    success: {field(goal.success_signal, 200)}"
    lines = [render_task_line(t, now, lease) for t in tasks]
    if open_count > len(tasks):
        lines.append(f"    … {open_count - len(tasks)} more open tasks: imi plan {goal.id}")
    return "\n".join([text, *lines])


def render_finished_goal(goal: Goal, tasks_done: int, now: int) -> str:
    """One line: a goal closed when its last task was completed."""
    return (f"  ✓ [{goal.priority}] {one_line(goal.name, 200)}  {goal.id}  (done {ago(goal.completed_at, now)}, "
            f"{tasks_done} {'task' if tasks_done == 1 else 'tasks'})")


def render_in_progress(task: Task, checkpoint: str | None, now: int, lease: int) -> str:
    text = (f"  {one_line(task.title, 200)}  {task.id}  @{one_line(task.claimant, 80)}  "
            f"heartbeat {ago(task.last_ping_at, now)}")
    if is_stale(task, now, lease):
        text += (f"\n    STALE: no heartbeat for over {lease // 60_000} min; "
                 f"`imi start {task.id}` takes it over")
    if checkpoint:
        text += f"\n    last checkpoint: {field(checkpoint, 300)}"
    return text + _files(task)


def render_completion(task: Task, extra: dict[str, str], now: int) -> str:
    text = f"  ✓ {one_line(task.title, 200)}  {task.id}  by {one_line(task.claimant or task.agent or '?', 80)}, " \
           f"{ago(task.completed_at, now)}\n    {field(task.summary, 500)}"
    for key in ("interpretation", "uncertainty", "outcome"):
        if extra.get(key):
            text += f"\n    {key}: {field(extra[key], 200)}"
    return text


def _fill(sections: list[Section], room: int, measure=len) -> int:
    """Round-robin by importance: each pass adds the next item of every section that still fits."""
    order = sorted(sections, key=lambda s: IMPORTANCE.index(s.key))
    used = sum(measure(s.title) + 5 + (measure(s.empty_text) + 3 if not s.available else 0) for s in sections)
    used += sum(measure(item) + 1 for s in sections for item in s.items)
    active = [s for s in order if s.shown < s.available]
    while active:
        still = []
        for section in active:
            item = section.item(section.shown)
            if item is not None and used + measure(item) + 1 <= room:
                used += measure(item) + 1
                section.shown += 1
                if section.shown < section.available:
                    still.append(section)
        active = still
    return used


def build(store: Store, *, goal_id: str | None = None, budget: int = DEFAULT_BUDGET, now: int | None = None,
          first: tuple[str, ...] = (), measure=len) -> Context:
    """Assemble the session context; `first` moves named sections to the top (hooks put work first);
    `measure` is how the budget counts a text (`len`, or its length inside a JSON string)."""
    from .anchors.renames import follow_renames

    follow_renames(store)  # records naming a file git renamed show its new path
    now = now or now_ms()
    stale_mode()  # a bad setting is one clear line before anything is read
    lease = lease_ms(store)
    sections = _sections(store, goal_id, now, lease, budget)
    if first:
        sections.sort(key=lambda s: (s.key not in first, first.index(s.key) if s.key in first else 0))
    return pack(_header(store, goal_id), sections, budget, measure)


def pack(header: str, sections: list[Section], budget: int, measure=len) -> Context:
    """Fill the sections into the budget (most important first when not everything fits)."""
    room = max(budget, MIN_BUDGET) - measure(header) - 2
    _fill(sections, room - FOOTER_RESERVE, measure)
    footer = _footer(sections, budget)
    if not footer:  # nothing left out: the reserve is free to use
        _fill(sections, room, measure)
    packed = Context(header, sections, budget, footer)
    limit = max(budget, MIN_BUDGET)
    while measure(packed.render()) > limit:  # the estimate was short: drop the least important item
        shown = [s for s in sections if s.shown]
        if not shown and not packed.compact:  # a tiny budget: first drop the per-section notes
            packed.compact = True
            continue
        if not shown:
            packed.footer = shorten(packed.footer, max(0, len(packed.footer) - (measure(packed.render()) - limit)))
            break
        max(shown, key=lambda s: IMPORTANCE.index(s.key)).shown -= 1
        packed.footer = _footer(sections, budget)
    return packed


def _header(store: Store, goal_id: str | None) -> str:
    scope = f" for goal {goal_id}" if goal_id else ""
    name = one_line(store.root.name, 40)  # folder names reach 255 characters and may hold line breaks
    return f"# IMI context{scope} ({name})"


SHORT_NAMES = {"vision": "vision", "killed": "kills", "notes": "notes", "decisions": "decisions",
               "lessons": "lessons", "unverified": "unverified lessons", "goals": "goals", "in_progress": "in progress",
               "prior_work": "completions", "finished_goals": "finished goals"}


def _footer(sections: list[Section], budget: int) -> str:
    left = [(s, s.omitted) for s in sections if s.omitted > 0]
    if not left:
        return ""
    listed = ", ".join(f"{n} {SHORT_NAMES.get(s.key, s.key)}" for s, n in left)
    commands = sorted({s.more for s, _ in left if s.more} | {"imi show ID"})
    return f"Left out ({budget} character budget): {listed}. See: " + ", ".join(f"`{c}`" for c in commands)


class _Preparer:
    """Fills in what shown records need besides their row: files, where anchored code is now, aging.
    One per build, so that a file read or a setting looked up serves every batch of records."""

    __slots__ = ("store", "now", "_anchors", "_aging_days")

    def __init__(self, store: Store, now: int):
        self.store, self.now = store, now
        self._anchors = None  # (git renames, files read), made when a record first has an anchor
        self._aging_days = None

    def __call__(self, records, blockers: bool = True) -> None:
        store = self.store
        queries.attach_files(store, records, blockers=blockers)
        self.annotate(records)
        if any(hasattr(r, "aging") for r in records):
            if self._aging_days is None:
                self._aging_days = aging_days(store)
            mark_aging(store, records, self.now, self._aging_days)

    def annotate(self, records) -> None:
        """Where anchored code is now, for records that have anchors (reads their files)."""
        if any(ref.is_anchor and (ref.anchor_text or ref.symbol)
               for record in records for ref in getattr(record, "files", ())):
            from .anchors.review import Files, Renames, annotate

            if self._anchors is None:
                self._anchors = (Renames(self.store.root), Files())
            annotate(self.store.root, records, *self._anchors)


def _totals(store: Store, since: int, goal_id: str | None) -> dict[str, int]:
    """How many records each paged section has, in one query."""
    live = "archived_at IS NULL"
    scope = " AND goal_id = ?" if goal_id else ""
    counted = {
        "killed": f"decisions WHERE {live} AND kind = 'killed'",
        "notes": f"direction_notes WHERE {live} AND kind = 'note' AND created_at >= ?",
        "decisions": f"decisions WHERE {live} AND kind = 'decision'",
        # named: for a count SQLite preferred the index of live lessons' text, reading every lesson's row
        "lessons": f"lessons INDEXED BY lessons_live_verified_idx WHERE {live} AND NOT ({queries.UNVERIFIED})",
        "unverified": f"lessons INDEXED BY lessons_live_unverified_idx WHERE {live} AND {queries.UNVERIFIED}",
        "goals": f"goals WHERE {queries.ACTIVE_GOAL}" + (" AND id = ?" if goal_id else ""),
        "in_progress": f"tasks WHERE status = 'in_progress' AND {live}{scope}",
    }
    row = store.one("SELECT " + ", ".join(f"(SELECT count(*) FROM {where})" for where in counted.values()),
                    (since, *((goal_id, goal_id) if goal_id else ())))
    return {key: n or 0 for key, n in zip(counted, row)}


def _sections(store: Store, goal_id: str | None, now: int, lease: int, budget: int) -> list[Section]:
    fetch = max(20, budget // 50)  # no item is shorter than 50 characters: more could never be shown
    since = now - NOTE_DAYS * 86_400_000
    vision = queries.notes(store, "vision", limit=1)
    total = _totals(store, since, goal_id)
    completions = queries.completions(store, limit=5, goal_id=goal_id)
    finished = queries.finished_goals(store, goal_id=goal_id, limit=FINISHED_GOALS)

    attach = _Preparer(store, now)

    goal_parts: dict[str, tuple] = {}  # goal id -> (open tasks shown, open count, done count)

    def prepare_goals(batch: list[Goal]) -> None:
        """The counts and first open tasks of a batch of goals, in a few queries for all of them."""
        ids = [g.id for g in batch]
        counts = queries.task_counts_by_goal(store, ids)
        shown = queries.open_tasks_by_goal(store, ids, TASKS_PER_GOAL)
        # a goal's task lines show their blockers, not their files
        queries.attach_files(store, [t for tasks in shown.values() for t in tasks], files=False)
        for gid in ids:
            c = counts[gid]
            goal_parts[gid] = (shown.get(gid, []), c.get("todo", 0) + c.get("in_progress", 0), c.get("done", 0))

    def goal_item(goal: Goal) -> str:
        open_tasks, open_count, done = goal_parts[goal.id]
        return render_goal(goal, open_tasks, open_count, done, now, lease)

    checkpoints: dict[str, str] = {}

    def prepare_in_progress(batch: list[Task]) -> None:
        attach(batch)
        checkpoints.update(queries.latest_memory_values(store, [t.id for t in batch], "checkpoint"))

    def in_progress_item(task: Task) -> str:
        return render_in_progress(task, checkpoints.get(task.id), now, lease)

    finished_done: dict[str, dict[str, int]] = {}

    def prepare_finished(batch: list[Goal]) -> None:
        finished_done.update(queries.task_counts_by_goal(store, [g.id for g in batch]))

    def finished_item(goal: Goal) -> str:
        return render_finished_goal(goal, finished_done[goal.id].get("done", 0), now)

    extras: dict[str, dict[str, str]] = {}

    def prepare_completions(batch: list[Task]) -> None:
        extras.update(queries.memory_fields(store, [t.id for t in batch], "completion"))

    def completion_item(task: Task) -> str:
        return render_completion(task, extras[task.id], now)

    def paged(key: str, title: str, render_item, total: int, empty_text: str, more: str, prepare, load) -> Section:
        """A section whose records are read batch by batch as the budget reaches them (at most `fetch`)."""
        return Section(key, title, [], render_item, total, empty_text, more, prepare, load, min(total, fetch))

    # Finished goals only when there are some: a trace of what was closed, not a heading to fill.
    recently_finished = [Section("finished_goals", "Recently finished goals", finished, finished_item,
                                 more="imi plan", prepare=prepare_finished)] if finished else []
    sections = [
        Section("vision", "Product Vision", vision, lambda n: f"  {field(n.content, 1500, '  ')}",
                empty_text="(not set: `imi vision \"...\"` records it)"),
        paged("killed", "What was killed and why", lambda d: render_decision(d, now),
              total["killed"],
              "(nothing)", "imi search killed", attach,
              lambda offset, limit: queries.decisions(store, "killed", limit=limit, offset=offset)),
        paged("notes", f"Direction notes (last {NOTE_DAYS} days)", lambda n: render_note(n, now),
              total["notes"],
              "(none)", "imi search WORDS", attach,
              lambda offset, limit: queries.notes(store, "note", since_ms=since, limit=limit, offset=offset)),
        paged("decisions", "Decisions", lambda d: render_decision(d, now),
              total["decisions"],
              "(none)", "imi search WORDS", attach,
              lambda offset, limit: queries.decisions(store, "decision", limit=limit, offset=offset)),
        paged("lessons", "Verified Lessons", lambda l: render_lesson(l, now),
              total["lessons"],
              "(none)", "imi search WORDS", attach,
              lambda offset, limit: queries.lessons(store, limit=limit, verified=True, offset=offset)),
        paged("unverified", "Lessons (unverified)", lambda l: render_lesson(l, now),
              total["unverified"],
              "", "imi search WORDS", attach,
              lambda offset, limit: queries.lessons(store, limit=limit, verified=False, offset=offset)),
        paged("goals", "Active goals", goal_item,
              total["goals"],
              "(none: `imi goal NAME` adds one)", "imi plan", prepare_goals,
              lambda offset, limit: queries.goals(store, active_only=True, goal_id=goal_id, limit=limit,
                                                  offset=offset)),
        *recently_finished,
        paged("in_progress", "In progress", in_progress_item,
              total["in_progress"],
              "(nothing claimed)", "imi status", prepare_in_progress,
              lambda offset, limit: queries.tasks(store, goal_id=goal_id, status="in_progress", limit=limit,
                                                  offset=offset)),
        Section("prior_work", "Prior work (recent completions)", completions, completion_item,
                empty_text="(none yet)", more="imi plan", prepare=prepare_completions),
    ]
    return [s for s in sections if s.key != "unverified" or s.total]  # that heading only when it has lessons


def _naming(store: Store, path: str, newest: int) -> list:
    """Records that name `path`, after references to files git renamed have followed them (so a file
    moved with `git mv` has its memory at once, on every read path)."""
    from .anchors.renames import follow_renames

    followed = follow_renames(store)
    names = [path] + [old for old, new in followed.paths.items() if new == path and not followed.stored]
    found: dict[tuple[str, str], object] = {}
    for name in names:
        for record, _refs in queries.records_naming(store, name, newest=newest):
            found.setdefault((record.kind, record.id), record)
    return list(found.values())


def build_for_file(store: Store, path: str, *, budget: int = DEFAULT_BUDGET, now: int | None = None,
                   keep=None) -> Context:
    """Only what names one repo-relative file: lessons first, then decisions, tasks, goals, notes, prior work.
    With `keep`, only the records it returns true for (an agent session leaves out what it was shown)."""
    now = now or now_ms()
    lease = lease_ms(store)
    found = [record for record in _naming(store, path, newest=max(20, budget // 50)) if keep is None or keep(record)]
    task_ids = {r.id for r in found if r.kind == "task"}
    for record in list(found):  # a completion summary that names the file stands for its task
        if record.kind == "memory" and record.type == "completion":
            found.remove(record)
            if record.task_id and record.task_id not in task_ids:
                task = queries.get(store, "task", record.task_id)
                if task is not None:
                    found.append(task)
                    task_ids.add(task.id)
    stale_mode()  # a bad setting is one clear line before anything is read
    newest = sorted(found, key=lambda r: -(r.created_at or 0))
    lessons = [r for r in newest if r.kind == "lesson"]
    decisions = [r for r in newest if r.kind == "decision"]
    tasks = [r for r in newest if r.kind == "task" and r.status != "done"]
    done = [r for r in newest if r.kind == "task" and r.status == "done"]
    goals = [r for r in newest if r.kind == "goal"]
    notes = [r for r in newest if r.kind in ("note", "memory")]

    preparer = _Preparer(store, now)

    def prepare(batch) -> None:  # files, where anchored code is now and aging: only for what is reached
        preparer(batch, blockers=False)

    def section(key, title, records, render):
        return Section(key, title, records, render, prepare=prepare)

    sections = [s for s in (
        section("lessons", "Lessons", lessons, lambda l: render_lesson(l, now)),
        section("decisions", "Decisions", decisions, lambda d: render_decision(d, now)),
        section("in_progress", "Open tasks", tasks,
                lambda t: render_task_line(t, now, lease).strip() + _files(t)),
        section("goals", "Goals", goals, lambda g: f"  [{g.priority}] {one_line(g.name, 200)}  {g.id}  ({g.status})"),
        section("notes", "Notes", notes, lambda n: f"  ▸ {one_line(n.title, 400)}  {n.id}"),
        section("prior_work", "Prior work", done, lambda t: render_completion(t, {}, now)),
    ) if s.total]
    label = path if len(path) <= 200 else "…" + path[-199:]  # the header must fit the smallest budget
    header = f"# IMI memory for {label}" + ("" if sections else "\n(no lessons, decisions or tasks name this file)")
    room = max(budget, MIN_BUDGET) - len(header) - 2
    _fill(sections, room - FOOTER_RESERVE)
    footer = _footer(sections, budget)
    if not footer:
        _fill(sections, room)
    return Context(header, sections, budget, footer)
