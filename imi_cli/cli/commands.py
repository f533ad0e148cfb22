"""The click group: every command, loaded lazily so only the invoked one is imported."""

from __future__ import annotations

import importlib

import click

from .. import __version__

# Command name -> module in this package. Only the invoked command's module is
# imported, which keeps `imi context` and the hooks fast.
COMMANDS = {
    "init": "manage", "goal": "record", "task": "record", "decide": "record", "kill": "record",
    "vision": "record", "log": "record", "lesson": "record", "memory": "record",
    "start": "work", "next": "work", "ping": "work", "checkpoint": "work", "complete": "work", "fail": "work",
    "ready": "work", "context": "read", "plan": "read", "status": "read", "think": "read", "check": "read",
    "search": "read", "show": "read", "verify": "read", "archive": "manage", "delete": "manage",
    "sync": "sync", "rebuild": "sync", "doctor": "sync", "export": "sync", "import": "sync", "pack": "sync",
    "hook": "hook", "mcp": "mcp", "claims": "claims", "capture": "review", "review": "review",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        module_name = COMMANDS.get(name)
        if module_name is None:
            return None
        module = importlib.import_module(f"{__package__}.{module_name}")
        return next(c for c in module.COMMANDS if c.name == name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="imi")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (accepted anywhere on the line).")
@click.option("--agent", help="Agent id for claims and provenance (IMI_AGENT_ID wins).")
def cli(as_json, agent):
    """Project memory for AI coding agents: goals, tasks, decisions, lessons, kept in .imi/state.db."""
