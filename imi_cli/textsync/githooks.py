"""Git hooks that bring the database up to date after git changes the record files.

`imi` also notices changed record folders on its own at every command; the hooks
make the editor's view current right after `git pull`, `merge`, `checkout` or
`rebase`, before any `imi` command runs. Hooks already there keep working: ours
is a marked block added to the end of a shell hook, or, for a hook in another
language, a shell hook that runs the original first.
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
            "if command -v imi >/dev/null 2>&1; then imi sync --quiet || true\n"
            f"elif [ -x '{python}' ]; then '{python}' -m imi_cli sync --quiet || true\n"
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
        elif text.startswith("#!") and "sh" in text.splitlines()[0].split("/")[-1]:
            updated = text.rstrip("\n") + "\n\n" + _block()
        else:  # another language: keep it as is, run it first from a shell hook
            chained = folder / f"{name}.imi-chained"
            os.replace(hook, chained)
            updated = f'#!/bin/sh\n"$(dirname "$0")/{chained.name}" "$@" || exit $?\n' + _block()
        if updated != text:
            hook.write_text(updated)
            hook.chmod(0o755)
            changed.append(name)
    return changed
