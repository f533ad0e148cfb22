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
       "-c", "commit.gpgsign=false"]
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


def bench_size(workdir: Path, records: int, runs: int, env: dict[str, str], say) -> list[Case]:
    root = make_project(workdir, records, env)
    actual = json.loads((root / "bench-team.json").read_text())["records"]
    say(f"{actual:,} records in {root}")
    rebuild = Case("rebuild", actual, records)
    for _ in range(runs):
        imi(["rebuild"], root, env, rebuild)
    say(f"  rebuild: {rebuild.median:.0f} ms")

    fresh = Case("fresh clone + init", actual, records)
    clone = workdir / f"team-{records}-clone"
    for _ in range(runs):
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
    return [rebuild, fresh, merge, back]


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
    return "\n".join(lines)


def plot(cases: list[Case], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    labels = list(dict.fromkeys(c.label for c in cases))
    for label in labels:
        points = sorted((c.records, c.median) for c in cases if c.label == label)
        ax.plot([p[0] for p in points], [p[1] / 1000 for p in points], marker="o", label=label)
    ax.axhline(5, color="grey", linestyle="--", linewidth=0.8)
    ax.text(points[0][0], 5.1, "import target 5 s", color="grey", fontsize=8)
    ax.axhline(1, color="grey", linestyle=":", linewidth=0.8)
    ax.text(points[0][0], 1.05, "post-merge target 1 s", color="grey", fontsize=8)
    ax.set_ylim(0, max(5.6, max(c.median for c in cases) / 1000 * 1.1))
    ax.set_xlabel("records in the project")
    ax.set_ylabel("seconds (median, fresh process)")
    ax.set_title("Team memory through git")
    ax.legend(fontsize=8)
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
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out", help="where projects are kept")
    parser.add_argument("--no-docs", action="store_true", help="print the section instead of writing it")
    args = parser.parse_args(argv)
    say = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    env = bench_cli.child_env()
    env.pop("IMI_AGENT_ID", None)
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = [2_500, 5_000, args.records, 20_000] if args.growth else [args.records]
    cases: list[Case] = []
    for size in sizes:
        cases += bench_size(args.workdir, size, args.runs, env, say)
    reproduce = "python bench/bench_team.py" + (" --growth" if args.growth else "") + (
        f" --runs {args.runs}" if args.runs != 5 else "")
    plot_rel = None
    if args.growth and not args.no_docs:
        plot(cases, PLOT)
        plot_rel = os.path.relpath(PLOT, DOCS.parent)
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
