"""The language server under messages a typed client never sends, over its real stdio: requests
after `shutdown`, requests that are not JSON-RPC 2.0, bodies that are not JSON, batches, and
notifications with broken params. Each request gets the error the protocol names; nothing pops up
an "Error in server" message in the user's editor; the server keeps serving.
"""

from __future__ import annotations

import json
import queue

import pytest

from lsp_wire import Wire

APP = "".join(f"line {i}\n" for i in range(1, 8))
PARSE_ERROR, INVALID_REQUEST = -32700, -32600


@pytest.fixture
def wire(project, tmp_path):
    project.file("src/app.py", APP)
    project.ok("lesson", "the mutex was dropped", "--correct-behavior", "hold it", "--files", "src/app.py:3-4")
    server = Wire(project.root, project.process_env({"XDG_CACHE_HOME": str(tmp_path / "cache")}))
    server.initialize(project.root)
    server.uri = (project.root / "src" / "app.py").as_uri()
    server.notify("textDocument/didOpen", {"textDocument": {"uri": server.uri, "languageId": "python",
                                                            "version": 1, "text": APP}})
    yield server
    if not getattr(server, "exited", False):
        assert server.alive(), server.stderr[-3000:].decode("utf-8", "replace")
        server.close()


def hover(server: Wire, **extra) -> dict:
    return server.request("textDocument/hover", {"textDocument": {"uri": server.uri},
                                                 "position": {"line": 2, "character": 0}}, **extra)


def received(server: Wire, method: str) -> list[str]:
    """The messages of every `method` notification the server sent so far (each is read once)."""
    server.seen = getattr(server, "seen", [])
    while True:
        try:
            server.seen.append(server.notifications.get_nowait())
        except queue.Empty:
            return [m["params"]["message"] for m in server.seen if m["method"] == method]


def popups(server: Wire) -> list[str]:
    """Every window/showMessage the server sent so far (what the user would see pop up)."""
    return received(server, "window/showMessage")


def assert_serves(server: Wire) -> None:
    answer = hover(server)
    assert "hold it" in json.dumps(answer.get("result")), answer


def test_a_request_after_shutdown_gets_invalid_request(wire):
    assert wire.request("shutdown")["result"] is None
    answer = hover(wire)
    assert answer["error"]["code"] == INVALID_REQUEST, answer
    assert "shut" in answer["error"]["message"]
    wire.notify("exit")
    wire.exited = True
    wire.proc.wait(timeout=10)
    assert wire.proc.returncode == 0


@pytest.mark.parametrize("version", ["1.0", None, 2, "2"])
def test_a_request_that_is_not_json_rpc_2_gets_an_error(wire, version):
    message = {"id": 41, "method": "textDocument/hover",
               "params": {"textDocument": {"uri": wire.uri}, "position": {"line": 2, "character": 0}}}
    if version is not None:
        message["jsonrpc"] = version
    wire.send(message)
    answer = wire.wait_for(41)
    assert answer["error"]["code"] == INVALID_REQUEST, answer
    assert answer["jsonrpc"] == "2.0"
    assert_serves(wire)
    assert popups(wire) == []


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe garbage", b"[]", b"42", b'"text"'])
def test_a_body_that_is_not_a_message_gets_a_parse_or_invalid_request_error(wire, body):
    wire.send_bytes(body)
    answer = wire.wait_for(None)
    assert answer["error"]["code"] in (PARSE_ERROR, INVALID_REQUEST), answer
    assert_serves(wire)
    assert popups(wire) == []


def test_a_batch_gets_an_error_for_each_request_in_it(wire):
    request = {"jsonrpc": "2.0", "method": "textDocument/hover",
               "params": {"textDocument": {"uri": wire.uri}, "position": {"line": 2, "character": 0}}}
    wire.send([{**request, "id": 51}, {"jsonrpc": "2.0", "method": "initialized", "params": {}}, {**request, "id": 52}])
    for request_id in (51, 52):
        assert wire.wait_for(request_id)["error"]["code"] == INVALID_REQUEST
    assert_serves(wire)
    assert popups(wire) == []


def test_bad_notifications_are_logged_not_shown(wire, project):
    other = (project.root / "src" / "never_opened.py").as_uri()
    wire.notify("textDocument/didChange", {"textDocument": {"uri": other, "version": 2},
                                           "contentChanges": [{"text": "x"}]})
    wire.notify("textDocument/didChange", {"textDocument": {"uri": other, "version": 2},
                                           "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                                                         "end": {"line": 0, "character": 0}},
                                                               "text": "x"}]})
    wire.notify("textDocument/didClose", {"textDocument": {"uri": other}})
    wire.notify("textDocument/didOpen", {"textDocument": "not a document"})
    wire.notify("textDocument/didChange", {"contentChanges": 5})
    wire.notify("workspace/didChangeWorkspaceFolders", {"event": None})
    assert_serves(wire)
    assert popups(wire) == []
    # what went wrong is still written down for whoever reads the log
    assert "never_opened.py" in "\n".join(received(wire, "window/logMessage"))
