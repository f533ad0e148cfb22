"""`imi hook EVENT`: the hooks agent hosts (Claude Code) run; the work is in imi_cli.agents.hooks."""

from __future__ import annotations

import click

from ..agents import hooks
from .app import App
from .options import pass_app

HELP = {
    "session-start": "Print the session context (in-progress work and lessons first) as SessionStart hook JSON.",
    "pre-tool-use": "Before an edit: add the lessons and decisions naming the file as context (never blocks).",
    "stop": "When the agent stops: remind it to complete or checkpoint the tasks it still holds.",
    "session-end": "When the session ends: tell the user which tasks its agent still holds.",
}


@click.group()
def hook():
    """Hooks for agent hosts: read the hook payload on stdin, print hook JSON, always exit 0."""


def _add(event: str) -> None:
    @hook.command(event, help=HELP[event] + " Reads the hook payload on stdin.")
    @pass_app
    def command(app: App):
        return hooks.emit(event, hooks.handle(event, hooks.read_stdin(), app.agent_flag))


for _event in hooks.EVENTS:
    _add(_event)


COMMANDS = [hook]
