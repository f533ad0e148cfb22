"""Finding a named symbol's lines without a language toolchain: Python, TypeScript/JavaScript,
Go and Rust.

One pass over a file's lines tells, for each line, whether a statement starts there and at
what nesting (strings, comments and brackets are skipped the way each language writes
them); declarations are then read off the statement starts by their first words. The result
is an outline: every declaration's qualified name (`Class.method`, a Go method by its
receiver `Type.Method`, a Rust method by its impl's type `Type.method`) with its first line
(decorators and attributes included) and last line.

A name declared more than once in a scope means its shallowest declaration that has a body:
overload signatures (`@overload` stubs, TypeScript signatures without a body) give way to
the implementation, a getter comes before its setter. Measured against `ast` and
tree-sitter on real code in bench/anchor_accuracy.py (docs/anchors.md); why not a parser:
docs/anchors.md, "Finding symbols".
"""

from __future__ import annotations

import re
from typing import NamedTuple

LANGUAGES = {
    ".py": "python", ".pyi": "python",
    ".ts": "ts", ".tsx": "ts", ".js": "ts", ".jsx": "ts", ".mjs": "ts", ".cjs": "ts", ".mts": "ts", ".cts": "ts",
    ".go": "go", ".rs": "rust",
}


class Declaration(NamedTuple):
    """One declaration in the outline. Lower `rank` wins a name: 0 a declaration with a body,
    1 a signature without one (an overload), 2 a stand-in (a Rust impl block for its type's name)."""

    first: int   # 1-based, decorators included
    last: int
    depth: int   # nesting below the scope that names it
    rank: int


def language_of(path: str) -> str | None:
    """The language family of a file by its extension, or None."""
    dot = path.rfind(".")
    return LANGUAGES.get(path[dot:].lower()) if dot != -1 else None


def find_symbol(lines: list[str], path: str, symbol: str) -> tuple[int, int] | None:
    """(first, last) 1-based lines of `symbol` (`name` or `Outer.inner`) in a file's lines, or None."""
    language = language_of(path)
    if language is None or not symbol or not _NAME.fullmatch(symbol):
        return None
    found = outline(lines, language).get(symbol)
    if not found:
        return None
    best = min(found, key=lambda d: (d.rank, d.depth, d.first))
    return best.first, best.last


_NAME = re.compile(r"[\w$]+(?:\.[\w$]+)*")
_CACHE: dict[tuple[str, int, int], dict[str, list[Declaration]]] = {}


def outline(lines: list[str], language: str) -> dict[str, list[Declaration]]:
    """{qualified name: its declarations} for a file's lines (the last few files' outlines are kept:
    many anchors share a file)."""
    key = (language, id(lines), len(lines))
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is lines:
        return cached[1]
    result = _PYTHON.outline(lines) if language == "python" else _Braces(language).outline(lines)
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[key] = (lines, result)
    return result


# --- Python -------------------------------------------------------------------------------------------------------

_PY_DECL = re.compile(r"(?:async[ \t]+)?(def|class)[ \t]+([\w]+)")
_PY_TOKEN = re.compile(r"""[#()\[\]{}\\]|(?:[rRbBuUfF]{0,2})('''|\"\"\"|'|")""")
_PY_SPECIAL = re.compile(r"""[#()\[\]{}\\'"]""")
_PY_OVERLOAD = re.compile(r"@[ \t]*(?:[\w]+\.)*overload\b")


class _Python:
    """Statement starts by Python's rules: brackets and backslashes continue a line, triple-quoted
    strings span lines, comment lines do not end a block."""

    def statements(self, lines: list[str]):
        """(index, indent, stripped) of each line where a statement starts; and the last code line
        of each line index (for where a block ends)."""
        depth, quote, continued = 0, None, False
        for index, line in enumerate(lines):
            starts = depth == 0 and quote is None and not continued
            stripped = line.strip()
            if quote is None and not _PY_SPECIAL.search(line):
                continued = False
                if starts and stripped:
                    yield index, len(line) - len(line.lstrip(" \t")), stripped
                continue
            depth, quote, continued = self._scan(line, depth, quote)
            if starts and stripped and not stripped.startswith("#"):
                yield index, len(line) - len(line.lstrip(" \t")), stripped

    @staticmethod
    def _scan(line: str, depth: int, quote: str | None) -> tuple[int, str | None, bool]:
        """Bracket depth, open triple quote and backslash continuation after one line."""
        if quote is None and "'" not in line and '"' not in line:  # most lines: count brackets up to a comment
            code = line.split("#", 1)[0]
            depth = max(depth + code.count("(") + code.count("[") + code.count("{")
                        - code.count(")") - code.count("]") - code.count("}"), 0)
            return depth, None, code.rstrip().endswith("\\")
        pos, size = 0, len(line)
        if quote is not None:
            close = _find_close(line, 0, quote)
            if close == -1:
                return depth, quote, False
            pos, quote = close, None
        while pos < size:
            match = _PY_TOKEN.search(line, pos)
            if match is None:
                break
            token = match.group(0)
            pos = match.end()
            if match.group(1):
                opener = match.group(1)
                close = _find_close(line, pos, opener)
                if close == -1:
                    if len(opener) == 3:
                        return depth, opener, False
                    return depth, None, line.rstrip().endswith("\\")  # unterminated: the line's end closes it
                pos = close
            elif token == "#":
                break
            elif token == "\\":
                if not line[pos:].strip():
                    return depth, None, True
            elif token in "([{":
                depth += 1
            else:
                depth = max(depth - 1, 0)
        return depth, None, False

    def outline(self, lines: list[str]) -> dict[str, list[Declaration]]:
        found: dict[str, list[Declaration]] = {}
        stack: list[list] = []  # open blocks: [indent, qualified name, first, depth below its scope, rank]
        last_code = -1
        decorator_at: tuple[int, int] | None = None  # (indent, first line) of decorators waiting for their def
        overload = False

        def close(upto_indent: int) -> None:
            while stack and stack[-1][0] >= upto_indent:
                indent, name, first, depth, rank = stack.pop()
                found.setdefault(name, []).append(Declaration(first + 1, last_code + 1, depth, rank))

        previous = -1
        for index, indent, stripped in self.statements(lines):
            if previous >= 0:
                last_code = self._last_code(lines, previous, index)
            previous = index
            close(indent)
            if stripped.startswith("@"):
                if decorator_at is None or decorator_at[0] != indent:
                    decorator_at, overload = (indent, index), False
                overload = overload or bool(_PY_OVERLOAD.match(stripped))
                continue
            match = _PY_DECL.match(stripped)
            if match:
                first = decorator_at[1] if decorator_at and decorator_at[0] == indent else index
                scope = next((b for b in reversed(stack) if b[0] < indent), None)
                name = f"{scope[1]}.{match.group(2)}" if scope else match.group(2)
                stack.append([indent, name, first, indent, 1 if overload else 0])
            decorator_at, overload = None, False
        if previous >= 0:
            last_code = self._last_code(lines, previous, len(lines))
        close(-1)
        return found

    @staticmethod
    def _last_code(lines: list[str], start: int, stop: int) -> int:
        """The last line before `stop` of the statement that began at `start` (blank and comment lines
        after it do not count)."""
        for index in range(stop - 1, start, -1):
            stripped = lines[index].strip()
            if stripped and not stripped.startswith("#"):
                return index
        return start


def _find_close(line: str, pos: int, quote: str) -> int:
    """Index just past the closing `quote` at or after pos (backslash escapes skipped), or -1."""
    while True:
        close = line.find(quote, pos)
        if close == -1:
            return -1
        backslashes = 0
        while close - backslashes - 1 >= pos and line[close - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return close + len(quote)
        pos = close + 1


_PYTHON = _Python()


# --- TypeScript/JavaScript, Go, Rust -------------------------------------------------------------------------------

_TS_MODIFIERS = r"(?:(?:export|default|declare|abstract|async|public|private|protected|static|readonly|override|accessor)\s+)*"
_TS_TOP = re.compile(
    r"(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:"
    r"(?:async\s+)?function\s*\*?\s*(?P<function>[\w$]+)"
    r"|(?:abstract\s+)?class\s+(?P<class>[\w$]+)"
    r"|(?:const\s+)?enum\s+(?P<enum>[\w$]+)|interface\s+(?P<interface>[\w$]+)"
    r"|(?:namespace|module)\s+(?P<namespace>[\w$]+)"
    r"|(?:const|let|var)\s+(?P<variable>[\w$]+)|type\s+(?P<type>[\w$]+))")
_TS_MEMBER = re.compile(_TS_MODIFIERS + r"(?:(?:get|set)\s+)?\*?\s*(?P<method>[\w$]+)\s*\??\s*(?:<.*?>)?\s*\(")
_TS_SCOPES = ("class", "namespace")

_GO_DECL = re.compile(r"func\s+(?:\((?P<receiver>[^)]*)\)\s*)?(?P<function>\w+)|type\s+(?P<type>\w+)"
                      r"|(?:var|const)\s+(?P<variable>\w+)|type\s*\(")
_GO_RECEIVER_TYPE = re.compile(r"\*?\s*(\w+)\s*(?:\[.*\])?\s*$")
_GO_SPEC = re.compile(r"(?P<type>\w+)\b")

_RUST_DECL = re.compile(
    r"(?:pub(?:\s*\([^)]*\))?\s+)?(?:default\s+)?(?:(?:const|async|unsafe|extern(?:\s+\"[^\"]*\")?)\s+)*"
    r"(?:fn\s+(?P<function>\w+)|(?:struct|enum|union|trait|type|mod)\s+(?P<type>\w+)"
    r"|(?:static|const)\s+(?:mut\s+)?(?P<variable>\w+))"
    r"|macro_rules!\s*(?P<macro>\w+)"
    r"|(?:unsafe\s+)?impl\b(?P<impl>.*)")


class _Braces:
    """Statement starts and bracket depth for the languages with braces; strings, comments (and
    TypeScript regular expressions, Rust lifetimes) are skipped."""

    def __init__(self, language: str):
        self.language = language

    def _code_lines(self, lines: list[str]) -> list[str]:
        """Each line with the insides of strings and comments blanked out (they may span lines)."""
        out, state = [], None  # None, or what closes the open string or comment: "*/", '"', "`", '"#'
        for line in lines:
            code, state = self._blank(line, state)
            out.append(code)
        return out

    def _blank(self, line: str, state: str | None) -> tuple[str, str | None]:
        """`line` with strings and comments replaced by spaces, and what is still open at its end."""
        if state is None and not _BRACE_SPECIAL.search(line):
            return line, None
        chars = list(line)
        pos, size, lang = 0, len(line), self.language
        while pos < size:
            if state is not None:
                end = self._close(line, pos, state)
                stop = size if end == -1 else end
                chars[pos:stop] = " " * (stop - pos)
                if end == -1:
                    return "".join(chars), state
                pos, state = end, None
                continue
            char = line[pos]
            nxt = line[pos + 1] if pos + 1 < size else ""
            if char == "/" and nxt == "/":
                chars[pos:] = " " * (size - pos)
                break
            if char == "/" and nxt == "*":
                chars[pos:pos + 2] = "  "
                state, pos = "*/", pos + 2
                continue
            if char == '"' or (char == "`" and lang in ("ts", "go")) or (char == "'" and lang == "ts"):
                chars[pos] = " "
                state, pos = char, pos + 1
                continue
            if lang == "rust" and char in "rb" and (pos == 0 or not (line[pos - 1].isalnum() or line[pos - 1] == "_")):
                match = _RUST_RAW.match(line, pos)
                if match:
                    chars[pos:match.end()] = " " * (match.end() - pos)
                    state, pos = '"' + match.group(1), match.end()
                    continue
            if char == "'" and lang in ("go", "rust"):
                match = _CHAR.match(line, pos)
                if match:
                    chars[pos:match.end()] = " " * (match.end() - pos)
                    pos = match.end()
                    continue
                pos += 1  # a Rust lifetime or label
                continue
            if char == "/" and lang == "ts" and _regex_may_start(line, pos):
                match = _TS_REGEX.match(line, pos)
                if match:
                    chars[pos:match.end()] = " " * (match.end() - pos)
                    pos = match.end()
                    continue
            pos += 1
        return "".join(chars), state

    def _close(self, line: str, pos: int, state: str) -> int:
        """Index just past what closes `state` (a string or block comment) from pos, or -1."""
        if state == "*/":
            end = line.find("*/", pos)
            return -1 if end == -1 else end + 2
        if len(state) > 1:  # a Rust raw string: r#"..."#
            end = line.find(state, pos)
            return -1 if end == -1 else end + len(state)
        raw = state == "`" and self.language == "go"
        while pos < len(line):
            char = line[pos]
            if char == "\\" and not raw:
                pos += 2
                continue
            if char == state:
                return pos + 1
            pos += 1
        if state == "'" or (state == '"' and self.language in ("ts", "go")):
            return len(line)  # an unterminated quote ends with its line
        return -1

    def outline(self, lines: list[str]) -> dict[str, list[Declaration]]:
        code = self._code_lines(lines)
        found: dict[str, list[Declaration]] = {}
        depth = 0
        depth_before = []
        for text in code:
            depth_before.append(depth)
            depth = max(depth + text.count("(") + text.count("[") + text.count("{")
                        - text.count(")") - text.count("]") - text.count("}"), 0)
        depth_before.append(depth)
        scopes: list[tuple[int, str | None, str, int]] = [(0, None, "file", len(code))]  # body depth, name, kind, end
        pending: int | None = None  # first line of the decorators or attributes above the next declaration
        for index, text in enumerate(code):
            level = depth_before[index]
            while index > scopes[-1][3]:
                scopes.pop()
            stripped = text.strip()
            scope_depth, scope_name, scope_kind, _ = scopes[-1]
            if not stripped or level != scope_depth:
                continue
            decl = self._declaration(stripped, scope_kind)
            if decl is None:
                decorates = stripped.startswith(("@", "#[")) and not stripped.endswith(";")
                pending = (index if pending is None else pending) if decorates else None
                continue
            name, kind, rank = decl
            first = pending if pending is not None else index
            pending = None
            if kind == "group":  # Go's `type (` ... `)`: the specs inside are top-level declarations
                scopes.append((level + 1, scope_name, "group", self._end(code, depth_before, index, level)))
                continue
            last = self._end(code, depth_before, index, level)
            if rank == 0 and not code[last].rstrip().endswith("}"):
                rank = 1  # a signature without a body (an overload, a trait method's declaration)
            qualified = f"{scope_name}.{name}" if scope_name and kind != "method-of" else name
            found.setdefault(qualified, []).append(Declaration(first + 1, last + 1, 0, rank))
            if kind == "method-of":  # a Go method is found by its name alone too, after everything else
                found.setdefault(name.rsplit(".", 1)[1], []).append(Declaration(first + 1, last + 1, 0, 3))
            if kind in ("class", "namespace", "impl", "trait") and last > index:
                scopes.append((level + 1, qualified, "class" if kind == "impl" else kind, last))
        return found

    def _declaration(self, stripped: str, scope_kind: str):
        """(name, kind, rank) when the statement is a declaration this scope can hold, else None."""
        lang = self.language
        if lang == "ts":
            if scope_kind == "class":
                match = _TS_MEMBER.match(stripped)
                if match and match.group("method") not in _TS_NOT_METHODS:
                    return match.group("method"), "method", 0
                return None
            match = _TS_TOP.match(stripped)
            if not match:
                return None
            kind = match.lastgroup
            if kind == "function":
                return match.group(kind), "function", 0
            return match.group(kind), "class" if kind == "class" else ("namespace" if kind == "namespace" else kind), 0
        if lang == "go":
            if scope_kind == "group":
                match = _GO_SPEC.match(stripped)
                return (match.group("type"), "type", 0) if match else None
            match = _GO_DECL.match(stripped)
            if not match:
                return None
            if match.group("function"):
                receiver = match.group("receiver")
                if receiver is not None:
                    owner = _GO_RECEIVER_TYPE.search(receiver.strip())
                    return (f"{owner.group(1)}.{match.group('function')}", "method-of", 0) if owner else None
                return match.group("function"), "function", 0
            if match.group("type"):
                return match.group("type"), "type", 0
            if match.group("variable"):
                return match.group("variable"), "variable", 0
            return "", "group", 0
        match = _RUST_DECL.match(stripped)
        if not match:
            return None
        if match.group("impl") is not None:
            owner = _rust_impl_type(match.group("impl"))
            return (owner, "impl", 2) if owner else None
        if match.group("function"):
            return match.group("function"), "function", 0
        if match.group("type"):
            kind = "trait" if re.search(r"\btrait\s", stripped) else "type"
            return match.group("type"), kind, 0
        return match.group("variable") or match.group("macro"), "type", 0

    def _end(self, code: list[str], depth_before: list[int], index: int, level: int) -> int:
        """The last line of the declaration that starts at `index` at depth `level`: where its brackets
        are balanced again and the statement ends (a `}` or `;`, or, in Go and TypeScript, a line end
        that the next line does not continue)."""
        for line in range(index, len(code)):
            text = code[line].rstrip()
            if not text or depth_before[line + 1] != level:
                continue
            last = text[-1]
            if last in "};":
                return line
            if self.language == "rust" or last in "{,=|&+-*/<>:.(" or text.endswith("=>"):
                continue
            following = next((code[n].strip() for n in range(line + 1, len(code)) if code[n].strip()), "")
            if following and _continues(following) and not (self.language == "go" and following[0] in "{)]"):
                continue
            return line
        return len(code) - 1


def _continues(stripped: str) -> bool:
    """A line that goes on with the statement above it."""
    return stripped[0] in ".|&?:=+-*/,<>{)]" or stripped.startswith(("extends ", "implements ", "where"))


_BRACE_SPECIAL = re.compile(r"[/\"'`]")
_RUST_RAW = re.compile(r'b?r(#*)"')
_CHAR = re.compile(r"'(?:\\(?:u\{[0-9a-fA-F]*\}|x[0-9a-fA-F]{2}|.)|[^\\'])'")
_TS_REGEX = re.compile(r"/(?:\\.|\[(?:\\.|[^\]\\])*\]|[^/\\\[\n])+/")


def _regex_may_start(line: str, pos: int) -> bool:
    """A `/` where an expression starts is a regular expression, not a division."""
    before = line[:pos].rstrip()
    return not before or before[-1] in "(,=:[!&|?{};" or before.endswith("return")


_TS_NOT_METHODS = {"if", "for", "while", "switch", "catch", "return", "function", "super", "this"}


def _rust_impl_type(header: str) -> str | None:
    """The type an `impl` block is for: `impl<T> Trait<T> for Vec<T>` -> Vec."""
    text = header.strip()
    if text.startswith("<"):
        depth = 0
        for pos, char in enumerate(text):
            depth += {"<": 1, ">": -1}.get(char, 0)
            if depth == 0:
                text = text[pos + 1:]
                break
    text = re.split(r"\{|\bwhere\b", text)[0]
    parts = re.split(r"\s+for\s+", text)
    target = parts[-1].strip()
    target = re.sub(r"^(?:&\s*(?:'\w+\s+)?(?:mut\s+)?|dyn\s+|\*(?:const|mut)\s+)+", "", target)
    target = re.split(r"[<\s]", target)[0]
    target = target.rsplit("::", 1)[-1]
    return target if re.fullmatch(r"\w+", target or "") else None
