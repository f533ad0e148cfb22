"""Read queries: every reader (CLI, context, language server) goes through these."""

from __future__ import annotations

from ..errors import Conflict, NotFound
from ..priorities import rank_sql
from .connection import Store
from .records import TABLES, Decision, FileRef, Goal, Lesson, Memory, Note, Record, Task

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

GOAL_COLS = ("id, name, description, why, for_who, success_signal, status, priority, agent, "
             "created_at, updated_at, completed_at, archived_at")
TASK_COLS = ("id, title, goal_id, description, why, context, acceptance_criteria, tools, priority, status, "
             "created_by, agent_id, claimed_at, last_ping_at, summary, created_at, updated_at, completed_at, "
             "archived_at")
DECISION_COLS = "id, what, why, affects, kind, agent, created_at, archived_at, supersedes"
LESSON_COLS = "id, what_went_wrong, correct_behavior, verified_by, agent, created_at, archived_at, supersedes"
NOTE_COLS = "id, content, kind, author, created_at, archived_at"
MEMORY_COLS = "id, key, value, type, goal_id, task_id, source, created_at"



def _json_list(text) -> list:
    if not text or text == "[]":
        return []
    from ..jsontext import loads  # rarely needed: most rows hold "[]"

    try:
        value = loads(text) if text else []
    except (TypeError, ValueError):
        return []
    return value if isinstance(value, list) else []


def _goal(row) -> Goal:
    return Goal(*row[:13])


def _task(row) -> Task:
    r = list(row)
    r[7] = [str(t) for t in _json_list(r[7])]
    return Task(id=r[0], title=r[1], goal_id=r[2], description=r[3] or "", why=r[4], context=r[5],
                acceptance_criteria=r[6], tools=r[7], priority=r[8], status=r[9], agent=r[10],
                claimant=r[11], claimed_at=r[12], last_ping_at=r[13], summary=r[14], created_at=r[15],
                updated_at=r[16], completed_at=r[17], archived_at=r[18])


def _decision(row) -> Decision:
    return Decision(id=row[0], what=row[1], why=row[2] or "", affects=row[3], decision_kind=row[4] or "decision",
                    agent=row[5], created_at=row[6], archived_at=row[7], supersedes=row[8])


def _lesson(row) -> Lesson:
    return Lesson(id=row[0], text=row[1], correct_behavior=row[2] or "", verified_by=row[3] or "",
                  agent=row[4], created_at=_int(row[5]), archived_at=row[6], supersedes=row[7])


def _note(row) -> Note:
    return Note(id=row[0], content=row[1], note_kind=row[2] or "note", agent=row[3], created_at=row[4],
                archived_at=row[5])


def _memory(row) -> Memory:
    return Memory(id=row[0], key=row[1], value=row[2], type=row[3], goal_id=row[4], task_id=row[5],
                  agent=row[6], created_at=row[7])


def _int(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


KINDS = {
    "goal": (GOAL_COLS, _goal),
    "task": (TASK_COLS, _task),
    "decision": (DECISION_COLS, _decision),
    "lesson": (LESSON_COLS, _lesson),
    "note": (NOTE_COLS, _note),
    "memory": (MEMORY_COLS, _memory),
}


def _select(store: Store, kind: str, where: str = "", bindings: tuple = (), order: str = "created_at",
            limit: int | None = None, offset: int = 0) -> list:
    cols, build = KINDS[kind]
    sql = f"SELECT {cols} FROM {TABLES[kind]}"
    if where:
        sql += f" WHERE {where}"
    if order:
        sql += f" ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}" + (f" OFFSET {int(offset)}" if offset else "")
    return [build(row) for row in store.execute(sql, bindings)]


REF_COLUMNS = "path, is_glob, line_start, line_end, symbol, origin, anchor_text, commit_sha, id"


def _ref(row) -> FileRef:
    """A FileRef from a row of `kind, record_id, {REF_COLUMNS}`."""
    return FileRef(row[2], bool(row[3]), row[4], row[5], row[6], row[7], row[8], row[9], row[10])


def attach_files(store: Store, records: Iterable[Record], *, files: bool = True, blockers: bool = True) -> None:
    """Fill `files` (and a task's `blocked_by`) for records loaded without them; `files=False` or
    `blockers=False` leaves one of the two for later."""
    by_id = {r.id: r for r in records if hasattr(r, "files")}
    if not by_id:
        return
    refs: dict[str, list[FileRef]] = {}
    ids = list(by_id) if files else []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in store.execute(f"SELECT kind, record_id, {REF_COLUMNS} FROM refs WHERE record_id IN "
                                 f"({','.join('?' * len(chunk))}) ORDER BY id", tuple(chunk)):
            refs.setdefault(row[1], []).append(_ref(row))
    task_ids = [record_id for record_id, r in by_id.items() if isinstance(r, Task)] if blockers else []
    for start in range(0, len(task_ids), 500):  # only tasks have blockers
        chunk = task_ids[start:start + 500]
        for task_id, blocker in store.execute(f"SELECT task_id, blocked_by FROM task_deps WHERE task_id IN "
                                              f"({','.join('?' * len(chunk))})", tuple(chunk)):
            by_id[task_id].blocked_by.append(blocker)
    if files:
        for record_id, record in by_id.items():
            record.files = refs.get(record_id, [])


def attach_blockers(store: Store, tasks: list[Task]) -> None:
    """Fill `blocked_by` for many tasks with one query (plan lists thousands)."""
    blockers: dict[str, list[str]] = {}
    for task_id, blocker in store.execute("SELECT task_id, blocked_by FROM task_deps ORDER BY blocked_by"):
        blockers.setdefault(task_id, []).append(blocker)
    for task in tasks:
        task.blocked_by = blockers.get(task.id, [])


ACTIVE_GOAL = "archived_at IS NULL AND status NOT IN ('done', 'archived')"


def goals(store: Store, *, include_archived: bool = False, active_only: bool = False,
          goal_id: str | None = None, limit: int | None = None, offset: int = 0) -> list[Goal]:
    """Goals, most urgent first."""
    where = [] if include_archived else ["archived_at IS NULL"]
    if active_only:
        where.append(ACTIVE_GOAL)
    bindings: tuple = ()
    if goal_id:
        where.append("id = ?")
        bindings = (goal_id,)
    return _select(store, "goal", " AND ".join(where), bindings, order=f"{rank_sql('priority')}, created_at",
                   limit=limit, offset=offset)


def finished_goals(store: Store, *, goal_id: str | None = None, limit: int = 3) -> list[Goal]:
    """Goals closed most recently (all their tasks done), newest first."""
    where, bindings = "archived_at IS NULL AND status = 'done'", ()
    if goal_id:
        where, bindings = where + " AND id = ?", (goal_id,)
    return _select(store, "goal", where, bindings, order="completed_at DESC, id", limit=limit)


def tasks(store: Store, *, goal_id: str | None = None, status: str | Iterable[str] | None = None,
          include_archived: bool = False, limit: int | None = None, order: str | None = None,
          offset: int = 0) -> list[Task]:
    """Tasks, most urgent first, filtered by goal and status."""
    where, bindings = [], []
    if not include_archived:
        where.append("archived_at IS NULL")
    if goal_id:
        where.append("goal_id = ?")
        bindings.append(goal_id)
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        where.append(f"status IN ({','.join('?' * len(statuses))})")
        bindings.extend(statuses)
    return _select(store, "task", " AND ".join(where), tuple(bindings),
                   order=order or f"{rank_sql('priority')}, created_at", limit=limit, offset=offset)


def task_summaries(store: Store, goal_id: str | None = None) -> list[Task]:
    """Every live task with only what a plan shows (id, title, goal, priority, status, claimant, heartbeat,
    blockers): a fraction of the cost of full records when there are thousands."""
    where, bindings = "archived_at IS NULL", ()
    if goal_id:
        where, bindings = where + " AND goal_id = ?", (goal_id,)
    found = [_task_summary(r) for r in store.execute(
        f"SELECT {TASK_SUMMARY_COLS} FROM tasks WHERE {where} ORDER BY {rank_sql('priority')}, created_at", bindings)]
    attach_blockers(store, found)
    return found


TASK_SUMMARY_COLS = "id, title, goal_id, priority, status, agent_id, claimed_at, last_ping_at, updated_at"


def _task_summary(r) -> Task:
    return Task(id=r[0], title=r[1], goal_id=r[2], priority=r[3], status=r[4], claimant=r[5], claimed_at=r[6],
                last_ping_at=r[7], updated_at=r[8])


def open_tasks_by_goal(store: Store, goal_ids: list[str], per_goal: int) -> dict[str, list[Task]]:
    """{goal id: its first `per_goal` live open tasks}, in-progress first (that status sorts before
    `todo`), then by priority and age, for many goals in one query; only what a task line shows (as
    task_summaries, without blockers). The order is the index's (tasks_open_order_idx): which tasks
    come first is found in the index alone, and only their rows are read."""
    if not goal_ids:
        return {}
    marks = ",".join("?" * len(goal_ids))
    order = f"status, {rank_sql('priority')}, created_at"
    found: dict[str, list[Task]] = {}
    for row in store.execute(
            f"SELECT {TASK_SUMMARY_COLS} FROM tasks WHERE rowid IN (SELECT row FROM (SELECT rowid AS row, "
            f"row_number() OVER (PARTITION BY goal_id ORDER BY {order}) AS n FROM tasks WHERE goal_id IN ({marks}) "
            f"AND archived_at IS NULL AND status IN ('in_progress', 'todo')) WHERE n <= {int(per_goal)}) "
            f"ORDER BY goal_id, {order}", tuple(goal_ids)):
        found.setdefault(row[2], []).append(_task_summary(row))
    return found


def task_counts_by_goal(store: Store, goal_ids: list[str]) -> dict[str, dict[str, int]]:
    """{goal id: {status: live tasks}} for many goals in one query."""
    counts: dict[str, dict[str, int]] = {goal_id: {} for goal_id in goal_ids}
    if goal_ids:
        for goal_id, status, n in store.execute(
                f"SELECT goal_id, status, count(*) FROM tasks WHERE goal_id IN ({','.join('?' * len(goal_ids))}) "
                "AND archived_at IS NULL GROUP BY goal_id, status", tuple(goal_ids)):
            counts[goal_id][status] = n
    return counts


def latest_memory_values(store: Store, task_ids: list[str], type_: str) -> dict[str, str]:
    """{task id: the value of its newest memory of `type_`} for the tasks that have one, in one query."""
    if not task_ids:
        return {}
    rows = store.execute(
        "SELECT id, (SELECT value FROM memories WHERE task_id = tasks.id AND type = ? "
        "ORDER BY created_at DESC, rowid DESC LIMIT 1) FROM tasks "
        f"WHERE id IN ({','.join('?' * len(task_ids))})", (type_, *task_ids))
    return {task_id: value for task_id, value in rows if value is not None}


def memory_fields(store: Store, task_ids: list[str], type_: str) -> dict[str, dict[str, str]]:
    """{task id: {key: value}} of the tasks' memories of `type_` (where a key repeats, the oldest value)."""
    out: dict[str, dict[str, str]] = {task_id: {} for task_id in task_ids}
    if task_ids:
        # By task (a few rows each), not every memory of the type in time order: for two tasks or more SQLite
        # took the index of types, which holds every completion of a year (13 ms of a 25 ms context).
        for task_id, key, value in store.execute(
                "SELECT task_id, key, value FROM memories INDEXED BY memories_task_type_idx "
                f"WHERE task_id IN ({','.join('?' * len(task_ids))}) AND type = ? ORDER BY created_at DESC, rowid DESC",
                (*task_ids, type_)):
            out[task_id][key] = value
    return out


READY = ("status = 'todo' AND archived_at IS NULL AND NOT EXISTS ("
         "SELECT 1 FROM task_deps d JOIN tasks b ON b.id = d.blocked_by "
         "WHERE d.task_id = tasks.id AND b.status != 'done' AND b.archived_at IS NULL)")


def ready_count(store: Store) -> int:
    """How many tasks are ready: the live todo tasks (an index count) less those with a live blocker
    not done (found from the dependencies, fewer than the todo tasks)."""
    return store.scalar(
        "SELECT (SELECT count(*) FROM tasks WHERE status = 'todo' AND archived_at IS NULL) - "
        "(SELECT count(DISTINCT d.task_id) FROM task_deps d JOIN tasks t ON t.id = d.task_id "
        "JOIN tasks b ON b.id = d.blocked_by WHERE +t.status = 'todo' AND +t.archived_at IS NULL "
        "AND b.status != 'done' AND b.archived_at IS NULL)")


def ready_tasks(store: Store, goal_id: str | None = None, limit: int | None = None) -> list[Task]:
    """Todo tasks whose blockers are all done, most urgent first."""
    where = READY
    bindings: tuple = ()
    if goal_id:
        where += " AND goal_id = ?"
        bindings = (goal_id,)
    return _select(store, "task", where, bindings, order=f"{rank_sql('priority')}, created_at", limit=limit)


def completions(store: Store, limit: int, goal_id: str | None = None) -> list[Task]:
    """The most recently completed tasks that have a summary."""
    where = "status = 'done' AND summary IS NOT NULL AND summary != ''"
    bindings: tuple = ()
    if goal_id:
        where += " AND goal_id = ?"
        bindings = (goal_id,)
    return _select(store, "task", where, bindings, order="completed_at DESC", limit=limit)


def decisions(store: Store, kind: str | None = "decision", limit: int | None = None, offset: int = 0) -> list[Decision]:
    """Decisions (or kills with kind="killed"), newest first."""
    where = "archived_at IS NULL"
    bindings: tuple = ()
    if kind:
        where += " AND kind = ?"
        bindings = (kind,)
    return _select(store, "decision", where, bindings, order="created_at DESC", limit=limit, offset=offset)


UNVERIFIED = "coalesce(verified_by, '') = ''"  # a lesson nobody (no person, no named check) has verified


def lessons(store: Store, limit: int | None = None, verified: bool | None = None, offset: int = 0) -> list[Lesson]:
    """Lessons, newest first; only verified (or only unverified) ones when `verified` says so."""
    where = "archived_at IS NULL" + ("" if verified is None else f" AND {'NOT ' if verified else ''}({UNVERIFIED})")
    return _select(store, "lesson", where, order="created_at DESC", limit=limit, offset=offset)


def notes(store: Store, kind: str = "note", since_ms: int | None = None, limit: int | None = None,
          offset: int = 0) -> list[Note]:
    """Direction notes (or the vision with kind="vision"), newest first."""
    where = "archived_at IS NULL AND kind = ?"
    bindings: tuple = (kind,)
    if since_ms is not None:
        where += " AND created_at >= ?"
        bindings += (since_ms,)
    return _select(store, "note", where, bindings, order="created_at DESC", limit=limit, offset=offset)


def memories(store: Store, *, task_id: str | None = None, goal_id: str | None = None,
             types: Iterable[str] | None = None, limit: int | None = None) -> list[Memory]:
    """Memories (checkpoints, completion notes, learnings), newest first."""
    where, bindings = [], []
    if task_id:
        where.append("task_id = ?")
        bindings.append(task_id)
    if goal_id:
        where.append("goal_id = ?")
        bindings.append(goal_id)
    if types:
        types = list(types)
        where.append(f"type IN ({','.join('?' * len(types))})")
        bindings.extend(types)
    return _select(store, "memory", " AND ".join(where), tuple(bindings), order="created_at DESC, rowid DESC",
                   limit=limit)


def get(store: Store, kind: str, record_id: str) -> Record | None:
    """One record by kind and exact id, with its files."""
    found = _select(store, kind, "id = ?", (record_id,), order="")
    if not found:
        return None
    attach_files(store, found)
    return found[0]


_ID_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")  # what an id is made of


def resolve(store: Store, id_or_prefix: str, kinds: Iterable[str] | None = None) -> tuple[str, str]:
    """Find a record by exact id or unique prefix; raise NotFound or Conflict (listing candidates)."""
    text = (id_or_prefix or "").strip()
    if not text or not _ID_CHARS.issuperset(text):
        raise NotFound(f"no record with id {id_or_prefix!r}")
    wanted = list(kinds or TABLES)
    for kind in wanted:
        if store.one(f"SELECT 1 FROM {TABLES[kind]} WHERE id = ?", (text,)):
            return kind, text
    candidates = []
    for kind in wanted:
        for row in store.execute(
            f"SELECT id FROM {TABLES[kind]} WHERE id >= ? AND id < ? ORDER BY id LIMIT 11", (text, text + "\U0010ffff")
        ):
            candidates.append((kind, row[0]))
    if not candidates:
        what = " or ".join(wanted) if kinds else "record"
        raise NotFound(f"no {what} with id or prefix {text!r}")
    if len(candidates) > 1:
        listed = ", ".join(f"{kind} {rid}" for kind, rid in candidates[:10])
        raise Conflict(f"id prefix {text!r} is ambiguous: {listed}" + (" …" if len(candidates) > 10 else ""))
    return candidates[0]


def file_refs(store: Store) -> list[tuple[str, str, FileRef]]:
    """Every file reference as (kind, record_id, ref): what the path index is built from."""
    return [(row[0], row[1], _ref(row)) for row in store.execute(f"SELECT kind, record_id, {REF_COLUMNS} FROM refs")]


def records_naming(store: Store, path: str, newest: int | None = None) -> list[tuple[Record, list[FileRef]]]:
    """Records that name a repo-relative path (exactly, by glob or folder), each with the matching refs
    (tasks with their blockers; every record's `files` are left for attach_files).

    With `newest`, only that many of each kind, the newest (ids start with their creation time):
    a file named by thousands of records is shown by its latest few anyway.
    """
    from ..paths import matches, may_match  # here: the session context matches no paths

    # Which records, from indexes alone: the few distinct globs are matched here, not every reference
    # that uses one (a year of records holds thousands of `src/**`).
    distinct = store.execute("SELECT DISTINCT path FROM refs WHERE is_glob = 1")
    globs = [glob for (glob,) in distinct if may_match(glob, path) and matches(glob, True, path)]
    # The newest records of each kind per exact path or glob, each read backwards from the index of
    # references by (path, kind, record id): a file named by ten thousand records costs what one named by
    # a hundred does.
    limit = -1 if newest is None else int(newest)
    ids_by_kind: dict[str, list[str]] = {}
    for kind in TABLES:
        ids: set[str] = set()
        for named, is_glob in ((path, 0), *((glob, 1) for glob in globs)):
            ids.update(record_id for (record_id,) in store.execute(
                "SELECT DISTINCT record_id FROM refs WHERE path = ? AND kind = ? AND is_glob = ? "
                "ORDER BY record_id DESC LIMIT ?", (named, kind, is_glob, limit)))
        if ids:
            ids_by_kind[kind] = sorted(ids, reverse=True)[:newest] if newest is not None else list(ids)
    # One query per kind (not one per record): a much-named file has hundreds of records.
    loaded: dict[tuple[str, str], Record] = {}
    for kind, ids in ids_by_kind.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for record in _select(store, kind, f"id IN ({','.join('?' * len(chunk))})", tuple(chunk), order=""):
                loaded[(kind, record.id)] = record
    # Only the references that name the path: a record's files are read when it is shown (attach_files).
    attach_files(store, [record for (kind, _), record in loaded.items() if kind == "task"], files=False)
    hits: dict[tuple[str, str], list[FileRef]] = {key: [] for key in loaded}
    ids = [record_id for _, record_id in loaded]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in store.execute(
                f"SELECT kind, record_id, {REF_COLUMNS} FROM refs WHERE record_id IN ({','.join('?' * len(chunk))}) "
                f"AND ((+path = ? AND +is_glob = 0) OR (+is_glob = 1 AND +path IN ({','.join('?' * len(globs))}))) "
                "ORDER BY id", (*chunk, path, *globs)):  # `+`: by record (few), not by path (thousands for `src/**`)
            if (row[0], row[1]) in hits:
                hits[(row[0], row[1])].append(_ref(row))

    def first_met(key) -> tuple:  # the order a reader of every reference meets the records (exact ones first)
        return min(((ref.is_glob, ref.ref_id) for ref in hits[key]), default=(2, 0))

    hits = {key: hits[key] for key in sorted(hits, key=first_met)}
    out = []
    for key, refs in hits.items():
        record = loaded.get(key)
        if record is not None and not getattr(record, "archived_at", None):
            out.append((record, refs))
    return out
