"""What replaced `re` and `json` on the hot paths gives exactly what they gave.

Issue 16 took `re`, `json` and `collections` off the commands agents run: JSON through `_json`
(memory/jsontext.py), one glob against one path by reading the glob (memory/globs.py), version
file names, line ranges, search words and snippet marks by string methods. Each is compared here
with the regular expression or json call it replaced, on many generated inputs, edge cases
included (line breaks, non-ASCII digits, reversed ranges in sets, lone surrogates).
"""

from __future__ import annotations

import json
import random
import re
import string
import subprocess
import sys
import warnings

import pytest

from imi_cli.memory import jsontext
from imi_cli.memory.globs import matches as glob_matches
from imi_cli.memory.paths import FileSpec, _compile_glob, _line_range
from imi_cli.memory.store.search import CLOSE, OPEN, _flat, _unmark, word_runs
from imi_cli.memory.textsync.layout import _SHARDS, KIND_DIRS, _is_pack_name, _split_name, _well_named


def _outcome(call, *args, **kwargs):
    try:
        return "ok", call(*args, **kwargs)
    except Exception as exc:  # the same error, type and message, is part of "the same"
        return "error", repr(exc)


def _value(rng: random.Random, depth: int = 0):
    pieces = ["a", "é", "\n", '"', "\\", "\u2028", "😀", "\x00", "\x1b", "/", " ", "\ud800"]
    text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice([text, rng.randint(-10**20, 10**20), rng.random() * 10 ** rng.randint(-30, 30), True, False,
                           None, float("nan"), float("inf"), -0.0])
    if roll < 0.7:
        members = [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        return members if rng.random() < 0.8 else tuple(members)
    keys = [text + str(i) for i in range(rng.randint(0, 4))] if rng.random() < 0.8 else [1, 2.5, True, None]
    return {key: _value(rng, depth + 1) for key in keys}


OPTIONS = [{}, {"sort_keys": True}, {"indent": 2, "sort_keys": True, "ensure_ascii": False}, {"indent": 2},
           {"ensure_ascii": False}]


def test_json_text_is_what_json_writes_and_reads():
    rng = random.Random(16)
    for _ in range(3000):
        value = _value(rng)
        for options in OPTIONS:
            written = _outcome(json.dumps, value, **options)
            assert _outcome(jsontext.dumps, value, **options) == written, (value, options)
            if written[0] == "ok":
                assert repr(_outcome(jsontext.loads, written[1])) == repr(_outcome(json.loads, written[1]))


@pytest.mark.parametrize("text", ["", " ", "{", "[1,]", "1 2", "nul", '"\x01"', "  [1]  ", "\ufeff[1]", "[1]\x0b",
                                  "NaN", "-Infinity", '{"a":1,"a":2}', "1e999", '{"a": [1, {"b": null}]}\n'])
def test_json_text_reads_odd_documents_as_json_does(text):
    assert repr(_outcome(jsontext.loads, text)) == repr(_outcome(json.loads, text))


def test_json_text_reads_a_broken_document_as_json_does_in_a_process_without_json():
    """The accelerator's scanner reports errors through json.decoder, which a hot command has not loaded."""
    code = ("import sys\nfrom imi_cli.memory import jsontext\nassert 'json' not in sys.modules\n"
            "for text in ('{oops', '[1,', '\"\\x01\"', '1 2'):\n"
            "    try:\n        jsontext.loads(text)\n    except ValueError as exc:\n"
            "        print(type(exc).__name__, exc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [f"JSONDecodeError {_outcome(json.loads, text)[1].split('(', 1)[1][1:-2]}"
                                        for text in ("{oops", "[1,", '"\x01"', "1 2")]


def test_json_text_refuses_what_json_refuses():
    circular: list = []
    circular.append(circular)
    for value in (object(), {"a": {1, 2}}, {(1, 2): 3}, circular, {"a": 1, 2: "b"}):
        for options in ({}, {"indent": 2}, {"sort_keys": True}):
            assert _outcome(jsontext.dumps, value, **options) == _outcome(json.dumps, value, **options)


def _regex_of_glob(pattern: str) -> re.Pattern[str]:
    """How globs were translated before the matcher (the reference): character by character."""
    if pattern.endswith("/"):
        pattern += "**"
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char in "*?":
            out.append("[^/]*" if char == "*" else "[^/]")
        elif char == "[":
            negate = pattern[i + 1:i + 2] in ("!", "^")
            first = i + 1 + negate
            close = pattern.find("]", first + 1 if pattern[first:first + 1] == "]" else first)
            if close == -1:
                out.append(re.escape(char))
            else:
                members = "".join("\\" + c if c in "\\[]^" else c for c in pattern[first:close])
                out.append(f"[{'^' if negate else ''}{members}]")
                i = close
        else:
            out.append(re.escape(char))
        i += 1
    try:
        return re.compile("".join(out) + r"\Z")
    except re.error:
        return re.compile(re.escape(pattern) + r"\Z")


def test_one_glob_against_one_path_is_what_the_regular_expression_says():
    warnings.simplefilter("ignore", FutureWarning)  # sets like [a--z] warn in `re`, not in the matcher
    rng = random.Random(20)
    glob_parts = ["*", "**", "**/", "?", "[", "]", "!", "^", "-", "a", "b", "z", "/", ".", "\\", "\n", "[a-c]",
                  "[!a]", "[z-a]", "x", "src/", ".py"]
    path_parts = ["a", "b", "c", "z", "/", ".", "-", "\n", "x", "!", "^", "[", "]", "\\", "src/", ".py"]
    agreed = 0
    for _ in range(30000):
        glob = "".join(rng.choice(glob_parts) for _ in range(rng.randint(0, 6)))
        for _ in range(4):
            path = "".join(rng.choice(path_parts) for _ in range(rng.randint(0, 7)))
            expected = bool(_regex_of_glob(glob).match(path))
            assert glob_matches(glob, path) == expected, (glob, path)
            assert bool(_compile_glob(glob).match(path)) == expected, (glob, path)
            agreed += expected
    assert agreed > 1000  # many pairs match: the comparison is not all "no"


@pytest.mark.parametrize("glob, path, expected", [
    ("src/**/*.py", "src/a/b/c.py", True), ("src/**/*.py", "src/c.py", True), ("src/*.py", "src/a/c.py", False),
    ("src/", "src/a/b", True), ("**", "anything/at/all", True), ("[!a]b", "/b", True), ("[z-a]", "[z-a]", True),
])
def test_globs_mean_what_the_docs_say(glob, path, expected):
    assert glob_matches(glob, path) is expected


def test_version_file_names_are_read_as_the_patterns_read_them():
    name_pattern = re.compile(r"([0-9A-Za-z_-]{1,64})\.([0-9a-z]{18})\.json")
    pack_pattern = re.compile(r"[0-9a-f]{40}\.jsonl")
    rng = random.Random(11)
    for _ in range(50000):
        roll = rng.random()
        if roll < 0.4:
            name = ("".join(rng.choice("aZ_-9.") for _ in range(rng.randint(0, 70))) + "."
                    + "".join(rng.choice("a0z.Z") for _ in range(rng.randint(16, 19)))
                    + rng.choice([".json", ".jsonl", ".json\n", ""]))
        elif roll < 0.7:
            name = "".join(rng.choice("0af.gA") for _ in range(rng.randint(38, 41))) + rng.choice([".jsonl", ".json"])
        else:
            name = "".join(rng.choice("a_Z-.0\n١") for _ in range(rng.randint(0, 3)))
        found = name_pattern.fullmatch(name)
        assert _split_name(name) == (found.groups() if found else None), name
        assert _is_pack_name(name) == bool(pack_pattern.fullmatch(name)), name
        assert (name in _SHARDS) == bool(re.fullmatch(r"[0-9a-z_]", name)), name
    record_id = "".join(rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(64))
    assert _split_name(f"{record_id}.{'0a' * 9}.json") == (record_id, "0a" * 9)


def test_a_large_pack_s_names_checked_at_once_are_the_names_checked_one_by_one():
    """From 2,000 names on, a pack's first line is checked with one pattern over all its names; what it keeps
    must be what `_split_name` keeps name by name, whatever one bad entry (not text, a line break inside, a
    wrong shape or kind, not a pair) hides among good ones."""
    rng = random.Random(19)
    good = [[f"{rng.choice(['a', 'Zz_-9', 'x' * 64])}{n}"[-64:] + f".{n:018d}.json", rng.choice(["goal", "memory"])]
            for n in range(2500)]
    bad_entries = [[7, "note"], [None, "goal"], ["a\nb.000000000000000000.json", "goal"],
                   ["x.000000000000000000.json\ny.000000000000000000.json", "goal"], ["x.0.json", "memory"],
                   ["ok.000000000000000000.json", "gadget"], ["ok.000000000000000000.json"], "text", [["a"], "goal"],
                   ["ok.00000000000000000A.json", "task"], ["é.000000000000000000.json", "task"]]
    assert _well_named(good) == [tuple(entry) for entry in good]
    for bad in bad_entries:
        versions = good[:1200] + [bad] + good[1200:]
        try:
            expected = [(name, kind) for name, kind in versions
                        if kind in KIND_DIRS and isinstance(name, str) and _split_name(name)]
        except (TypeError, ValueError):  # not a pair: the pack is skipped (pack_names)
            with pytest.raises((TypeError, ValueError)):
                _well_named(versions)
            continue
        assert _well_named(versions) == expected, bad


def test_line_ranges_symbols_and_search_words_are_read_as_the_patterns_read_them():
    range_pattern = re.compile(r"^(?P<path>.+?):(?P<start>\d+)(?:-(?P<end>\d+))?$")
    rng = random.Random(7)
    for _ in range(50000):
        text = "".join(rng.choice(list("ab:-1209\n/._") + ["١", "²", " ", OPEN, CLOSE, "é"])
                       for _ in range(rng.randint(0, 9)))
        found = range_pattern.match(text)
        expected = (found["path"], int(found["start"]), int(found["end"] or found["start"])) if found else None
        assert _line_range(text) == expected, text
        assert word_runs(text) == re.findall(r"\w+", text), text
        assert _unmark(text) == _regex_unmark(text), text


def _regex_unmark(marked: str):
    plain, marks, start = [], [], 0
    for part in re.split(f"([{OPEN}{CLOSE}])", marked):
        if part == OPEN:
            start = sum(map(len, plain))
        elif part == CLOSE:
            marks.append((start, sum(map(len, plain))))
        else:
            plain.append(part)
    return _flat("".join(plain)), tuple(marks)


def test_a_file_spec_is_a_value():
    spec = FileSpec("src/a.py", 3, 5)
    assert spec == FileSpec("src/a.py", 3, 5) and spec != FileSpec("src/a.py", 3, 6)
    assert {spec, FileSpec("src/a.py", 3, 5)} == {spec}
    assert spec._replace(text="x") == FileSpec("src/a.py", 3, 5, None, "x") and spec.text is None
    assert repr(spec) == "FileSpec(path='src/a.py', line_start=3, line_end=5, symbol=None, text=None)"


_PATH_WORK = """
import pathlib, sys
w, p = pathlib.PureWindowsPath, pathlib.PurePosixPath
print([w('C:/a/b').parts, w('C:/a/B') == w('c:/A/b'), w('//srv/share/x').drive, w('C:/A').as_uri(),
       str(w('a') / 'b'), p('a/b.py').match('*.py'), str(pathlib.Path('/tmp/x/../y').resolve()),
       pathlib.Path('/tmp').is_dir(), p('/a/b').relative_to('/a').as_posix()])
"""


def test_paths_work_the_same_after_pathlib_is_imported_with_stand_ins():
    """Windows paths (ntpath behind a stand-in) and the pathlib methods that load the deferred
    modules give what a plain `import pathlib` gives."""
    setup = "from imi_cli.memory.pathimport import import_pathlib\nimport_pathlib()\n"
    with_them = subprocess.run([sys.executable, "-c", setup + _PATH_WORK], capture_output=True, text=True, check=True)
    plain = subprocess.run([sys.executable, "-c", _PATH_WORK], capture_output=True, text=True, check=True)
    assert with_them.stdout == plain.stdout and "C:" in plain.stdout
