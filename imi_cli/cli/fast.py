"""A click-free path for the commands agents run all the time: importing click costs more than
Python's own start, and agents run `context`, `log`, `start`, `complete`... constantly (a hook
before every edit).

Only plain, valid lines take this path: every option known, every required value present, every
number in range. Anything else (help, a bad value, an unknown option, `--`) returns None and goes
to the click command of the same name, which parses it in full and reports the error, so errors
and help read the same whichever way a line goes. Both paths call the same functions (writing.py,
reading.py) with the same parameters; tests/test_fast_path.py holds the two parsers together.
"""

from __future__ import annotations

import os
import sys

from .. import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .app import App

BUDGET_RANGE = (500, 10_000_000)
DEFAULT_BUDGET = 10_000  # memory.DEFAULT_BUDGET; the test holds them equal (importing it here costs the context module)

FLAG, VALUE, MANY = "flag", "value", "many"  # an option's kind; an int option's kind is its (min, max)
_FILES = {"--files": ("files", MANY), "--relevant-files": ("files", MANY)}


class Spec:
    """What a command accepts: positional parameters in order (`name?` when optional), options by
    every spelling, which options are required, and the defaults click would give."""

    def __init__(self, module: str, function: str, args: tuple[str, ...], options: dict | None = None,
                 required: tuple[str, ...] = (), defaults: dict | None = None, not_blank: tuple[str, ...] = ()):
        self.module, self.function = module, function
        self.args = [(a.rstrip("?"), not a.endswith("?")) for a in args]
        self.options = options or {}
        self.required = required
        self.defaults = defaults or {}
        self.not_blank = not_blank  # values the click command itself refuses when blank


SPECS = {
    "log": Spec("writing", "log", ("note",), _FILES),
    # click's `decide` says why WHY is needed, missing or blank; such lines go there
    "decide": Spec("writing", "decide", ("what", "why", "affects?"), {
        "--killed": ("killed", FLAG), "--supersedes": ("supersedes", VALUE), **_FILES}, not_blank=("why",)),
    "lesson": Spec("writing", "lesson", ("text",), {
        "--correct-behavior": ("correct", VALUE), "--correct-behaviour": ("correct", VALUE),
        "--verified-by": ("verified_by", VALUE), "--supersedes": ("supersedes", VALUE), **_FILES},
        required=("correct",)),
    "task": Spec("writing", "task", ("goal_id", "title", "description?", "priority?", "why?"), {
        "--description": ("description_opt", VALUE), "-d": ("description_opt", VALUE),
        "--priority": ("priority_opt", VALUE), "-p": ("priority_opt", VALUE), "--why": ("why_opt", VALUE),
        "--context": ("context", VALUE), "--acceptance-criteria": ("acceptance_criteria", VALUE),
        "--tools": ("tools", VALUE), "--blocked-by": ("blocked_by", MANY), **_FILES}),
    "start": Spec("writing", "start", ("task_id",), {"--force": ("force", FLAG)}),
    "next": Spec("writing", "next_", ("goal_id?",)),
    "ping": Spec("writing", "ping", ("task_id",)),
    "checkpoint": Spec("writing", "checkpoint", ("task_id", "note"), _FILES),
    "complete": Spec("writing", "complete", ("task_id", "summary"), {
        "--interpretation": ("interpretation", VALUE), "--uncertainty": ("uncertainty", VALUE),
        "--outcome": ("outcome", VALUE), "--force": ("force", FLAG), **_FILES}),
    "context": Spec("reading", "context", ("goal_id?",), {
        "--budget": ("budget", BUDGET_RANGE), "--file": ("file_path", VALUE)}, defaults={"budget": DEFAULT_BUDGET}),
    "status": Spec("reading", "status", ()),
    "think": Spec("reading", "think", (), {"--budget": ("budget", (500, 10_000_000))}, defaults={"budget": 6000}),
    "check": Spec("reading", "check", ("task_id?",), {
        "--limit": ("limit", (1, 100_000)), "--stale": ("stale", FLAG)}, defaults={"limit": 50}),
    "search": Spec("reading", "search", ("query",), {"--limit": ("limit", (1, 1000))}, defaults={"limit": 20}),
    "ready": Spec("reading", "ready", ("goal_id?",), {"--limit": ("limit", (1, 100_000))}, defaults={"limit": 20}),
}


def parse(spec: Spec, args: list[str]) -> dict | None:
    """The parameters click would pass for `args`, or None when the line is not plain and valid."""
    values: dict = {}
    for dest, kind in spec.options.values():
        values[dest] = () if kind == MANY else False if kind == FLAG else None
    values.update(spec.defaults)
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        known = spec.options.get(name)
        if known is None:
            return None  # --help, `--`, an unknown or misspelt option: click says what is wrong
        dest, kind = known
        if kind == FLAG:
            if eq:
                return None
            values[dest] = True
            continue
        if not eq:
            if i >= len(args) or args[i].startswith("-"):
                return None
            value = args[i]
            i += 1
        if kind == MANY:
            values[dest] += (value,)
        elif kind == VALUE:
            values[dest] = value
        elif value.isascii() and value.isdigit() and kind[0] <= int(value) <= kind[1]:
            values[dest] = int(value)
        else:
            return None
    if len(positional) > len(spec.args) or any(values[dest] is None for dest in spec.required):
        return None
    for index, (dest, required) in enumerate(spec.args):
        if index >= len(positional) and required:
            return None
        values[dest] = positional[index] if index < len(positional) else None
    if any(not values[dest].strip() for dest in spec.not_blank):
        return None
    return values


def _call(spec: Spec, app: App, values: dict) -> int:
    if spec.module == "writing":
        from . import writing as module
    else:
        from . import reading as module
    code = getattr(module, spec.function)(app, **values)
    return code if isinstance(code, int) else 0


def _help_fits() -> bool:
    """click wraps help to the terminal, at most 80 columns: the stored text is the 80-column one."""
    columns = os.environ.get("COLUMNS")
    if columns is not None:  # shutil's rules for odd values are click's business
        return columns.isascii() and columns.isdigit() and int(columns) >= 80
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns >= 80
    except (AttributeError, ValueError, OSError):
        return True  # not a terminal: click falls back to 80 columns


def run_plain(args: list[str], as_json: bool = False) -> bool:
    """Print `imi --version` or `imi --help` (also `imi` alone) as click would; False for any other line."""
    if args == ["--version"]:
        sys.stdout.write(f"imi, version {__version__}\n")
        return True
    if (args in (["--help"], ["-h"]) or not args and not as_json) and _help_fits():  # `imi --json`: click's JSON
        from .helptext import HELP

        sys.stdout.write(HELP + "\n")
        return True
    return False


def run_fast(args: list[str], app: App) -> int | None:
    """Run the command without click when it can; None when click must handle the line."""
    if not args:
        return None
    if len(args) >= 2 and args[0] == "hook":  # hooks run before every edit an agent makes
        from ..agents.hooks import main as hook_main

        code = hook_main(args[1:] + (["--agent", app.agent_flag] if app.agent_flag else []))
        if code is not None:
            return code
    spec = SPECS.get(args[0])
    values = parse(spec, args[1:]) if spec else None
    return None if values is None else _call(spec, app, values)
