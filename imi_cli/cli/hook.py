"""`imi hook EVENT`: the hooks agent hosts run; the work is in imi_cli.agents.hooks (adapters in .hosts)."""

from __future__ import annotations

import click

from ..agents import hooks
from ..agents.hosts import HOSTS
from .app import App
from .options import pass_app

HELP = {
    "session-start": "Print the session context (in-progress work and lessons first), once per session.",
    "pre-tool-use": "Before a tool call: the memory of the file it reads (as context) or changes (refused once "
                    "with the memory as the reason, when the session has not seen it).",
    "post-tool-use": "After a tool call: the memory of the file it read, as context.",
    "stop": "When the agent stops: remind it, once per task, to complete or checkpoint what it still holds.",
    "session-end": "Does nothing (hosts show its output nowhere); accepted so older configurations keep working.",
}


@click.group()
def hook():
    """Hooks for agent hosts: read the hook payload on stdin, print hook JSON, always exit 0."""


def _add(event: str) -> None:
    @hook.command(event, help=HELP[event] + " Reads the hook payload on stdin.")
    @click.option("--host", type=click.Choice(sorted(HOSTS)), default="claude", show_default=True,
                  help="The agent host whose payload and output shapes to use.")
    @pass_app
    def command(app: App, host):
        return hooks.emit(event, hooks.handle(event, hooks.read_stdin(), app.agent_flag, host))


for _event in hooks.EVENTS:
    _add(_event)


COMMANDS = [hook]
