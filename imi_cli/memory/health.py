"""`imi doctor`: what is wrong with a project's memory on disk, and the repairs that lose nothing.

Each check returns findings; `repair` fixes the ones that can be fixed without a person (a stray
temporary file, rows pointing at records that are gone, a database git tracks) and leaves the rest
(a record file with conflict markers needs a person to pick a side) reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .lazyre import LazyPattern
from .store import Store
from .store.queries import TABLES
from .textsync import gitview, layout
from .tracked import database_path_in_git, tracked_warning

_TEMP = LazyPattern(r"\..+\.(\d+)\.tmp")  # layout.write_atomic's temporary name: .<file>.<pid>.tmp


@dataclass(slots=True)
class Finding:
    """One problem: what it is (one line) and whether `imi doctor --fix` repairs it. A note is worth
    knowing but wrong with nothing: it neither fails `imi doctor` nor the CI gate."""

    kind: str
    line: str
    fixable: bool
    target: str = ""
    note: bool = False

    def to_json(self) -> dict:
        return {"kind": self.kind, "problem": self.line, "fixable": self.fixable, "target": self.target,
                "note": self.note}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's live process (or a number we cannot ask about): leave its file alone
    return True


def _stray_files(root: Path) -> list[Path]:
    """Temporary files left by writers that were killed mid-write (their process is gone)."""
    found = []
    base = layout.records_dir(root)
    for folder in [rel for rel, _kind in layout.loose_folders(root)] + [layout.PACKS]:
        try:
            names = os.listdir(base / folder)
        except OSError:
            continue
        for name in names:
            match = _TEMP.fullmatch(name)
            if match and not _pid_alive(int(match.group(1))):
                found.append(base / folder / name)
    return found


def _unreadable_files(root: Path) -> list[tuple[str, bool]]:
    """(folder/name, holds conflict markers) of every version file imi cannot read."""
    found = []
    base = layout.records_dir(root)
    for rel, _name, _kind, _record, _stamp in sorted(layout.loose_files(root)):
        if layout.read_version(base / rel) is None:
            try:
                text = (base / rel).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            found.append((rel, "<<<<<<<" in text or ">>>>>>>" in text))
    return found


_ORPHANS = [(kind, f"SELECT count(*) FROM refs r WHERE r.kind = '{kind}' AND NOT EXISTS "
             f"(SELECT 1 FROM {table} t WHERE t.id = r.record_id)",
             f"DELETE FROM refs WHERE kind = '{kind}' AND record_id NOT IN (SELECT id FROM {table})")
            for kind, table in TABLES.items()]
_ORPHANS.append(("task dependency", "SELECT count(*) FROM task_deps WHERE task_id NOT IN (SELECT id FROM tasks) "
                 "OR blocked_by NOT IN (SELECT id FROM tasks)",
                 "DELETE FROM task_deps WHERE task_id NOT IN (SELECT id FROM tasks) "
                 "OR blocked_by NOT IN (SELECT id FROM tasks)"))


def examine(store: Store) -> list[Finding]:
    """Everything wrong that `imi doctor` reports."""
    findings = []
    rel = database_path_in_git(store)
    if rel:
        findings.append(Finding("tracked_database", tracked_warning(rel), True, rel))
    for path in _stray_files(store.root):
        findings.append(Finding("stray_temp_file", f"stray temporary file {path.relative_to(store.root).as_posix()} "
                                "(left by a writer that was killed)", True, str(path)))
    for kind, count_sql, _ in _ORPHANS:
        count = store.scalar(count_sql)
        if count:
            findings.append(Finding("orphan_rows", f"{count} orphan {kind} rows (pointing at records that are gone)",
                                    True, kind))
    for rel_file, markers in _unreadable_files(store.root):
        why = ("has conflict markers: resolve it by hand (keep one side), then `git add` it" if markers
               else "cannot be read: restore it from git (`git checkout -- FILE`) or delete it")
        findings.append(Finding("conflict_markers" if markers else "unreadable_file",
                                f".imi/records/{rel_file} {why}", False, rel_file))
    from . import packcheck

    for kind, line, rel_pack in packcheck.problems(store.root):
        findings.append(Finding(kind, line, False, rel_pack, note=kind == "pack_name_mismatch"))
    return findings


def repair(store: Store, findings: list[Finding]) -> list[Finding]:
    """Fix what can be fixed without losing anything; returns the findings that remain."""
    left = []
    for finding in findings:
        if finding.kind == "tracked_database":
            from .store.connection import write_gitignore

            write_gitignore(store.db_path)
            if gitview.untrack(store.root, finding.target):
                continue
        elif finding.kind == "stray_temp_file":
            Path(finding.target).unlink(missing_ok=True)
            continue
        elif finding.kind == "orphan_rows":
            delete = next(sql for kind, _, sql in _ORPHANS if kind == finding.target)
            with store.write():
                store.execute(delete)
            continue
        left.append(finding)
    return left
