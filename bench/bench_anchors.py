"""Time anchor status computation (issue 4: 1,000 anchors across 500 files in at most 1 s) and write the
"## Anchors" section of docs/benchmarks.md.

    python bench/bench_anchors.py              # 500 files, 1,000 anchors
    python bench/bench_anchors.py --no-docs    # print only

A git repository of 500 Python and TypeScript files gets 1,000 lessons, each anchored
to a function (by symbol or by lines). Then the code changes the way it does in a day
of work: lines inserted above a third of the anchors, a tenth of the anchored bodies
edited, some functions deleted, some files renamed with `git mv`. What is timed is
`all_anchors` (every anchor's status) in process, and `imi check --stale --json` as a
fresh process.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from imi_cli.memory import Project, find_symbol  # noqa: E402

DOCS = REPO / "docs" / "benchmarks.md"
HEADING = "## Anchors"
TARGET_S = 1.0
RESOLVE_TARGET_MS = 20.0
RESOLVE_LINES = 5000


def _function(name: str, lang: str, rng: random.Random) -> list[str]:
    body = [f"value_{i} = compute_{rng.randrange(100)}(value_{i - 1})" for i in range(1, rng.randrange(4, 12))]
    if lang == "py":
        return [f"def {name}(value_0):", *[f"    {line}" for line in body], "    return value_0", "", ""]
    return [f"export function {name}(value_0: number): number {{", *[f"  const {line};" for line in body],
            "  return value_0;", "}", ""]


def make_project(root: Path, files: int, anchors: int, seed: int = 7) -> list[tuple[str, str]]:
    """Write the repository and its memory; returns (path, function) of every anchor."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for key, value in (("user.email", "bench@example.com"), ("user.name", "bench")):
        subprocess.run(["git", "-C", str(root), "config", key, value], check=True)
    per_file = anchors // files
    targets = []
    for index in range(files):
        lang = "py" if index % 2 else "ts"
        path = f"src/mod{index // 50}/file{index}.{lang}"
        lines = [f"// module {index}" if lang == "ts" else f"# module {index}", ""]
        for number in range(per_file + 2):
            name = f"fn_{index}_{number}"
            lines += _function(name, lang, rng)
            if number < per_file:
                targets.append((path, name))
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("\n".join(lines) + "\n")
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "code"], check=True)
    os.environ["IMI_DB"] = str(root / ".imi" / "state.db")
    with Project.open(root / ".imi" / "state.db", create=True, agent="bench") as project, project.transaction():
        for number, (path, name) in enumerate(targets):
            spec = f"{path}#{name}"
            if number % 2:  # half by lines, half by symbol
                start, end = find_symbol((root / path).read_text().splitlines(), path, name)
                spec = f"{path}:{start}-{end}"
            project.add_lesson(f"lesson {number} about {name}", "do it right", "ci", [spec])
    return targets


def change_code(root: Path, targets: list[tuple[str, str]], seed: int = 11) -> dict[str, int]:
    """A day of edits: insertions above, edits inside, deletions, git renames."""
    rng = random.Random(seed)
    counts = {"inserted_above": 0, "edited": 0, "deleted": 0, "renamed_files": 0}
    by_file: dict[str, list[str]] = {}
    for path, name in targets:
        by_file.setdefault(path, []).append(name)
    for path, names in by_file.items():
        file = root / path
        text = file.read_text()
        choice = rng.random()
        if choice < 0.33:
            text = text.replace(names[0], names[0], 1)
            head, _, rest = text.partition("\n")
            text = head + "\n" + "\n".join(f"# added line {i}" if path.endswith(".py") else f"// added {i}"
                                           for i in range(rng.randrange(3, 20))) + "\n" + rest
            counts["inserted_above"] += 1
        elif choice < 0.43:
            text = text.replace("compute_", "calculate_", 2)
            counts["edited"] += 1
        elif choice < 0.46:
            marker = "def " if path.endswith(".py") else "export function "
            start = text.find(marker + names[0])
            end = text.find(marker, start + 1)
            text = text[:start] + text[end:]
            counts["deleted"] += 1
        file.write_text(text)
        if rng.random() < 0.05:
            new = path.replace("file", "renamed")
            subprocess.run(["git", "-C", str(root), "mv", path, new], check=True)
            counts["renamed_files"] += 1
    return counts


def time_in_process(root: Path, runs: int) -> tuple[list[float], dict[str, int]]:
    times, statuses = [], {}
    with Project.open(root / ".imi" / "state.db", readonly=True) as project:
        for _ in range(runs):
            started = time.perf_counter()
            states = project.anchors()
            times.append(time.perf_counter() - started)
    for state in states:
        statuses[state.now.status] = statuses.get(state.now.status, 0) + 1
    return times, statuses


def time_python(runs: int) -> list[float]:
    """`python -c pass`: the machine's pace in the same run (a loaded machine makes every row slower)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - started)
    return times


def time_cli(root: Path, runs: int) -> list[float]:
    times = []
    env = {**os.environ, "IMI_DB": str(root / ".imi" / "state.db")}
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "imi_cli", "check", "--stale", "--json"], cwd=root, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


_BIG_FILE = {  # one class of ten lines, repeated: strings, comments, brackets and decorators on most lines
    "py": lambda i: [f"class Handler{i}(Base):", '    """Route (with) [brackets] and a # in a docstring."""',
                     "    @property", "    def name(self, a, b={'x': 1}):", '        s = "it\'s # not a comment"',
                     "        return a + b  # comment", "", "    def last(self):", "        return 1", ""],
    "ts": lambda i: [f"export class Handler{i} extends Base {{", "  // a comment with a { brace",
                     "  @Input() name = `x${1}`;", "  last(a: string, b = {x: 1}): number {",
                     '    const s = "}";', "    return a.length + b.x;", "  }", "  other(): number { return 1; }",
                     "}", ""],
    "go": lambda i: [f"type Handler{i} struct {{", "\tName string // a { brace", "}", "",
                     f"func (h *Handler{i}) last(a string) int {{", '\ts := "}"', "\treturn len(a) + len(s)",
                     "}", "", ""],
    "rs": lambda i: [f"pub struct Handler{i} {{", "    name: String, // a { brace", "}", "",
                     f"impl Handler{i} {{", "    #[inline]", "    pub fn last<'a>(&self, a: &'a str) -> usize {",
                     '        a.len() + "}".len() }', "}", ""],
}


def time_resolve(runs: int) -> dict[str, list[float]]:
    """Seconds to find the last class's method in a 5,000-line file of each language (no cache: a new
    list of lines each time, as when the file is read again)."""
    times: dict[str, list[float]] = {}
    for ext, make in _BIG_FILE.items():
        blocks = RESOLVE_LINES // 10
        text = "\n".join(line for i in range(blocks) for line in make(i))
        times[ext] = []
        for run in range(runs):
            lines = text.splitlines()
            lines[0] += f"  # read again after edit {run}"  # a new text each time: no outline is reused
            started = time.perf_counter()
            found = find_symbol(lines, f"big.{ext}", f"Handler{blocks - 1}.last")
            times[ext].append(time.perf_counter() - started)
            assert found is not None, ext
    return times


def markdown(files: int, anchors: int, counts: dict, statuses: dict, inproc: list[float], cli: list[float],
             resolve: dict[str, list[float]], python: list[float]) -> str:
    med, worst = statistics.median(inproc), max(inproc)
    cli_med = statistics.median(cli)
    return "\n".join([
        HEADING, "",
        f"{anchors:,} anchors (half by symbol, half by line range) in {files} Python and TypeScript files of a git "
        f"repository, after a day of edits: {counts['inserted_above']} files with lines inserted above their "
        f"anchors, {counts['edited']} with anchored code edited, {counts['deleted']} with an anchored function "
        f"deleted, {counts['renamed_files']} renamed with `git mv`. Resulting statuses: "
        + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) + ".",
        "",
        "| what | median | worst | target |",
        "|---|---:|---:|---:|",
        f"| status of every anchor, in process (`anchors.review.all_anchors`) | {med * 1000:.0f} ms | "
        f"{worst * 1000:.0f} ms | ≤ {TARGET_S:.0f} s {'(met)' if worst <= TARGET_S else '(**missed**)'} |",
        f"| `imi check --stale --json`, fresh process | {cli_med * 1000:.0f} ms | {max(cli) * 1000:.0f} ms | |",
        *[f"| resolving a method in a {RESOLVE_LINES:,}-line .{ext} file (`find_symbol`) | "
          f"{statistics.median(t) * 1000:.1f} ms | {max(t) * 1000:.1f} ms | ≤ {RESOLVE_TARGET_MS:.0f} ms "
          f"{'(met)' if statistics.median(t) * 1000 <= RESOLVE_TARGET_MS else '(**missed**)'} |"
          for ext, t in resolve.items()],
        f"| `python -c pass` in the same run (the machine's pace) | {statistics.median(python) * 1000:.0f} ms | "
        f"{max(python) * 1000:.0f} ms | |",
        "",
        f"Reproduce: `python bench/bench_anchors.py` ({os.cpu_count()} cores, Python {sys.version.split()[0]}; "
        f"measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}).",
        "",
    ])


def update_docs(body: str) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    if HEADING in text:
        start = text.index(HEADING)
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + body + (text[end + 1:] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    DOCS.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--anchors", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="imi-anchors-") as scratch:
        root = Path(scratch)
        targets = make_project(root, args.files, args.anchors)
        counts = change_code(root, targets)
        inproc, statuses = time_in_process(root, args.runs)
        cli = time_cli(root, args.runs)
    resolve = time_resolve(max(args.runs, 9))
    python = time_python(max(args.runs, 5))
    body = markdown(args.files, len(targets), counts, statuses, inproc, cli, resolve, python)
    print(body)
    if not args.no_docs:
        update_docs(body)
    return 0 if max(inproc) <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
