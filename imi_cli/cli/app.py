"""The object every command receives: output settings, agent flag, and the store, opened on first use."""

from __future__ import annotations

from pathlib import Path

import click

from ..paths import split_specs
from ..recording import provenance
from ..store import Store, open_store
from ..store.writes import Provenance
from .output import Output


class App:
    """Per-invocation state shared by the click commands."""

    def __init__(self, output: Output, agent_flag: str | None = None):
        self.out = output
        self.agent_flag = agent_flag
        self._store: Store | None = None

    def store(self) -> Store:
        """The project database, found by walking up (or IMI_DB); opened once."""
        if self._store is None:
            self._store = open_store()
        return self._store

    def open_at(self, db_path: Path, create: bool) -> Store:
        self._store = open_store(db_path, create=create)
        return self._store

    def prov(self) -> Provenance:
        return provenance(self.store(), self.agent_flag)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


pass_app = click.make_pass_decorator(App)


def files_option(func):
    """`--files a,b` (alias `--relevant-files`), repeatable: paths, globs, `path:10-15`, `path#symbol`."""
    return click.option("--files", "--relevant-files", "files", multiple=True, metavar="PATHS",
                        help="Comma-separated repo-relative paths or globs this record is about "
                             "(path:10-15 for lines, path#name for a symbol).")(func)


def split_files(values: tuple[str, ...]) -> list[str]:
    """Flatten repeated comma-separated `--files` values."""
    return [spec for value in values for spec in split_specs(value)]
