"""Git hooks that bring the database up to date after git changes the record files.

`imi` also notices changed record folders on its own at every command; the hooks
make the editor's view current right after `git pull`, `merge`, `checkout` or
`rebase`, before any `imi` command runs. Hooks already there keep working: the
original is kept under another name and our hook runs it first, then syncs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HOOKS = ("post-merge", "post-checkout", "post-rewrite")
BEGIN, END = "# >>> imi: keep .imi/state.db in step with .imi/records >>>", "# <<< imi <<<"


def _block() -> str:
    python = sys.executable
    return (f"{BEGIN}\n"
            # the Python that installed the hook first: an older `imi` (IMI 0.3) may come first on PATH
            f"if [ -x '{python}' ]; then '{python}' -m imi_cli sync --quiet || true\n"
            "elif command -v imi >/dev/null 2>&1; then imi sync --quiet || true\n"
            "fi\n"
            f"{END}\n")


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
    changed = []
    for name in HOOKS:
        hook = folder / name
        text = hook.read_text(errors="replace") if hook.exists() else ""
        if BEGIN in text:
            before, _, rest = text.partition(BEGIN)
            updated = before + _block() + rest.partition(END)[2].lstrip("\n")
        elif not text:
            updated = "#!/bin/sh\n" + _block()
        else:
            # A hook was here. Appending to it is not safe (a script that ends with `exit` or
            # `exec`, as framework-installed hooks do, would never reach our block): keep it
            # unchanged under another name, run it first with the same arguments and input,
            # then sync, and exit with its status.
            chained = _free_name(folder, f"{name}.imi-chained")
            os.replace(hook, chained)
            if not os.access(chained, os.X_OK):
                chained.chmod(chained.stat().st_mode | 0o111)
            updated = (f'#!/bin/sh\n"$(dirname "$0")/{chained.name}" "$@"\nstatus=$?\n' + _block()
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
