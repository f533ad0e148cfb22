"""imi-lsp: the language server that shows project memory in the editor."""

from imi_cli import __version__

__all__ = ["__version__"]
