"""A small MCP server over stdio: newline-delimited JSON-RPC 2.0, tools only.

Why not the `mcp` SDK: importing it costs about 2 s of CPU (pydantic models for the
whole protocol), so a host's first model turn would start before IMI's tools are
listed. This module needs only the standard library and answers `initialize` and
`tools/list` within milliseconds of starting.

Guarantees a client can rely on:
- every request gets exactly one response (result or error); notifications get none;
- stdout carries only protocol messages, always valid UTF-8 (a lone surrogate in a
  request is reported, never echoed raw);
- requests other than `initialize` and `ping` before `initialize` get the JSON-RPC
  error "Invalid Request" with a sentence saying to initialize first;
- a tool's argument errors are one sentence naming the argument and what it expects,
  returned as a tool result with `isError` so the model can correct itself.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Callable

PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
MAX_MESSAGE = 8 * 1024 * 1024  # bytes in one request line; larger ones are refused, not read into memory

# Methods answered once initialized; listing methods for features IMI does not offer answer with empty lists.
SESSION_METHODS = {"tools/list": "tools", "tools/call": "", "resources/list": "resources",
                   "resources/templates/list": "resourceTemplates", "prompts/list": "prompts"}
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL_ERROR = -32700, -32600, -32601, -32602, -32603


class ToolError(Exception):
    """A failure the caller can fix: returned to the model as the tool's error text (one sentence)."""


class RpcError(Exception):
    """A protocol-level error: becomes a JSON-RPC error response."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Tool:
    """One MCP tool: a function taking keyword arguments, and the JSON schema of those arguments."""

    name: str
    description: str
    run: Callable[..., str]
    properties: dict
    required: tuple[str, ...] = ()
    read_only: bool = False

    def listing(self) -> dict:
        """The tool as `tools/list` describes it."""
        schema = {"type": "object", "properties": self.properties, "additionalProperties": False}
        if self.required:
            schema["required"] = list(self.required)
        return {"name": self.name, "description": self.description, "inputSchema": schema,
                "annotations": {"readOnlyHint": self.read_only, "destructiveHint": False,
                                "openWorldHint": False}}


@dataclass
class Server:
    """The tool registry and the session state of one stdio connection."""

    name: str
    version: str
    instructions: str
    tools: dict[str, Tool] = field(default_factory=dict)
    describe_error: Callable[[Exception], str | None] = lambda exc: None
    initialized: bool = False

    def add(self, tool: Tool) -> None:
        self.tools[tool.name] = tool

    # One message in, at most one message out --------------------------------------------------
    def handle_line(self, line: bytes) -> dict | None:
        """The response to one raw line from the client (None for notifications and blank lines)."""
        if not line.strip():
            return None
        try:
            message = json.loads(line)
        except (ValueError, UnicodeDecodeError) as exc:
            return error_response(None, PARSE_ERROR, f"Parse error: the message is not valid JSON ({exc}).")
        return self.handle_message(message)

    def handle_message(self, message) -> dict | None:
        if isinstance(message, list):
            return error_response(None, INVALID_REQUEST,
                                  "Invalid Request: JSON-RPC batches are not supported; send one message per line.")
        if not isinstance(message, dict):
            return error_response(None, INVALID_REQUEST, "Invalid Request: a message must be a JSON object.")
        request_id = message.get("id")
        is_request = "id" in message
        if is_request and not (request_id is None or isinstance(request_id, (str, int))) or isinstance(
                request_id, bool):
            return error_response(None, INVALID_REQUEST, "Invalid Request: `id` must be a string or a number.")
        method = message.get("method")
        if message.get("jsonrpc") != "2.0" or not isinstance(method, str):
            if "method" not in message and ("result" in message or "error" in message):
                return None  # a response to a request we never sent: nothing to answer
            if not is_request:
                return None
            return error_response(request_id, INVALID_REQUEST,
                                  'Invalid Request: a request needs "jsonrpc": "2.0" and a string "method".')
        params = message.get("params", {})
        if not is_request:
            self.notify(method, params)
            return None
        try:
            if not isinstance(params, dict):
                raise RpcError(INVALID_PARAMS, f"Invalid params: `params` of {method} must be an object.")
            return {"jsonrpc": "2.0", "id": request_id, "result": self.call(method, params)}
        except RpcError as exc:
            return error_response(request_id, exc.code, str(exc))
        except Exception as exc:  # a bug in IMI: still an answer, never a dead session
            return error_response(request_id, INTERNAL_ERROR, f"Internal error: {type(exc).__name__}: {exc}")

    def notify(self, method: str, params) -> None:
        if method == "notifications/initialized":
            self.initialized = True

    def call(self, method: str, params: dict) -> dict:
        if method == "initialize":
            self.initialized = True
            return self.initialize(params)
        if method == "ping":
            return {}
        if method not in SESSION_METHODS:
            raise RpcError(METHOD_NOT_FOUND, f"Method not found: {printable(method)}.")
        if not self.initialized:
            raise RpcError(INVALID_REQUEST, f"Invalid Request: the session is not initialized; send `initialize` "
                                            f"before `{method}`.")
        if method == "tools/list":
            return {"tools": [tool.listing() for tool in self.tools.values()]}
        if method == "tools/call":
            return self.call_tool(params)
        return {SESSION_METHODS[method]: []}  # no resources or prompts: empty lists, not errors

    def initialize(self, params: dict) -> dict:
        asked = params.get("protocolVersion")
        version = asked if asked in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[0]
        return {"protocolVersion": version, "capabilities": {"tools": {"listChanged": False}},
                "serverInfo": {"name": self.name, "version": self.version}, "instructions": self.instructions}

    def call_tool(self, params: dict) -> dict:
        name = params.get("name")
        if not isinstance(name, str) or name not in self.tools:
            known = ", ".join(self.tools)
            shown = json.dumps(name, ensure_ascii=True) if not isinstance(name, str) else printable(name)
            raise RpcError(INVALID_PARAMS, f"Unknown tool: {shown} (this server has {known}).")
        tool = self.tools[name]
        arguments = params.get("arguments")
        try:
            kwargs = check_arguments(tool, {} if arguments is None else arguments)
            text = tool.run(**kwargs)
        except ToolError as exc:
            return tool_result(str(exc), is_error=True)
        except Exception as exc:
            described = self.describe_error(exc)
            if described is None:
                raise
            return tool_result(described, is_error=True)
        return tool_result(text)

    # The stdio loop ------------------------------------------------------------------------------
    def serve(self, stdin=None, stdout=None) -> None:
        """Answer requests from `stdin` (bytes) on `stdout` (bytes) until the client closes stdin."""
        stdin = stdin or sys.stdin.buffer
        stdout = stdout or sys.stdout.buffer
        while True:
            line = stdin.readline(MAX_MESSAGE + 1)
            if not line:
                return
            if len(line) > MAX_MESSAGE and not line.endswith(b"\n"):
                while (rest := stdin.readline(MAX_MESSAGE)) and not rest.endswith(b"\n"):
                    pass  # skip the rest of the oversized line
                response = error_response(None, INVALID_REQUEST,
                                          f"Invalid Request: a message is larger than {MAX_MESSAGE} bytes.")
            else:
                response = self.handle_line(line)
            if response is not None:
                try:
                    stdout.write(encode(response))
                    stdout.flush()
                except (BrokenPipeError, OSError):
                    return


def error_response(request_id, code: int, message: str) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def tool_result(text: str, is_error: bool = False) -> dict:
    return {"content": [{"type": "text", "text": text}], "isError": is_error}


def encode(message: dict) -> bytes:
    """One line of JSON, always valid UTF-8 (escaped ASCII if some text would not encode)."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"


def printable(text: str, limit: int = 60) -> str:
    """`text` for an error message: quoted, escapes for anything unprintable, cut to `limit` characters."""
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text[:limit])
    return f"`{shown}`" + ("…" if len(text) > limit else "")


# Arguments --------------------------------------------------------------------------------------
_TYPE_NAMES = {"string": "text", "integer": "a whole number", "array": "a list of strings", "boolean": "true or false"}


def check_arguments(tool: Tool, arguments) -> dict:
    """The arguments as keyword arguments for `tool.run`; ToolError (one sentence) when they do not fit the schema."""
    if not isinstance(arguments, dict):
        raise ToolError(f"The arguments of {tool.name} must be a JSON object of named values.")
    unknown = [key for key in arguments if key not in tool.properties]
    if unknown:
        raise ToolError(f"{tool.name} has no argument {printable(unknown[0])}; it takes "
                        f"{', '.join(tool.properties) or 'no arguments'}.")
    missing = [key for key in tool.required if arguments.get(key) is None]
    if missing:
        raise ToolError(f"{tool.name} needs the argument `{missing[0]}` ({tool.properties[missing[0]]['description']}).")
    out = {}
    for key, value in arguments.items():
        if value is not None:
            out[key] = check_value(key, value, tool.properties[key])
            if key in tool.required and isinstance(value, str) and not value.strip():
                raise ToolError(f"`{key}` must not be empty ({tool.properties[key]['description']}).")
    return out


def check_value(name: str, value, schema: dict):
    kind = schema["type"]
    expected = f"`{name}` must be {_TYPE_NAMES[kind]}"
    if kind == "string":
        if not isinstance(value, str):
            raise ToolError(f"{expected}, not {json_type(value)}.")
        check_text(name, value, schema)
    elif kind == "integer":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ToolError(f"{expected} from {schema['minimum']} to {schema['maximum']}, not {json_type(value)}.")
        if not schema["minimum"] <= value <= schema["maximum"]:
            raise ToolError(f"{expected} from {schema['minimum']} to {schema['maximum']} (got {value}).")
    elif kind == "array":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ToolError(f"{expected}, not {json_type(value)}.")
        if len(value) > schema["maxItems"]:
            raise ToolError(f"`{name}` may hold at most {schema['maxItems']} entries (got {len(value)}).")
        for item in value:
            check_text(name, item, schema["items"])
    return value


def check_text(name: str, value: str, schema: dict) -> None:
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = ascii(value[exc.start])[1:-1]
            raise ToolError(f"`{name}` is not valid Unicode text: it holds a lone surrogate ({bad}) at "
                            f"character {exc.start + 1}.") from None
    if len(value) > schema["maxLength"]:
        raise ToolError(f"`{name}` is too long: {len(value)} characters, the limit is {schema['maxLength']}.")


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"
