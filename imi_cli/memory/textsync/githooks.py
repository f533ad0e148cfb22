"""Git hooks that bring the database up to date after git changes the record files.

`imi` also notices changed record folders on its own at every command; the hooks
make the editor's view current right after `git pull`, `merge`, `checkout` or
`rebase`, before any `imi` command runs. Hooks already there keep working: the
original is kept under another name and our hook runs it first, then syncs.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

HOOKS = ("post-merge", "post-checkout", "post-rewrite")
BEGIN, END = "# >>> imi: keep .imi/state.db in step with .imi/records >>>", "# <<< imi <<<"


def _block(prefix: str = "") -> str:
    """The hook's sync, run in the project's folder (`prefix`: where it is below the repository's
    top, where git runs hooks) and only when that checkout has memory: a worktree or a branch
    without it has nothing to sync, and must not print an error on every checkout."""
    python = shlex.quote(sys.executable)
    here = shlex.quote(f"./{prefix}")
    return (f"{BEGIN}\n"
            f"if [ -d {here}.imi/records ] || [ -f {here}.imi/state.db ]; then (\n"
            f"  cd {here} || exit 0\n"
            # the Python that installed the hook first: an older `imi` (IMI 0.3) may come first on PATH
            f"  if [ -x {python} ]; then {python} -m imi_cli sync --quiet || true\n"
            "  elif command -v imi >/dev/null 2>&1; then imi sync --quiet || true\n"
            "  fi\n"
            ")\nfi\n"
            f"{END}\n")


def _prefix(root: Path) -> str:
    """The project's folder below the repository's top, with a final slash ("" at the top)."""
    try:
        result = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-prefix"], capture_output=True,
                                text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def hooks_dir(root: Path) -> Path | None:
    """Where git runs hooks from for the repository at `root` (honours core.hooksPath), or None."""
    try:
        result = subprocess.run(["git", "-C", str(root), "rev-parse", "--git-path", "hooks"],
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0 or not result.stdout.strip():
        return None
    path = Path(result.stdout.strip())
    return path if path.is_absolute() else (root / path).resolve()


def install(root: Path) -> list[str]:
    """Add the sync block to each hook (idempotent); returns the hooks changed."""
    folder = hooks_dir(root)
    if folder is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    block = _block(_prefix(root))
    changed = []
    for name in HOOKS:
        hook = folder / name
        text = hook.read_text(errors="replace") if hook.exists() else ""
        if BEGIN in text:
            before, _, rest = text.partition(BEGIN)
            updated = before + block + rest.partition(END)[2].lstrip("\n")
        elif not text:
            updated = "#!/bin/sh\n" + block
        else:
            # A hook was here. Appending to it is not safe (a script that ends with `exit` or
            # `exec`, as framework-installed hooks do, would never reach our block): keep it
            # unchanged under another name, run it first with the same arguments and input,
            # then sync, and exit with its status.
            chained = _free_name(folder, f"{name}.imi-chained")
            os.replace(hook, chained)
            if not os.access(chained, os.X_OK):
                chained.chmod(chained.stat().st_mode | 0o111)
            updated = (f'#!/bin/sh\n"$(dirname "$0")/{chained.name}" "$@"\nstatus=$?\n' + block
                       + "exit $status\n")
        if updated != text:
            hook.write_text(updated)
            hook.chmod(0o755)
            changed.append(name)
    return changed


def _free_name(folder: Path, name: str) -> Path:
    """`name`, or `name.2`, `name.3`...: never overwrite a hook kept earlier."""
    candidate, number = folder / name, 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{name}.{number}"
    return candidate
