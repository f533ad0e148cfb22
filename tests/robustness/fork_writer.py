"""A fork server for the kill tests: imports the CLI once, then forks one process per command.

Each child is a real, separate `imi` process (the CLI's `run`, its own database connection,
its own files) that starts writing within a millisecond instead of after 100 ms of Python
start-up, so a SIGKILL sent a few milliseconds later lands in the open, the transaction, the
version files or the commit, not in the interpreter's import machinery.

Protocol, one JSON object per line: the test writes {"argv": [...]}; the server answers
{"pid": N} at once, then {"code": C, "out": "...", "err": "..."} when the child ends
(C is the negative signal number when it was killed).
"""

from __future__ import annotations

import json
import os
import sys


def _preload() -> None:
    """Import everything a write needs, so the children only run it."""
    import click  # noqa: F401

    import imi_cli.cli.commands  # noqa: F401
    import imi_cli.cli.record  # noqa: F401
    import imi_cli.cli.work  # noqa: F401
    import imi_cli.memory.recording  # noqa: F401
    import imi_cli.memory.textsync.export  # noqa: F401
    import imi_cli.memory.textsync.importer  # noqa: F401


def _child(argv: list[str], out_path: str, err_path: str) -> None:
    from imi_cli.cli import run

    code = 1
    try:
        with open(out_path, "w", encoding="utf-8") as out, open(err_path, "w", encoding="utf-8") as err:
            sys.stdout, sys.stderr = out, err
            code = run(argv)
            out.flush()
            err.flush()
    finally:
        os._exit(code)


def main() -> None:
    _preload()
    scratch = sys.argv[1]  # where children leave their output
    reply = sys.stdout
    reply.write(json.dumps({"ready": True}) + "\n")
    reply.flush()
    for number, line in enumerate(sys.stdin):
        argv = json.loads(line)["argv"]
        out_path, err_path = os.path.join(scratch, f"{number}.out"), os.path.join(scratch, f"{number}.err")
        pid = os.fork()
        if pid == 0:
            _child(argv, out_path, err_path)
        reply.write(json.dumps({"pid": pid}) + "\n")
        reply.flush()
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        texts = []
        for path in (out_path, err_path):
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    texts.append(handle.read())
                os.unlink(path)
            except FileNotFoundError:  # killed before it opened its output
                texts.append("")
        reply.write(json.dumps({"code": code, "out": texts[0], "err": texts[1]}) + "\n")
        reply.flush()


if __name__ == "__main__":
    main()
