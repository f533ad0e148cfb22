"""JSON text for the hot paths, without importing the json package.

`import json` imports `re` for the patterns of json's pure-Python fallbacks, and `re` builds enum
classes: together about 30 M instructions, nearly Python's whole start-up, in every command that
reads a task's file list, a hook's payload or writes a version file. The C accelerator `_json`
that json itself uses needs none of that. `loads` and `dumps` here give exactly what `json.loads`
and `json.dumps` give for the same arguments (tests compare them); on anything unusual (bytes,
an error, an unsupported type) they hand the call to json, so errors read the same too.
"""

from __future__ import annotations

import _json

_WHITESPACE = " \t\n\r"
_CONSTANTS = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}


class _DecoderOptions:
    """What `_json.make_scanner` reads from json's JSONDecoder: the defaults of `json.loads`."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = _CONSTANTS.__getitem__


_scan = _json.make_scanner(_DecoderOptions())


def loads(text: str):
    """`json.loads(text)`."""
    if type(text) is str:
        size = len(text)
        start = size - len(text.lstrip(_WHITESPACE))
        try:
            value, end = _scan(text, start)
        except Exception:  # noqa: BLE001  json raises the error with its message (the scanner alone
            pass           # cannot while json.decoder is not loaded: it then raises SystemError)
        else:
            while end < size and text[end] in _WHITESPACE:
                end += 1
            if end == size:
                return value
    import json

    return json.loads(text)


def dumps(value, *, indent: int | None = None, sort_keys: bool = False, ensure_ascii: bool = True) -> str:
    """`json.dumps(value, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii)`."""
    quote = _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring
    try:
        if indent is None:
            encode = _json.make_encoder({}, _unsupported, quote, None, ": ", ", ", sort_keys, False, True)
            return "".join(encode(value, 0))
        out: list[str] = []
        _indented(value, out, quote, " " * indent, "\n", sort_keys)
        return "".join(out)
    except Exception:  # an unsupported type, a circular list, a key json would refuse: json says how
        import json

        return json.dumps(value, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii)


def escaped_length(text: str) -> int:
    """How many characters `text` takes inside a JSON string written with ensure_ascii=False (the
    quotes left out): what a host that limits its hook output by the JSON text counts."""
    return len(_json.encode_basestring(text)) - 2


def _unsupported(value):
    raise TypeError(type(value).__name__)


def _scalar(value, quote) -> str | None:
    """The text of a string, number, boolean or null; None for a list or an object."""
    if isinstance(value, str):
        return quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("a special float: json writes it")
        return float.__repr__(value)
    return None


def _key(key, quote) -> str:
    if isinstance(key, str):
        return quote(key)
    if key is True or key is False or key is None or isinstance(key, (int, float)):
        return quote(_scalar(key, quote))
    raise TypeError("a key json refuses or skips")


def _indented(value, out: list[str], quote, step: str, newline: str, sort_keys: bool) -> None:
    """json's indented layout: one member per line, `step` deeper per level, `,` and `: `."""
    text = _scalar(value, quote)
    if text is not None:
        out.append(text)
        return
    inner = newline + step
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        items = sorted(value.items()) if sort_keys else value.items()
        out.append("{")
        for index, (key, member) in enumerate(items):
            out.append(("," if index else "") + inner + _key(key, quote) + ": ")
            _indented(member, out, quote, step, inner, sort_keys)
        out.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        out.append("[")
        for index, member in enumerate(value):
            out.append(("," if index else "") + inner)
            _indented(member, out, quote, step, inner, sort_keys)
        out.append(newline + "]")
    else:
        raise TypeError(type(value).__name__)
