"""JSON-RPC as the editor sees it: every request answered, nothing kept after it is done.

pygls leaves a few cases silent, which makes an editor wait for a reply that never comes:
a request whose params it cannot read, a request that is not JSON-RPC 2.0, a request after
`shutdown`, a batch. Each gets the error the protocol names here. pygls also keeps the
future of every notification (and of every step of its built-in document handlers) in
`_request_futures` for good, about a kilobyte per keystroke; finished ones are dropped.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest, JsonRpcMethodNotFound
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

VERSION = "2.0"
_NONE = object()


def _parts(message: Any) -> tuple[Any, Any]:
    """(id, method) of a message read from the wire, typed or not; `_NONE` for an absent id."""
    if isinstance(message, dict):
        return message.get("id", _NONE), message.get("method")
    return getattr(message, "id", _NONE), getattr(message, "method", None)


def _reply_id(msg_id: Any) -> int | str | None:
    """The id to answer with: the request's own when it is a valid id, else null (as JSON-RPC says)."""
    return msg_id if isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool) else None


class ImiProtocol(LanguageServerProtocol):
    """The stock protocol, with an answer to every request and no memory of finished ones."""

    def structure_message(self, data: dict[str, Any]):
        # pygls logs a request whose params it cannot read (or whose method it cannot type) and
        # drops it without a reply: the editor would wait for it forever. Answer it with the error.
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "jsonrpc" in data and "id" in data and "method" in data:
                method = data["method"]
                known = isinstance(method, str) and (self.get_message_type(method) is not None
                                                     or method in self.fm.features)
                error = exc if known else JsonRpcMethodNotFound.of(str(method))
                self._send_response(_reply_id(data["id"]), None, error.to_response_error())
            raise

    def handle_message(self, message: Any):
        if isinstance(message, list):  # LSP has no batches: each request in one gets an error
            if not message:
                self._refuse(None, "an empty batch is not a message", even_without_id=True)
            for item in message:
                self._refuse(item, "batches are not supported: send each message on its own")
            return
        msg_id, method = _parts(message)
        if isinstance(message, dict) or getattr(message, "jsonrpc", None) != VERSION:
            self._refuse(message, 'not a JSON-RPC 2.0 message (it needs "jsonrpc": "2.0")', even_without_id=True)
            return
        if self._shutdown and method is not None and method != types.EXIT:
            if msg_id is not _NONE:
                self._refuse(message, f"the server is shutting down: {method} after shutdown")
            return  # a notification after shutdown is dropped, as the specification says
        super().handle_message(message)

    def _refuse(self, message: Any, why: str, even_without_id: bool = False) -> None:
        """Answer a request with InvalidRequest; a notification gets nothing (it must not be answered).
        `even_without_id`: answer with a null id something that is not a message at all."""
        msg_id, method = _parts(message)
        self._server.note(f"refused a message: {why}")
        if (msg_id is not _NONE and method is not None) or (even_without_id and method is None):
            self._send_response(_reply_id(None if msg_id is _NONE else msg_id), None,
                                JsonRpcInvalidRequest(why).to_response_error())

    def _handle_cancel_notification(self, msg_id):
        # editors cancel requests that were answered a moment ago (VS Code does it on every cursor
        # move): that is normal, and pygls's warning about it only filled the client's log
        if msg_id in self._request_futures:
            super()._handle_cancel_notification(msg_id)

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):
        def forget_then(future) -> None:
            # pygls removes a request's future when it answers it; nothing removes the others
            if self._request_futures.get(msg_id) is future:
                del self._request_futures[msg_id]
            callback(future)

        super()._execute_handler(msg_id, handler, forget_then, args, kwargs)

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params: types.ExecuteCommandParams):
        if params.command not in self.fm.commands:
            self._server.note(f"unknown command {params.command!r}", types.MessageType.Warning)
        return (yield from super().lsp_workspace__execute_command(params))
