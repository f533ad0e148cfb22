"""The apsw data layer shared by the CLI and the language server.

Nothing in this package imports click, pygls or lsprotocol.
"""

from .connection import Store, connect_database, find_database

__all__ = ["Store", "connect_database", "find_database"]
