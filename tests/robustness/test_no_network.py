"""No network: the CLI, `imi mcp` and the language server open no network socket, connect nowhere,
look no host up. The only exception is the server's own TCP port when asked for one (`--tcp`).

Two independent witnesses:
- an audit hook (`sys.addaudithook`, installed through a `sitecustomize` on PYTHONPATH) records
  every socket Python code creates, binds or connects, and every host lookup, in every process;
- `strace -f -e trace=%network` records the system calls of the processes and all their children
  (git included), whatever language they are in. Skipped when strace is not installed.

Local IPC stays allowed: asyncio wakes its event loop through an AF_UNIX socketpair.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imi_testing import IMI
from lsp_wire import SERVER, Wire

AUDIT_HOOK = '''
import json, os, sys
_LOG = os.environ.get("IMI_TEST_SOCKET_LOG")
_EVENTS = {"socket.__new__", "socket.bind", "socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
           "socket.gethostbyaddr", "socket.getnameinfo", "socket.sendto", "socket.sendmsg"}
if _LOG:
    def _hook(event, args):
        if event in _EVENTS:
            if args and type(args[0]).__name__ == "socket":
                args = args[1:]  # the socket object itself: what matters is family, address, host
            with open(_LOG, "a") as log:
                log.write(json.dumps([os.getpid(), event, [a if isinstance(a, (int, str)) else repr(a)
                                                             for a in args]]) + "\\n")
    sys.addaudithook(_hook)
'''


def _workload(project, env: dict[str, str], run) -> None:
    """Real work through the CLI (reads, writes, claims, sync, export, a hook) and an MCP session."""
    project.file("src/app.py", "".join(f"line {i}\n" for i in range(1, 11)))
    for args in (["log", "no network, please", "--files", "src/app.py"], ["goal", "G"],
                 ["lesson", "sockets leak", "--correct-behavior", "open none", "--files", "src/app.py:3-4"],
                 ["context"], ["context", "--file", "src/app.py"], ["plan", "--json"], ["search", "network"],
                 ["status"], ["sync"], ["export"], ["check"]):
        result = run([*IMI, *args])
        assert result.returncode == 0, (args, result.stderr)
    goal = json.loads(run([*IMI, "plan", "--json"]).stdout)["goals"][0]["id"]
    task = json.loads(run([*IMI, "task", goal, "T", "--json"]).stdout)["id"]
    for args in (["start", task], ["ping", task], ["checkpoint", task, "half"], ["complete", task, "done"]):
        assert run([*IMI, *args]).returncode == 0, args
    hook = run([*IMI, "hook", "session-start"], input=json.dumps({"cwd": str(project.root)}).encode())
    assert hook.returncode == 0

    _mcp_session(run)


MCP_INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}


def _mcp_session(run) -> None:
    """`imi mcp`: initialize, then call two tools, answers read before stdin closes."""
    proc = run([*IMI, "mcp"], interactive=True)
    try:
        def say(message) -> None:
            proc.stdin.write(json.dumps(message).encode() + b"\n")
            proc.stdin.flush()

        def answer() -> dict:
            while True:
                line = proc.stdout.readline()
                assert line, proc.stderr.read().decode()
                message = json.loads(line)
                if "id" in message and "method" not in message:
                    return message

        say(MCP_INIT)
        assert "result" in answer()
        say({"jsonrpc": "2.0", "method": "notifications/initialized"})
        say({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "context", "arguments": {}}})
        assert "no network" in json.dumps(answer())
        say({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "search",
                                                                          "arguments": {"query": "network"}}})
        assert answer()["id"] == 3
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def _lsp_session(wire: Wire, root: Path) -> None:
    wire.initialize(root)
    uri = (root / "src" / "app.py").as_uri()
    wire.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                          "text": (root / "src" / "app.py").read_text()}})
    hover = wire.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 0}})
    assert "open none" in json.dumps(hover["result"]), hover
    assert wire.request("textDocument/codeLens", {"textDocument": {"uri": uri}})["result"]
    assert wire.request("workspace/symbol", {"query": "sockets"})["result"]
    assert "result" in wire.request("workspace/executeCommand", {"command": "imi.showContext", "arguments": []})
    time.sleep(1.2)  # the watcher polls the database at least twice
    assert wire.close() == 0


# the audit hook ---------------------------------------------------------------------------------
@pytest.fixture
def audited(project, tmp_path):
    """Run processes with the audit hook; returns (run, env, events())."""
    site = tmp_path / "audit-site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(AUDIT_HOOK)
    log = tmp_path / "sockets.jsonl"
    env = project.process_env({
        "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
        "IMI_TEST_SOCKET_LOG": str(log), "XDG_CACHE_HOME": str(tmp_path / "cache")})

    def run(argv, input=None, timeout=60, interactive=False):
        if interactive:
            return subprocess.Popen(argv, cwd=project.root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
        return subprocess.run(argv, cwd=project.root, env=env, input=input, capture_output=True, timeout=timeout)

    def events():
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    # the witness must be able to see: a process that does open a socket is recorded
    probe = run([sys.executable, "-c", "import socket; socket.socket(socket.AF_INET).close()"])
    assert probe.returncode == 0 and any(e[1] == "socket.__new__" and e[2][0] == socket.AF_INET for e in events())
    log.unlink()
    return run, env, events


def _network(events) -> list:
    """Events that are not local IPC: any socket but AF_UNIX, any bind, connect or lookup."""
    return [e for e in events if not (e[1] == "socket.__new__" and e[2][0] == socket.AF_UNIX)]


def test_cli_and_mcp_open_no_socket(project, audited):
    run, env, events = audited
    _workload(project, env, run)
    assert _network(events()) == []


def test_language_server_over_stdio_opens_no_socket(memory_for_lsp, audited):
    project = memory_for_lsp
    run, env, events = audited
    _lsp_session(Wire(project.root, env), project.root)
    assert _network(events()) == []


def test_language_server_over_tcp_only_listens_on_the_requested_port(memory_for_lsp, audited):
    project = memory_for_lsp
    run, env, events = audited
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "imi_lsp", "--tcp", "--port", str(port)], cwd=project.root,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wire = Wire(conn=_connect(port))
        wire.initialize(project.root)
        assert wire.request("workspace/symbol", {"query": "sockets"})["result"]
        wire.close()
        server.wait(timeout=15)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    others = [e for e in _network(events()) if e[0] == server.pid]
    assert others, "the audit hook saw nothing of the server: it proves nothing"
    for pid, event, args in others:
        if event == "socket.bind":
            assert args == [f"('127.0.0.1', {port})"], (event, args)
        elif event == "socket.getaddrinfo":
            assert args[:2] == ["127.0.0.1", port], (event, args)
        else:
            assert event == "socket.__new__" and args[0] in (socket.AF_INET, socket.AF_INET6), (event, args)
    assert not [e for e in _network(events()) if e[0] != server.pid]


def _connect(port: int, timeout: float = 20) -> socket.socket:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def memory_for_lsp(project):
    project.file("src/app.py", "".join(f"line {i}\n" for i in range(1, 11)))
    project.new("lesson", "sockets leak", "--correct-behavior", "open none", "--files", "src/app.py:3-4")
    return project


# strace -----------------------------------------------------------------------------------------
STRACE = shutil.which("strace")
SYSCALL = re.compile(r"^(\d+)\s+(\w+)\((.*)$")


def _syscalls(log: Path) -> list[tuple[str, str]]:
    if not log.exists():
        return []
    return [(m.group(2), m.group(3)) for m in map(SYSCALL.match, log.read_text().splitlines()) if m]


def _network_calls(calls) -> list:
    """System calls that reach beyond local IPC: a socket of any family but AF_UNIX, a connect or bind
    to anything but a unix path, a datagram to or from a network address."""
    bad = []
    for name, args in calls:
        if name == "socket" and not args.startswith("AF_UNIX"):
            bad.append((name, args[:200]))
        elif name in ("connect", "bind") and "AF_UNIX" not in args:
            bad.append((name, args[:200]))
        elif name in ("sendto", "sendmsg", "recvfrom", "recvmsg") and "sa_family=AF_INET" in args:
            bad.append((name, args[:200]))
    return bad


def _strace(log: Path) -> list[str]:
    return [STRACE, "-f", "-qq", "-A", "-e", "trace=%network", "-o", str(log)]


@pytest.fixture
def strace_log(tmp_path) -> Path:
    """A log for strace, once strace has shown it can see a socket being opened here."""
    if STRACE is None:
        pytest.skip("strace is not installed (apt-get install strace)")
    log = tmp_path / "strace.log"
    probe = subprocess.run([*_strace(log), sys.executable, "-c", "import socket; socket.socket(socket.AF_INET)"],
                           capture_output=True, timeout=60)
    if probe.returncode != 0 or not _network_calls(_syscalls(log)):
        pytest.skip(f"strace cannot trace here (is ptrace allowed?): {probe.stderr.decode()[-300:]}")
    log.unlink()
    return log


def test_strace_sees_no_network_from_the_cli_mcp_and_git(project, tmp_path, strace_log):
    env = project.process_env({"XDG_CACHE_HOME": str(tmp_path / "cache")})

    def run(argv, input=None, timeout=60, interactive=False):
        argv = [*_strace(strace_log), *argv]
        if interactive:
            return subprocess.Popen(argv, cwd=project.root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
        return subprocess.run(argv, cwd=project.root, env=env, input=input, capture_output=True, timeout=timeout)

    subprocess.run(["git", "init", "-q"], cwd=project.root, check=True)  # so the CLI really runs git
    _workload(project, env, run)
    # `imi mcp` is plain blocking stdio (no asyncio, so not even a socketpair): the log may hold nothing
    # of it. The fixture's probe showed strace sees sockets here, and every command answered under it.
    assert strace_log.exists(), "strace wrote no log"
    assert _network_calls(_syscalls(strace_log)) == []


def test_strace_sees_no_network_from_the_language_server(memory_for_lsp, tmp_path, strace_log):
    project = memory_for_lsp
    env = project.process_env({"XDG_CACHE_HOME": str(tmp_path / "cache")})
    _lsp_session(Wire(project.root, env, command=[*_strace(strace_log), *SERVER]), project.root)
    assert any(name == "socketpair" for name, _ in _syscalls(strace_log)), "strace saw nothing of the server"
    assert _network_calls(_syscalls(strace_log)) == []
