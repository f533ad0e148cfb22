"""`Project`: the one object every front (CLI, hooks, MCP, language server) uses to read and write memory.

A front opens a project, calls its methods and closes it; it never touches the database, the
version files or the anchor machinery directly. Writes go through `gate.admit` (one place that
cleans, redacts and validates every record, whatever road it came by). Imports of the heavier
parts stay inside the methods, so a command pays only for what it uses.
"""

from __future__ import annotations

from pathlib import Path

from .opening import find_database, open_store
from .store.connection import Store

TYPE_CHECKING = False  # not `from typing import ...`: typing costs milliseconds at every start
if TYPE_CHECKING:
    from .store.writes import Provenance


class Project:
    """An open project: its database (a cache of `.imi/records/`), its root folder, and who is writing."""

    def __init__(self, store: Store, agent_flag: str | None = None):
        self._store = store
        self.agent_flag = agent_flag

    # opening ----------------------------------------------------------------------------------
    @classmethod
    def open(cls, db_path: Path | None = None, *, start: Path | None = None, create: bool = False,
             readonly: bool = False, agent: str | None = None) -> Project:
        """The project whose database is `db_path`, else the one found from `start` (or the working
        folder, or IMI_DB) by walking up. Raises ImiError with one clear line when there is none."""
        if db_path is None and start is not None:
            db_path = find_database(start)
            if db_path is None:
                from .errors import ImiError

                raise ImiError(f"no IMI project at {start} (run `imi init` in the repository root, or set IMI_DB)")
        return cls(open_store(db_path, create=create, readonly=readonly), agent)

    @staticmethod
    def locate(start: Path | None = None) -> Path | None:
        """The database a project at `start` (default: the working folder) would use, or None."""
        return find_database(start)

    @classmethod
    def init(cls, db_path: Path, agent: str | None = None):
        """Create (or open and migrate) a project's memory and turn team memory on.
        Returns (project, sync report, whether git hooks changed); the caller closes the project."""
        from .project import init_project

        store, report, hooks = init_project(db_path)
        return cls(store, agent), report, hooks

    def close(self) -> None:
        self._store.close()

    def transaction(self):
        """One write transaction around several calls (`with project.transaction():`); calls nest."""
        return self._store.write()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def root(self) -> Path:
        """The folder that holds `.imi/`: every file reference is relative to it."""
        return self._store.root

    @property
    def db_path(self) -> Path:
        return self._store.db_path

    @property
    def readonly(self) -> bool:
        return self._store.readonly

    @property
    def readonly_reason(self) -> str | None:
        return self._store.readonly_reason

    @property
    def notices(self) -> list[str]:
        """Lines for the user about what opening the project or a command did besides its result:
        the database built from a fresh clone's records, a path in a text that was not linked."""
        return self._store.notices

    @property
    def caught_up(self):
        """What catching up with git's changes did since opening (a SyncReport), or None."""
        return self._store.caught_up

    def wait_for_writers(self, milliseconds: int) -> None:
        """How long a write waits behind another process's write lock before it fails as busy."""
        self._store.conn.set_busy_timeout(milliseconds)
        self._store.busy_ms = milliseconds

    def live_index(self):
        """A path index of every reference that reloads when another process commits (the editor's view)."""
        from .refindex import LiveIndex

        return LiveIndex(self._store)

    def catch_up(self) -> bool:
        """Take in the version files git brought since the last look (a few stat calls when nothing
        changed), and keep later writes exporting theirs. True when that wrote to the database."""
        from .textsync import attach

        before = self._store.conn.total_changes()
        attach(self._store)
        return self._store.conn.total_changes() != before

    def provenance(self) -> Provenance:
        """Who is writing (agent id), now, at which commit."""
        from .recording import provenance

        return provenance(self._store, self.agent_flag)

    def agent(self) -> str:
        """The agent id writes are made under (IMI_AGENT_ID, then --agent, then the user)."""
        from .identity import agent_id

        return agent_id(self.agent_flag)

    # recording --------------------------------------------------------------------------------
    def add_goal(self, name, description=None, priority=None, why=None, for_who=None, success_signal=None,
                 files=()) -> str:
        from . import recording

        return recording.add_goal(self._store, self.provenance(), name, description, priority, why, for_who,
                                  success_signal, list(files))

    def add_task(self, goal, title, description=None, priority=None, why=None, context=None,
                 acceptance_criteria=None, tools=(), blocked_by=(), files=()) -> str:
        from . import recording

        return recording.add_task(self._store, self.provenance(), goal, title, description, priority, why, context,
                                  acceptance_criteria, list(tools), list(blocked_by), list(files))

    # `read` (decide, add_lesson, add_note): a file's lines as the writer sees them (an editor's unsaved text)
    def decide(self, what, why, affects=None, *, killed: bool = False, files=(), read=None,
               supersedes: str | None = None) -> str:
        """Record a decision; `supersedes` names one it replaces (archived, linked). Duplicates and
        records about the same code become notices."""
        from . import recording

        return recording.add_decision(self._store, self.provenance(), what, why, affects, killed, list(files), read,
                                      supersedes)

    def add_lesson(self, text, correct_behavior, verified_by=None, files=(), read=None,
                   supersedes: str | None = None) -> str:
        from . import recording

        return recording.add_lesson(self._store, self.provenance(), text, correct_behavior, verified_by, list(files),
                                    read, supersedes)

    def related(self, kind: str, record_id: str) -> list[dict]:
        """Active records this one duplicates or shares code with (see `overlap.related`)."""
        from .overlap import related

        return related(self._store, kind, record_id)

    def history(self, kind: str, record_id: str) -> list[tuple[str, str]]:
        """The records this one replaced (`supersedes` links), newest first."""
        from .overlap import chain

        return chain(self._store, kind, record_id)

    def archive_by(self, old_ref: str, new_ref: str) -> tuple[str, str]:
        """Archive a record as replaced by another (linked, so context shows only the newer); (kind, id)."""
        from .clock import now_ms
        from .overlap import supersede

        self.provenance()
        with self._store.write():
            new_kind, new_id = self.resolve(new_ref, ["decision", "lesson", "note"])
            return supersede(self._store, new_kind, new_id, old_ref, now_ms())

    def add_note(self, content, kind: str = "note", files=(), read=None) -> str:
        from . import recording

        return recording.add_note(self._store, self.provenance(), content, kind, list(files), read)

    def add_memory(self, goal, key, value, files=()) -> str:
        from . import recording

        return recording.add_memory(self._store, self.provenance(), goal, key, value, list(files))

    def archive(self, ref: str) -> tuple[str, str]:
        """Hide a record (id or unique prefix) from context and lists; (kind, id). Conflict when it
        already was; memories are not archived."""
        from .clock import now_ms
        from .errors import Conflict
        from .store import queries, writes

        with self._store.write():
            kind, record_id = queries.resolve(self._store, ref, ["goal", "task", "decision", "lesson", "note"])
            if not writes.archive(self._store, kind, record_id, now_ms()):
                raise Conflict(f"{kind} {record_id} is already archived")
        return kind, record_id

    def delete(self, ref: str, *, with_tasks: bool = False) -> tuple[str, str, int]:
        """Delete a record (exact id or unique prefix) for good: (kind, id, records removed). A goal
        that has tasks goes only `with_tasks` (Conflict otherwise)."""
        from .errors import Conflict
        from .store import queries, writes

        store = self._store
        with store.write():
            kind, record_id = queries.resolve(store, ref)
            if kind == "goal" and not with_tasks:
                count = store.scalar("SELECT count(*) FROM tasks WHERE goal_id = ?", (record_id,))
                if count:
                    raise Conflict(f"goal {record_id} has {count} tasks: add --yes to delete the goal and its tasks")
            return kind, record_id, writes.delete(store, kind, record_id)

    # proposals behind review ------------------------------------------------------------------
    def propose(self, kind: str, fields: dict, *, session: str | None = None, source: str = "agent"):
        """Hold a lesson, decision or task summary for a person to review; (Proposal, new). Never
        in context until accepted; the same text (even once rejected) is not proposed twice."""
        from .proposals import propose

        return propose(self._store, self.provenance(), kind, fields, session=session, source=source)

    def capture(self, events=(), *, session: str | None = None, source: str = "capture"):
        """Draft proposals from what a session did (see `capture`): summaries of the tasks this agent
        holds, lessons from commands that failed until an edit; [(Proposal, new)]."""
        from .capture import capture

        return capture(self._store, self.provenance(), list(events), session=session, source=source)

    def proposals(self, status: str | None = "pending", session: str | None = None):
        from .proposals import listing

        return listing(self._store, status, session)

    def pending_count(self) -> int:
        """How many proposals wait for review (editors show it)."""
        from .proposals import pending_count

        return pending_count(self._store)

    def accept(self, ref: str, edits: dict | None = None) -> tuple[str, str]:
        """Accept a pending proposal (id or prefix), with `edits` over its fields; (kind, record id)."""
        from .proposals import accept

        return accept(self._store, self.provenance(), ref, edits)

    def reject(self, ref: str):
        """Reject a pending proposal; it is remembered and not proposed again."""
        from .proposals import reject

        return reject(self._store, self.provenance(), ref)

    def origin(self, kind: str, record_id: str) -> dict:
        """Who stored a record and how it came in: {stored_by, commit, session, proposal, approved_by},
        only the parts known (a record written directly has no proposal or approver)."""
        from .proposals import origin

        return origin(self._store, kind, record_id)

    def accept_session(self, session: str) -> list[tuple[str, str]]:
        from .proposals import accept_session

        return accept_session(self._store, self.provenance(), session)

    # claims -----------------------------------------------------------------------------------
    def start(self, task_ref: str, *, force: bool = False):
        """Claim a task (atomic in this clone, and across the team when team claims are on); a Claim."""
        from .store import claims

        task_id, prov = self.task_id(task_ref), self.provenance()
        if self._team_remote() is None:
            return claims.start(self._store, task_id, prov, force=force)
        from .teamclaims import holding  # claim on the team's remote first; given back if the local claim fails

        with holding(self, task_id, prov, force):
            return claims.start(self._store, task_id, prov, force=force)

    def next_task(self, goal_ref: str | None = None):
        """Claim the most urgent ready task; a Claim, or None when nothing is ready. With team claims,
        a task another clone holds is passed over for the next one."""
        from .errors import Conflict
        from .store import claims

        goal = self.resolve(goal_ref, ["goal"])[1] if goal_ref else None
        if self.team_claims() is None:
            return claims.next_task(self._store, self.provenance(), goal)
        for task in self.ready_tasks(goal, limit=50):
            try:
                return self.start(task.id)
            except Conflict:
                continue
        return None

    def _team_remote(self) -> str | None:
        from .teamconfig import configured_remote

        return configured_remote(self.root)

    def team_claims(self):
        """This clone's team-wide claims (a TeamClaims), or None when they are off."""
        if self._team_remote() is None:
            return None
        from .teamclaims import for_project

        return for_project(self)

    def configure_team_claims(self, remote: str | None) -> None:
        """Turn team-wide claims on through a git remote of this repository (None: off)."""
        from .teamclaims import configure

        configure(self.root, remote)

    def team_claim_report(self) -> list[str]:
        """Push claims made offline; lines naming any double claim (empty when team claims are off)."""
        from .teamclaims import reconcile

        return reconcile(self)

    def ping(self, task_ref: str):
        from .store import claims

        task_id, prov = self.task_id(task_ref), self.provenance()
        task = claims.ping(self._store, task_id, prov)
        team = self.team_claims()
        if team is not None:
            self.notices.extend(team.heartbeat(task_id, prov.agent, prov.at))
        return task

    def checkpoint(self, task_ref: str, note: str, files=()) -> str:
        """Save progress on a task (a heartbeat too); returns the checkpoint's id."""
        from .recording import collect_refs
        from .store import claims

        refs = collect_refs(self._store, list(files), [note])
        return claims.checkpoint(self._store, self.task_id(task_ref), note, self.provenance(), refs)

    def complete(self, task_ref: str, summary: str, *, interpretation=None, uncertainty=None, outcome=None,
                 force: bool = False, files=()):
        """Mark a task done with a summary; returns the task."""
        from .recording import collect_refs
        from .store import claims

        refs = collect_refs(self._store, list(files), [summary, interpretation, uncertainty, outcome])
        task = claims.complete(self._store, self.task_id(task_ref), summary, self.provenance(), force=force,
                               refs=refs, interpretation=interpretation, uncertainty=uncertainty, outcome=outcome)
        self._release_team_claim(task.id)
        return task

    def _release_team_claim(self, task_id: str) -> None:
        team = self.team_claims()
        if team is not None:
            self.notices.extend(team.release(task_id))

    def goal_closed_by(self, task):
        """The task's goal when completing this task closed it (its last open task), else None."""
        goal = self.get("goal", task.goal_id) if task.goal_id else None
        if goal is not None and goal.status == "done" and goal.completed_at == task.completed_at:
            return goal
        return None

    def fail(self, task_ref: str, reason: str, *, force: bool = False):
        from .store import claims

        task = claims.fail(self._store, self.task_id(task_ref), reason, self.provenance(), force=force)
        self._release_team_claim(task.id)
        return task

    # reading ----------------------------------------------------------------------------------
    def resolve(self, ref: str, kinds=None) -> tuple[str, str]:
        """(kind, id) of the record an id or unique prefix names; NotFound / UsageError otherwise."""
        from .store import queries

        return queries.resolve(self._store, ref, kinds)

    def task_id(self, ref: str) -> str:
        return self.resolve(ref, ["task"])[1]

    def get(self, kind: str, record_id: str):
        """One record with its files, or None."""
        from .store import queries

        return queries.get(self._store, kind, record_id)

    def find(self, ref: str, kinds=None):
        """The record an id or unique prefix names (NotFound when none)."""
        kind, record_id = self.resolve(ref, kinds)
        return self.get(kind, record_id)

    def goals(self, **filters):
        from .store import queries

        return queries.goals(self._store, **filters)

    def tasks(self, **filters):
        from .store import queries

        return queries.tasks(self._store, **filters)

    def task_summaries(self, goal_id: str | None = None):
        from .store import queries

        return queries.task_summaries(self._store, goal_id)

    def ready_tasks(self, goal_id: str | None = None, limit: int | None = None):
        from .store import queries

        return queries.ready_tasks(self._store, goal_id, limit=limit)

    def ready_count(self) -> int:
        from .store import queries

        return queries.ready_count(self._store)

    def decisions(self, kind: str | None = "decision", limit: int | None = None):
        from .store import queries

        return queries.decisions(self._store, kind, limit)

    def lessons(self, limit: int | None = None):
        from .store import queries

        return queries.lessons(self._store, limit)

    def memories(self, **filters):
        from .store import queries

        return queries.memories(self._store, **filters)

    def attach_files(self, records) -> None:
        from .store import queries

        queries.attach_files(self._store, records)

    def search(self, query: str, limit: int = 20):
        from .store.search import search

        return search(self._store, query, limit)

    def counts(self) -> dict:
        """How many goals, tasks (by status), memories, decisions and lessons are active."""
        store = self._store
        by_status = dict(store.execute("SELECT status, count(*) FROM tasks WHERE archived_at IS NULL GROUP BY status"))
        return {
            "goals": store.scalar("SELECT count(*) FROM goals WHERE archived_at IS NULL"),
            "tasks": sum(by_status.values()),
            "todo": by_status.get("todo", 0),
            "wip": by_status.get("in_progress", 0),
            "done": by_status.get("done", 0),
            "review": by_status.get("review", 0),
            "memories": store.scalar("SELECT count(*) FROM memories"),
            "decisions": store.scalar("SELECT count(*) FROM decisions WHERE archived_at IS NULL"),
            "lessons": store.scalar("SELECT count(*) FROM lessons WHERE archived_at IS NULL"),
        }

    def versions(self, record_id: str) -> list[dict]:
        """The record's versions under `.imi/records/`, oldest first (hlc, agent, deleted, base)."""
        rows = self._store.execute("SELECT hlc, agent, deleted, base FROM text_versions WHERE record_id = ? "
                                  "ORDER BY hlc", (record_id,)).fetchall()
        return [{"hlc": v[0], "agent": v[1], "deleted": bool(v[2]), "base": v[3]} for v in rows]

    def lease_ms(self) -> int:
        """How long a claim lives without a heartbeat."""
        from .store.lease import lease_ms

        return lease_ms(self._store)

    def context(self, goal_ref: str | None = None, budget: int | None = None, first=(), measure=len):
        """The packed session context (render() for text, to_json() for data). `measure` is how the
        budget counts a text: a hook whose host limits the JSON passes the escaped length, and the
        rendered text then takes at most `budget` characters inside a JSON string."""
        from .context import DEFAULT_BUDGET, build

        goal = self.resolve(goal_ref, ["goal"])[1] if goal_ref else None
        packed = build(self._store, goal_id=goal, budget=budget or DEFAULT_BUDGET, first=tuple(first), measure=measure)
        self._shown(packed)
        return packed

    def _shown(self, packed):
        """Renew the decisions, lessons and notes a packed context shows (their last-used time)."""
        shown = [r for s in packed.sections for r in s.records[:s.shown]
                 if getattr(r, "kind", "") in ("decision", "lesson", "note")]
        self.mark_used([r.id for r in shown], {r.id: r.created_at or 0 for r in shown})

    def mark_used(self, ids, created: dict[str, int] | None = None) -> int:
        """Note that these records were just shown to an agent or a person (a hover, a view): they stop
        aging. Best effort and cheap: at most one write a day per record, never waits on a writer, none
        for a record `created` (id -> creation time) says was made within the day."""
        from .clock import now_ms
        from .usage import mark_used

        return mark_used(self._store, ids, now_ms(), created)

    def aging(self, limit: int = 200) -> list[tuple[str, str, int]]:
        """Active decisions, lessons and notes neither used nor verified within the aging time:
        [(kind, id, days idle, text)], oldest first."""
        from .clock import now_ms
        from .usage import aging

        return aging(self._store, now_ms(), limit)

    def file_memory(self, path: str, budget: int | None = None, keep=None):
        """What names one file (repo-relative or absolute path), packed like the context; with `keep`, only
        the records it returns true for (an agent session leaves out what it was already shown)."""
        from .context import DEFAULT_BUDGET, build_for_file
        from .paths import normalize

        packed = build_for_file(self._store, normalize(path, self.root), budget=budget or DEFAULT_BUDGET, keep=keep)
        self._shown(packed)
        return packed

    def relative(self, path: str) -> str | None:
        """A path as the project names it (repo-relative, POSIX), or None when outside the project."""
        from .paths import relative_to_root

        return relative_to_root(path, self.root)

    def signals(self):
        from . import signals

        return signals.compute(self._store)

    def verify_task(self, task):
        from . import verification

        return verification.verify(self._store, task)

    def review_tasks(self, limit: int = 200):
        from . import verification

        return verification.review(self._store, limit)

    def ref_index(self):
        """Every file reference, indexed by path for fast lookups (the language server's view)."""
        from .refindex import RefIndex

        return RefIndex(self._store)

    # anchors ----------------------------------------------------------------------------------
    def anchors(self):
        """Every anchored reference with its status now (fresh, moved, renamed, changed, orphaned);
        moved and renamed anchors quietly follow their code (their stored place is updated)."""
        from .anchors.review import all_anchors, follow

        states = all_anchors(self._store)
        if any(s.now.status in ("moved", "renamed") for s in states) and not self.readonly:
            with self._store.write():
                follow(self._store, states)
        return states

    def verify(self, ref: str, read=None):
        """Accept a record (id or prefix) as still true: re-anchor its code where it now is (`read`
        gives a file's lines: an editor passes its open documents' text). Returns (kind, id,
        [(ref, located, action)])."""
        from .anchors.review import read_lines, verify

        self.provenance()
        with self._store.write():
            kind, record_id = self.resolve(ref, ["goal", "task", "decision", "lesson", "note", "memory"])
            result = kind, record_id, verify(self._store, kind, record_id, read or read_lines)
        self.mark_used([record_id])  # verified: it renews like a use
        return result

    def reanchor(self, kind: str, record_id: str, ref_id: int, path: str, lines: list[str], start: int, end: int):
        """Anchor one reference of a record to lines start..end of `path`, whose text is `lines` (an
        editor passes its document, saved or not); returns the new reference."""
        from .anchors.review import reanchor

        self.provenance()
        with self._store.write():
            return reanchor(self._store, kind, record_id, ref_id, path, lines, start, end)

    def supersede(self, kind: str, record_id: str, what: str, why: str | None, affects=None, files=()) -> str:
        """Record a decision that replaces a decision, lesson or note, and archive the old one; the new id."""
        from .anchors.review import supersede

        return supersede(self._store, self.provenance(), kind, record_id, what, why, affects, list(files))

    def follow_renames(self):
        """Move references to files git renamed to their new paths (what every read path does first);
        returns what moved ({old: new} in `.paths`)."""
        from .anchors.renames import follow_renames

        return follow_renames(self._store)

    # team memory ------------------------------------------------------------------------------
    def team_memory(self) -> bool:
        """Whether this project keeps its memory in git (`.imi/records/`)."""
        from .textsync import enabled

        return enabled(self._store)

    def require_team_memory(self) -> None:
        """ImiError unless the project keeps its memory as text records (what sync, rebuild, import need)."""
        if not self.team_memory():
            from .errors import ImiError

            raise ImiError("this project keeps no text records yet: run `imi init` once to turn team memory on")

    def sync(self):
        """Bring the database and `.imi/records/` in step; a SyncReport that also counts what opening
        the project already took in, and every conflict not yet reported."""
        from .textsync import importer

        self.require_team_memory()
        store = self._store
        report = importer.sync(store, export_untracked=True)
        if store.caught_up is not None:  # opening the store already took in what git brought: count it
            caught, races = len(store.caught_up.conflicts), len(store.caught_up.claims)
            report = store.caught_up.merged(report)
            del report.conflicts[:caught]  # kept as unreported: they come back just below
            del report.claims[:races]
            store.caught_up = None  # reported here, as this sync's own
        with store.write():  # conflicts found while catching up (by this or an earlier command): shown once, here
            report.conflicts[:0] = importer.unreported(store, clear=True)
            report.claims[:0] = importer.unreported_claims(store, clear=True)
        return report

    def pack_hint(self) -> str | None:
        """One line suggesting `imi pack` when many version files are loose (status and sync show it)."""
        from .textsync import layout

        return layout.pack_hint(self.root)

    def pack(self):
        """Fold the version files the checked-out commit holds into packs, moving the project to the
        sharded layout the first time (`imi pack`). A PackReport."""
        from .textsync import packing

        self.require_team_memory()
        return packing.pack(self._store)

    @classmethod
    def recover(cls, db_path: Path, agent: str | None = None):
        """A database that cannot be opened (not a database, damaged): move it aside (kept as
        `state.db.broken-<ms>`) and build a new one from `.imi/records/`. Returns (project, the path
        it was moved to, the sync report)."""
        from .store.connection import move_aside

        aside = move_aside(db_path)
        project, report, _hooks = cls.init(db_path, agent)
        return project, aside, report

    def database_in_git(self) -> str | None:
        """The database's path when git tracks it (it must not be: see `imi doctor`), else None."""
        from .tracked import database_path_in_git

        return database_path_in_git(self._store)

    def doctor(self, *, fix: bool = False, gate: bool = False):
        """What is wrong with the memory on disk: (findings, findings left after repairs). With `fix`,
        repairs what needs no person (stray temporary files, orphan rows, a tracked database). With
        `gate` (CI), also duplicate ids, dangling links and secrets in the record files."""
        from . import health

        findings = health.examine(self._store)
        if gate:
            from . import gatecheck

            findings += gatecheck.examine(self._store)
        return findings, health.repair(self._store, findings) if fix else findings

    def versions_in_git(self) -> int:
        """How many versions of the records this project object deleted the checked-out commit still
        holds (their text stays in git's history until purged; docs/team.md)."""
        return sum(self._store.kept_in_git.values())

    def rebuild(self, *, force: bool = False):
        """Throw the database's records away and load them again from `.imi/records/`. Refused (Conflict)
        while records exist only in the database, unless `force`."""
        from .errors import Conflict
        from .store.queries import TABLES
        from .textsync import bulk, importer

        self.require_team_memory()
        store = self._store
        with bulk.foreign_keys_checked_at_end(store), store.write():  # (importer.sync checks them)
            untracked = sum(store.scalar(f"SELECT count(*) FROM {table} WHERE id NOT IN "
                                         f"(SELECT record_id FROM text_versions)") for table in TABLES.values())
            if untracked and not force:
                raise Conflict(f"{untracked} records exist only in the database: run `imi sync` first to write "
                               "them to .imi/records/ (or --force to drop them)")
            importer.forget_all(store)
            report = importer.sync(store)
            unreadable = report.unresolved + report.skipped
            if unreadable and not force:  # their records would be dropped: name the files instead
                more = f" and {len(unreadable) - 3} more" if len(unreadable) > 3 else ""
                raise Conflict(f"cannot rebuild: .imi/records/{', .imi/records/'.join(unreadable[:3])}{more} cannot "
                               "be read (conflict markers?): fix them first (`imi doctor` lists them), or --force "
                               "to rebuild without them")
            return report

    def is_memory_file(self, target: Path) -> bool:
        """Whether writing `target` would overwrite the memory itself (the database or `.imi/`)."""
        target = target.resolve()
        db = self.db_path.resolve()
        if db.parent.name == ".imi" and target.is_relative_to(db.parent):
            return True
        return target in {db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))}

    def export_lines(self):
        from .textsync.transfer import export_lines

        return export_lines(self._store)

    def import_file(self, path: Path):
        """Import records from `imi export` JSON Lines or another project's database (IMI 0.3 too)."""
        from .textsync.transfer import import_file

        self.require_team_memory()
        self.provenance()
        return import_file(self._store, path)
