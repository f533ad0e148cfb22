"""Time team memory through git and write the "## Team memory (git)" section of docs/benchmarks.md.

    python bench/bench_team.py                    # 10,000 records: rebuild, fresh clone + init, post-merge sync
    python bench/bench_team.py --growth           # also 2,500 / 5,000 / 20,000 records, and docs/img/team-sync.png
    python bench/bench_team.py --no-docs          # print only

Issue 7's targets: importing 10,000 records from text into a fresh database in at most
5 s, and the post-merge update with 100 changed records in at most 1 s. Projects are
made by bench/generate.py (realistic texts, file references, claims, completions and
memories, written through the data layer), then `imi init` writes every record to
`.imi/records/` and the project is committed to a git repository. Every timed command
is a fresh `imi` process, as a user or a git hook runs it.

- **rebuild**: `imi rebuild` in the project (drop the records, load them from the text).
- **fresh clone + init**: `git clone` (not timed), then `imi init` in the clone: creates the
  database, loads every record, installs the hooks.
- **post-merge sync**: a second clone changes 100 records (60 new ones, 40 archived) and
  commits; the first clone merges that commit with hooks off, then the timed `imi sync
  --quiet` is what the post-merge hook runs. `git reset --hard ORIG_HEAD` and the next
  `imi sync --quiet` (timed too) take the 100 versions out again, as a branch switch does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import bench_cli  # noqa: E402  (fresh-process timing, machine line)
import generate  # noqa: E402

DOCS = REPO / "docs" / "benchmarks.md"
PLOT = REPO / "docs" / "img" / "team-sync.png"
HEADING = "## Team memory (git)"
RECORDS_PER_SCALE = 10_033 / 3_800  # generate.py writes memories too: records per unit of its scale
TARGETS_MS = {"rebuild": 5000, "fresh clone + init": 5000, "post-merge sync (100 changed)": 1000}
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "core.hooksPath=/dev/null",
       "-c", "commit.gpgsign=false", "-c", "gc.auto=0"]  # no background gc racing a local clone
CHANGED_NEW, CHANGED_ARCHIVED = 60, 40


@dataclass
class Case:
    """One timed command, run several times."""

    label: str
    records: int
    size: int  # the size asked for (records is what the project really holds)
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def target(self) -> int | None:
        return TARGETS_MS.get(self.label)


def git(*args: str, cwd: Path) -> str:
    proc = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench_team.py: error: git {' '.join(args)} failed in {cwd}: {proc.stderr.strip()}")
    return proc.stdout


def imi(args: list[str], cwd: Path, env: dict[str, str], case: Case | None = None) -> str:
    """Run `imi ARGS` as a fresh process; with `case`, record its wall and CPU time."""
    wall, out, cpu = bench_cli.run_once([*bench_cli.imi_command(None), *args], cwd, env)
    if case is not None:
        case.wall_ms.append(wall)
        case.cpu_ms.append(cpu)
    return out


def count_records(root: Path) -> int:
    return sum(1 for p in (root / ".imi" / "records").rglob("*.json"))


def make_project(workdir: Path, records: int, env: dict[str, str]) -> Path:
    """A committed git repository with about `records` records in `.imi/records/` (made once, then reused)."""
    root = workdir / f"team-{records}"
    if (root / ".git").is_dir() and (root / "bench-team.json").is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    scale = generate.scale_named(str(max(50, round(records / RECORDS_PER_SCALE))))
    generate.generate(root, scale, quiet=True)
    git("init", "-q", "-b", "main", cwd=root)
    # the flat layout, as the project of issue 20's simulation had it: `imi init` starts a project
    # without `.imi/records/` sharded, and keeps one that has the folder (an older project) flat
    (root / ".imi" / "records").mkdir(parents=True, exist_ok=True)
    imi(["init"], root, env)  # writes every record to .imi/records/ (bulk, one flush)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "generated project", cwd=root)
    (root / "bench-team.json").write_text(json.dumps({"records": count_records(root)}))
    return root


def change_records(root: Path) -> None:
    """Through the data layer, as the CLI writes: new records and archived ones (one version file each)."""
    from imi_cli.memory import Project

    with Project.open(root / ".imi" / "state.db", agent="teammate") as project, project.transaction():
        for i in range(CHANGED_NEW):
            if i % 2:
                project.add_note(f"teammate note {i} about the merge")
            else:
                project.decide(f"teammate decision {i}", "measured")
        for decision in sorted(project.decisions(kind=None), key=lambda d: d.id)[:CHANGED_ARCHIVED]:
            project.archive(decision.id)


def bench_size(workdir: Path, records: int, runs: int, env: dict[str, str], say, light: bool = False,
               loads: bool = False) -> list[Case]:
    root = make_project(workdir, records, env)
    actual = json.loads((root / "bench-team.json").read_text())["records"]
    say(f"{actual:,} records in {root}")
    if light:  # only what every session, edit and pull pays (and with `loads`, loading all of it)
        everyday = bench_everyday(root, actual, records, runs, env, say)
        pulled, facts = bench_pull(workdir, root, actual, records, runs, env, say)
        FACTS.append(facts)
        return [*everyday, *pulled, *(bench_loads(workdir, root, actual, records, runs, env, say) if loads else [])]
    heavy_runs = min(runs, 2) if actual >= 50_000 else runs  # a full load of a year takes a minute
    rebuild = Case("rebuild", actual, records)
    for _ in range(heavy_runs):
        imi(["rebuild"], root, env, rebuild)
    say(f"  rebuild: {rebuild.median:.0f} ms")

    fresh = Case("fresh clone + init", actual, records)
    clone = workdir / f"team-{records}-clone"
    for _ in range(heavy_runs):
        shutil.rmtree(clone, ignore_errors=True)
        git("clone", "-q", str(root), str(clone), cwd=workdir)
        imi(["init"], clone, env, fresh)
    say(f"  fresh clone + init: {fresh.median:.0f} ms")

    # The teammate's clone changes 100 records; the first clone merges that commit again and again.
    mate = workdir / f"team-{records}-mate"
    shutil.rmtree(mate, ignore_errors=True)
    git("clone", "-q", str(root), str(mate), cwd=workdir)
    imi(["init"], mate, env)
    change_records(mate)
    git("add", "-A", cwd=mate)
    git("commit", "-q", "-m", "teammate's memory", cwd=mate)
    changed = len(git("diff", "--name-only", "HEAD~1", "HEAD", cwd=mate).split())
    if changed != CHANGED_NEW + CHANGED_ARCHIVED:
        raise SystemExit(f"bench_team.py: error: the teammate's commit has {changed} version files, expected 100")
    shutil.rmtree(clone, ignore_errors=True)
    git("clone", "-q", str(root), str(clone), cwd=workdir)
    imi(["init"], clone, env)
    git("fetch", "-q", str(mate), "main", cwd=clone)
    merge = Case("post-merge sync (100 changed)", actual, records)
    back = Case("sync after switching back (100 gone)", actual, records)
    for _ in range(runs):
        git("merge", "-q", "--no-edit", "FETCH_HEAD", cwd=clone)
        imi(["sync", "--quiet"], clone, env, merge)
        git("reset", "-q", "--hard", "ORIG_HEAD", cwd=clone)
        imi(["sync", "--quiet"], clone, env, back)
    say(f"  post-merge sync: {merge.median:.0f} ms; back: {back.median:.0f} ms")
    shutil.rmtree(clone, ignore_errors=True)
    shutil.rmtree(mate, ignore_errors=True)
    everyday = bench_everyday(root, actual, records, runs, env, say)
    pulled, facts = bench_pull(workdir, root, actual, records, runs, env, say)
    FACTS.append(facts)
    return [rebuild, fresh, merge, back, *everyday, *pulled]


def bench_loads(workdir: Path, root: Path, actual: int, records: int, runs: int, env: dict[str, str], say):
    """Loading every record into an empty database (issue 20): `imi rebuild`, and a fresh clone's first
    command (`imi context`, which builds the database), in the flat project and in its packed copy
    (bench_layout.py: shards and packs after `imi pack`)."""
    import bench_layout

    packed, _ = bench_layout.packed_copy(workdir, root, records, env, say)
    cases = []
    for project, suffix in ((root, ""), (packed, " (packed)")):
        rebuild, first = Case(f"rebuild{suffix}", actual, records), Case(f"fresh clone + first command{suffix}",
                                                                          actual, records)
        clone = workdir / f"team-{records}-first"
        for _ in range(runs):
            imi(["rebuild"], project, env, rebuild)
            shutil.rmtree(clone, ignore_errors=True)
            git("clone", "-q", str(project), str(clone), cwd=workdir)
            imi(["context"], clone, env, first)
        shutil.rmtree(clone, ignore_errors=True)
        say(f"  rebuild{suffix}: {rebuild.median:.0f} ms; fresh clone + first command: {first.median:.0f} ms")
        cases += [rebuild, first]
    return cases


PULLED = 20  # versions a routine pull brings (issue 20)
FACTS: list[dict] = []  # per size: disk use and the git objects of a 20-version commit
YEAR_LABELS = ("imi context", "session-start hook", "pre-edit hook", f"git merge ({PULLED} new versions)",
               "hook sync after it", "full sync after it", "rebuild", "fresh clone + init", "rebuild (packed)",
               "fresh clone + first command", "fresh clone + first command (packed)")


def timed_hook(event: str, payload: dict, root: Path, env: dict[str, str], case: Case) -> None:
    """One `imi hook EVENT` process with the host's payload on stdin, as Claude Code runs it."""
    start = time.perf_counter()
    proc = subprocess.Popen([*bench_cli.imi_command(None), "hook", event], cwd=root, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    proc.stdin.write(json.dumps(payload).encode())
    proc.stdin.close()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    case.wall_ms.append((time.perf_counter() - start) * 1000)
    case.cpu_ms.append((usage.ru_utime + usage.ru_stime) * 1000)
    if os.waitstatus_to_exitcode(status) != 0 or err.strip():
        raise SystemExit(f"bench_team.py: error: imi hook {event} failed: {err.decode(errors='replace').strip()}")


def timed_git(args: list[str], cwd: Path, case: Case) -> None:
    wall, _, cpu = bench_cli.run_once([*GIT, *args], cwd, dict(os.environ))
    case.wall_ms.append(wall)
    case.cpu_ms.append(cpu)


def named_file(root: Path) -> str:
    """The file the most lessons and decisions name (what the pre-edit hook looks up)."""
    import apsw

    conn = apsw.Connection(str(root / ".imi" / "state.db"), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        row = conn.execute("SELECT path FROM refs WHERE kind IN ('lesson', 'decision') AND is_glob = 0 "
                           "GROUP BY path ORDER BY count(*) DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return row[0] if row else "README.md"


def bench_everyday(root: Path, actual: int, records: int, runs: int, env: dict[str, str], say) -> list[Case]:
    """What every session and every edit pays: `imi context`, the session-start and pre-edit hooks."""
    context, start, edit = (Case(label, actual, records) for label in
                            ("imi context", "session-start hook", "pre-edit hook"))
    session = {"session_id": "bench", "transcript_path": "/dev/null", "cwd": str(root)}
    target = str(root / named_file(root))
    for _ in range(runs):
        imi(["context"], root, env, context)
        timed_hook("session-start", {**session, "hook_event_name": "SessionStart", "source": "startup"}, root, env,
                   start)
        timed_hook("pre-tool-use", {**session, "hook_event_name": "PreToolUse", "tool_name": "Edit",
                                    "tool_use_id": "t1", "tool_input": {"file_path": target, "old_string": "a",
                                                                        "new_string": "b"}}, root, env, edit)
    say(f"  context: {context.median:.0f} ms; session-start: {start.median:.0f} ms; pre-edit: {edit.median:.0f} ms")
    return [context, start, edit]


def bench_pull(workdir: Path, root: Path, actual: int, records: int, runs: int, env: dict[str, str], say):
    """A teammate commits PULLED new versions; a clone merges them (git) and syncs as its hook does, and as
    a full sync would. Also: the git objects that commit wrote, and `.imi/` on disk against its content."""
    mate, clone = workdir / f"team-{records}-mate20", workdir / f"team-{records}-clone20"
    for path in (mate, clone):
        shutil.rmtree(path, ignore_errors=True)
        git("clone", "-q", str(root), str(path), cwd=workdir)
        imi(["init"], path, env)
    from imi_cli.memory import Project

    with Project.open(mate / ".imi" / "state.db", agent="teammate") as project, project.transaction():
        for i in range(PULLED):
            project.add_note(f"teammate note {i} of the day")
    before = _loose_bytes(mate)
    git("add", ".imi/records", cwd=mate)  # only the memory: `imi init` may have refreshed .imi/.gitignore
    git("commit", "-q", "-m", "teammate's day", cwd=mate)
    objects = git("diff-tree", "-r", "-t", "--root", "HEAD", cwd=mate).count("\n")
    written = _loose_bytes(mate) - before
    git("fetch", "-q", str(mate), "main", cwd=clone)
    merge, hook, full = (Case(label, actual, records) for label in
                         (f"git merge ({PULLED} new versions)", "hook sync after it", "full sync after it"))
    hook_env = {**env, "IMI_SYNC_FROM_GIT": "1"}
    for _ in range(runs):
        timed_git(["merge", "-q", "--no-edit", "FETCH_HEAD"], clone, merge)
        imi(["sync", "--quiet"], clone, hook_env, hook)
        git("reset", "-q", "--hard", "ORIG_HEAD", cwd=clone)
        imi(["sync", "--quiet"], clone, hook_env)
        git("merge", "-q", "--no-edit", "FETCH_HEAD", cwd=clone)
        imi(["sync", "--quiet"], clone, env, full)
        git("reset", "-q", "--hard", "ORIG_HEAD", cwd=clone)
        imi(["sync", "--quiet"], clone, env)
    say(f"  git merge: {merge.median:.0f} ms; hook sync: {hook.median:.0f} ms; full sync: {full.median:.0f} ms")
    disk, content = _disk_usage(root / ".imi" / "records")
    facts = {"records": actual, "commit objects": objects, "commit bytes": written, "disk": disk, "content": content}
    shutil.rmtree(mate, ignore_errors=True)
    shutil.rmtree(clone, ignore_errors=True)
    return [merge, hook, full], facts


def _loose_bytes(repo: Path) -> int:
    out = git("count-objects", "-v", cwd=repo)
    sizes = dict(line.split(": ") for line in out.splitlines())
    return int(sizes["size"]) * 1024 + int(sizes.get("size-pack", 0)) * 1024


def _disk_usage(folder: Path) -> tuple[int, int]:
    """(bytes the files take on disk, bytes of their content) under `folder`."""
    disk = content = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        disk += os.stat(dirpath).st_blocks * 512
        for name in filenames:
            info = os.stat(os.path.join(dirpath, name))
            disk += info.st_blocks * 512
            content += info.st_size
    return disk, content


def _row(case: Case, with_target: bool) -> str:
    cells = [case.label, f"{case.records:,}", f"{case.median:,.0f}", f"{min(case.wall_ms):,.0f}",
             f"{max(case.wall_ms):,.0f}", f"{statistics.median(case.cpu_ms):,.0f}"]
    if with_target:
        cells += ([f"≤ {case.target / 1000:g} s", "yes" if case.median <= case.target else "**no**"]
                  if case.target else ["—", ""])
    return "| " + " | ".join(cells) + " |"


def markdown(main: list[Case], growth: list[Case], runs: int, reproduce: str, plot_rel: str | None) -> str:
    lines = [
        "Team memory lives in `.imi/records/` (one file per version of a record); the database is a cache "
        "that `imi` keeps in step with it (docs/team.md). Issue 7's targets: importing 10,000 records from "
        "text into a fresh database in at most 5 s, and the update after a merge that brings 100 changed "
        "records in at most 1 s.",
        "",
        f"Machine: {bench_cli.machine_info()}.",
        f"Each command is a fresh `imi` process; {runs} runs each, wall time (median, min, max) and the child's "
        "CPU time (user + system, steadier when the machine is shared). Projects from `bench/generate.py` "
        "(goals, tasks, completions, decisions, lessons, notes and memories with file references), written to "
        f"text by `imi init` and committed. Reproduce: `{reproduce}`.",
        "",
        "| case | records | median ms | min ms | max ms | CPU ms | target (median) | met |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
        *[_row(case, True) for case in main],
        "",
        "- **rebuild**: `imi rebuild` drops the database's records and loads every version file again.",
        "- **fresh clone + init**: `imi init` in a new clone creates the database and loads every record "
        "(the `git clone` itself is not timed).",
        "- **post-merge sync**: the `imi sync --quiet` that the post-merge hook runs after a merge that "
        f"brought {CHANGED_NEW} new records and {CHANGED_ARCHIVED} archived ones from a teammate's clone; "
        "**switching back** is the sync after `git reset --hard ORIG_HEAD` takes them out again.",
    ]
    if growth:
        lines += ["", "Other sizes (same cases):", "",
                  "| case | records | median ms | min ms | max ms | CPU ms |", "|---|---:|---:|---:|---:|---:|",
                  *[_row(case, False) for case in growth]]
    if plot_rel:
        lines += ["", f"![Team memory: time against records]({plot_rel})"]
    lines += year_section(main + growth)
    return "\n".join(lines)


def year_section(cases: list[Case]) -> list[str]:
    """Issue 20: how the everyday costs grow from a small project to a year of team memory."""
    sizes = sorted({c.records for c in cases})
    by = {(c.label, c.records): c for c in cases}
    lines = ["", "### Growth to a year of team memory (issue 20)", "",
             "Median wall ms (CPU ms) of a fresh process at each size. **hook sync** is what the post-merge hook "
             f"runs after a pull that brought {PULLED} new versions (`IMI_SYNC_FROM_GIT=1 imi sync --quiet`: only "
             "the files git changed are read); **full sync** is the same sync looking at every file, as before "
             "issue 20.", "",
             "| case | " + " | ".join(f"{n:,} records" for n in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for label in (label for label in YEAR_LABELS if any((label, n) in by for n in sizes)):
        cells = [f"{by[(label, n)].median:,.0f} ({statistics.median(by[(label, n)].cpu_ms):,.0f})"
                 if (label, n) in by else "" for n in sizes]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if FACTS:
        lines += ["", "| records | `.imi/records` on disk | its content | disk / content | "
                  f"git objects of a {PULLED}-version commit | their bytes |", "|---:|---:|---:|---:|---:|---:|"]
        for f in sorted(FACTS, key=lambda f: f["records"]):
            lines.append(f"| {f['records']:,} | {f['disk'] / 2**20:,.1f} MiB | {f['content'] / 2**20:,.1f} MiB | "
                         f"{f['disk'] / max(f['content'], 1):.1f}x | {f['commit objects']} | "
                         f"{f['commit bytes'] / 1024:,.0f} KiB |")
    return lines


def plot(cases: list[Case], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.2))
    labels = list(dict.fromkeys(c.label for c in cases))
    for label in labels:
        points = sorted((c.records, c.median) for c in cases if c.label == label)
        ax.plot([p[0] for p in points], [p[1] / 1000 for p in points], marker="o", label=label)
    ax.axhline(5, color="grey", linestyle="--", linewidth=0.8)
    ax.text(points[0][0], 5.1, "5 s: import, a fresh clone's first command", color="grey", fontsize=8)
    ax.axhline(1, color="grey", linestyle=":", linewidth=0.8)
    ax.text(points[0][0], 1.05, "1 s: post-merge sync", color="grey", fontsize=8)
    if max(c.median for c in cases) > 100 * min(c.median for c in cases):
        ax.set_yscale("log")  # milliseconds of a hook beside seconds of loading a year
    else:
        ax.set_ylim(0, max(5.6, max(c.median for c in cases) / 1000 * 1.1))
    if max(c.records for c in cases) > 20 * min(c.records for c in cases):
        ax.set_xscale("log")  # a year of memory beside a week of it
    ax.set_xlabel("records in the project")
    ax.set_ylabel("seconds (median, fresh process)")
    ax.set_title("Team memory through git")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def update_docs(path: Path, body: str) -> None:
    """Replace this script's section (from its heading to the next "## "), leaving the rest as it is.
    The page is read right before writing: other scripts own other sections."""
    text = path.read_text() if path.is_file() else "# Benchmarks\n"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == HEADING), None)
    section = [HEADING, "", *body.splitlines(), ""]
    if start is None:
        new = text.rstrip("\n") + "\n\n" + "\n".join(section)
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new = "\n".join(lines[:start] + section + lines[end:])
    tmp = path.with_suffix(".md.team.tmp")
    tmp.write_text(new.rstrip("\n") + "\n")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000, help="project size for the targets (default 10,000)")
    parser.add_argument("--growth", action="store_true", help="also 2,500 / 5,000 / 20,000 records, and the plot")
    parser.add_argument("--year", action="store_true", help="issue 20: 1,000 / 10,000 / 100,000 records (slow: "
                        "the year takes a quarter of an hour)")
    parser.add_argument("--sizes", help="comma-separated record counts instead (for trying the script out)")
    parser.add_argument("--light", action="store_true", help="skip rebuild, fresh clone and the 100-record merge")
    parser.add_argument("--loads", action="store_true", help="with --light: also rebuild and a fresh clone's first "
                        "command, flat and packed (issue 20)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out", help="where projects are kept")
    parser.add_argument("--no-docs", action="store_true", help="print the section instead of writing it")
    parser.add_argument("--plot", type=Path, help="also draw these cases against records into this PNG (with "
                        "--no-docs too): docs/img/team-year.png is the year's, from --sizes 1000,10000,100000")
    args = parser.parse_args(argv)
    say = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    env = bench_cli.child_env()
    env.pop("IMI_AGENT_ID", None)
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = [2_500, 5_000, args.records, 20_000] if args.growth else [args.records]
    if args.year:
        sizes = [1_000, args.records, 100_000]
    if args.sizes:
        sizes = [int(n) for n in args.sizes.split(",")]
    cases: list[Case] = []
    for size in sizes:
        cases += bench_size(args.workdir, size, args.runs, env, say, args.light, args.loads)
    reproduce = "python bench/bench_team.py" + (" --growth" if args.growth else "") + (
        " --year" if args.year else "") + (
        f" --sizes {args.sizes}" if args.sizes else "") + (" --light" if args.light else "") + (
        " --loads" if args.loads else "") + (f" --runs {args.runs}" if args.runs != 5 else "")
    plot_rel = None
    if (args.growth or args.year) and not args.no_docs:
        plot(cases, PLOT)
        plot_rel = os.path.relpath(PLOT, DOCS.parent)
    if args.plot:
        plot(cases, args.plot)
        say(f"drew {args.plot}")
    table_cases = [c for c in cases if c.size == args.records]
    body = markdown(table_cases, [c for c in cases if c.size != args.records], args.runs, reproduce, plot_rel)
    if args.no_docs:
        print(body)
    else:
        update_docs(DOCS, body)
        say(f"wrote the {HEADING!r} section of {DOCS}")
    missed = [c for c in table_cases if c.target and c.median > c.target]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
