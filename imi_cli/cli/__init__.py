"""The `imi` command: parse the line, call the domain, print; errors become one line and an exit code."""

from __future__ import annotations

import importlib
import os
import sys

import apsw
import click

from .. import __version__
from ..errors import ImiError
from .app import App
from .output import Output

# Command name -> module in this package. Only the invoked command's module is
# imported, which keeps `imi context` and the hooks fast.
COMMANDS = {
    "init": "manage", "goal": "record", "task": "record", "decide": "record", "kill": "record",
    "vision": "record", "log": "record", "lesson": "record", "memory": "record",
    "start": "work", "next": "work", "ping": "work", "checkpoint": "work", "complete": "work", "fail": "work",
    "ready": "work", "context": "read", "plan": "read", "status": "read", "think": "read", "check": "read",
    "search": "read", "show": "read", "archive": "manage", "delete": "manage",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        module_name = COMMANDS.get(name)
        if module_name is None:
            return None
        module = importlib.import_module(f"{__name__}.{module_name}")
        return next(c for c in module.COMMANDS if c.name == name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="imi")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (accepted anywhere on the line).")
@click.option("--agent", help="Agent id for claims and provenance (IMI_AGENT_ID wins).")
def cli(as_json, agent):
    """Project memory for AI coding agents: goals, tasks, decisions, lessons, kept in .imi/state.db."""


def _split_global(args: list[str]) -> tuple[list[str], bool, str | None]:
    """Take `--json` and `--agent X` from anywhere on the line (IMI accepts them after the command)."""
    rest, as_json, agent = [], False, None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg == "--json":
            as_json = True
        elif arg == "--agent" and i + 1 < len(args):
            agent = args[i + 1]
            i += 1
        elif arg.startswith("--agent="):
            agent = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    return rest, as_json, agent


def _fail(message: str, code: int, as_json: bool) -> int:
    if as_json:
        sys.stdout.write('{"error": %s, "exit_code": %d}\n' % (_quote(message), code))
    sys.stderr.write(f"imi: error: {message}\n")
    return code


def _quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (never raises, never prints a traceback)."""
    args, as_json, agent = _split_global(list(sys.argv[1:] if argv is None else argv))
    app = App(Output(as_json), agent)
    try:
        result = cli.main(args=args, prog_name="imi", standalone_mode=False, obj=app)
        return result if isinstance(result, int) else 0
    except click.exceptions.NoArgsIsHelpError as exc:
        sys.stdout.write(exc.ctx.get_help() + "\n")
        return 0
    except click.UsageError as exc:
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        return _fail(exc.format_message().rstrip(".") + hint, 2, as_json)
    except click.ClickException as exc:
        return _fail(exc.format_message(), exc.exit_code, as_json)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        return _fail("aborted", 1, as_json)
    except ImiError as exc:
        return _fail(str(exc), exc.exit_code, as_json)
    except apsw.BusyError:
        return _fail("the database stayed busy for 30 s (another process holds a write lock); nothing was written",
                     1, as_json)
    except apsw.FullError:
        return _fail("the disk is full: nothing was written", 1, as_json)
    except apsw.ReadOnlyError:
        return _fail("the database is read-only: nothing was written", 1, as_json)
    except apsw.Error as exc:
        return _fail(f"database error: {exc}", 1, as_json)
    except KeyboardInterrupt:
        return _fail("interrupted", 130, as_json)
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: still one line, unless debugging
        if os.environ.get("IMI_DEBUG"):
            raise
        return _fail(f"internal error: {type(exc).__name__}: {exc} (set IMI_DEBUG=1 for a traceback)", 1, as_json)
    finally:
        app.close()


def main() -> None:
    """Console-script entry point."""
    code = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(code)
