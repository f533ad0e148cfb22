"""A scripted fake model API on 127.0.0.1 that logs every request the agent CLI sends.

It speaks three wire formats, enough for real agent CLIs to run a session against it:
Anthropic Messages with SSE streaming (Claude Code: `POST /v1/messages`), OpenAI
Responses with SSE streaming (Codex: `POST /v1/responses`) and Gemini's
generateContent (Gemini CLI: `POST /v1beta/models/M:streamGenerateContent?alt=sse`).

A scenario is a list of turns. The turn to answer with is chosen from the conversation
so far (how many times the model has already answered in this conversation), so a
retried or repeated request gets the same answer. A turn is a list of steps: `say(text)`
or `call(tool, input)`. Requests that offer no tools (titles, summaries) get a short text.
Tests then read `server.requests` to see exactly what the model was shown, and when.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Step:
    """One piece of a model answer: text, or a tool call with its input."""

    text: str | None = None
    tool: str | None = None
    input: dict = field(default_factory=dict)
    namespace: str | None = None  # Responses API: a tool inside a namespace (Codex's MCP servers)


def say(text: str) -> Step:
    return Step(text=text)


def call(tool: str, tool_input: dict, namespace: str | None = None) -> Step:
    return Step(tool=tool, input=tool_input, namespace=namespace)


@dataclass
class Request:
    """One request as the fake model received it."""

    path: str
    body: dict
    turn: int  # which scripted turn answered it (-1: a side request)

    def text(self) -> str:
        """Everything the model was shown in this request, as one searchable string."""
        return json.dumps(self.body, ensure_ascii=False)


class FakeModel:
    """The server. Use as a context manager; `url` is its base URL."""

    def __init__(self, turns: list[list[Step]] | Callable[[int, dict], list[Step]]):
        self.turns = turns
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.on_request: Callable[[Request], None] | None = None
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "FakeModel":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # What the tests read ------------------------------------------------------------------------
    def main_requests(self) -> list[Request]:
        """The agent loop's requests (those that offered tools), in the order they came."""
        return [r for r in self.requests if r.turn >= 0]

    def first_showing(self, needle: str) -> Request | None:
        """The first agent-loop request whose content contains `needle`."""
        return next((r for r in self.main_requests() if needle in r.text()), None)

    # Scenario -----------------------------------------------------------------------------------
    def _steps(self, turn: int, body: dict) -> list[Step]:
        if callable(self.turns):
            return self.turns(turn, body)
        return self.turns[turn] if turn < len(self.turns) else [say("Done.")]

    def answer(self, path: str, body: dict, turn_of: Callable[[dict], int]) -> list[Step]:
        """Log the request and return the steps of its answer (side requests without tools get a title)."""
        turn = turn_of(body) if body.get("tools") else -1
        self._record(path, body, turn)
        return self._steps(turn, body) if turn >= 0 else [say("IMI test session")]

    def _record(self, path: str, body: dict, turn: int) -> Request:
        request = Request(path, body, turn)
        with self.lock:
            self.requests.append(request)
        if self.on_request:
            self.on_request(request)
        return request

    def _handler(self):
        model = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep the test output quiet
                pass

            def do_GET(self):
                self._json(200, {"data": [], "object": "list"})

            def do_HEAD(self):
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                path = self.path.split("?")[0]
                if path.endswith("/messages/count_tokens"):
                    self._json(200, {"input_tokens": 100})
                elif path.endswith(":countTokens"):
                    self._json(200, {"totalTokens": 100})
                elif path.endswith(":streamGenerateContent"):
                    self._stream([("", chunk) for chunk in gemini_chunks(model, path, body)])
                elif path.endswith(":generateContent"):
                    self._json(200, gemini_chunks(model, path, body)[-1])
                elif path.endswith("/messages"):
                    self._stream(anthropic_events(model, path, body))
                elif path.endswith("/responses"):
                    self._stream(responses_events(model, path, body))
                else:
                    self._json(404, {"error": {"type": "not_found", "message": f"no {path} here"}})

            def _json(self, status: int, data: dict):
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _stream(self, events: list[tuple[str, dict]]):
                chunks = b"".join((f"event: {name}\n" if name else "").encode() + f"data: {json.dumps(data)}\n\n".encode()
                                  for name, data in events)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Content-Length", str(len(chunks)))
                self.end_headers()
                self.wfile.write(chunks)

        return Handler


# Anthropic Messages ------------------------------------------------------------------------------
def anthropic_turn(body: dict) -> int:
    """How many times the model has answered in this conversation already."""
    return sum(1 for m in body.get("messages", []) if m.get("role") == "assistant")


def anthropic_events(model: FakeModel, path: str, body: dict) -> list[tuple[str, dict]]:
    steps = model.answer(path, body, anthropic_turn)
    message_id = f"msg_{uuid.uuid4().hex[:20]}"
    events = [("message_start", {"type": "message_start", "message": {
        "id": message_id, "type": "message", "role": "assistant", "model": body.get("model", "fake"),
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1}}})]
    for index, step in enumerate(steps):
        if step.tool:
            block = {"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:20]}", "name": step.tool, "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(step.input)}
        else:
            block = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": step.text}
        events += [("content_block_start", {"type": "content_block_start", "index": index, "content_block": block}),
                   ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}),
                   ("content_block_stop", {"type": "content_block_stop", "index": index})]
    stop = "tool_use" if any(s.tool for s in steps) else "end_turn"
    events += [("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                  "usage": {"output_tokens": 20}}),
               ("message_stop", {"type": "message_stop"})]
    return events


# OpenAI Responses --------------------------------------------------------------------------------
def responses_turn(body: dict) -> int:
    """How many model answers (function calls or assistant messages) the input already holds."""
    items = body.get("input") or []
    answers = 0
    previous_was_answer = False
    for item in items if isinstance(items, list) else []:
        is_answer = item.get("type") in ("function_call", "custom_tool_call", "local_shell_call") or (
            item.get("type") == "message" and item.get("role") == "assistant")
        if is_answer and not previous_was_answer:
            answers += 1
        previous_was_answer = is_answer
    return answers


def responses_events(model: FakeModel, path: str, body: dict) -> list[tuple[str, dict]]:
    steps = model.answer(path, body, responses_turn)
    response_id = f"resp_{uuid.uuid4().hex[:20]}"
    items = []
    for step in steps:
        if step.tool:
            items.append({"type": "function_call", "id": f"fc_{uuid.uuid4().hex[:16]}",
                          "call_id": f"call_{uuid.uuid4().hex[:16]}", "name": step.tool,
                          "arguments": json.dumps(step.input), "status": "completed",
                          **({"namespace": step.namespace} if step.namespace else {})})
        else:
            items.append({"type": "message", "id": f"msg_{uuid.uuid4().hex[:16]}", "role": "assistant",
                          "status": "completed", "content": [{"type": "output_text", "text": step.text,
                                                              "annotations": []}]})
    events = [("response.created", {"type": "response.created", "response": {"id": response_id}})]
    for index, item in enumerate(items):
        events += [("response.output_item.added", {"type": "response.output_item.added", "output_index": index,
                                                    "item": item}),
                   ("response.output_item.done", {"type": "response.output_item.done", "output_index": index,
                                                   "item": item})]
    events.append(("response.completed", {"type": "response.completed", "response": {
        "id": response_id, "output": items,
        "usage": {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 20,
                  "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 30}}}))
    return events


# Gemini generateContent -----------------------------------------------------------------------------
def gemini_turn(body: dict) -> int:
    return sum(1 for content in body.get("contents", []) if content.get("role") == "model")


def gemini_chunks(model: FakeModel, path: str, body: dict) -> list[dict]:
    steps = model.answer(path, body, gemini_turn)
    parts = [{"functionCall": {"name": s.tool, "args": s.input}} if s.tool else {"text": s.text} for s in steps]
    return [{"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
             "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 20, "totalTokenCount": 30},
             "modelVersion": "gemini-fake"}]
