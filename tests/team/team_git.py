"""Helpers for the team-memory tests: real repositories in tmp_path, clones of them, the real CLI and git hooks.

A `Clone` is a git working copy that is also an IMI project. `clone.imi(...)` runs the CLI
in this process (fast); `clone.git(...)` runs git as a process, so the hooks `imi init`
installed run the real `imi` as git would run it. `clone.bulk(...)` writes hundreds of
records through the data layer in one transaction (the same code path the CLI uses,
version files included) and returns what it wrote, so a test can check the union.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import apsw

from imi_testing import Project, Result

# Columns that belong to one machine, not to the record (never in the text).
LOCAL = {"workspace_path", "workspace_id"}
RECORD_TABLES = {"goal": "goals", "task": "tasks", "decision": "decisions", "lesson": "lessons",
                 "note": "direction_notes", "memory": "memories"}
TEXT_COLUMN = {"goal": "name", "task": "title", "decision": "what", "lesson": "what_went_wrong", "note": "content",
               "memory": "value"}


@dataclass(frozen=True)
class Written:
    """One record a clone wrote: enough to find it again in any other clone."""

    kind: str
    id: str
    text: str


class Clone(Project):
    """A git working copy with IMI initialised in it."""

    def __init__(self, root: Path, env: dict[str, str | None], name: str):
        super().__init__(root, {**env, "IMI_AGENT_ID": name})
        self.name = name

    # git -----------------------------------------------------------------------------------------
    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run git here as a user would (hooks included); output captured as text."""
        proc = subprocess.run(["git", *args], cwd=self.root, env=self.process_env(), capture_output=True, text=True,
                              timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed ({proc.returncode}) in {self.name}:\n"
                                 f"{proc.stdout}\n{proc.stderr}")
        return proc

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def assert_clean_git(self) -> None:
        """No conflicts, nothing uncommitted in .imi, no conflict markers in any record file."""
        status = self.git("status", "--porcelain").stdout
        conflicted = [line for line in status.splitlines() if line[:2] in ("UU", "AA", "DD", "AU", "UA", "DU", "UD")]
        assert not conflicted, status
        for path in (self.root / ".imi").rglob("*"):
            if path.is_file() and path.suffix in (".json", ".jsonl", ".gitignore", ""):
                text = path.read_text(errors="replace")
                assert "<<<<<<<" not in text and ">>>>>>>" not in text, path

    # memory --------------------------------------------------------------------------------------
    def imi(self, *args) -> Result:
        """`imi ARGS` in this process; must succeed."""
        return self.ok(*args)

    def record(self, kind: str, *args) -> Written:
        """Create one record with the CLI (`imi ARGS`); its text is the first argument after the command."""
        return Written(kind, self.new(*args), args[1])

    def bulk(self, count: int, tag: str) -> list[Written]:
        """Write `count` records of every kind through the data layer, in one transaction."""
        from imi_cli.memory.opening import open_store
        from imi_cli.memory.store import writes
        from imi_cli.memory.store.writes import Provenance

        store = open_store(self.db)
        store.actor = self.name
        written: list[Written] = []
        try:
            with store.write():
                goal = None
                for i in range(count):
                    prov = Provenance(self.name, None)
                    slot = i % 6
                    text = f"{tag} {self.name} record {i}"
                    if slot == 0 or goal is None:
                        goal = writes.add_goal(store, prov, name=text, description="d", priority="medium", why=None,
                                               for_who=None, success_signal=None, refs=[])
                        written.append(Written("goal", goal, text))
                    elif slot == 1:
                        rid = writes.add_task(store, prov, goal_id=goal, title=text, description="d", priority="high",
                                              why=None, context=None, acceptance_criteria=None, tools=[],
                                              blocked_by=[], refs=[])
                        written.append(Written("task", rid, text))
                    elif slot == 2:
                        rid = writes.add_decision(store, prov, what=text, why="because", affects=None,
                                                  kind="decision", refs=[])
                        written.append(Written("decision", rid, text))
                    elif slot == 3:
                        rid = writes.add_lesson(store, prov, text=text, correct_behavior="do better",
                                                verified_by="test", refs=[])
                        written.append(Written("lesson", rid, text))
                    elif slot == 4:
                        rid = writes.add_note(store, prov, content=text, kind="note", refs=[])
                        written.append(Written("note", rid, text))
                    else:
                        rid = writes.add_memory(store, prov, key="k", value=text, type="learning", goal_id=goal)
                        written.append(Written("memory", rid, text))
        finally:
            store.close()
        return written

    def sqlite(self, statement: str, bindings: tuple = ()) -> list:
        """Read the database with sqlite directly (no imi code runs: nothing catches up)."""
        conn = apsw.Connection(str(self.db), flags=apsw.SQLITE_OPEN_READONLY)
        conn.set_busy_timeout(5000)
        try:
            return list(conn.execute(statement, bindings))
        finally:
            conn.close()

    def texts(self) -> dict[str, tuple[str, str]]:
        """id -> (kind, main text) of every record in the database, read with sqlite directly."""
        found = {}
        for kind, table in RECORD_TABLES.items():
            for rid, text in self.sqlite(f"SELECT id, {TEXT_COLUMN[kind]} FROM {table}"):
                found[rid] = (kind, text)
        return found

    def snapshot(self) -> dict:
        """Everything the database holds about records (machine-local columns left out)."""
        conn = apsw.Connection(str(self.db), flags=apsw.SQLITE_OPEN_READONLY)
        try:
            snap: dict = {}
            for table in RECORD_TABLES.values():
                cols = [row[1] for row in conn.execute(f"PRAGMA table_info({table})") if row[1] not in LOCAL]
                snap[table] = sorted(conn.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
            snap["refs"] = sorted(conn.execute(
                "SELECT kind, record_id, path, is_glob, line_start, line_end, symbol, origin, fingerprint, commit_sha, "
                "created_at FROM refs").fetchall(), key=repr)
            snap["task_deps"] = sorted(conn.execute("SELECT task_id, blocked_by FROM task_deps").fetchall())
            snap["text_versions"] = sorted(conn.execute(
                "SELECT name, kind, record_id, hlc, base, deleted, agent FROM text_versions").fetchall())
            return snap
        finally:
            conn.close()

    def version_files(self) -> set[str]:
        base = self.root / ".imi" / "records"
        return {str(p.relative_to(base)) for p in base.rglob("*.json")} if base.is_dir() else set()


def assert_has(clone: Clone, written: list[Written]) -> None:
    """Every record in `written` is in the clone's database with its text (read with sqlite)."""
    texts = clone.texts()
    missing = [w for w in written if texts.get(w.id) != (w.kind, w.text)]
    assert not missing, f"{clone.name} lacks {len(missing)} of {len(written)} records, e.g. {missing[:3]}"


def assert_rebuild_matches(clone: Clone) -> None:
    """`imi rebuild` (everything from the text) gives exactly what incremental syncing gave."""
    before = clone.snapshot()
    clone.imi("rebuild")
    after = clone.snapshot()
    for table in before:
        assert before[table] == after[table], f"{clone.name}: rebuild changed {table}"


def same_records(*clones: Clone) -> None:
    """Clones at the same commit hold the same records, field for field."""
    first = clones[0].snapshot()
    for other in clones[1:]:
        snap = other.snapshot()
        for table in first:
            assert first[table] == snap[table], f"{clones[0].name} and {other.name} differ in {table}"
