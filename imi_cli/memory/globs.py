"""Matching one path against a stored glob, without `re`.

A glob is read once into tokens. `regex` writes them as a regular expression (`paths.compile_glob`),
the right tool for one glob against many paths (the language server's index). A command that asks
about one file meets a few globs once each, and importing `re` alone costs two thirds of Python's
start-up: `matches` walks the tokens itself, with the same meaning (tests compare the two):
`*` is any run inside one folder, `**/` any folders (or none), `**` anything, `?` one character
other than `/`, `[abc]`, `[a-z]` and `[!abc]` (or `[^abc]`) one character of, or not of, a set,
and a trailing `/` everything below that folder. As in the regular expression, `**` and `**/`
do not cross a line break, which no real path holds.
"""

from __future__ import annotations

_LITERAL, _STAR, _ANY, _FOLDERS, _ONE, _SET = range(6)
_TOKENS: dict[str, list | None] = {}  # glob -> its tokens (None: matched as a literal); emptied at 4,096


def matches(glob: str, path: str) -> bool:
    """Whether `path` (repo-relative) is named by `glob`."""
    tokens = _TOKENS.get(glob)
    if tokens is None and glob not in _TOKENS:
        if len(_TOKENS) >= 4096:
            _TOKENS.clear()
        tokens = _TOKENS[glob] = _parse(_whole(glob))
    if tokens is None:  # a set like [z-a], which the regular expression refuses: the glob as text
        return path == _whole(glob)
    return _Matcher(tokens, path).at(0, 0)


def _whole(glob: str) -> str:
    """The glob as matched: a trailing `/` means everything below that folder."""
    return glob + "**" if glob.endswith("/") else glob


def regex(glob: str) -> str:
    """The glob as a regular expression for `re.match` (whole path)."""
    glob = _whole(glob)
    tokens = _parse(glob)
    if tokens is None:
        return _escape(glob) + r"\Z"
    out = []
    for kind, argument in tokens:
        if kind == _LITERAL:
            out.append(_escape(argument))
        elif kind == _SET:
            negate, ranges = argument
            members = "".join(_escape(low) if low == high else f"{_escape(low)}-{_escape(high)}" for low, high in ranges)
            out.append(f"[{'^' if negate else ''}{members}]")
        else:
            out.append(_REGEX[kind])
    return "".join(out) + r"\Z"


_REGEX = {_STAR: "[^/]*", _ANY: ".*", _FOLDERS: "(?:.*/)?", _ONE: "[^/]"}


def _escape(text: str) -> str:
    """`re.escape` without importing `re`: a backslash before every character but letters and digits."""
    return "".join(char if char.isascii() and (char.isalnum() or char == "_") else "\\" + char for char in text)


def _parse(glob: str) -> list | None:
    """The glob as (kind, argument) tokens; None when it holds a set with a reversed range."""
    tokens: list = []
    literal: list[str] = []

    def add(token: tuple) -> None:
        if literal:
            tokens.append((_LITERAL, "".join(literal)))
            literal.clear()
        tokens.append(token)

    i = 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**/", i):
            add((_FOLDERS, None))
            i += 3
            continue
        if glob.startswith("**", i):
            add((_ANY, None))
            i += 2
            continue
        if char == "*":
            add((_STAR, None))
        elif char == "?":
            add((_ONE, None))
        elif char == "[":
            start = i + 1
            negate = glob[start:start + 1] in ("!", "^")
            first = start + negate
            close = glob.find("]", first + 1 if glob[first:first + 1] == "]" else first)
            if close == -1:
                literal.append(char)
            else:
                members = _members(glob[first:close])
                if members is None:
                    return None
                add((_SET, (negate, members)))
                i = close
        else:
            literal.append(char)
        i += 1
    if literal:
        tokens.append((_LITERAL, "".join(literal)))
    return tokens


def _members(text: str) -> list[tuple[str, str]] | None:
    """A set's (low, high) character ranges, read as the regular expression reads them: `a-z` is a
    range, a `-` first or last is itself; None for a reversed range."""
    ranges = []
    i = 0
    while i < len(text):
        low = text[i]
        if i + 2 < len(text) and text[i + 1] == "-":
            high = text[i + 2]
            if low > high:
                return None
            ranges.append((low, high))
            i += 3
        else:
            ranges.append((low, low))
            i += 1
    return ranges


class _Matcher:
    """One glob's tokens against one path, each (token, position) tried at most once."""

    __slots__ = ("tokens", "path", "failed")

    def __init__(self, tokens: list, path: str):
        self.tokens, self.path, self.failed = tokens, path, set()

    def at(self, token: int, pos: int) -> bool:
        """Whether tokens[token:] match path[pos:] to its end."""
        tokens, path = self.tokens, self.path
        if token == len(tokens):
            return pos == len(path)
        if (token, pos) in self.failed:
            return False
        kind, argument = tokens[token]
        found = False
        if kind == _LITERAL:
            found = path.startswith(argument, pos) and self.at(token + 1, pos + len(argument))
        elif kind == _ONE:
            found = pos < len(path) and path[pos] != "/" and self.at(token + 1, pos + 1)
        elif kind == _SET:
            negate, ranges = argument
            found = pos < len(path) and (any(low <= path[pos] <= high for low, high in ranges) != negate) \
                and self.at(token + 1, pos + 1)
        elif kind == _FOLDERS:  # nothing, or any run ending in "/"
            found = self.at(token + 1, pos) or any(
                path[end] == "/" and self.at(token + 1, end + 1) for end in range(pos, self._run_end(pos, "\n")))
        else:  # _STAR stops at "/", _ANY at a line break
            stop = "/" if kind == _STAR else "\n"
            found = any(self.at(token + 1, end) for end in range(pos, self._run_end(pos, stop) + 1))
        if not found:
            self.failed.add((token, pos))
        return found

    def _run_end(self, pos: int, stop: str) -> int:
        end = self.path.find(stop, pos)
        return len(self.path) if end == -1 else end
