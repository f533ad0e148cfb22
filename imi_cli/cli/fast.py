"""A click-free path for the commands agents run most (`imi context`): importing click
costs about 30 ms, half of the time budget of `imi context`.

Only plain, valid argument lines take this path; anything else (help, a bad value,
an unknown option) falls through to the click command of the same name, which
parses it in full and reports errors. Both call the same functions below.
"""

from __future__ import annotations

from ..memory import DEFAULT_BUDGET
from .app import App

BUDGET_RANGE = (500, 10_000_000)


def show_context(app: App, goal_id: str | None, budget: int, file_path: str | None) -> None:
    """`imi context`: the packed session context, or only what names one file."""
    project = app.project()
    packed = project.file_memory(file_path, budget) if file_path else project.context(goal_id, budget)
    if app.out.as_json:
        app.out.json(packed.to_json())
    else:
        app.out.text(packed.render())


def _parse_context(args: list[str]) -> dict | None:
    """Options of `context` when they are plain and valid; None sends the line to click."""
    parsed: dict = {"goal_id": None, "budget": DEFAULT_BUDGET, "file_path": None}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name in ("--budget", "--file"):
            if not eq:
                if i + 1 >= len(args):
                    return None
                value = args[i + 1]
                i += 1
            if name == "--file":
                parsed["file_path"] = value
            elif value.isdigit() and BUDGET_RANGE[0] <= int(value) <= BUDGET_RANGE[1]:
                parsed["budget"] = int(value)
            else:
                return None
        elif arg.startswith("-") or parsed["goal_id"] is not None:
            return None
        else:
            parsed["goal_id"] = arg
        i += 1
    return parsed


def run_fast(args: list[str], app: App) -> int | None:
    """Run the command without click when it can; None when click must handle the line."""
    if len(args) >= 2 and args[0] == "hook":  # hooks run before every edit an agent makes
        from ..agents.hooks import main as hook_main

        code = hook_main(args[1:] + (["--agent", app.agent_flag] if app.agent_flag else []))
        if code is not None:
            return code
    if args and args[0] == "context":
        parsed = _parse_context(args[1:])
        if parsed is not None:
            show_context(app, **parsed)
            return 0
    return None
