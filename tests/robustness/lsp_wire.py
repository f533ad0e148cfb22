"""A raw JSON-RPC client for the language server, able to send what a typed client never would:
malformed params, unknown methods, wrong types, bad JSON, huge documents.

It talks over the server's stdio (a process it starts) or over a TCP connection, answers the
server's own requests (configuration, capability registration, refreshes) with an empty result,
like a minimal editor, and keeps every notification it receives.
"""

from __future__ import annotations

import itertools
import json
import queue
import socket
import subprocess
import sys
import threading
import time

SERVER = [sys.executable, "-m", "imi_lsp"]


class Wire:
    """One server and the messages going back and forth."""

    def __init__(self, cwd=None, env: dict[str, str] | None = None, args: tuple[str, ...] = (),
                 command: list[str] | None = None, conn: socket.socket | None = None):
        self.conn = conn
        if conn is None:
            self.proc = subprocess.Popen([*(command or SERVER), *args], cwd=cwd, env=env, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            incoming = self.proc.stdout
        else:
            self.proc = None
            incoming = conn.makefile("rb")
        self.ids = itertools.count(1)
        self.responses: dict = {}
        self.arrived = threading.Condition()
        self.notifications: queue.Queue = queue.Queue()
        self.stderr = bytearray()
        self.write_lock = threading.Lock()
        threading.Thread(target=self._read, args=(incoming,), daemon=True).start()
        if self.proc is not None:
            threading.Thread(target=self._drain_stderr, daemon=True).start()

    # sending ---------------------------------------------------------------------------------------
    def send_bytes(self, body: bytes) -> None:
        frame = b"Content-Length: %d\r\n\r\n" % len(body) + body
        with self.write_lock:
            if self.conn is not None:
                self.conn.sendall(frame)
            else:
                self.proc.stdin.write(frame)
                self.proc.stdin.flush()

    def send(self, message) -> None:
        self.send_bytes(json.dumps(message).encode("utf-8", "surrogatepass"))

    def notify(self, method: str, params=None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, **({} if params is None else {"params": params})})

    def request(self, method: str, params=None, timeout: float = 60, **extra) -> dict:
        """Send a request and wait for its response (the whole response object: result or error)."""
        request_id = next(self.ids)
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method,
                   **({} if params is None else {"params": params}), **extra})
        return self.wait_for(request_id, timeout)

    def wait_for(self, request_id, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        key = json.dumps(request_id)
        with self.arrived:
            while key not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive():
                    state = "running" if self.alive() else f"exited {self.proc.returncode}"
                    raise AssertionError(f"no response to request {request_id!r} within {timeout} s (server "
                                         f"{state}); stderr: {self.stderr[-2000:].decode('utf-8', 'replace')}")
                self.arrived.wait(min(left, 0.2))
            return self.responses.pop(key)

    # receiving -------------------------------------------------------------------------------------
    def _read(self, stream) -> None:
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            message = json.loads(stream.read(length))
            if "method" in message and "id" in message:  # the server asks the client something
                self.send({"jsonrpc": "2.0", "id": message["id"],
                           "result": [] if message["method"] == "workspace/configuration" else None})
            elif "method" in message:
                self.notifications.put(message)
            else:
                with self.arrived:
                    self.responses[json.dumps(message.get("id"))] = message
                    self.arrived.notify_all()

    def _drain_stderr(self) -> None:
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):
            self.stderr += chunk

    # lifecycle -------------------------------------------------------------------------------------
    def initialize(self, root) -> dict:
        result = self.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {},
                                             "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}]})
        assert "result" in result, result
        self.notify("initialized", {})
        return result["result"]

    def alive(self) -> bool:
        return self.proc is None or self.proc.poll() is None

    def close(self, timeout: float = 10) -> int | None:
        """shutdown + exit; kill the process if it does not go. Returns its exit code."""
        try:
            self.request("shutdown", None, timeout=timeout)
            self.notify("exit")
            if self.proc is not None:
                self.proc.wait(timeout=timeout)
        except (AssertionError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.conn is not None:
                self.conn.close()
            elif self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if self.proc is not None:
                for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                    try:
                        pipe.close()
                    except OSError:
                        pass
        return None if self.proc is None else self.proc.returncode
