"""The `imi` console script. `imi mcp` starts here without loading the CLI (click and the command
modules cost about 60 ms): an agent host lists the MCP tools before its first model turn only if
the server answers within that moment. Every other command line goes to imi_cli.cli."""

import sys


def main() -> None:
    if sys.argv[1:] == ["mcp"]:
        from .agents.mcp_server import serve

        try:
            serve()
        except KeyboardInterrupt:
            sys.exit(130)
        return
    from .cli import main as cli_main

    cli_main()
