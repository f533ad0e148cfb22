"""Finding a named symbol's lines without a language toolchain: Python, TypeScript/JavaScript,
Go and Rust, by their declaration syntax plus indentation (Python) or brace matching.

Why heuristics and not parsers: tree-sitter grammars are per-language binary wheels
(several MB each, some without wheels for every platform) for a job that needs only
"where does the declaration of `name` start and end". Declarations in these four
languages have a recognisable first line, and their bodies end where the
indentation returns (Python) or where the braces balance (the others). Strings and
comments are skipped while counting braces. Good enough to anchor memory; when a
symbol cannot be found the anchor falls back to its text.
"""

from __future__ import annotations

import re

LANGUAGES = {
    ".py": "python", ".pyi": "python",
    ".ts": "ts", ".tsx": "ts", ".js": "ts", ".jsx": "ts", ".mjs": "ts", ".cjs": "ts", ".mts": "ts", ".cts": "ts",
    ".go": "go", ".rs": "rust",
}

_DECLARATIONS = {
    "python": [r"^(?P<indent>[ \t]*)(?:async[ \t]+)?def[ \t]+{name}\b", r"^(?P<indent>[ \t]*)class[ \t]+{name}\b"],
    "ts": [
        r"^(?P<indent>[ \t]*)(?:export[ \t]+)?(?:default[ \t]+)?(?:async[ \t]+)?function\*?[ \t]+{name}\b",
        r"^(?P<indent>[ \t]*)(?:export[ \t]+)?(?:default[ \t]+)?(?:abstract[ \t]+)?(?:class|interface|enum)[ \t]+{name}\b",
        r"^(?P<indent>[ \t]*)(?:export[ \t]+)?(?:const|let|var)[ \t]+{name}\b",
        r"^(?P<indent>[ \t]*)(?:export[ \t]+)?type[ \t]+{name}\b",
        r"^(?P<indent>[ \t]*)(?:(?:public|private|protected|static|readonly|async|override|get|set)[ \t]+)*"
        r"\*?{name}[ \t]*(?:<[^>]*>)?[ \t]*\([^;]*\{[ \t]*$",  # a method: `name(args) {` (not a call)
    ],
    "go": [r"^(?P<indent>[ \t]*)func[ \t]+(?:\([^)]*\)[ \t]*)?{name}\b", r"^(?P<indent>[ \t]*)type[ \t]+{name}\b",
           r"^(?P<indent>[ \t]*)(?:var|const)[ \t]+{name}\b"],
    "rust": [r"^(?P<indent>[ \t]*)(?:pub(?:\([^)]*\))?[ \t]+)?(?:(?:async|const|unsafe|extern(?:[ \t]+\"[^\"]*\")?)[ \t]+)*"
             r"(?:fn|struct|enum|trait|mod|type|union|macro_rules!)[ \t]+{name}\b",
             r"^(?P<indent>[ \t]*)impl(?:<[^>]*>)?[ \t]+(?:[\w:<>, ]+[ \t]+for[ \t]+)?{name}\b"],
}
_KEYWORDS_NOT_METHODS = {"if", "for", "while", "switch", "catch", "return", "function"}


def language_of(path: str) -> str | None:
    """The language family of a file by its extension, or None."""
    dot = path.rfind(".")
    return LANGUAGES.get(path[dot:].lower()) if dot != -1 else None


def find_symbol(lines: list[str], path: str, symbol: str) -> tuple[int, int] | None:
    """(first, last) 1-based lines of `symbol` (`name` or `Outer.inner`) in a file's lines, or None."""
    language = language_of(path)
    if language is None or not symbol:
        return None
    found = _resolve(lines, language, symbol.split("."), 0, len(lines) - 1)
    return (found[0] + 1, found[1] + 1) if found else None


def _resolve(lines: list[str], language: str, parts: list[str], lo: int, hi: int) -> tuple[int, int] | None:
    """The first declaration of parts[0] within lo..hi that contains the rest (a Rust struct and
    its impl block share a name: the method is in the impl)."""
    for start, end in _declarations(lines, language, parts[0], lo, hi):
        if len(parts) == 1:
            return start, end
        inner = _resolve(lines, language, parts[1:], start + 1, end)
        if inner:
            return inner
    return None


_COMPILED: dict[str, list[re.Pattern[str]]] = {}


def _patterns(language: str) -> list[re.Pattern[str]]:
    """The language's declaration patterns with the declared name captured (compiled once: compiling
    one pattern per symbol looked up cost more than all the rest of an anchor review)."""
    if language not in _COMPILED:
        _COMPILED[language] = [re.compile(p.replace("{name}", r"(?P<name>[\w$]+)\b"))
                               for p in _DECLARATIONS[language]]
    return _COMPILED[language]


def _declarations(lines: list[str], language: str, name: str, lo: int, hi: int):
    if name in _KEYWORDS_NOT_METHODS or not re.fullmatch(r"[\w$]+", name):
        return
    patterns = _patterns(language)
    for index in range(lo, hi + 1):
        line = lines[index]
        if name not in line:
            continue
        for pattern in patterns:
            match = pattern.match(line)
            if match and match.group("name") == name:
                end = _python_end(lines, index, hi) if language == "python" else _brace_end(lines, index, hi)
                yield _with_decorators(lines, index, language), end
                break


def _with_decorators(lines: list[str], index: int, language: str) -> int:
    marker = {"python": "@", "ts": "@", "rust": "#[", "go": None}[language]
    while marker and index > 0 and lines[index - 1].lstrip().startswith(marker):
        index -= 1
    return index


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _python_end(lines: list[str], start: int, hi: int) -> int:
    base = _indent(lines[start])
    end = start
    depth = 0
    for index in range(start, hi + 1):
        text = lines[index]
        stripped = text.strip()
        if index > start and stripped and depth == 0 and _indent(text) <= base and not stripped.startswith(")"):
            break
        if stripped and not stripped.startswith("#"):
            end = index
        depth += text.count("(") + text.count("[") + text.count("{") - text.count(")") - text.count("]") \
            - text.count("}")
        depth = max(depth, 0)
    return end


_STRING_OR_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`",
                                re.DOTALL)


def _brace_end(lines: list[str], start: int, hi: int) -> int:
    """The line where the braces opened after the declaration balance again (strings and comments skipped)."""
    depth, opened = 0, False
    in_block_comment = False
    for index in range(start, hi + 1):
        text = lines[index]
        if in_block_comment:
            close = text.find("*/")
            if close == -1:
                continue
            text, in_block_comment = text[close + 2:], False
        open_comment = text.rfind("/*")
        if open_comment != -1 and text.find("*/", open_comment) == -1:
            text, in_block_comment = text[:open_comment], True
        code = _STRING_OR_COMMENT.sub("", text)
        for char in code:
            if char == "{":
                depth, opened = depth + 1, True
            elif char == "}":
                depth -= 1
                if opened and depth <= 0:
                    return index
        if not opened and index > start and code.rstrip().endswith(";"):
            return index  # a declaration without a body: `type X = ...;`, `const x = 1;`
        if not opened and index == start and code.rstrip().endswith(";"):
            return index
    return start if not opened else hi
