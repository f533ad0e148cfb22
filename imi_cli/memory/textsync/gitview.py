"""What git knows about the record files: which vanished version files a commit still holds and
where, which ones hold unresolved conflicts, which ones are committed.

Every question is one git process per commit looked in, asked only when files vanished or a
command needs the answer (sync, delete, doctor). Outside a repository, or without git, nothing
is in git.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

HEAD = "HEAD"


def git(root: Path, *args: str, stdin: str | None = None) -> str | None:
    """git's output run in `root`, or None when git fails (not a repository, no git installed)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    env.pop("GIT_DIR", None)  # a hook's environment points at the repository that ran it
    env.pop("GIT_INDEX_FILE", None)
    env.pop("GIT_WORK_TREE", None)
    try:
        proc = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, text=True, env=env,
                              timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def _records_in(root: Path, revision: str, folder: str) -> set[str]:
    """Every file under `folder` (relative to `root`) in a commit's tree (one `git ls-tree`: looking
    paths up one by one costs a tree walk each, minutes for thousands of files)."""
    out = git(root, "ls-tree", "-r", "-z", "--name-only", revision, "--", f"./{folder}")
    return set(out.split("\0")) - {""} if out else set()


def in_folder(root: Path, revision: str, folder: str) -> set[str]:
    """Every file under `folder` (relative to `root`) in a commit's tree."""
    return _records_in(root, revision, folder)


def in_head(root: Path, paths: list[str], folder: str) -> set[str]:
    """The paths (relative to `root`, all under `folder`) that the checked-out commit holds."""
    return set(paths) & _records_in(root, HEAD, folder) if paths else set()


def _other_places(root: Path) -> list[tuple[str, list[str]]]:
    """(name shown to a user, revisions to look in) for every branch, remote branch and stash entry."""
    places: list[tuple[str, list[str]]] = []
    refs = git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes") or ""
    places += [(f"branch {ref}", [ref]) for ref in refs.split() if not ref.endswith("/HEAD")]
    stashes = git(root, "stash", "list", "--format=%H") or ""
    for number, sha in enumerate(stashes.split()):
        places.append((f"stash@{{{number}}}", [sha, f"{sha}^3"]))  # tracked files, then untracked ones
    return places


def elsewhere(root: Path, paths: list[str], folder: str) -> dict[str, str]:
    """path -> where a commit other than the checked-out one holds it (a branch, a stash entry)."""
    found: dict[str, str] = {}
    wanted = set(paths)
    for name, revisions in _other_places(root):
        for revision in revisions:
            for path in wanted & _records_in(root, revision, folder):
                found.setdefault(path, name)
            wanted -= found.keys()
            if not wanted:
                return found
    return found


def packed_elsewhere(root: Path, names: list[str], folder: str) -> dict[str, str]:
    """version name -> where a pack that is not on disk holds it (a branch, a stash entry). Only the
    first line of each such pack is read (`git cat-file`): it lists the pack's versions."""
    import json

    found: dict[str, str] = {}
    wanted = set(names)
    seen: set[str] = set()
    for place, revisions in _other_places(root):
        for revision in revisions:
            for path in sorted(_records_in(root, revision, folder) - seen):
                seen.add(path)
                if (root / path).is_file():
                    continue
                text = git(root, "cat-file", "blob", f"{revision}:{path}") or ""
                try:
                    listed = json.loads(text.partition("\n")[0])["versions"]
                except (ValueError, KeyError, TypeError):
                    continue
                for entry in listed:
                    if isinstance(entry, list) and entry and entry[0] in wanted:
                        found.setdefault(entry[0], place)
                wanted -= found.keys()
                if not wanted:
                    return found
    return found


def restore_from_head(root: Path, paths: list[str]) -> list[str]:
    """Check these files out of the checked-out commit again; returns the ones that are back."""
    # No hooks: the post-checkout hook would run `imi sync`, which waits for the write lock this
    # process holds (30 s, then gives up): restoring a file is not a checkout anyone must hear of.
    if not paths or git(root, "-c", "core.hooksPath=/dev/null", "checkout", "-q", HEAD, "--pathspec-from-file=-",
                        "--pathspec-file-nul", stdin=_pathspecs(paths)) is None:
        return []
    return [path for path in paths if (root / path).is_file()]


def conflicted(root: Path, folder: str) -> set[str]:
    """Files under `folder` (relative to `root`) that git left unmerged: they hold conflict markers.
    (Read from the index alone: `git diff --diff-filter=U` also compared every file's content with
    the index, 0.2 s for a year of packs in a fresh clone.)"""
    out = git(root, "ls-files", "--unmerged", "-z", "--", f"./{folder}")  # "mode object stage\tpath" per stage
    return {entry.partition("\t")[2] for entry in out.split("\0") if entry} if out else set()


def changed(root: Path, folder: str) -> set[str]:
    """Files under `folder` that differ between the checked-out commit and the working tree or index."""
    out = git(root, "diff", "--name-only", "-z", "--relative", "HEAD", "--", f"./{folder}")
    return set(out.split("\0")) - {""} if out else set()


def tracked(root: Path, path: str) -> bool:
    """Whether git tracks this file (it is in the index)."""
    return bool(git(root, "ls-files", "--", f"./{path}"))


def untrack(root: Path, path: str) -> bool:
    """Stop tracking a file, keeping it on disk (`git rm --cached`)."""
    return git(root, "rm", "-q", "--cached", "--", f"./{path}") is not None


def unstage(root: Path, paths: list[str]) -> None:
    """Take files out of the index if they are staged (they are about to be removed)."""
    if paths:
        git(root, "rm", "-q", "--cached", "--ignore-unmatch", "--pathspec-from-file=-", "--pathspec-file-nul",
            stdin=_pathspecs(paths))


def _pathspecs(paths: list[str]) -> str:
    """Literal paths for `--pathspec-from-file` (thousands would not fit on a command line)."""
    return "".join(f":(literal){path}\0" for path in paths)
