"""Helpers for the robustness tests: seed a project fast, run many `imi` processes, and check that
the database, the version files under `.imi/records/` and what the commands acknowledged agree."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import apsw

from imi_testing import IMI, Project

KIND_DIRS = {"goal": "goals", "task": "tasks", "decision": "decisions", "lesson": "lessons", "note": "notes",
             "memory": "memories"}
TABLES = {"goal": "goals", "task": "tasks", "decision": "decisions", "lesson": "lessons", "note": "direction_notes",
          "memory": "memories"}
# Words that would mean SQLite gave up waiting for another writer.
LOCK_WORDS = ("locked", "busy", "SQLITE_BUSY")


@dataclass
class Call:
    """One `imi` process: what it was asked and what it answered."""

    agent: str
    args: tuple
    code: int | None  # None: killed before it exited
    out: str
    err: str
    began: float
    ended: float

    def json(self):
        return json.loads(self.out)

    def __str__(self) -> str:
        return f"[{self.agent}] imi {' '.join(map(str, self.args))} -> {self.code}\n  out: {self.out[:300]!r}\n" \
               f"  err: {self.err[:300]!r}"


@dataclass
class Journal:
    """Every call made by every agent, in one list (threads append to it)."""

    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: Call) -> Call:
        with self.lock:
            self.calls.append(call)
        return call


def imi(project: Project, agent: str, *args, journal: Journal | None = None, timeout: float = 120) -> Call:
    """Run `imi ARGS` as its own process for `agent` (IMI_AGENT_ID) and journal the outcome."""
    began = time.monotonic()
    proc = subprocess.run([*IMI, *map(str, args)], cwd=project.root, env=project.process_env({"IMI_AGENT_ID": agent}),
                          capture_output=True, timeout=timeout)
    call = Call(agent, args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                proc.stderr.decode("utf-8", "replace"), began, time.monotonic())
    return journal.add(call) if journal else call


def seed(project: Project, goals: int, tasks_per_goal: int) -> dict[str, list[str]]:
    """Goals and tasks written through the data layer in one transaction (the CLI one by one would
    take minutes); they get their version files like any write. Returns goal id -> task ids."""
    from imi_cli.memory.opening import open_store
    from imi_cli.memory.store import writes
    from imi_cli.memory.store.writes import Provenance

    store = open_store(project.db)
    try:
        prov = Provenance("seeder", None)
        store.actor = prov.agent
        made: dict[str, list[str]] = {}
        with store.write():
            for g in range(goals):
                goal = writes.add_goal(store, prov, name=f"goal {g}", description="", priority="medium", why=None,
                                       for_who=None, success_signal=None, refs=[])
                made[goal] = [writes.add_task(store, prov, goal_id=goal, title=f"task {g}.{t}", description="",
                                              priority=("high", "medium", "low")[t % 3], why=None, context=None,
                                              acceptance_criteria=None, tools=[], blocked_by=[], refs=[])
                              for t in range(tasks_per_goal)]
        return made
    finally:
        store.close()


# what is on disk ---------------------------------------------------------------------------------
def version_files(root: Path, kind: str, record_id: str) -> list[Path]:
    """The version files of one record, oldest first."""
    return sorted((root / ".imi" / "records" / KIND_DIRS[kind]).rglob(f"{record_id}.*.json"), key=lambda p: p.name)


def all_version_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / ".imi" / "records").rglob("*.json") if not p.name.startswith("."))


def integrity(db: Path) -> str:
    conn = apsw.Connection(str(db), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def db_has(project: Project, kind: str, record_id: str) -> bool:
    return bool(project.sql(f"SELECT 1 FROM {TABLES[kind]} WHERE id = ?", (record_id,)))


def text_state(root: Path) -> dict[tuple[str, str], dict | None]:
    """What the version files say each record is: (kind, id) -> record (None when deleted).

    Every file named like a version must be whole, valid JSON: a half-written file under a
    version's name would be read as a record."""
    from imi_cli.memory.textsync.importer import winner

    versions: dict[tuple[str, str], list] = {}
    payloads = {}
    for path in all_version_files(root):
        payload = json.loads(path.read_text(encoding="utf-8"))  # fails the test on a torn file
        assert payload["format"] == 1 and payload["id"] == path.name.split(".")[0], path
        key = (payload["kind"], payload["id"])
        versions.setdefault(key, []).append((payload["hlc"], payload["base"], bool(payload["deleted"])))
        payloads[(key, payload["hlc"])] = payload
    state = {}
    for key, found in versions.items():
        chosen = winner(found)
        state[key] = None if chosen[2] else payloads[(key, chosen[0])]["record"]
    return state


def db_state(db: Path) -> dict[tuple[str, str], dict]:
    """Every record the database holds, as the text would keep it."""
    from imi_cli.memory.opening import open_store
    from imi_cli.memory.textsync import rows

    store = open_store(db, readonly=True)
    try:
        return {(kind, rid): rows.read_record(store, kind, rid)
                for kind, table in TABLES.items() for (rid,) in store.execute(f"SELECT id FROM {table}").fetchall()}
    finally:
        store.close()


LOCAL_FIELDS = {"last_ping_at"}  # heartbeats stay in the database (docs/team.md): never a version


def assert_text_matches_db(project: Project, ignore: set[str] = LOCAL_FIELDS) -> None:
    """Every record in the database is the winning version in the text, and the reverse."""
    text = {key: rec for key, rec in text_state(project.root).items() if rec is not None}
    db = db_state(project.db)

    def strip(record: dict) -> dict:
        return {k: v for k, v in record.items() if k not in ignore}

    only_db = sorted(set(db) - set(text))
    only_text = sorted(set(text) - set(db))
    assert not only_db, f"{len(only_db)} records in the database have no version file, e.g. {only_db[:3]}"
    assert not only_text, f"{len(only_text)} records in the text are missing from the database, e.g. {only_text[:3]}"
    differ = [key for key in db if strip(db[key]) != strip(text[key])]
    assert not differ, (f"{len(differ)} records differ between database and text, e.g. {differ[0]}:\n"
                        f"db:   {strip(db[differ[0]])}\ntext: {strip(text[differ[0]])}")


def leftover_tmp(root: Path) -> list[Path]:
    return sorted((root / ".imi").rglob("*.tmp"))


def checksum_anyhow(db: Path) -> str:
    """Like imi_testing.db_checksum, but through `open_store(readonly=True)`, which can still read
    when SQLite cannot create its WAL index (a full disk, a read-only folder)."""
    import hashlib

    from imi_cli.memory.opening import open_store

    store = open_store(db, readonly=True)
    try:
        digest = hashlib.sha256()
        tables = [row[0] for row in store.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            rows = sorted(repr(row) for row in store.execute(f'SELECT * FROM "{table}"'))
            digest.update(f"{table}:{len(rows)}\n".encode())
            for row in rows:
                digest.update(row.encode("utf-8", "backslashreplace") + b"\n")
        return digest.hexdigest()
    finally:
        store.close()
