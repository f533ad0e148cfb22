"""Issue 20's layout figures: the flat layout against shards + packs (`imi pack`), at 1k / 10k / 100k records.

    python bench/bench_layout.py                         # 1,000 / 10,000 / 100,000 records (slow: ~30 min)
    python bench/bench_layout.py --sizes 1000 --runs 2   # trying the script out
    python bench/bench_layout.py --no-docs               # print only

For each size, bench_team.py's generated project (flat: one file per version in each kind's folder)
is measured as it is, then a clone of it after `imi pack` and a commit (the migration: shard folders
and packs of every committed version). Both get bench_team.py's pull measurement: a teammate commits
20 new versions (the git objects that commit writes are counted), a clone merges them with git and
syncs as its post-merge hook does. Disk use is `.imi/records/` in blocks against its bytes.
Writes the "### Layout" subsection of the issue-20 part of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import bench_cli  # noqa: E402
import bench_team  # noqa: E402

DOCS = REPO / "docs" / "benchmarks.md"
HEADING = "### Layout: shards and packs (issue 20)"
SIZES = (1_000, 10_000, 100_000)


def packed_copy(workdir: Path, root: Path, records: int, env: dict[str, str], say) -> tuple[Path, float]:
    """A clone of the flat project, moved to shards and packs by `imi pack` and committed; and the
    milliseconds `imi pack` took."""
    copy = workdir / f"team-{records}-packed"
    if (copy / "bench-team.json").is_file():
        return copy, json.loads((copy / "bench-team.json").read_text()).get("pack_ms", 0.0)
    shutil.rmtree(copy, ignore_errors=True)
    bench_team.git("clone", "-q", str(root), str(copy), cwd=workdir)
    bench_team.imi(["init"], copy, env)
    case = bench_team.Case("imi pack", 0, records)
    bench_team.imi(["pack"], copy, env, case)
    bench_team.git("add", "-A", ".imi/records", cwd=copy)
    bench_team.git("commit", "-q", "-m", "imi pack", cwd=copy)
    facts = json.loads((root / "bench-team.json").read_text()) | {"pack_ms": case.median}
    (copy / "bench-team.json").write_text(json.dumps(facts))
    say(f"  imi pack: {case.median:.0f} ms")
    return copy, case.median


def commit_objects(workdir: Path, project: Path, records: int, env: dict[str, str]) -> dict:
    """The new git objects of a commit of 20 new versions written through imi: how many, their total
    and largest size (uncompressed, as git stores them before packing)."""
    import subprocess

    mate = workdir / f"team-{records}-objects"
    shutil.rmtree(mate, ignore_errors=True)
    bench_team.git("clone", "-q", str(project), str(mate), cwd=workdir)
    bench_team.imi(["init"], mate, env)
    from imi_cli.memory import Project

    with Project.open(mate / ".imi" / "state.db", agent="teammate") as memory, memory.transaction():
        for i in range(bench_team.PULLED):
            memory.add_note(f"teammate note {i} of the day")
    bench_team.git("add", ".imi/records", cwd=mate)
    bench_team.git("commit", "-q", "-m", "teammate's day", cwd=mate)
    listed = bench_team.git("diff-tree", "-r", "-t", "--root", "--no-renames", "HEAD", cwd=mate).splitlines()
    ids = [line.split()[3] for line in listed if line.startswith(":")]
    ids.append(bench_team.git("rev-parse", "HEAD^{tree}", cwd=mate).strip())
    out = subprocess.run(["git", "cat-file", "--batch-check=%(objectsize)"], cwd=mate, input="\n".join(ids) + "\n",
                         capture_output=True, text=True, check=True).stdout
    sizes = [int(size) for size in out.split()]
    shutil.rmtree(mate, ignore_errors=True)
    return {"objects": len(sizes), "object bytes": sum(sizes), "largest object": max(sizes)}


def measure(workdir: Path, records: int, runs: int, env: dict[str, str], say) -> list[dict]:
    root = bench_team.make_project(workdir, records, env)
    actual = json.loads((root / "bench-team.json").read_text())["records"]
    rows = []
    packed, pack_ms = packed_copy(workdir, root, records, env, say)
    for layout, project in (("flat", root), ("shards + packs", packed)):
        say(f"{actual:,} records, {layout}:")
        (merge, hook, _full), facts = bench_team.bench_pull(workdir, project, actual, records, runs, env, say)
        files = sum(1 for p in (project / ".imi" / "records").rglob("*") if p.is_file())
        rows.append({"layout": layout, **facts, **commit_objects(workdir, project, records, env), "files": files, "merge_ms": merge.median, "hook_ms": hook.median,
                     "pack_ms": pack_ms if project is packed else None})
    return rows


def _mib(count: int) -> str:
    return f"{count / 2**20:,.1f} MiB"


def markdown(rows: list[dict], runs: int, reproduce: str) -> str:
    lines = [HEADING, "",
             f"Measured by `{reproduce}` ({runs} runs, medians; {bench_cli.machine_info()}). Targets at the year "
             "(100k records): `.imi/` records on disk ≤ 1.5× their content; a commit of 20 new versions writes "
             "O(20) small git objects; `git merge` of 20 new versions + the hook's sync ≤ 1 s.", "",
             "| records | layout | files | on disk | content | disk / content | new git objects of a 20-version "
             "commit | their size (largest) | git merge (ms) | hook sync (ms) | merge + sync (ms) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['records']:,} | {row['layout']} | {row['files']:,} | {_mib(row['disk'])} | "
                     f"{_mib(row['content'])} | {row['disk'] / row['content']:.2f}× | {row['objects']} | "
                     f"{row['object bytes'] / 1024:,.0f} KiB ({row['largest object'] / 1024:,.0f} KiB) | "
                     f"{row['merge_ms']:,.0f} | {row['hook_ms']:,.0f} | {row['merge_ms'] + row['hook_ms']:,.0f} |")
    lines += ["", "Flat, each ~1 KB version file takes a 4 KiB block, and a commit rewrites the tree of the kind's "
              "folder, which lists every version ever written (the largest new object). Shards + packs: the "
              "packs hold the history in a few files of a few MiB, a commit rewrites only the small trees of "
              "the shards it touches, and the hook's sync reads the merged files and the packs' first lines "
              "(docs/team.md, \"Shards and packs\")."]
    packs = [row for row in rows if row.get("pack_ms")]
    if packs:
        lines += ["", "`imi pack` (the one-time migration of the whole flat history): "
                  + ", ".join(f"{row['pack_ms'] / 1000:,.1f} s at {row['records']:,} records" for row in packs) + "."]
    return "\n".join(lines) + "\n"


def update_docs(path: Path, body: str) -> None:
    """Replace the subsection (up to the next heading of any level 2 or 3) or add it at the end."""
    text = path.read_text(encoding="utf-8")
    start = text.find(HEADING)
    if start < 0:
        path.write_text(text.rstrip("\n") + "\n\n" + body, encoding="utf-8")
        return
    rest = text[start + len(HEADING):]
    ends = [i for i in (rest.find("\n## "), rest.find("\n### ")) if i >= 0]
    end = start + len(HEADING) + (min(ends) + 1 if ends else len(rest))
    path.write_text(text[:start] + body + ("\n" if ends else "") + text[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="comma-separated record counts (default 1000,10000,100000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out", help="where projects are kept")
    parser.add_argument("--no-docs", action="store_true", help="print the subsection instead of writing it")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(SIZES)
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = bench_cli.child_env()
    rows = []
    for records in sizes:
        rows += measure(args.workdir, records, args.runs, env, lambda line: print(line, file=sys.stderr, flush=True))
    reproduce = "python bench/bench_layout.py" + (f" --sizes {args.sizes}" if args.sizes else "")
    body = markdown(rows, args.runs, reproduce)
    if args.no_docs:
        print(body)
    else:
        update_docs(DOCS, body)
        print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
