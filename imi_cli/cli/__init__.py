"""The `imi` command: parse the line, call the domain, print; errors become one line and an exit code."""

from __future__ import annotations

import os
import sys

from ..memory import ImiError, check_settings, secrets_allowed
from .app import App, Output
from .fast import run_fast, run_plain


def _split_global(args: list[str]) -> tuple[list[str], bool, str | None, bool]:
    """Take `--json`, `--allow-secrets` and `--agent X` from anywhere on the line (IMI accepts them after
    the command)."""
    rest, as_json, agent, allow_secrets = [], False, None, False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg == "--json":
            as_json = True
        elif arg == "--allow-secrets":
            allow_secrets = True
        elif arg == "--agent" and i + 1 < len(args):
            agent = args[i + 1]
            i += 1
        elif arg.startswith("--agent="):
            agent = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    return rest, as_json, agent, allow_secrets


MAX_ERROR = 400


def _one_line(message: str) -> str:
    """Errors echo user input: escape anything that could break the line or drive the terminal, cap the length."""
    out = "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in message)
    return out if len(out) <= MAX_ERROR else out[:MAX_ERROR] + f"… ({len(out)} characters)"


def _fail(message: str, code: int, as_json: bool) -> int:
    message = _one_line(message)
    if as_json:
        sys.stdout.write('{"error": %s, "exit_code": %d}\n' % (_quote(message), code))
    sys.stderr.write(f"imi: error: {message}\n")
    return code


def _quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (never raises, never prints a traceback)."""
    raw = list(sys.argv[1:] if argv is None else argv)
    args, as_json, agent, allow_secrets = _split_global(raw)
    for number, arg in enumerate(raw, 1):
        if not arg.isascii() and not _is_utf8(arg):  # the OS handed over bytes that are not UTF-8
            return _fail(f"argument {number} is not valid UTF-8 text", 2, as_json)
        if "\x00" in arg:  # no command line can hold one; only a caller of run() can pass it
            return _fail(f"argument {number} contains a NUL character", 2, as_json)
    app = App(Output(as_json), agent)
    try:
        hook = args[:1] == ["hook"]  # a hook never breaks an agent's session over a setting
        if not (hook or {"--help", "-h"} & set(args)):
            check_settings()
        allow_secrets = allow_secrets or secrets_allowed(strict=not hook)
        if run_plain(args, as_json):  # --version, --help: nothing to open
            return 0
        from ..memory import secrets_policy

        with secrets_policy(allow_secrets) as secrets:
            fast_result = run_fast(args, app)
            code = fast_result if fast_result is not None else _run_click(args, app, as_json)
        _report_secrets(secrets, code)
        _report_notices(app, code == 0)
        if not hook:  # a hook's output belongs to its host
            _report_catch_up(app)
        return code
    except ImiError as exc:
        _report_notices(app, False)
        if args[:1] != ["hook"]:
            _report_catch_up(app)  # what opening did (files written back) happened all the same
        return _fail(str(exc), exc.exit_code, as_json)
    except KeyboardInterrupt:
        return _fail("interrupted", 130, as_json)
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file named on the line cannot be read or written (EIO, ENOSPC, EISDIR...)
        where = f": {exc.filename}" if exc.filename else ""
        return _fail(f"{exc.strerror or exc}{where}", 1, as_json)
    except Exception as exc:
        message = _database_error(exc)
        if message:
            return _fail(message, 1, as_json)
        if os.environ.get("IMI_DEBUG"):  # a bug: still one line, unless debugging
            raise
        return _fail(f"internal error: {type(exc).__name__}: {exc} (set IMI_DEBUG=1 for a traceback)", 1, as_json)
    finally:
        app.close()


def _report_catch_up(app: App) -> None:
    """What catching up with git did that a user must hear, whichever command it was (files
    written back after `git clean`, records gone into a stash)."""
    report = app.caught_up()
    for line in report.notices() if report is not None else ():
        sys.stderr.write(f"imi: note: {line}\n")


def _report_secrets(secrets, code: int) -> None:
    if not secrets.found or code != 0:
        return
    if secrets.allow:
        sys.stderr.write(f"imi: note: stored {secrets.summary()} as written (--allow-secrets)\n")
    else:
        sys.stderr.write(f"imi: warning: {secrets.summary()} redacted before storing; "
                         "add --allow-secrets to store them deliberately\n")


def _report_notices(app: App, succeeded: bool) -> None:
    for line in app.notices(succeeded):
        sys.stderr.write(f"imi: {_one_line(line)}\n")


def _run_click(args: list[str], app: App, as_json: bool) -> int:
    import click

    from .commands import cli

    try:
        result = cli.main(args=args, prog_name="imi", standalone_mode=False, obj=app)
        return result if isinstance(result, int) else 0
    except click.exceptions.NoArgsIsHelpError as exc:
        if as_json:  # `imi --json` alone: the commands as data, like every other answer with --json
            app.out.json(_help_json(exc.ctx))
        else:
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


def _help_json(ctx) -> dict:
    """What `--help` says, as JSON: the usage line and each subcommand with its one-line help."""
    group = ctx.command
    names = group.list_commands(ctx) if hasattr(group, "list_commands") else []
    commands = {name: group.get_command(ctx, name) for name in names}
    return {"usage": group.get_usage(ctx).removeprefix("Usage: "), "help": group.help or "",
            "commands": {name: command.get_short_help_str(limit=200) for name, command in commands.items()
                         if command is not None and not command.hidden}}


def _database_error(exc: Exception) -> str | None:
    """One line for a database failure a user can meet (busy, disk full, read-only), else None."""
    import apsw

    if isinstance(exc, apsw.BusyError):
        return "the database stayed busy for 30 s (another process holds a write lock); nothing was written"
    if isinstance(exc, apsw.FullError):
        return "the disk is full: nothing was written"
    if isinstance(exc, apsw.ReadOnlyError):
        return "the database is read-only: nothing was written"
    if isinstance(exc, (apsw.CorruptError, apsw.NotADBError)):
        return f"database error: {exc}; `imi rebuild` moves the database aside and rebuilds it from .imi/records/"
    if isinstance(exc, apsw.Error):
        return f"database error: {exc}"
    return None


def main() -> None:
    """Console-script entry point."""
    import gc

    # A command allocates most of its objects while importing modules, and almost none become cyclic
    # garbage: collecting every 700 allocations (the default) spent 4 M instructions finding nothing.
    gc.set_threshold(10_000)
    code = run()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a reader that went away (BrokenPipeError): nothing more to say to it
            pass
    # Everything is written and closed (run() closes the project): skip the interpreter's teardown,
    # which frees every module and object and runs a full garbage collection, about a fifth of
    # Python's own start-up, for a process that is ending anyway.
    os._exit(code)
