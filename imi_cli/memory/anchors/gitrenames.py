"""Where files went: git's rename detection between the commit an anchor was made at and the work tree."""

from __future__ import annotations

from pathlib import Path


def renames_since(root: Path, commit: str | None) -> dict[str, str]:
    """{old path: new path} for files git sees as renamed since `commit` (staged and unstaged changes
    included). Empty without git, without the commit, or on any git error."""
    import subprocess  # only when an anchored file is missing

    base = commit or "HEAD"
    try:
        result = subprocess.run(["git", "-C", str(root), "diff", "-M", "--name-status", "-z", base, "--"],
                                capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if result.returncode != 0:
        return {}
    fields = result.stdout.decode("utf-8", errors="replace").split("\0")
    found: dict[str, str] = {}
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status.startswith(("R", "C")) and index + 2 < len(fields):
            if status.startswith("R"):
                found[fields[index + 1]] = fields[index + 2]
            index += 3
        else:
            index += 2
    return found


def renamed_paths(root: Path, commits_by_path: dict[str, set[str | None]]) -> dict[str, str]:
    """{old path: new path} for missing files that git saw renamed since one of the commits their
    anchors were made at (one `git diff` per distinct commit)."""
    from ..gitinfo import head_commit

    if not commits_by_path or head_commit(root) is None:  # no repository (or no commit): nothing to ask
        return {}
    by_commit: dict[str | None, dict[str, str]] = {}
    found: dict[str, str] = {}
    for path, commits in commits_by_path.items():
        for commit in sorted(commits, key=lambda c: c or ""):
            if commit not in by_commit:
                by_commit[commit] = renames_since(root, commit)
            if path in by_commit[commit]:
                found[path] = by_commit[commit][path]
                break
    return found
