"""History replay: do the lessons an agent is given before an edit concern the code it changes?

    python bench/lesson_replay.py                 # requests, its last 6 released versions
    python bench/lesson_replay.py --versions 10

Released versions of `requests` (wheels from PyPI: the sources as released, cached under
~/.cache/imi/anchor-history) are committed one over the other in a scratch git repository.
At the first version, every top-level function and method gets a lesson anchored by symbol.
For each later version, an agent edits every file the version changes; a lesson is relevant
to that edit when the code it is anchored to changed (judged with Python's `ast`, outside
IMI). Three ways of picking lessons before the edit are scored:

- file-name baseline: the lessons whose recorded path is the edited file's name;
- IMI pre-edit hook: the lessons `Project.file_memory` gives for the file (what the hooks
  and MCP `file_memory` send), following moved and renamed code;
- IMI, changed anchors: of those, the ones whose anchor IMI reports changed or gone (the
  stale flag the hook shows).

After each version the lessons whose code changed are verified (re-anchored), as a person
would, so the next version is judged against the code as it then was.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

VERSIONS = ["2.25.1", "2.26.0", "2.27.1", "2.28.2", "2.31.0", "2.32.3", "2.24.0", "2.23.0", "2.22.0", "2.21.0"]
PACKAGE = "requests"


def fetch(version: str) -> Path:
    """The folder holding the version's package folder: the wheel anchor_history.py downloads and caches."""
    from anchor_history import fetch as fetch_release

    return fetch_release(version, PACKAGE)


def symbols(path: Path) -> dict[str, str]:
    """{qualified name: source} of the top-level functions and the methods of top-level classes."""
    try:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
    except (OSError, SyntaxError, ValueError):
        return {}
    out = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[node.name] = ast.get_source_segment(text, node) or ""
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out[f"{node.name}.{item.name}"] = ast.get_source_segment(text, item) or ""
    return out


def install(root: Path, version: str) -> None:
    shutil.rmtree(root / PACKAGE, ignore_errors=True)
    shutil.copytree(fetch(version) / PACKAGE, root / PACKAGE)
    subprocess.run(["git", "-C", str(root), "add", "-A", PACKAGE], check=True, capture_output=True)
    subprocess.run(["git", "-C", str(root), "-c", "user.name=r", "-c", "user.email=r@r", "commit", "-qm", version],
                   check=True, capture_output=True)


def score(given: set[str], relevant: set[str]) -> tuple[int, int, int]:
    return len(given & relevant), len(given), len(relevant)


def replay(versions: list[str]) -> dict[str, list[int]]:
    from imi_cli.memory import Project

    totals = {"file-name baseline": [0, 0, 0], "IMI pre-edit hook": [0, 0, 0], "IMI, changed anchors": [0, 0, 0]}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        install(root, versions[0])
        os.environ["IMI_AGENT_ID"] = "replay"
        with Project.open(root / ".imi" / "state.db", create=True) as project:
            lesson_of: dict[tuple[str, str], str] = {}  # (path, symbol) -> lesson id
            with project.transaction():
                for module in sorted((root / PACKAGE).rglob("*.py")):
                    rel = module.relative_to(root).as_posix()
                    for name in symbols(module):
                        lesson_of[(rel, name)] = project.add_lesson(f"{name} in {rel} broke once", "test it first",
                                                                    files=[f"{rel}#{name}"])
            path_of = {lesson: rel for (rel, _), lesson in lesson_of.items()}
            before = {rel: symbols(root / rel) for rel in {r for r, _ in lesson_of}}
            for version in versions[1:]:
                install(root, version)
                states = project.anchors()
                changed_by_imi = {s.record_id for s in states if s.now.status in ("changed", "orphaned")}
                verify = set()
                for rel, old in before.items():
                    new = symbols(root / rel)
                    if new == old:
                        continue  # the version does not touch this file: no edit to give lessons for
                    relevant = {lesson_of[(rel, n)] for n, src in old.items()
                                if (rel, n) in lesson_of and new.get(n) != src}
                    hook = {r.id for s in project.file_memory(rel, budget=10**6).sections if s.key == "lessons"
                            for r in s.records}
                    baseline = {lesson for lesson, path in path_of.items() if path == rel}
                    for key, given in (("file-name baseline", baseline), ("IMI pre-edit hook", hook),
                                       ("IMI, changed anchors", hook & changed_by_imi)):
                        for i, n in enumerate(score(given, relevant)):
                            totals[key][i] += n
                    verify |= relevant | (hook & changed_by_imi)
                    before[rel] = new
                for lesson in verify:  # a person re-anchors what changed (a symbol gone stays as it is)
                    try:
                        project.verify(lesson)
                    except Exception:  # noqa: BLE001 - an orphaned anchor cannot be re-anchored
                        pass
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=6, help="how many successive versions (2-10)")
    args = parser.parse_args()
    chosen = sorted(VERSIONS, key=lambda v: tuple(int(p) for p in v.split(".")))[-max(2, min(args.versions, 10)):]
    totals = replay(chosen)
    print(f"{PACKAGE} {chosen[0]} .. {chosen[-1]} ({len(chosen)} versions)")
    print("| lessons picked by | precision | recall | relevant given / given / relevant |")
    print("|---|---|---|---|")
    for key, (hit, given, relevant) in totals.items():
        precision = hit / given if given else 0.0
        recall = hit / relevant if relevant else 0.0
        print(f"| {key} | {precision:.1%} | {recall:.1%} | {hit} / {given} / {relevant} |")


if __name__ == "__main__":
    main()
