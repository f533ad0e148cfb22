"""The commit a record was made at, read from `.git` directly (no subprocess: it runs on every write)."""

from __future__ import annotations

from pathlib import Path


def _git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():  # worktrees and submodules: "gitdir: <path>"
        text = dot_git.read_text(errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text[7:].strip())
            return target if target.is_absolute() else (root / target).resolve()
    return None


def _common_dir(git_dir: Path) -> Path:
    common = git_dir / "commondir"
    if common.is_file():
        return (git_dir / common.read_text().strip()).resolve()
    return git_dir


def head_commit(root: Path) -> str | None:
    """The full sha of HEAD in the repository at `root`, or None (no git, no commits yet)."""
    try:
        git_dir = _git_dir(root)
        if git_dir is None:
            return None
        head = (git_dir / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head or None
        ref = head[4:].strip()
        for base in (git_dir, _common_dir(git_dir)):
            ref_file = base / ref
            if ref_file.is_file():
                return ref_file.read_text().strip() or None
            packed = base / "packed-refs"
            if packed.is_file():
                for line in packed.read_text().splitlines():
                    if line.endswith(" " + ref):
                        return line.split(" ", 1)[0]
    except OSError:
        return None
    return None


def index_mtime(root: Path) -> int | None:
    """When git's index last changed (nanoseconds), or None: `git add`, `git mv` and checkouts change it."""
    try:
        git_dir = _git_dir(root)
        return (git_dir / "index").stat().st_mtime_ns if git_dir is not None else None
    except OSError:
        return None
