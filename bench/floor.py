"""Issue 16: every command agents run, as a ratio to Python's own start (`python -c pass`).

    python bench/bench_cli.py --floor              # issue 2's project; table, plot, docs/benchmarks.md
    python bench/bench_cli.py --floor --runs 30 --writers 16 --no-docs

Each round runs `python -c pass` (twice) and every command once, in a fixed order, so load from
other processes falls on the floor and the commands alike; a ratio is a command's median over the
floor's median from the same rounds. The commands run on a copy of the project (writes change
it): each round adds a task, claims it, heartbeats, checkpoints and completes it, and `next`
claims one more. Then 16 writers log notes at once (throughput, every write acknowledged and
found, no "database is locked"), and `imi mcp` and `imi-lsp` are timed to their first answers.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import bench_cli

PLOT_NAME = "img/cli-floor.png"  # beside the Markdown page it illustrates
FAST, READ, PLAIN = 2.5, 4.0, 3.0  # issue 16's targets, as multiples of `python -c pass`
WRITERS_TARGET = 50  # acknowledged writes per second with 16 concurrent writers
MCP_TARGET_MS, LSP_TARGET_MS = 300, 500


class Line:
    """One timed command: its label, argv after `imi` ({task} is this round's task), stdin, target ratio."""

    def __init__(self, label: str, args: list[str], target: float | None, stdin: dict | None = None):
        self.label, self.args, self.target, self.stdin = label, args, target, stdin
        self.ms: list[float] = []
        self.cpu: list[float] = []


def lines_for(root: Path, samples: dict) -> list[Line]:
    """The commands of issue 16, with the project's sample ids and files."""
    session = {"session_id": "bench", "transcript_path": "/tmp/bench.jsonl", "cwd": str(root),
               "permission_mode": "default"}
    edit = {**session, "hook_event_name": "PreToolUse", "tool_name": "Edit", "tool_use_id": "t1",
            "tool_input": {"file_path": str(root / samples["typical_file"]), "old_string": "a", "new_string": "b"}}
    goal = samples["goal"]
    return [
        Line("context", ["context"], FAST),
        Line("context --file (typical file)", ["context", "--file", samples["typical_file"]], FAST),
        Line("hook pre-tool-use (Edit, typical file)", ["hook", "pre-tool-use"], FAST, edit),
        Line("hook session-start", ["hook", "session-start"], FAST,
             {**session, "hook_event_name": "SessionStart", "source": "startup"}),
        Line("log", ["log", "Benchmark note {n}: keep the import path streaming"], FAST),
        Line("decide", ["decide", "Bench decision {n}", "it keeps the floor low", "--files", samples["typical_file"]],
             FAST),
        Line("lesson", ["lesson", "Bench lesson {n}: the retry hid a timeout", "--correct-behavior",
                        "fail fast and log the cause"], FAST),
        Line("task", ["task", goal, "Bench task {n}", "measure the write path", "-p", "low"], FAST),
        Line("start", ["start", "{task}"], FAST),
        Line("ping", ["ping", "{task}"], FAST),
        Line("checkpoint", ["checkpoint", "{task}", "half way: parser done"], FAST),
        Line("complete", ["complete", "{task}", "Done: streamed the rows", "--outcome", "tests pass"], FAST),
        Line("next", ["next"], FAST),
        Line("think", ["think"], READ),
        Line("check", ["check"], READ),
        Line("status", ["status"], READ),
        Line(f"search {samples.get('search_word', 'migration')}", ["search", samples.get("search_word", "migration")],
             READ),
        Line("ready", ["ready"], READ),
        Line("--version", ["--version"], PLAIN),
        Line("--help", ["--help"], PLAIN),
    ]


def _run_timed(argv: list[str], cwd: Path, env: dict, stdin: bytes | None) -> tuple[float, float, str]:
    """(wall ms, CPU ms of the child, stdout) of one process run to its end; BenchError when it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if stdin:
        proc.stdin.write(stdin)
        proc.stdin.close()
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    proc.stderr.close()
    if proc.returncode:
        raise bench_cli.BenchError(f"`{' '.join(argv)}` exited {proc.returncode}: {err.decode()[-300:]}")
    return elapsed, (usage.ru_utime + usage.ru_stime) * 1000, out.decode("utf-8", "replace")


def measure(lines: list[Line], imi: list[str], root: Path, runs: int, warmup: int) -> Line:
    """Run every round; returns the floor (`python -c pass`), timed twice per round."""
    env = bench_cli.child_env()
    floor = Line("python -c pass", [], None)
    for n in range(warmup + runs):
        task = None
        for index, line in enumerate([None] + lines[: len(lines) // 2] + [None] + lines[len(lines) // 2:]):
            if line is None:
                ms, cpu, _ = _run_timed([sys.executable, "-c", "pass"], root, env, None)
                target = floor
            else:
                args = [a.replace("{n}", str(n)).replace("{task}", task or "") for a in line.args]
                stdin = json.dumps(line.stdin).encode() if line.stdin else None
                ms, cpu, out = _run_timed(imi + args, root, env, stdin)
                if line.args[0] == "task":
                    task = out.split()[2]  # "Recorded task ID"
                target = line
            if n >= warmup:
                target.ms.append(ms)
                target.cpu.append(cpu)
    return floor


# --- 16 concurrent writers ---------------------------------------------------------------------------------------

def writers(imi: list[str], root: Path, count: int, each: int) -> dict:
    """`count` processes at a time, each writer logging `each` notes one after another."""
    env = bench_cli.child_env()
    stamp = f"w{int(time.time())}"
    failures: list[str] = []
    acknowledged = [0] * count

    def writer(k: int) -> None:
        for j in range(each):
            proc = subprocess.run(imi + ["log", f"{stamp} writer {k} note {j}: concurrent write"], cwd=root, env=env,
                                  capture_output=True, text=True)
            if proc.returncode == 0 and "Recorded note" in proc.stdout:
                acknowledged[k] += 1
            else:
                failures.append(proc.stderr.strip()[-200:] or f"exit {proc.returncode}")

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(count)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    found = _count_notes(root, stamp)
    return {"writers": count, "each": each, "acknowledged": sum(acknowledged), "found": found, "seconds": seconds,
            "per_second": sum(acknowledged) / seconds, "failures": failures,
            "locked": sum("locked" in f for f in failures)}


def _count_notes(root: Path, stamp: str) -> int:
    import apsw

    conn = apsw.Connection(str(root / ".imi" / "state.db"), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return conn.execute("SELECT count(*) FROM direction_notes WHERE content LIKE ?", (f"{stamp} %",)).fetchone()[0]
    finally:
        conn.close()


# --- servers: time to the first answers --------------------------------------------------------------------------

def _read_until(stream, want_id: int, framed: bool, deadline: float) -> None:
    while time.perf_counter() < deadline:
        if framed:
            length = 0
            while True:
                header = stream.readline()
                if not header:
                    raise bench_cli.BenchError("the server closed its output")
                if header in (b"\r\n", b"\n"):
                    break
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":")[1])
            body = stream.read(length)
        else:
            body = stream.readline()
            if not body:
                raise bench_cli.BenchError("the server closed its output")
        try:
            message = json.loads(body)
        except ValueError:
            continue
        if message.get("id") == want_id:
            return
    raise bench_cli.BenchError("no answer within 30 s")


def server_ready_ms(argv: list[str], root: Path, framed: bool) -> float:
    """Start a server and time until it answered initialize (and, for MCP, tools/list)."""
    def frame(message: dict) -> bytes:
        body = json.dumps(message).encode()
        return b"Content-Length: %d\r\n\r\n%s" % (len(body), body) if framed else body + b"\n"

    env = bench_cli.child_env()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        if framed:  # the language server: initialize
            proc.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {}}}))
            proc.stdin.flush()
            _read_until(proc.stdout, 1, True, start + 30)
        else:  # MCP: initialize, initialized, tools/list
            proc.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "bench", "version": "1"}}}))
            proc.stdin.write(frame({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            proc.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
            proc.stdin.flush()
            _read_until(proc.stdout, 2, False, start + 30)
        return (time.perf_counter() - start) * 1000
    finally:
        proc.kill()
        proc.wait()


def servers(imi: list[str], root: Path, runs: int) -> dict:
    lsp = Path(sys.executable).with_name("imi-lsp")
    out = {"mcp": [server_ready_ms(imi + ["mcp"], root, False) for _ in range(runs)]}
    if lsp.is_file():
        out["lsp"] = [server_ready_ms([str(lsp)], root, True) for _ in range(runs)]
    return out


# --- report ------------------------------------------------------------------------------------------------------

def ratio(line: Line, floor: Line) -> float:
    return statistics.median(line.ms) / statistics.median(floor.ms)


def markdown(manifest: dict, lines: list[Line], floor: Line, runs: int, write: dict, ready: dict,
             load: tuple[float, float]) -> str:
    base = statistics.median(floor.ms)
    rows = ["| command | median ms | × floor | target | met | CPU ms | CPU × floor |", "|---|---:|---:|---:|:---:|---:|---:|"]
    base_cpu = statistics.median(floor.cpu)
    for line in lines:
        r = ratio(line, floor)
        cpu = statistics.median(line.cpu)
        rows.append(f"| `{line.label}` | {statistics.median(line.ms):.1f} | {r:.2f} | ≤ {line.target:g} | "
                    f"{'yes' if r <= line.target else '**no**'} | {cpu:.1f} | {cpu / base_cpu:.2f} |")
    mcp, lsp = statistics.median(ready["mcp"]), statistics.median(ready["lsp"]) if ready.get("lsp") else None
    text = [
        "### Against Python's own start (issue 16)", "",
        f"Project: {bench_cli.project_line(manifest)} (a copy: the writes change it).",
        f"Machine: {bench_cli.machine_info()}; load average during the run {load[0]:.1f} → {load[1]:.1f} "
        f"(other work shared the 2 cores: ratios, measured in the same rounds, are the figures to read).",
        f"{runs} rounds; each round runs `python -c pass` twice and every command once, in this order, as a fresh "
        f"process (`imi` console script, cached bytecode, output piped). The floor, `python -c pass`, took "
        f"{base:.1f} ms (median; CPU {base_cpu:.1f} ms). Each round adds a task, starts, pings, checkpoints and "
        f"completes it; `next` claims the most urgent ready task.",
        "Reproduce: `python bench/bench_cli.py --floor`.", "",
        f"![Each command's median as a multiple of python -c pass, with its target]({PLOT_NAME})",
        "", *rows, "",
        f"**{write['writers']} concurrent writers** (each `imi log` {write['each']} times, all at once): "
        f"{write['acknowledged']} writes acknowledged in {write['seconds']:.1f} s = **{write['per_second']:.0f} "
        f"writes/s** (target ≥ {WRITERS_TARGET}: {'met' if write['per_second'] >= WRITERS_TARGET else 'not met'}); "
        f"{write['found']} of them found in the database afterwards, {len(write['failures'])} failed, "
        f"{write['locked']} \"database is locked\".", "",
        f"**Servers**, time from start to the first answers (median of {len(ready['mcp'])}): `imi mcp` answered "
        f"initialize and tools/list in {mcp:.0f} ms (target ≤ {MCP_TARGET_MS} ms)"
        + (f"; `imi-lsp` answered initialize in {lsp:.0f} ms (target ≤ {LSP_TARGET_MS} ms)." if lsp else "."),
    ]
    return "\n".join(text)


def plot(lines: list[Line], floor: Line, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [line.label for line in lines][::-1]
    ratios = [ratio(line, floor) for line in lines][::-1]
    targets = [line.target for line in lines][::-1]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(lines) + 1.2))
    colors = ["tab:green" if r <= t else "tab:red" for r, t in zip(ratios, targets)]
    ax.barh(range(len(lines)), ratios, color=colors)
    ax.scatter(targets, range(len(lines)), marker="|", s=300, color="black", label="target", zorder=3)
    ax.axvline(1.0, color="grey", linestyle=":", linewidth=1)
    ax.set_yticks(range(len(lines)), labels, fontsize=8)
    ax.set_xlabel("median wall time ÷ median of python -c pass (same rounds)")
    ax.set_title("imi commands against Python's own start")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(args) -> int:
    """`bench_cli.py --floor`: time, print, plot, and update docs/benchmarks.md unless --no-docs."""
    source = args.project or bench_cli.ensure_project(args.workdir, "issue2", args.fresh)
    manifest = bench_cli.load_manifest(source)
    imi = bench_cli.imi_command(args.imi)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="imi-floor-") as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(source, root)
        lines = lines_for(root, manifest["samples"])
        floor = measure(lines, imi, root, args.runs, args.warmup)
        print(f"  {'python -c pass':40s} median {statistics.median(floor.ms):7.1f} ms")
        for line in lines:
            r = ratio(line, floor)
            print(f"  {line.label:40s} median {statistics.median(line.ms):7.1f} ms  ×{r:5.2f}  target ×{line.target:g}"
                  f"  {'ok' if r <= line.target else 'MISSED'}", flush=True)
        write = writers(imi, root, args.writers, args.writes_each)
        print(f"  {args.writers} writers: {write['acknowledged']} acknowledged, {write['found']} found, "
              f"{write['per_second']:.0f} writes/s, {len(write['failures'])} failed, {write['locked']} locked",
              flush=True)
        ready = servers(imi, root, max(3, args.runs // 4))
        print("  ready: " + ", ".join(f"{k} {statistics.median(v):.0f} ms" for k, v in ready.items()), flush=True)
    load = (load_before, os.getloadavg()[0])
    if not args.no_docs:
        plot(lines, floor, args.out.parent / PLOT_NAME)
        bench_cli.update_docs(args.out, "floor", markdown(manifest, lines, floor, args.runs, write, ready, load))
        print(f"updated {args.out} and {args.out.parent / PLOT_NAME}")
    return 0
