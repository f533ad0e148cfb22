"""The README's first command on a machine with only the system Python (Debian's is externally managed,
so a bare `pip install` fails there): afterwards the demo has run and `imi`, `imi-lsp` and `imi mcp` answer."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = Path("/usr/bin/python3")


def readme_first_command() -> str:
    setup = (ROOT / "README.md").read_text().split("## Set up", 1)[1]
    return setup.split("```sh\n", 1)[1].split("```", 1)[0].strip()


def fresh_copy(target: Path) -> None:
    """The files a clone of this working tree would have (tracked and new, nothing ignored)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


@pytest.mark.slow
def test_the_first_command_works_with_only_the_system_python(tmp_path):
    usable = SYSTEM_PYTHON.is_file() and subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))"]).returncode == 0
    if not usable:
        pytest.skip("no system Python 3.11+ with venv at /usr/bin/python3 (Debian: apt-get install python3-venv)")
    clone = tmp_path / "imi"
    fresh_copy(clone)
    env = {"HOME": str(Path.home()), "PATH": "/usr/bin:/bin", "TERM": "dumb", "LC_ALL": "C.UTF-8"}

    setup = subprocess.run(["sh", "-c", readme_first_command()], cwd=clone, env=env, capture_output=True, text=True,
                           timeout=900)

    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    assert "imi context --file src/auth/refresh.ts" in setup.stdout  # the demo ran to its end
    demo, bin_dir = clone / "imi-demo", clone / ".venv" / "bin"
    context = subprocess.run([str(bin_dir / "imi"), "context"], cwd=demo, env=env, capture_output=True, text=True,
                             timeout=120)
    assert "Silent token refresh" in context.stdout or "Auth that never logs" in context.stdout, context.stderr

    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"processId": None, "rootUri": demo.as_uri(), "capabilities": {}}}
    lsp = subprocess.run([str(bin_dir / "imi-lsp")], cwd=demo, env=env, capture_output=True, timeout=120,
                         input=frame(initialize) + frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
                         + frame({"jsonrpc": "2.0", "method": "exit"}))
    assert b'"capabilities"' in lsp.stdout, lsp.stderr[-2000:]

    mcp_lines = [{"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                             "clientInfo": {"name": "readme-test", "version": "1"}}},
                 {"jsonrpc": "2.0", "method": "notifications/initialized"},
                 {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}]
    mcp = subprocess.run([str(bin_dir / "imi"), "mcp"], cwd=demo, env=env, capture_output=True, text=True,
                         timeout=120, input="".join(json.dumps(line) + "\n" for line in mcp_lines))
    answers = {reply.get("id"): reply for reply in map(json.loads, mcp.stdout.splitlines())}
    assert "result" in answers.get(2, {}) and answers[2]["result"]["tools"], mcp.stdout[-2000:] + mcp.stderr[-2000:]
