"""Issue 20: do `imi context` and the agent hooks stay as cheap at 100k records as at 1k?

    python bench/read_growth.py                       # 1k, 10k, 100k projects (made by bench/generate.py)
    python bench/read_growth.py --workdir /tmp/imi-bench --runs 10

For each project size, the read commands agents run all the time (`context`, `context --file`,
`hook pre-tool-use` on an Edit, `hook session-start`, plus `status` and `think`) run as fresh
processes with cached bytecode: the median CPU time of the child (user + system, steadier than
wall time on a shared machine) and, when valgrind is installed, the instructions one run executes
(callgrind: the same figure on a loaded machine as on an idle one). `python -c pass` is measured
the same way, as the floor. Prints a Markdown table; changes no file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import bench_cli


def lines_for(root: Path, samples: dict) -> list[tuple[str, list[str], dict | None]]:
    """(label, argv after `imi`, hook payload) of each command timed on one project."""
    session = {"session_id": "read-growth", "transcript_path": "/tmp/read-growth.jsonl", "cwd": str(root),
               "permission_mode": "default"}
    edit = {**session, "hook_event_name": "PreToolUse", "tool_name": "Edit", "tool_use_id": "t1",
            "tool_input": {"file_path": str(root / samples["typical_file"]), "old_string": "a", "new_string": "b"}}
    return [
        ("context", ["context"], None),
        ("context --file (typical file)", ["context", "--file", samples["typical_file"]], None),
        ("context --file (hot file)", ["context", "--file", samples["hot_file"]], None),
        ("hook pre-tool-use (Edit, typical file)", ["hook", "pre-tool-use"], edit),
        ("hook session-start", ["hook", "session-start"], {**session, "hook_event_name": "SessionStart",
                                                            "source": "startup"}),
        ("status", ["status"], None),
        ("think", ["think"], None),
    ]


def _run(argv: list[str], cwd: Path, env: dict, stdin: dict | None) -> float:
    """CPU ms (user + system) of one child process run to its end."""
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    proc.stdin.write(json.dumps(stdin).encode() if stdin else b"")
    proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise bench_cli.BenchError(f"`{' '.join(argv)}` in {cwd} failed")
    return (usage.ru_utime + usage.ru_stime) * 1000


def _instructions(argv: list[str], cwd: Path, env: dict, stdin: dict | None) -> int | None:
    """Instructions one run executes (valgrind's callgrind), or None without valgrind."""
    if not shutil.which("valgrind"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out", *argv], cwd=cwd,
                              env=env, input=json.dumps(stdin).encode() if stdin else b"", capture_output=True)
    for line in proc.stderr.decode("utf-8", "replace").splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1].strip())
    return None


def measure(root: Path, imi: list[str], runs: int, env: dict) -> dict[str, tuple[float, int | None]]:
    """{label: (median CPU ms, instructions)} for the floor and every command on one project."""
    samples = bench_cli.load_manifest(root)["samples"]
    out = {}
    for label, args, stdin in [("python -c pass", None, None), *lines_for(root, samples)]:
        argv = [sys.executable, "-c", "pass"] if args is None else imi + args
        for _ in range(2):  # warm-up: bytecode cached, the database's pages in the OS cache, hook state written
            _run(argv, root, env, stdin)
        cpu = statistics.median(_run(argv, root, env, stdin) for _ in range(runs))
        out[label] = (cpu, _instructions(argv, root, env, stdin))
        print(f"  {label:42s} {cpu:7.1f} ms CPU  {out[label][1] or 0:>13,} instructions", flush=True)
    return out


def markdown(rows: dict[str, dict[str, tuple[float, int | None]]]) -> str:
    scales = list(rows)
    labels = list(rows[scales[0]])
    lines = ["| command | " + " | ".join(scales) + f" | {scales[-1]} / {scales[0]} |",
             "|---|" + "---:|" * (len(scales) + 1)]
    for label in labels:
        cells = []
        for scale in scales:
            cpu, ins = rows[scale][label]
            cells.append(f"{cpu:.1f} ms" + (f", {ins / 1e6:.0f} M" if ins else ""))
        first, last = rows[scales[0]][label], rows[scales[-1]][label]
        ratio = (last[1] / first[1]) if first[1] and last[1] else last[0] / first[0]
        lines.append(f"| `{label}` | " + " | ".join(cells) + f" | ×{ratio:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "imi-bench",
                        help="where generated projects are kept and reused (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command (default 10)")
    parser.add_argument("--imi", help="command that starts imi (default: the imi script beside this Python)")
    args = parser.parse_args(argv)
    try:
        imi = bench_cli.imi_command(args.imi)
        env = {**bench_cli.child_env(), "XDG_CACHE_HOME": str(args.workdir / "hook-state")}
        rows = {}
        for scale in bench_cli.GROWTH_SCALES:
            root = bench_cli.ensure_project(args.workdir, scale, fresh=False)
            print(f"{scale}: {root}", flush=True)
            rows[scale] = measure(root, imi, args.runs, env)
    except bench_cli.BenchError as exc:
        print(f"read_growth.py: {exc}", file=sys.stderr)
        return 1
    print("\nMedian CPU time per run (user + system) and instructions executed (millions, callgrind):\n")
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
