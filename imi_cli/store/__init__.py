"""The apsw data layer shared by the CLI and the language server.

Nothing in this package imports click, pygls or lsprotocol.
"""

from .connection import Store, find_database, open_store

__all__ = ["Store", "find_database", "open_store"]
