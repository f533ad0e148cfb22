"""imi-lsp: the language server that shows project memory in the editor."""
