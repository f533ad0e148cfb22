"""Where the real-client tests find the agent CLIs (installed by scripts/setup-agent-clis.sh), and how
they run one headless session against the fake model.

A missing CLI skips the test with the command to run, unless IMI_REQUIRE_AGENT_CLIS=1 (CI), where it fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CACHE = Path(os.environ.get("IMI_AGENT_CLIS") or
             Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "imi-agent-clis")
SETUP = "bash scripts/setup-agent-clis.sh"
# Variables of the user's own agent setup that must not reach a test session.
FOREIGN = ("ANTHROPIC_", "CLAUDE", "OPENAI_", "CODEX_", "GEMINI_", "GOOGLE_", "HTTP_PROXY", "HTTPS_PROXY",
           "http_proxy", "https_proxy", "ALL_PROXY")
TIMEOUT = 180  # a generous ceiling for one session on a loaded machine, not a speed assertion


def cli(name: str) -> Path:
    """The CLI's binary, or skip (fail under IMI_REQUIRE_AGENT_CLIS=1) saying how to install it."""
    path = CACHE / name / "node_modules" / ".bin" / name
    if path.exists():
        return path
    message = f"{name} is not installed in {CACHE} (run {SETUP})"
    if os.environ.get("IMI_REQUIRE_AGENT_CLIS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def session_env(project, home: Path, extra: dict[str, str]) -> dict[str, str]:
    """The project's environment with a private HOME, `imi` first on PATH, nothing of the user's own setup."""
    env = {k: v for k, v in project.process_env().items() if not k.startswith(FOREIGN)}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), XDG_CONFIG_HOME=str(home / ".config"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)]),
               NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", **extra)
    return env


def run(argv: list, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"{argv[0]} exited {proc.returncode}\nstdout: {proc.stdout[-3000:]}\n" \
                                 f"stderr: {proc.stderr[-3000:]}"
    return proc
