"""The object every command receives: output settings, agent flag, and the store, opened on first use."""

from __future__ import annotations


from ..store import Store, open_store
from .output import Output

TYPE_CHECKING = False  # not `from typing import ...`: typing costs 3 ms at every start
if TYPE_CHECKING:
    from ..store.writes import Provenance


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

    def adopt(self, store: Store) -> None:
        """Use (and later close) a store opened elsewhere."""
        self._store = store

    def prov(self) -> Provenance:
        """Who is writing, now, at which commit."""
        from ..recording import provenance  # only writers pay for it

        return provenance(self.store(), self.agent_flag)

    def caught_up(self):
        """What catching up with git's changes did since the store was opened (a SyncReport), or None."""
        return self._store.caught_up if self._store is not None else None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
