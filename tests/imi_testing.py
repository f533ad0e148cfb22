"""Helpers for the CLI and data-layer tests: a project folder and ways to run `imi` in it.

`project.run(...)` runs the CLI in this process (fast, for the many small cases);
`project.sub(...)` runs it as a real process, as a user or an agent host would.
Both return a `Result` with the exit code, stdout and stderr.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import apsw

from imi_cli.cli import run as cli_run

IMI = [sys.executable, "-m", "imi_cli"]
# Variables that change what `imi` does; every test starts without them.
IMI_VARS = ("IMI_DB", "IMI_AGENT_ID", "IMI_LEASE_MINUTES", "IMI_TEAM_CLAIMS", "IMI_DEBUG", "NO_COLOR", "LOGNAME", "USERNAME")


@dataclass
class Result:
    """What one `imi` invocation did."""

    code: int
    out: str
    err: str
    args: tuple

    def json(self):
        """stdout parsed as JSON (fails the test with the output when it is not)."""
        try:
            return json.loads(self.out)
        except ValueError as exc:
            raise AssertionError(f"imi {' '.join(map(str, self.args))} printed no valid JSON: {exc}\n"
                                 f"stdout: {self.out!r}\nstderr: {self.err!r}") from None

    def __str__(self) -> str:
        return f"imi {self.args!r} -> {self.code}\nstdout: {self.out}\nstderr: {self.err}"


@contextlib.contextmanager
def patched_env(changes: dict[str, str | None]):
    """Set (or with None, remove) environment variables for the duration of the block."""
    saved = {key: os.environ.get(key) for key in changes}
    try:
        for key, value in changes.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# When each record was last shown (renewed by reading it: see imi_cli/memory/usage.py) is not memory.
NOT_MEMORY = ("record_usage",)


def db_checksum(db_path: Path, ignore: tuple[str, ...] = ()) -> str:
    """A hash of every row of every table and the schema version: equal means nothing was written
    (last-used times and the tables in `ignore` aside)."""
    conn = apsw.Connection(str(db_path), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        digest = hashlib.sha256()
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in [t for t in tables if t not in NOT_MEMORY + ignore]:
            rows = sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{table}"'))
            digest.update(f"{table}:{len(rows)}\n".encode())
            for row in rows:
                digest.update(row.encode("utf-8", "backslashreplace") + b"\n")
        digest.update(repr(conn.execute("PRAGMA user_version").fetchall()).encode())
        return digest.hexdigest()
    finally:
        conn.close()


class Project:
    """A temporary workspace with `.imi/state.db`, and ways to run `imi` in it."""

    def __init__(self, root: Path, env: dict[str, str | None]):
        self.root = root
        self.db = root / ".imi" / "state.db"
        self.env = env

    # running the CLI ---------------------------------------------------------------------------
    def run(self, *args, cwd: Path | None = None, env: dict[str, str | None] | None = None) -> Result:
        """Run `imi ARGS` in this process (the real `run`, with this project's cwd and environment)."""
        out, err = io.StringIO(), io.StringIO()
        old_cwd = os.getcwd()
        try:
            os.chdir(cwd or self.root)
            with patched_env({**self.env, **(env or {})}), \
                    contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli_run([str(a) for a in args])
        finally:
            os.chdir(old_cwd)
        return Result(code, out.getvalue(), err.getvalue(), args)

    def sub(self, *args, cwd: Path | None = None, env: dict[str, str | None] | None = None,
            timeout: float = 60) -> Result:
        """Run `python -m imi_cli ARGS` as a separate process, output not a terminal."""
        proc = subprocess.run([*IMI, *args], cwd=cwd or self.root, env=self.process_env(env), capture_output=True,
                              timeout=timeout)
        return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                      proc.stderr.decode("utf-8", "replace"), args)

    def process_env(self, env: dict[str, str | None] | None = None) -> dict[str, str]:
        """The environment a subprocess of this project gets."""
        merged = dict(os.environ)
        for key, value in {**self.env, **(env or {})}.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return merged

    def ok(self, *args, **kw) -> Result:
        """Run in-process and require success with nothing on stderr."""
        result = self.run(*args, **kw)
        assert result.code == 0, str(result)
        assert result.err == "", str(result)
        return result

    def json(self, *args, **kw):
        """Run in-process with `--json` and return the parsed output (success required)."""
        return self.ok(*args, "--json", **kw).json()

    def new(self, *args, **kw) -> str:
        """Run a record-creating command and return the new record's id."""
        return self.json(*args, **kw)["id"]

    def fail(self, *args, code: int | None = None, **kw) -> Result:
        """Run in-process and require a clean failure: non-zero exit, one line on stderr, nothing written."""
        before = self.checksum()
        result = self.run(*args, **kw)
        assert_clean_failure(result, code)
        assert self.checksum() == before, f"a failed command wrote to the database: {result}"
        return result

    # the workspace -----------------------------------------------------------------------------
    def file(self, rel: str, text: str = "x\n") -> Path:
        """Create a file in the workspace."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def checksum(self, ignore: tuple[str, ...] = ()) -> str:
        return db_checksum(self.db, ignore)

    def sql(self, statement: str, bindings: tuple = ()) -> list:
        """Run SQL on the project database directly (to inspect it, or to age records)."""
        conn = apsw.Connection(str(self.db))
        conn.set_busy_timeout(5000)
        try:
            return list(conn.execute(statement, bindings))
        finally:
            conn.close()


def assert_clean_failure(result: Result, code: int | None = None) -> None:
    """Non-zero exit (or exactly `code`), exactly one line on stderr, no traceback, no internal error."""
    assert result.code != 0, f"expected a failure: {result}"
    if code is not None:
        assert result.code == code, str(result)
    assert "Traceback" not in result.err, str(result)
    assert "internal error" not in result.err, str(result)
    assert len(result.err.strip().splitlines()) == 1, f"expected one line on stderr: {result}"
    assert result.err.startswith("imi: "), str(result)
