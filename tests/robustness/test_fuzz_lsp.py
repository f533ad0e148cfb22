"""The language server under bad requests, over its real stdio: unknown methods, malformed and
wrongly typed params, broken JSON, huge documents. Every request gets an answer (a result or an
error), the server never dies, and it still serves a normal request afterwards. A command that
fails writes nothing.
"""

from __future__ import annotations

import copy
import json
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from lsp_wire import Wire

SETTINGS = settings(deadline=None, database=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
APP = "".join(f"line {i}\n" for i in range(1, 11))
KNOWN = set(types.METHOD_TO_TYPES)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**31, max_value=2**70)
    | st.floats() | st.text(max_size=20)
    | st.sampled_from(["", "file:///", "file:///etc/passwd", "file:///nonexistent/x.py", "untitled:1", "http://x/",
                       "not a uri", "file://%00", "imi.showRecord", "\x00", "é" * 1000]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8)


@pytest.fixture
def memory(project):
    """src/app.py named by a lesson (lines 3-4) and a decision; a goal with a task."""
    project.file("src/app.py", APP)
    ids = {"lesson": project.new("lesson", "the mutex was dropped before the write", "--correct-behavior",
                                 "hold the lock across the write", "--files", "src/app.py:3-4"),
           "decision": project.new("decide", "use WAL mode", "readers never block", "--files", "src/*.py"),
           "goal": project.new("goal", "ship the server")}
    ids["task"] = project.new("task", ids["goal"], "wire the lenses", "--files", "src/app.py")
    return project, ids


@pytest.fixture
def wire(memory, tmp_path):
    project, _ = memory
    env = project.process_env({"XDG_CACHE_HOME": str(tmp_path / "cache")})
    server = Wire(project.root, env)
    server.caps = server.initialize(project.root)
    server.uri = (project.root / "src" / "app.py").as_uri()
    _open(server, APP)
    yield server
    assert server.alive(), f"the server died: {server.stderr[-3000:].decode('utf-8', 'replace')}"
    assert server.close() == 0


def _open(server: Wire, text: str, version: int = 1) -> None:
    server.notify("textDocument/didOpen", {"textDocument": {"uri": server.uri, "languageId": "python",
                                                            "version": version, "text": text}})


def _hover(server: Wire, line: int = 2) -> dict:
    return server.request("textDocument/hover", {"textDocument": {"uri": server.uri},
                                                 "position": {"line": line, "character": 0}})


def assert_serves(server: Wire, strict: bool = False) -> None:
    """The server is alive and answers a hover and a workspace symbol search without an error;
    `strict`: with the lesson the project holds."""
    assert server.alive(), server.stderr[-3000:].decode("utf-8", "replace")
    hover = _hover(server)
    assert "error" not in hover, hover
    symbols = server.request("workspace/symbol", {"query": "mutex"})
    assert isinstance(symbols.get("result"), list), symbols
    if strict:
        assert "hold the lock across the write" in json.dumps(hover["result"]), hover
        assert any("mutex" in s["name"] for s in symbols["result"]), symbols


def _restore(server: Wire, root) -> None:
    """Undo what a fuzzed notification may legitimately change: folders, settings, the open document."""
    server.notify("workspace/didChangeWorkspaceFolders",
                  {"event": {"added": [{"uri": root.as_uri(), "name": root.name}], "removed": []}})
    server.notify("workspace/didChangeConfiguration", {"settings": {}})
    _open(server, APP, version=int(time.monotonic() * 1000) % 2**31)


def test_a_fresh_server_serves(wire):
    assert_serves(wire, strict=True)


# unknown methods --------------------------------------------------------------------------------
methods = st.one_of(st.text(max_size=40), st.sampled_from(["textDocument/nope", "workspace/nope", "imi/anything",
                                                            "$/nope", "", " ", "initialize/", "textdocument/hover",
                                                            "TEXTDOCUMENT/HOVER", "x" * 10_000]))


@settings(SETTINGS, max_examples=150)
@given(method=methods.filter(lambda m: m not in KNOWN), params=json_values, as_request=st.booleans())
def test_unknown_methods_get_method_not_found(wire, method, params, as_request):
    if as_request:
        answer = wire.request(method, params)
        if not method.startswith("$/"):
            assert answer.get("error", {}).get("code") == -32601, answer  # MethodNotFound
    else:
        wire.notify(method, params)
    assert_serves(wire)


# malformed params for the methods the server handles ------------------------------------------
def _valid(uri: str) -> dict[str, dict]:
    doc = {"uri": uri}
    pos = {"line": 2, "character": 0}
    rng = {"start": pos, "end": {"line": 3, "character": 0}}
    return {
        "textDocument/hover": {"textDocument": doc, "position": pos},
        "textDocument/codeLens": {"textDocument": doc},
        "codeLens/resolve": {"range": rng, "data": {"uri": uri}},
        "textDocument/codeAction": {"textDocument": doc, "range": rng, "context": {"diagnostics": []}},
        "workspace/symbol": {"query": "mutex"},
        "workspace/executeCommand": {"command": "imi.showRecord", "arguments": ["x"]},
        "textDocument/didOpen": {"textDocument": {**doc, "languageId": "python", "version": 7, "text": APP}},
        "textDocument/didChange": {"textDocument": {**doc, "version": 8},
                                   "contentChanges": [{"range": rng, "text": "changed\n"}]},
        "textDocument/didClose": {"textDocument": doc},
        "textDocument/didSave": {"textDocument": doc},
        "workspace/didChangeConfiguration": {"settings": {"imi": {}}},
        "workspace/didChangeWorkspaceFolders": {"event": {"added": [], "removed": []}},
        "workspace/didChangeWatchedFiles": {"changes": [{"uri": uri, "type": 2}]},
        "textDocument/documentSymbol": {"textDocument": doc},
        "textDocument/completion": {"textDocument": doc, "position": pos},
    }


REQUESTS = {"textDocument/hover", "textDocument/codeLens", "codeLens/resolve", "textDocument/codeAction",
            "workspace/symbol", "workspace/executeCommand", "textDocument/documentSymbol", "textDocument/completion"}


@st.composite
def mutated(draw, value):
    """`value` with one to three of its parts (or itself) replaced by any JSON value, or a key dropped."""
    value = copy.deepcopy(value)
    for _ in range(draw(st.integers(1, 3))):
        holder, key = None, None
        node = value
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            holder, key = node, draw(st.sampled_from(keys))
            node = node[key]
        if holder is None:
            return draw(json_values)
        if isinstance(holder, dict) and draw(st.integers(0, 3)) == 0:
            del holder[key]
        else:
            holder[key] = draw(json_values)
    return value


@settings(SETTINGS, max_examples=500)
@given(data=st.data(), method=st.sampled_from(sorted(_valid("file:///x"))))
@example(data=None, method="textDocument/hover")
def test_malformed_params_never_kill_the_server(wire, memory, data, method):
    project, _ = memory
    valid = _valid(wire.uri)[method]
    params = ({"textDocument": {"uri": wire.uri}, "position": {"line": "3", "character": -1}} if data is None
              else data.draw(st.one_of(mutated(valid), json_values), label="params"))
    if method in REQUESTS:
        answer = wire.request(method, params, timeout=15)
        assert "result" in answer or "error" in answer, answer
    else:
        wire.notify(method, params)
    _restore(wire, project.root)
    assert_serves(wire)


POSITIONS = [{"line": -1, "character": 0}, {"line": 2**31, "character": 2**31}, {"line": 2**70, "character": 0},
             {"line": 1.5, "character": 0}, {"line": None, "character": None}, {"line": "2", "character": "0"}, {},
             {"line": 9, "character": 10_000}]


def test_wrongly_typed_positions(wire):
    for position in POSITIONS:
        answer = wire.request("textDocument/hover", {"textDocument": {"uri": wire.uri}, "position": position})
        assert "result" in answer or "error" in answer, (position, answer)  # answered, not dropped
    assert_serves(wire, strict=True)


URIS = [5, None, "", "not a uri", "http://example.com/a.py", "file:///etc/passwd", "file:///nonexistent/deep/x.py",
        "file://host/share/x.py", "untitled:Untitled-1", "file:///%2e%2e/%2e%2e/etc/passwd",
        "file:///" + "a/" * 2000 + "x.py"]


def test_documents_outside_any_project(wire):
    for uri in URIS:
        for method in ("textDocument/hover", "textDocument/codeLens", "textDocument/codeAction"):
            params = _valid(uri if isinstance(uri, str) else "file:///x")[method]
            params["textDocument"] = {"uri": uri}
            answer = wire.request(method, params)
            assert "result" in answer or "error" in answer, (uri, answer)
        wire.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                              "text": "x\n"}})
    assert_serves(wire, strict=True)


# broken messages --------------------------------------------------------------------------------
BODIES = [
    b"{", b"", b"[]", b"null", b"42", b'"text"', b"\xff\xfe\x00", b'{"jsonrpc": "2.0"}',
    b'{"jsonrpc": "1.0", "id": 991, "method": "textDocument/hover"}',
    b'{"jsonrpc": "2.0", "id": {"a": 1}, "method": "workspace/symbol", "params": {"query": "x"}}',
    b'{"jsonrpc": "2.0", "id": 1.5, "method": "workspace/symbol", "params": {"query": "x"}}',
    b'{"jsonrpc": "2.0", "id": 992, "method": 5}',
    b'{"jsonrpc": "2.0", "id": 993, "result": "an answer to nothing"}',
    b'{"jsonrpc": "2.0", "id": 994, "error": {"code": 1}}',
    b'[{"jsonrpc": "2.0", "id": 995, "method": "workspace/symbol", "params": {"query": "x"}}]',
    b'{"jsonrpc": "2.0", "id": 996, "method": "workspace/symbol", "params": {"query": "x"}, "extra": ' + b"[" * 5000
    + b"]" * 5000 + b"}",
]


def test_broken_messages(wire):
    for body in BODIES:
        wire.send_bytes(body)
        assert_serves(wire, strict=True)
    assert wire.wait_for(992)["error"]["code"] == -32601  # a method that is not a string: not found


def test_a_request_cancelled_or_repeated(wire):
    """$/cancelRequest for requests that do not exist, and the same id used twice."""
    wire.notify("$/cancelRequest", {"id": 123456})
    wire.notify("$/cancelRequest", {"id": {"x": 1}})
    for _ in range(2):
        wire.send({"jsonrpc": "2.0", "id": "same", "method": "workspace/symbol", "params": {"query": "mutex"}})
    first = wire.wait_for("same")
    assert "result" in first or "error" in first
    assert_serves(wire, strict=True)


# commands ---------------------------------------------------------------------------------------
@settings(SETTINGS, max_examples=300)
@given(data=st.data())
def test_commands_with_arguments_of_any_shape(wire, memory, data):
    """Every command the server offers, with arguments of any shape: an answer, and when it is an
    error, nothing was written."""
    project, ids = memory
    commands = wire.caps["capabilities"]["executeCommandProvider"]["commands"]
    command = data.draw(st.sampled_from(sorted(commands)), label="command")
    arguments = data.draw(st.one_of(st.lists(json_values, max_size=3),
                                    st.lists(st.sampled_from([*ids.values(), wire.uri, "src/app.py", "x"]),
                                             max_size=3),
                                    st.fixed_dictionaries({}, optional={
                                        "what": json_values, "why": json_values, "uri": st.just(wire.uri) | json_values,
                                        "id": st.sampled_from(list(ids.values())) | json_values,
                                        "range": json_values, "files": json_values, "text": json_values,
                                        "summary": json_values}).map(lambda d: [d])), label="arguments")
    before = project.checksum()
    answer = wire.request("workspace/executeCommand", {"command": command, "arguments": arguments}, timeout=15)
    assert "result" in answer or "error" in answer, answer
    if "error" in answer:
        assert project.checksum() == before, (command, arguments, answer)
    assert_serves(wire)


# huge documents ---------------------------------------------------------------------------------
def test_huge_documents(wire, memory):
    project, _ = memory
    one_line = "x = 1  # " + "src/app.py " * 500_000  # 5.5 MB on one line, naming a file over and over
    many_lines = "".join(f"line {i} src/app.py\n" for i in range(200_000))  # 200,000 lines
    for text in (one_line, many_lines):
        began = time.monotonic()
        _open(wire, text, version=int(began * 1000) % 2**31)
        for method in ("textDocument/codeLens", "textDocument/hover", "textDocument/codeAction"):
            params = _valid(wire.uri)[method]
            if "position" in params:
                params["position"] = {"line": text.count("\n") - 1, "character": 5}
            answer = wire.request(method, params, timeout=30)
            assert "result" in answer or "error" in answer, answer
        assert time.monotonic() - began < 30
    wire.notify("textDocument/didChange", {"textDocument": {"uri": wire.uri, "version": 2**31 - 1}, "contentChanges": [
        {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 150_000, "character": 0}},
         "text": "y\n" * 300_000}]})
    wire.notify("textDocument/didChange", {"textDocument": {"uri": wire.uri, "version": 2**31 - 1},
                                           "contentChanges": [{"text": "z" * 3_000_000}]})
    answer = wire.request("textDocument/codeLens", {"textDocument": {"uri": wire.uri}}, timeout=30)
    assert "result" in answer or "error" in answer
    _open(wire, APP, version=1)
    assert_serves(wire, strict=True)
