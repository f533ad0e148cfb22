"""Issue 16 in instructions: how many each agent command runs, against `python -c pass`.

    python bench/instructions.py                  # issue 2's project (generated into /tmp/imi-bench)
    python bench/instructions.py --project DIR --only log --only start

Wall times on a shared machine move with its load; `valgrind --tool=callgrind` counts the
instructions a process runs whatever else the machine does (not its waits for the disk or for
git). Each command of bench/floor.py runs once to warm the bytecode cache, then once under
callgrind, each pass on a fresh copy of the project (writes change it). Needs valgrind.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import bench_cli
import floor

COLLECTED = re.compile(r"Collected : (\d+)")


def _run(argv: list[str], root: Path, env: dict, stdin: bytes | None, counted: bool) -> tuple[float | None, str]:
    """(millions of instructions when `counted`, stdout) of one process; BenchError when it fails."""
    if counted:
        argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + argv
    proc = subprocess.run(argv, cwd=root, env=env, input=stdin, capture_output=True)
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode:
        raise bench_cli.BenchError(f"`{' '.join(argv)}` exited {proc.returncode}: {err[-300:]}")
    found = COLLECTED.search(err) if counted else None
    return (int(found.group(1)) / 1e6 if found else None), proc.stdout.decode("utf-8", "replace")


def count(source: Path, only: list[str]) -> dict[str, float]:
    """label -> millions of instructions, `python -c pass` first."""
    env = bench_cli.child_env()
    imi = [sys.executable, "-c", "from imi_cli.cli import main; main()"]  # the console script's path
    counts: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="imi-instructions-") as tmp:
        base = Path(tmp) / "base"
        shutil.copytree(source, base)
        _run(imi + ["check"], base, env, None, False)  # a schema migration, if any, happens here, not counted
        for counted in (False, True):
            root = Path(tmp) / ("counted" if counted else "warm")
            shutil.copytree(base, root)
            # a copy's folders and git index have new modification times: its first read would check
            # every version file and every named file again (what a fresh checkout or a commit costs once)
            _run(imi + ["context"], root, env, None, False)
            counts["python -c pass"] = _run([sys.executable, "-c", "pass"], root, env, None, counted)[0]
            task = ""
            for line in floor.lines_for(root, bench_cli.load_manifest(source)["samples"]):
                args = [a.replace("{n}", "1").replace("{task}", task) for a in line.args]
                wanted = not only or any(line.label.startswith(o) for o in only)
                if not wanted and line.args[0] != "task":  # the task is what start, ping... work on
                    continue
                stdin = json.dumps(line.stdin).encode() if line.stdin else None
                millions, out = _run(imi + args, root, env, stdin, counted)
                if wanted:
                    counts[line.label] = millions
                if line.args[0] == "task":
                    task = out.split()[2]  # "Recorded task ID"
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, help="project folder (default: issue 2's, generated once)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/imi-bench"))
    parser.add_argument("--only", action="append", default=[], help="commands whose label starts with this")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    source = args.project or bench_cli.ensure_project(args.workdir, "issue2", False)
    counts = count(source, args.only)
    base = counts["python -c pass"]
    print("| command | M instructions | ÷ `python -c pass` |\n|---|---:|---:|")
    for label, millions in counts.items():
        print(f"| `{label}` | {millions:.0f} | {millions / base:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
