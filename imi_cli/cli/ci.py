"""`imi init --ci github|pre-commit`: a gate that checks the memory a change shares, and changes nothing.

Both run `imi doctor --check` (record files valid, no conflict markers, duplicate ids, dangling
links or secrets) and `imi check --stale` (no anchor whose code changed or is gone). An existing
file is never overwritten: it is left as it is and the output says what to add.
"""

from __future__ import annotations

from pathlib import Path

from ..memory import UsageError

GATE_COMMANDS = ("imi doctor --check", "imi check --stale")

GITHUB = """\
# Checks the project memory in .imi/records on every push and pull request (written by `imi init --ci github`).
name: imi memory
on: [push, pull_request]
permissions:
  contents: read
jobs:
  memory:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install imi-memory
      - run: imi doctor --check
      - run: imi check --stale
"""

PRE_COMMIT = """\
# Checks the project memory before each commit (written by `imi init --ci pre-commit`).
repos:
  - repo: local
    hooks:
      - id: imi-doctor
        name: imi doctor --check
        entry: imi doctor --check
        language: system
        pass_filenames: false
        always_run: true
      - id: imi-stale-anchors
        name: imi check --stale
        entry: imi check --stale
        language: system
        pass_filenames: false
        always_run: true
"""

TARGETS = {"github": (".github/workflows/imi.yml", GITHUB), "pre-commit": (".pre-commit-config.yaml", PRE_COMMIT)}


def parse(value: str) -> list[str]:
    """`github`, `pre-commit`, or both comma-separated; UsageError otherwise."""
    chosen = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in chosen if v not in TARGETS]
    if bad or not chosen:
        raise UsageError(f"--ci takes github or pre-commit (comma-separated for both), not {value!r}")
    return chosen


def install(root: Path, chosen: list[str]) -> list[tuple[str, str]]:
    """Write each chosen gate file unless one is there already; [(file, "added" | "unchanged" | "left")]."""
    out = []
    for name in chosen:
        rel, text = TARGETS[name]
        path = root / rel
        if path.exists():
            current = path.read_text(encoding="utf-8", errors="replace")
            out.append((rel, "unchanged" if all(c in current for c in GATE_COMMANDS) else "left"))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out.append((rel, "added"))
    return out


def lines(results: list[tuple[str, str]]) -> str:
    says = {"added": "added (commit it)", "unchanged": "already runs the IMI checks",
            "left": f"exists and was left as it is: add steps running {' and '.join(GATE_COMMANDS)} (docs/curation.md)"}
    return "\n".join(f"{rel}: {says[action]}" for rel, action in results)
