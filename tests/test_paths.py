"""imi_cli.memory.paths, the one place that decides whether a record names a file."""

from __future__ import annotations

import pytest

from imi_cli.memory.errors import UsageError
from imi_cli.memory.paths import FileSpec, glob_match, is_glob, normalize, parse_spec, paths_in_text


@pytest.mark.parametrize(("pattern", "path", "expected"), [
    ("src/*.py", "src/a.py", True), ("src/*.py", "src/sub/a.py", False),
    ("src/**/*.py", "src/a.py", True), ("src/**/*.py", "src/x/y/a.py", True), ("src/**", "src/x/y", True),
    ("**/*.md", "README.md", True), ("docs/", "docs/guide/intro.md", True), ("docs/", "docsx/a", False),
    ("src/?.py", "src/a.py", True), ("src/?.py", "src/ab.py", False),
    ("src/[ab].py", "src/a.py", True), ("src/[ab].py", "src/c.py", False),
    ("src/[!ab].py", "src/c.py", True), ("src/[!ab].py", "src/a.py", False), ("src/[^a].py", "src/a.py", False),
    ("[]]x", "]x", True), ("[!]]x", "ax", True), ("[!]]x", "]x", False), ("[[]x", "[x", True),
    ("[a-c]", "b", True), ("a.py", "aXpy", False), ("a+b(c).py", "a+b(c).py", True),
    # malformed classes never raise: they match themselves literally
    ("[", "[", True), ("[]", "[]", True), ("[!]", "[!]", True), ("[z-a]", "[z-a]", True), ("[z-a]", "q", False),
])
def test_glob_match(pattern, path, expected):
    assert glob_match(pattern, path) is expected


def test_is_glob():
    assert is_glob("src/*.py") and is_glob("docs/") and is_glob("a[bc]") and not is_glob("src/a.py")


def test_normalize(tmp_path):
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    assert normalize("src\\a.py", root) == "src/a.py"
    assert normalize(str(root / "src" / "a.py"), root) == "src/a.py"
    assert normalize("./a.py", root, cwd=root / "src") == "src/a.py"
    assert normalize("src/x/../a.py", root) == "src/a.py"
    assert normalize(".", root, cwd=root) == "**"
    for bad in ("", "  ", "../x", "/etc/passwd", "src/../../x", ".imi/state.db", "a\x00b"):
        with pytest.raises(UsageError):
            normalize(bad, root)


def test_parse_spec(tmp_path):
    assert parse_spec("src/a.py:10-15", tmp_path) == FileSpec("src/a.py", 10, 15)
    assert parse_spec("src/a.py:7", tmp_path) == FileSpec("src/a.py", 7, 7)
    assert parse_spec("src/a.py#Store.open", tmp_path) == FileSpec("src/a.py", None, None, "Store.open")
    assert parse_spec("C:/x", tmp_path) == FileSpec("C:/x")
    for bad in ("src/a.py:0", "src/a.py:9-3", "src/a.py:1-999999999999999999999", "a.py#bad symbol"):
        with pytest.raises(UsageError):
            parse_spec(bad, tmp_path)


def test_paths_in_text(tmp_path):
    (tmp_path / "src" / "auth").mkdir(parents=True)
    (tmp_path / "src" / "auth" / "refresh.ts").write_text("x")
    (tmp_path / "README.md").write_text("x")
    text = ("see src/auth/refresh.ts:40-47, README.md. and src/auth/ but not src/ghost.ts, ../README.md, "
            "/etc/passwd, v1.2 or src/auth/refresh.ts:1-999999999999999999999")
    found = paths_in_text(text, tmp_path)
    assert found == [FileSpec("src/auth/refresh.ts", 40, 47), FileSpec("README.md"), FileSpec("src/auth/"),
                     FileSpec("src/auth/refresh.ts")]


def test_a_glob_ruled_out_by_its_literal_beginning_never_matches():
    """may_match only skips compiling globs that could not match: never one that does."""
    from imi_cli.memory.paths import matches, may_match

    patterns = ["src/**", "src/app/payments/**", "**/*.py", "docs/", "src/[ab].py", "src/a?.py", "src/*/x.py",
                "src/[z-a].py", "[!s]rc/**", "src/app/[]]x", "*", "**"]
    paths = ["src/a.py", "src/ab.py", "src/app/payments/x.py", "src/app/uploads/x.py", "docs/x.md", "docs",
             "src/[z-a].py", "arc/q", "src/app/]x", "x", "a/b/c.py"]
    for pattern in patterns:
        for path in paths:
            if matches(pattern, True, path):
                assert may_match(pattern, path), (pattern, path)
    assert not may_match("src/app/payments/**", "src/app/uploads/x.py")
