"""The language server: `create_server()` builds it with every feature module set up.

Every handler lives in the module of its feature and stays thin: it finds the
folder memory for a document, asks the data layer, and converts the answer to
protocol types. Each feature module has a `setup(server)` that registers its
handlers; none imports this module, so features never depend on the wiring.
"""

from __future__ import annotations

from pathlib import Path

from . import actions, commands, data, diagnostics, fixes, hover, lenses, lifecycle, review, symbols
from .base import POLL_SECONDS, ImiLanguageServer

FEATURES = (lifecycle, lenses, hover, diagnostics, actions, symbols, commands, data, fixes, review)


def create_server(db_path: Path | None = None, poll_seconds: float = POLL_SECONDS) -> ImiLanguageServer:
    """Build the server with every feature set up (used by `__main__` and tests alike)."""
    server = ImiLanguageServer(db_path, poll_seconds)
    for feature in FEATURES:
        feature.setup(server)
    return server
