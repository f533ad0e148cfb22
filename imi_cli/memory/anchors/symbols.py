"""Finding a named symbol's lines without a language toolchain: Python, TypeScript/JavaScript,
Go and Rust.

One pass over a file's lines tells, for each line, whether a statement starts there and at
what nesting (strings, comments and brackets are skipped the way each language writes
them); declarations are then read off the statement starts by their first words. The result
is an outline: every declaration's qualified name (`Class.method`, a Go method by its
receiver `Type.Method`, a Rust method by its impl's type `Type.method`) with its first line
(decorators and attributes included) and last line.

A name declared more than once in a scope means its first declaration that has a body:
overload signatures (`@overload` stubs, TypeScript signatures without a body) give way to
the implementation, a getter comes before its setter. Measured against `ast` and
tree-sitter on real code in bench/anchor_accuracy.py (docs/anchors.md); why not a parser:
docs/anchors.md, "Finding symbols".
"""

from __future__ import annotations

import re
from collections import namedtuple

from .languages import LANGUAGES, language_of  # noqa: F401  (LANGUAGES: part of this module's API)


class Declaration(namedtuple("Declaration", "first last depth rank")):  # not typing.NamedTuple: start-up cost
    """One declaration in the outline: `first` and `last` lines (1-based, decorators included), `depth`
    (Python: its indentation, directly in its scope before nested in an `if`; else 0) and `rank`. Of
    several with the same name, the lowest (rank, depth, first) wins: rank 0 a declaration with a body,
    1 a signature without one (an overload), 2 a stand-in (a Rust impl block for its type's name), 3 a
    Go method found by its bare name."""

    __slots__ = ()


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
_CACHE: dict[tuple[str, str], dict[str, list[Declaration]]] = {}


def outline(lines: list[str], language: str) -> dict[str, list[Declaration]]:
    """{qualified name: its declarations} for a file's lines (the last few files' outlines are kept,
    by their text: many anchors share a file)."""
    key = (language, "\n".join(lines))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    result = _PYTHON.outline(lines) if language == "python" else _Braces(language).outline(lines)
    if len(_CACHE) >= 8:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = result
    return result


# --- Python -------------------------------------------------------------------------------------------------------

_PY_DECL = re.compile(r"(?:async[ \t]+)?(def|class)[ \t]+([\w]+)")
_SAME_BRACKETS = str.maketrans("[{]}", "(())")
_PY_OVERLOAD = re.compile(r"@[ \t]*(?:[\w]+\.)*overload\b")


class _Python:
    """Statement starts by Python's rules: brackets and backslashes continue a line, strings may span
    lines, comment lines do not end a block."""

    @staticmethod
    def statements(code: list[str], inside: list[bool]):
        """(index, indent, stripped) of each line where a statement starts (`code`: strings and comments
        blanked)."""
        depth, continued = 0, False
        for index, line in enumerate(code):
            stripped = line.strip()
            if not stripped:
                continue
            if depth == 0 and not continued and not inside[index]:
                yield index, len(line) - len(line.lstrip(" \t")), stripped
            brackets = line.translate(_SAME_BRACKETS)
            depth = max(depth + brackets.count("(") - brackets.count(")"), 0)
            continued = stripped.endswith("\\")

    def outline(self, lines: list[str]) -> dict[str, list[Declaration]]:
        code, inside = _blanked(lines, "python")
        found: dict[str, list[Declaration]] = {}
        stack: list[list] = []  # open blocks: [indent, qualified name, first, rank]
        last_code = -1
        decorator_at: tuple[int, int] | None = None  # (indent, first line) of decorators waiting for their def
        overload = False

        def close(upto_indent: int) -> None:
            while stack and stack[-1][0] >= upto_indent:
                indent, name, first, rank = stack.pop()
                found.setdefault(name, []).append(Declaration(first + 1, last_code + 1, indent, rank))

        previous = -1
        for index, indent, stripped in self.statements(code, inside):
            if previous >= 0:
                last_code = _last_code(code, previous, index)
            previous = index
            if stack and indent <= stack[-1][0]:
                close(indent)
            first_char = stripped[0]
            if first_char == "@":
                if decorator_at is None or decorator_at[0] != indent:
                    decorator_at, overload = (indent, index), False
                overload = overload or bool(_PY_OVERLOAD.match(lines[index].strip()))
                continue
            if first_char in "dca":
                match = _PY_DECL.match(stripped)
                if match:
                    first = decorator_at[1] if decorator_at and decorator_at[0] == indent else index
                    scope = next((b for b in reversed(stack) if b[0] < indent), None)
                    name = f"{scope[1]}.{match.group(2)}" if scope else match.group(2)
                    stack.append([indent, name, first, 1 if overload else 0])
            decorator_at, overload = None, False
        if previous >= 0:
            last_code = _last_code(code, previous, len(code))
        close(-1)
        return found


def _last_code(code: list[str], start: int, stop: int) -> int:
    """The last line before `stop` of the statement that began at `start` (blank and comment lines after
    it do not count)."""
    for index in range(stop - 1, start, -1):
        if code[index].strip():
            return index
    return start


# Strings and comments of each language, leftmost first: what `_blanked` hides before brackets are counted.
_STRINGS = {
    "python": r"""(?=[\#'"rRbBuUfF])(?:(?P<c>\#[^\n]*)|(?P<s>(?:\b[rRbBuUfF]{1,2})?(?:'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"
                  |'(?:\\[\s\S]|[^'\\\n])*'|"(?:\\[\s\S]|[^"\\\n])*")))""",
    "ts": r"""(?=[/"'`])(?:(?P<c>//[^\n]*|/\*[\s\S]*?\*/)|(?P<s>"(?:\\[\s\S]|[^"\\\n])*"|'(?:\\[\s\S]|[^'\\\n])*'
              |`(?:\\[\s\S]|[^`\\])*`|(?:(?<=[(,=:\[!&|?{};])|(?<=[(,=:\[!&|?{};]\ ))/(?![/*])(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n\[])+/))""",
    "go": r"""(?=[/"'`])(?:(?P<c>//[^\n]*|/\*[\s\S]*?\*/)|(?P<s>"(?:\\.|[^"\\\n])*"|`[^`]*`|'(?:\\[^'\n]+|[^'\\\n])'))""",
    "rust": r"""(?=[/"'br])(?:(?P<c>//[^\n]*|/\*[\s\S]*?\*/)|(?P<s>b?r(?P<hashes>\#*)"[\s\S]*?"(?P=hashes)|b?"(?:\\[\s\S]|[^"\\])*"
                |b?'(?:\\(?:u\{[0-9a-fA-F]*\}|x[0-9a-fA-F]{2}|.)|[^\\'\n])'))""",
}
_LEXERS: dict[str, re.Pattern[str]] = {}


def _blanked(lines: list[str], language: str) -> tuple[list[str], list[bool]]:
    """The lines with comments turned to spaces and strings to `x`s (same lengths), and for each line
    whether it begins inside a string or comment that an earlier line opened."""
    lexer = _LEXERS.get(language)
    if lexer is None:
        lexer = _LEXERS[language] = re.compile(_STRINGS[language], re.VERBOSE)
    text = "\n".join(lines)
    parts, last, spanning = [], 0, []
    for match in lexer.finditer(text):
        start, end = match.span()
        parts.append(text[last:start])
        chunk, fill = match.group(), " " if match.lastgroup == "c" else "x"
        if "\n" in chunk:
            parts.append("\n".join(fill * len(piece) for piece in chunk.split("\n")))
            spanning.append((start, end))
        else:
            parts.append(fill * len(chunk))
        last = end
    parts.append(text[last:])
    code = "".join(parts).split("\n")
    inside = [False] * len(code)
    if spanning:
        from bisect import bisect_right
        from itertools import accumulate

        starts = [0, *accumulate(len(line) + 1 for line in lines)]
        for start, end in spanning:
            for index in range(bisect_right(starts, start), bisect_right(starts, end - 1)):
                inside[index] = True
    return code, inside


_PYTHON = _Python()


# --- TypeScript/JavaScript, Go, Rust -------------------------------------------------------------------------------

_TS_MODIFIERS = r"(?:(?:export|default|declare|abstract|async|public|private|protected|static|readonly|override|accessor)\s+)*"
# The brace languages' patterns stay sources, used through re's own cache: they are compiled the first
# time a file of theirs is outlined, not by every read that loads this module for a Python symbol.
_TS_TOP = (
    r"(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:"
    r"(?:async\s+)?function\s*\*?\s*(?P<function>[\w$]+)"
    r"|(?:abstract\s+)?class\s+(?P<class>[\w$]+)"
    r"|(?:const\s+)?enum\s+(?P<enum>[\w$]+)|interface\s+(?P<interface>[\w$]+)"
    r"|(?:namespace|module)\s+(?P<namespace>[\w$]+)"
    r"|(?:const|let|var)\s+(?P<variable>[\w$]+)|type\s+(?P<type>[\w$]+))")
_TS_MEMBER = (_TS_MODIFIERS + r"(?:(?:get|set)\s+)?\*?\s*(?P<method>[\w$]+)\s*\??\s*"
              r"(?:<.*?>\s*\(|<\s*$|\()")  # `name(`, `name<T>(`, or type parameters on the lines below
_TS_SCOPES = ("class", "namespace")

_GO_DECL = (r"func\s+(?:\((?P<receiver>[^)]*)\)\s*)?(?P<function>\w+)|type\s+(?P<type>\w+)"
            r"|(?:var|const)\s+(?P<variable>\w+)|type\s*\(")
_GO_RECEIVER_TYPE = r"\*?\s*(\w+)\s*(?:\[.*\])?\s*$"
_GO_SPEC = r"(?P<type>\w+)\b"

_RUST_DECL = (
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

    def outline(self, lines: list[str]) -> dict[str, list[Declaration]]:
        code, inside = _blanked(lines, self.language)
        found: dict[str, list[Declaration]] = {}
        depth = 0
        depth_before = []
        for text in code:
            depth_before.append(depth)
            brackets = text.translate(_SAME_BRACKETS)
            depth = max(depth + brackets.count("(") - brackets.count(")"), 0)
        depth_before.append(depth)
        scopes: list[tuple[int, str | None, str, int]] = [(0, None, "file", len(code))]  # body depth, name, kind, end
        pending: int | None = None  # first line of the decorators or attributes above the next declaration
        for index, text in enumerate(code):
            level = depth_before[index]
            while index > scopes[-1][3]:
                scopes.pop()
            stripped = text.strip()
            scope_depth, scope_name, scope_kind, _ = scopes[-1]
            if not stripped or level != scope_depth or inside[index]:
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
                match = re.match(_TS_MEMBER, stripped)
                if match and match.group("method") not in _TS_NOT_METHODS:
                    return match.group("method"), "method", 0
                return None
            match = re.match(_TS_TOP, stripped)
            if not match:
                return None
            kind = match.lastgroup
            if kind == "function":
                return match.group(kind), "function", 0
            return match.group(kind), "class" if kind == "class" else ("namespace" if kind == "namespace" else kind), 0
        if lang == "go":
            if scope_kind == "group":
                match = re.match(_GO_SPEC, stripped)
                return (match.group("type"), "type", 0) if match else None
            match = re.match(_GO_DECL, stripped)
            if not match:
                return None
            if match.group("function"):
                receiver = match.group("receiver")
                if receiver is not None:
                    owner = re.search(_GO_RECEIVER_TYPE, receiver.strip())
                    return (f"{owner.group(1)}.{match.group('function')}", "method-of", 0) if owner else None
                return match.group("function"), "function", 0
            if match.group("type"):
                return match.group("type"), "type", 0
            if match.group("variable"):
                return match.group("variable"), "variable", 0
            return "", "group", 0
        match = re.match(_RUST_DECL, stripped)
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


_TS_NOT_METHODS = {"if", "for", "while", "switch", "catch", "return", "function", "super", "this"}


_IMPL_HEAD_END = r"\{|\bwhere\b"
_IMPL_FOR = r"\s+for\s+"
_IMPL_REFERENCE = r"^(?:&\s*(?:'\w+\s+)?(?:mut\s+)?|dyn\s+|\*(?:const|mut)\s+)+"
_IMPL_NAME = r"(?:\w+::)*(\w+)"


def _rust_impl_type(header: str) -> str | None:
    """The type an `impl` block is for: `impl<T> Trait<T> for Vec<T>` -> Vec."""
    text = header.strip()
    if text.startswith("<"):  # the impl's own generic parameters
        depth = 0
        for pos, char in enumerate(text):
            depth += 1 if char == "<" else -1 if char == ">" else 0
            if depth == 0:
                text = text[pos + 1:]
                break
    target = re.split(_IMPL_FOR, re.split(_IMPL_HEAD_END, text, maxsplit=1)[0])[-1].strip()
    match = re.match(_IMPL_NAME, re.sub(_IMPL_REFERENCE, "", target))
    return match.group(1) if match else None
