"""File references: parsing `--files` specs, normalising paths, globs, and paths named in text.

The one place that decides whether a record names a file. Stored paths are
repo-relative with POSIX separators; anything outside the workspace is refused.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from .errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

GLOB_CHARS = set("*?[")
MAX_LINE = 100_000_000  # a line number beyond any real file (and far inside SQLite's 64-bit integers)
_SYMBOL_MARKS = frozenset("_.$:<>-")  # with letters and digits, what a symbol name may hold
# Patterns as text: `re` is imported, and compiles and caches them, on first use, so start-up does
# not pay for them (importing `re` alone costs two thirds of Python's own start).
# A token that looks like a path: has a slash or a dotted extension.
_TEXT_PATH = (r"(?<![\w@:/.-])((?:\.{0,2}/)?[\w.-]+(?:/[\w.-]+)*(?:/|\.[A-Za-z0-9]+))(?::(\d+)(?:-(\d+))?)?")


def _may_name_path(text: str) -> bool:
    """Whether _TEXT_PATH can match: it needs a slash or a dot before an ASCII letter or digit
    (most notes have neither, and then the pattern is not even compiled)."""
    if "/" in text:
        return True
    dot = text.find(".")
    while dot != -1:
        after = text[dot + 1:dot + 2]
        if after.isascii() and after.isalnum():
            return True
        dot = text.find(".", dot + 1)
    return False


class FileSpec:
    """A parsed `--files` entry: a repo-relative path or glob, optionally a line range or symbol, and
    (`text`) the anchored lines as they were when the record was written. A value: equal when the
    fields are (not a namedtuple, whose `collections` import costs a fifth of Python's start)."""

    __slots__ = ("path", "line_start", "line_end", "symbol", "text")

    def __init__(self, path: str, line_start: int | None = None, line_end: int | None = None,
                 symbol: str | None = None, text: str | None = None):
        self.path, self.line_start, self.line_end, self.symbol, self.text = path, line_start, line_end, symbol, text

    def _fields(self) -> tuple:
        return self.path, self.line_start, self.line_end, self.symbol, self.text

    def __eq__(self, other) -> bool:
        return isinstance(other, FileSpec) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return "FileSpec(" + ", ".join(f"{name}={value!r}" for name, value in zip(self.__slots__, self._fields())) + ")"

    def _replace(self, **changes) -> FileSpec:
        """A copy with the named fields changed."""
        return FileSpec(**{name: changes.get(name, value) for name, value in zip(self.__slots__, self._fields())})

    @property
    def is_glob(self) -> bool:
        return is_glob(self.path)


def is_glob(path: str) -> bool:
    """True when the path has glob characters or names a folder (trailing slash)."""
    return bool(GLOB_CHARS & set(path)) or path.endswith("/")


def split_specs(value: str | None) -> list[str]:
    """Split a comma-separated `--files` value, dropping blanks."""
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def normalize(raw: str, root: Path, cwd: Path | None = None) -> str:
    """Turn a user's path into a repo-relative POSIX path; refuse one outside the workspace.

    Relative paths are taken from the workspace root, except `./x` and `../x`, which are taken
    from the current folder as a shell would. In a subfolder, a bare path that exists only
    from the current folder is taken from there (`imi context --file a.py` in `src/`).
    """
    text = raw.strip().replace("\\", "/")
    if not text or "\x00" in text:
        raise UsageError(f"invalid path {raw!r}")
    trailing = "/" if text.endswith("/") and text != "/" else ""
    root = root.absolute()
    if text.startswith("/"):
        candidate = Path(text)
    elif text.startswith(("./", "../")) or text in (".", ".."):
        candidate = (cwd or Path.cwd()).absolute() / text
    else:
        candidate = _from_root_or_here(text, root, (cwd or Path.cwd()).absolute())
    resolved = Path(os.path.normpath(candidate))
    try:
        rel = resolved.relative_to(Path(os.path.normpath(root)))
    except ValueError:
        raise UsageError(f"path {raw!r} is outside the workspace {root}") from None
    rel_text = PurePosixPath(*rel.parts).as_posix() if rel.parts else ""
    if not rel_text or rel_text == ".":
        return "**"
    if rel_text.split("/")[0] == ".imi":
        raise UsageError(f"path {raw!r} is inside .imi/, which holds the memory itself")
    return rel_text + trailing


def _from_root_or_here(text: str, root: Path, here: Path) -> Path:
    """`root / text`, unless only `here / text` exists (inside the workspace): then that one."""
    from_root = root / text
    if here == root or is_glob(text.rstrip("/")) or from_root.exists():
        return from_root
    from_here = here / text
    if from_here.exists() and relative_to_root(from_here, root) is not None:
        return from_here
    return from_root


def _line_range(text: str) -> tuple[str, int, int] | None:
    """(path, first line, last line) of `path:10` or `path:10-15` (any decimal digits, as `\\d`);
    None when the text names no range."""
    colon = text.rfind(":")
    if colon < 1 or "\n" in text[:colon]:
        return None
    numbers = text[colon + 1:]
    if numbers.endswith("\n"):
        numbers = numbers[:-1]
    first, dash, last = numbers.partition("-")
    if not first.isdecimal() or (dash and not last.isdecimal()):
        return None
    return text[:colon], int(first), int(last) if dash else int(first)


def parse_spec(raw: str, root: Path, cwd: Path | None = None) -> FileSpec:
    """Parse `path`, `path:10`, `path:10-15` or `path#symbol` into a FileSpec."""
    text = raw.strip()
    symbol = None
    start = end = None
    if "#" in text:
        text, symbol = text.split("#", 1)
        symbol = symbol.strip() or None
        if symbol and not all(char.isalnum() or char in _SYMBOL_MARKS for char in symbol):
            raise UsageError(f"invalid symbol {symbol!r} in {raw!r}")
    line_range = _line_range(text)
    if line_range:
        text, start, end = line_range
        if start < 1 or end < start:
            raise UsageError(f"invalid line range in {raw!r}: lines start at 1 and the end comes after the start")
        if end > MAX_LINE:
            raise UsageError(f"invalid line range in {raw!r}: no file has {end} lines")
    return FileSpec(normalize(text, root, cwd), start, end, symbol)


_GLOBS: dict[str, re.Pattern[str]] = {}  # pattern -> compiled; emptied when it reaches 4,096


def _glob_regex(pattern: str) -> re.Pattern[str]:
    compiled = _GLOBS.get(pattern)
    if compiled is None:
        if len(_GLOBS) >= 4096:
            _GLOBS.clear()
        compiled = _GLOBS[pattern] = _compile_glob(pattern)
    return compiled


def _compile_glob(pattern: str) -> re.Pattern[str]:
    import re

    from .globs import regex

    return re.compile(regex(pattern))


def compile_glob(pattern: str) -> re.Pattern[str]:
    """The compiled form of a glob, for callers that match one pattern against many paths."""
    return _glob_regex(pattern)


def glob_match(pattern: str, path: str) -> bool:
    """Match a repo-relative path against a glob: `*` stays in one folder, `**` crosses them,
    a trailing `/` means everything below that folder."""
    from .globs import matches as glob_matches  # one path: no regular expression, no `re`

    return glob_matches(pattern, path)


def matches(ref_path: str, ref_is_glob: bool, path: str) -> bool:
    """Whether a stored reference names `path` (both repo-relative)."""
    return glob_match(ref_path, path) if ref_is_glob else ref_path == path


def may_match(pattern: str, path: str) -> bool:
    """False when a glob certainly does not match `path`: the path does not start with the glob's
    literal beginning (checked before the glob is compiled, when many globs meet one path)."""
    cut = min((i for i in (pattern.find("*"), pattern.find("?"), pattern.find("[")) if i != -1), default=len(pattern))
    return path.startswith(pattern[:cut])


def paths_in_text(text: str, root: Path, missing: list[str] | None = None) -> list[FileSpec]:
    """Paths named in free text that exist in the workspace, with a `:line` or `:a-b` if given.

    With a `missing` list, paths that look like files in a folder (`src/x.ts`, `docs/`) but do not
    exist are added to it, so the caller can say they were not linked. A bare name with a dot
    (`Node.js`, `v1.2`) is too often not a file to report.
    """
    found: dict[tuple, FileSpec] = {}
    if not text or not _may_name_path(text):
        return []
    import re

    for match in re.finditer(_TEXT_PATH, text):
        token = match.group(1).rstrip(".")
        if token.startswith(("./", "../")) or token.startswith("/") or ".." in token.split("/"):
            continue
        if "/" not in token.rstrip("/") and "." not in token:
            continue
        target = root / token
        try:
            exists = target.is_dir() if token.endswith("/") else target.is_file()
        except OSError:
            exists = False
        if not exists:
            if missing is not None and "/" in token.rstrip("/") and token not in missing:
                missing.append(token)
            continue
        start = int(match.group(2)) if match.group(2) else None
        end = int(match.group(3)) if match.group(3) else start
        if start is not None and (start < 1 or end < start or end > MAX_LINE):
            start = end = None
        spec = FileSpec(token, start, end)
        found.setdefault((spec.path, spec.line_start, spec.line_end), spec)
    return list(found.values())


def relative_to_root(file_path: str | Path, root: Path) -> str | None:
    """A filesystem path as a repo-relative POSIX path, or None when outside the workspace."""
    try:
        rel = Path(os.path.normpath(Path(file_path).absolute())).relative_to(Path(os.path.normpath(root.absolute())))
    except ValueError:
        return None
    return PurePosixPath(*rel.parts).as_posix() if rel.parts else None
