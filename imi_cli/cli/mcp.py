"""`imi mcp`: serve IMI's tools over MCP (stdio); the server is in imi_cli.agents.mcp_server."""

from __future__ import annotations

import click


@click.command()
def mcp():
    """Serve context, search and recording as MCP tools over stdio (JSON-RPC, one message per line)."""
    from ..agents import mcp_server

    mcp_server.serve()


COMMANDS = [mcp]
