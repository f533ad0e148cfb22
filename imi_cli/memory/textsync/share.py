"""A second process for a large bulk load (`imi rebuild`, a fresh clone's first command at a year of
memory): while this process reads, gates and prepares the goals and tasks, a helper process
(share_worker.py) does the same for the decisions, lessons, notes and memories, from the files on
disk, and writes their rows into a scratch SQLite file next to the database. This process then
attaches that file and copies the rows with `INSERT ... SELECT` (nothing is pickled).

The result is the one-process load's, exactly: the helper runs the same reading, winner choice and
gate (`importer.read_new`, `importer.apply_kinds`, `rows._prepare`); its kinds come last in
`importer.APPLY_ORDER`, so its report entries follow this process's. Only memories link to other
records (goals and tasks, loaded here): the helper takes such a link as present and notes it, and
`join` checks it once every goal and task is known (where `_prepare` would have stored NULL for a
missing link, the check writes NULL). Whatever goes wrong with the helper (it cannot start, dies, its
bulk write fails) raises `Failed`, and the caller loads everything in this process instead.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ..store import Store
from ..store.queries import TABLES
from . import rows

KINDS = ("lesson", "note", "memory")  # the helper's share: the end of importer.APPLY_ORDER
MIN_LOAD = 20_000  # fewer new versions: a second process adds a fifth to the CPU time for a few 100 ms at best
MIN_SHARE = 2_000  # nor when the helper's share is smaller than this
LINKS = {"goals": "goal_id", "tasks": "task_id"}  # what the helper's records link to, and the column holding it
_SCRATCH_TABLES = ("refs", "text_versions", "settings")
_PATIENCE = 600  # seconds to wait for the helper's answer (a year of memory takes it a few seconds)


class Failed(Exception):
    """The helper did not do its part (not an error for the user: the load is done without it)."""


def digest(names: list[str]) -> str:
    """What both processes compare to be sure they load the same versions."""
    import hashlib

    return hashlib.sha1("\n".join(names).encode("utf-8")).hexdigest()


def likely(store: Store) -> bool:
    """Whether the load about to start will be large enough for a helper, guessed before the files are
    listed: a database without records, and packs of many megabytes. The helper then lists the files
    itself while this process does (a fifth of a second at a year); `names_for` decides after the listing."""
    from . import bulk, layout

    folder = layout.records_dir(store.root)
    try:
        size = sum(os.stat(f"{folder}/{rel}").st_size for rel in layout.pack_files(store.root))
    except OSError:  # a pack gone meanwhile: no guess
        return False
    return size >= MIN_LOAD * _SMALLEST_VERSION and bulk.empty(store)


_SMALLEST_VERSION = 300  # bytes a version takes in a pack at least (its format, stamps, ids and kind)


def names_for(on_disk: dict, new: list[str]) -> list[str] | None:
    """The new versions a helper would load (those of KINDS), or None when the load is too small to
    share or nothing would be left to this process."""
    if len(new) < MIN_LOAD:
        return None
    names = [name for name in new if on_disk[name][0] in KINDS]
    return None if len(names) < MIN_SHARE or len(names) == len(new) else names


def start(store: Store) -> Helper | None:
    """A helper loading every version of KINDS on disk into a scratch file, started now (it lists them
    itself; `Helper.expect` says which the load holds); None when no process can be started."""
    import subprocess
    import tempfile

    if not sys.executable:
        return None
    tables = [TABLES[kind] for kind in KINDS] + list(_SCRATCH_TABLES)
    schema = [sql for (sql,) in store.execute(
        f"SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND (type = 'table' OR sql LIKE 'CREATE UNIQUE%') AND "
        f"tbl_name IN ({', '.join('?' * len(tables))}) ORDER BY type DESC", tuple(tables))]
    from ..secrets import current as current_policy

    current = current_policy()
    try:  # next to the database (one file system), named *.tmp: .imi/.gitignore keeps it out of git
        handle, path = tempfile.mkstemp(prefix=".load-", suffix=".tmp", dir=store.db_path.parent)
        os.close(handle)
    except OSError:
        return None
    # absolute: the helper runs in another folder, and an API caller may have opened a relative path
    job = {"root": os.path.abspath(store.root), "db": os.path.abspath(path), "schema": schema,
           "allow": bool(current and current.allow), "record": current is not None, "affected": _dangling_here(store)}
    package = str(Path(__file__).resolve().parents[3])  # the folder holding imi_cli: the same code runs there
    code = f"import sys; sys.path.insert(0, {package!r}); from imi_cli.memory.textsync.share_worker import main; main()"
    try:
        process = subprocess.Popen([sys.executable, "-I", "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, cwd=package)
    except (OSError, ValueError):
        _remove(path)
        return None
    try:
        process.stdin.write(json.dumps(job).encode("utf-8"))
        process.stdin.close()
    except OSError:
        pass  # it died at once: `join` finds that it failed
    process.stdin = None  # (communicate would flush it)
    return Helper(process, path)


def _waiting(dangling) -> bool:
    """Whether a record of KINDS waits for a link to arrive (`dangling`: importer.Links.dangling, keyed
    "kind:id"): then `join` needs the helper's list of the records it loaded."""
    return any(key.partition(":")[0] in KINDS for key in dangling)


def _dangling_here(store: Store) -> bool:
    """`_waiting`, before the load, from the setting Links reads (the helper's list is 70,000 rows at a
    year, written for nothing in a load that starts with none)."""
    from . import state

    try:
        return _waiting(json.loads(state.get(store, state.DANGLING) or "{}"))
    except ValueError:  # Links takes it as none too
        return False


class Helper:
    """The helper process of one load, seen from the process that started it."""

    def __init__(self, process, path: str):
        self.process = process
        self.path = path
        self.new: list[str] = []  # every new version's name, in the order the load meets them
        self.expected = ""  # the digest of the names the helper must have loaded (`expect`)
        self.kinds = KINDS
        self.schema = f"imi_load_{os.getpid()}_{id(self)}"  # attached under this name
        self.attached = False
        self.here: tuple[list[tuple[str, str]], int] = ([], 0)

    def expect(self, new: list[str], names: list[str]) -> None:
        """The load's new versions, and those of them the helper must load (names_for): `join` refuses
        its work if the files it found were others (they changed between the two listings)."""
        self.new, self.expected = new, digest(names)

    def read_here(self, skipped: list[tuple[str, str]], at: int) -> None:
        """The unreadable files this process met ((name, file)), and where they start in report.skipped:
        the helper's are put among them in the order of the listing."""
        self.here = (skipped, at)

    def _result(self) -> dict:
        import subprocess

        try:
            out, err = self.process.communicate(timeout=_PATIENCE)
        except subprocess.TimeoutExpired as exc:  # stuck: this process loads everything instead
            raise Failed(f"no answer in {_PATIENCE} s") from exc
        except (OSError, ValueError) as exc:
            raise Failed(str(exc)) from exc
        if self.process.returncode != 0:
            last = err.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise Failed(last[0] if last else f"exit {self.process.returncode}")
        try:
            return json.loads(out)
        except ValueError as exc:
            raise Failed(f"unreadable answer: {exc}") from exc

    def join(self, store: Store, loader, links, report, read_conflict) -> None:
        """Wait for the helper and take in what it did as if this process had done it after its own kinds:
        its versions, report entries and secrets found, and its records' links checked against the goals
        and tasks loaded here (`read_conflict`: a conflict from its JSON). Its rows and file references are
        copied by `copy_rows` (bulk.BulkLoad.write)."""
        from . import state

        result = self._result()
        if result.get("failed"):
            raise Failed(result["failed"])
        if result.get("names") != self.expected:
            raise Failed("the version files changed while loading")
        store.execute(f"ATTACH DATABASE ? AS {self.schema}", (self.path,))
        self.attached = True
        schema = self.schema
        store.execute(f"INSERT INTO text_versions SELECT * FROM {schema}.text_versions ORDER BY name")
        report.imported += result["imported"]
        if result["newest"]:
            state.observe(store, result["newest"])
        self._merge_unreadable(report, result["unreadable"])
        report.skipped += result["skipped"]
        report.conflicts += [read_conflict(c) for c in result["conflicts"]]
        report.records += result["records"]
        from ..secrets import current as current_policy

        current = current_policy()
        for kind, what, secret in result["found"] if current is not None else ():
            current.record(kind, what, secret)
        for kind in KINDS:
            table = TABLES[kind]
            stored = [record_id for (record_id,) in store.execute(f"SELECT id FROM {schema}.{table}")]
            loader.present.setdefault(table, set()).update(stored)
            links.present.update(stored)
        if _waiting(links.dangling):  # (a load starts with none)
            for kind, record_id in store.execute(f"SELECT kind, record_id FROM {schema}.share_affected"):
                links.dangling.pop(f"{kind}:{record_id}", None)
        if result["not_ids"] or any(value not in loader.present.get(table, ()) for table, values
                                    in result["targets"].items() for value in values):
            self._check_links(store, loader, links)  # (else every link the helper took as present is here)

    def _merge_unreadable(self, report, theirs: list[list[str]]) -> None:
        if not theirs:
            return
        mine, at = self.here
        position = {name: index for index, name in enumerate(self.new)}
        everything = sorted([*mine, *map(tuple, theirs)], key=lambda item: position.get(item[0], -1))
        report.skipped[at:at + len(mine)] = [rel for _name, rel in everything]

    def _check_links(self, store: Store, loader, links) -> None:
        """The links the helper took as present, checked now that every goal and task is here: those
        that are not get NULL, and the record is remembered as dangling (as `_prepare` would have done)."""
        schema = self.schema
        store.execute(f"CREATE TABLE {schema}.share_present (tbl TEXT, id TEXT, PRIMARY KEY (tbl, id)) WITHOUT ROWID")
        store.conn.executemany(f"INSERT INTO {schema}.share_present VALUES (?, ?)",
                               [(table, record_id) for table in LINKS for record_id in loader.present.get(table, ())])
        checks: dict[str, list] = {}  # only the records with a link that is not there
        for record_id, kind, column, table, value, missing in store.execute(
                f"SELECT record_id, kind, col, tbl, value, missing FROM {schema}.share_checks WHERE record_id IN "
                f"(SELECT record_id FROM {schema}.share_checks AS c WHERE missing IS NOT NULL OR NOT EXISTS "
                f"(SELECT 1 FROM {schema}.share_present AS p WHERE p.tbl = c.tbl AND p.id = c.value)) ORDER BY rowid"):
            checks.setdefault(record_id, []).append((kind, column, table, value, missing))
        cleared: dict[tuple[str, str], list] = {}
        for record_id, items in checks.items():
            absent = []
            for kind, column, table, value, missing in items:
                if missing is not None:  # not an id at all (the helper knew it is missing)
                    absent.append(json.loads(missing))
                elif value not in loader.present.get(table, ()):
                    absent.append(value)
                    cleared.setdefault((TABLES[kind], column), []).append((record_id,))
            if absent:
                links.dangling[f"{items[0][0]}:{record_id}"] = absent
        for (table, column), ids in cleared.items():
            store.conn.executemany(f"UPDATE {schema}.{table} SET {column} = NULL WHERE id = ?", ids)

    def copy_rows(self, store: Store) -> None:
        """The helper's records and file references into this database's tables, in key order (a record's
        references in the order the helper made them)."""
        for kind in KINDS:
            table = TABLES[kind]
            names = ", ".join(rows.columns(store, table))
            store.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {self.schema}.{table} ORDER BY id")
        names = ", ".join(("kind", "record_id", *rows.REF_FIELDS))
        store.execute(f"INSERT INTO refs ({names}) SELECT {names} FROM {self.schema}.refs ORDER BY record_id, id")

    def close(self, store: Store) -> None:
        """Stop the helper if it still runs and remove its file (detached once the transaction ends)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
        path = self.path
        if self.attached:
            schema = self.schema

            def detach() -> None:
                try:
                    store.execute(f"DETACH DATABASE {schema}")
                except Exception:  # noqa: BLE001 (a database closed meanwhile: nothing is attached any more)
                    pass
                _remove(path)

            store.after_commit.append(detach)
        _remove(path)  # (where an open file cannot be removed, detach removes it)


def _remove(path: str) -> None:
    try:
        Path(path).unlink(missing_ok=True)
    except OSError:
        pass
