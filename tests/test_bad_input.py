"""Bad input of any kind: one clear line on stderr, a non-zero exit, no traceback, nothing written.

Hypothesis throws arbitrary unicode, control characters, huge strings, shell
metacharacters, option-like words and wrong types at every command. Most examples
run in-process (fast); a few go through a real process with bytes that are not UTF-8.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from imi_testing import IMI, assert_clean_failure

ARG, GOAL, TASK, DONE = "<arg>", "<goal>", "<task>", "<done>"

TEMPLATES = [
    ["goal", ARG], ["goal", ARG, ARG, ARG, ARG, ARG, ARG], ["goal", ARG, "--priority", ARG],
    ["goal", ARG, "--files", ARG], ["goal", ARG, "--success-signal", ARG, "--for-who", ARG],
    ["task", GOAL, ARG], ["task", ARG, ARG], ["task", GOAL, ARG, ARG, ARG, ARG], ["task", GOAL, ARG, "-p", ARG],
    ["task", GOAL, ARG, "--blocked-by", ARG], ["task", GOAL, "t", "--tools", ARG, "--context", ARG],
    ["task", GOAL, ARG, "--acceptance-criteria", ARG, "--relevant-files", ARG],
    ["decide", ARG, ARG], ["decide", ARG, ARG, ARG, "--files", ARG], ["decide", "--killed", ARG, ARG],
    ["kill", ARG, ARG], ["vision", ARG], ["log", ARG], ["log", ARG, "--files", ARG],
    ["lesson", ARG, "--correct-behavior", ARG], ["lesson", "l", "--correct-behavior", "c", "--verified-by", ARG],
    ["memory", "add", ARG, ARG, ARG], ["memory", "add", GOAL, ARG, ARG], ["memory", "list", ARG],
    ["memory", "list", "--limit", ARG], ["memory", ARG],
    ["start", ARG], ["start", TASK, ARG], ["next", ARG], ["ping", ARG], ["ping", TASK],
    ["checkpoint", ARG, ARG], ["checkpoint", TASK, ARG], ["checkpoint", TASK, "n", "--files", ARG],
    ["complete", ARG, ARG], ["complete", TASK, ARG, "--outcome", ARG, "--uncertainty", ARG],
    ["complete", DONE, ARG], ["fail", TASK, ARG], ["fail", ARG, ARG], ["ready", ARG], ["ready", "--limit", ARG],
    ["context", ARG], ["context", "--budget", ARG], ["context", "--file", ARG], ["plan", ARG], ["status", ARG],
    ["think", "--budget", ARG], ["check", ARG], ["check", "--limit", ARG], ["search", ARG],
    ["search", "t", "--limit", ARG], ["show", ARG], ["archive", ARG], ["delete", ARG], ["delete", GOAL, ARG],
    [ARG], [ARG, ARG], ["--agent", ARG, "log", "fine"], ["init", ARG],
]

SPECIALS = [
    "", " ", "\t", "\n", "-", "--", "-x", "--nope", "--json", "--files", "--yes", "--force", "=", "-p",
    "0", "-1", "1e9", "99999999999999999999999", "nan", "inf", "None", "null", "true", "[]", "{}", "0x10", "３",
    "$(touch pwned)", "`id`", "; rm -rf /", "| cat", "&& echo", "' OR 1=1 --", '"', "\\", "*", "**", "?", "[",
    "../", "../../etc/passwd", "/etc/passwd", "/", ".", "..", ".imi/state.db", "src/a.py:0", "src/a.py:9-2",
    "src/a.py:1-99999999999999999999", "a#", "#sym", "a,b,,c", ",,,", "%", "_", "a b", "mw", "m",
    "\x00", "\x1b[2J\x1b[31mred", "\x1b]0;title\x07", "\u202egnp.exe", "\ufeff", "\u200b", "𝕏", "日本語", "\r\n",
    "x" * 200_000, "word " * 30_000, "\n" * 5_000, "é" * 100_001,
]

arg_values = st.one_of(
    st.sampled_from(SPECIALS),
    st.text(max_size=40),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x9f), max_size=20),  # control characters
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),  # not UTF-8
    st.integers().map(str),
    st.floats().map(str),
)


@st.composite
def command_lines(draw) -> list[str]:
    template = draw(st.sampled_from(TEMPLATES))
    args = [draw(arg_values) if part == ARG else part for part in template]
    args += draw(st.lists(arg_values, max_size=2))
    if draw(st.booleans()):
        args.insert(draw(st.integers(0, len(args))), "--json")
    return args


@pytest.fixture
def seeded(project):
    project.file("src/a.py")
    goal = project.new("goal", "G")
    done = project.new("task", goal, "finished")
    project.ok("start", done)
    project.ok("complete", done, "summary")
    return {GOAL: goal, TASK: project.new("task", goal, "open task"), DONE: done}


def _check(project, ids, args) -> None:
    args = [ids.get(a, a) for a in args]
    before = project.checksum()
    result = project.run(*args)
    assert "Traceback" not in result.err, str(result)
    assert "internal error" not in result.err, str(result)
    if result.code == 0:  # the one thing a success may say: a record repeats one written before (docs/curation.md)
        assert all(" word for word: keep one " in line for line in result.err.splitlines()), str(result)
    else:
        assert_clean_failure(result)
        assert project.checksum() == before, f"a failed command wrote to the database: {result}"
    shows_help = result.code == 0 and result.out.startswith("Usage:")  # no command given, or --help
    if _wants_json(args) and not shows_help and "--version" not in args and (result.code or result.out):
        json.loads(result.out)


def _wants_json(args: list[str]) -> bool:
    """`--json` counts anywhere before `--`, unless it is the value of `--agent`."""
    i = 0
    while i < len(args):
        if args[i] == "--":
            return False
        if args[i] == "--json":
            return True
        i += 2 if args[i] == "--agent" else 1
    return False


@settings(max_examples=250, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(args=command_lines())
@example(args=["log", "\ud800"])
@example(args=["goal", "x" * 200_000])
@example(args=["decide", "a", "b", "--files", "src/a.py,/etc/passwd"])
@example(args=["context", "--budget", "nan"])
@example(args=["--agent", "\udcff", "log", "fine"])
@example(args=["memory", "add", GOAL, "k", "v", "--files", "../x"])
def test_bad_input_never_crashes_and_failures_write_nothing(seeded, project, args):
    _check(project, seeded, args)


def test_shell_metacharacters_are_stored_verbatim_and_never_run(project):
    text = "$(touch pwned) `touch pwned2`; touch pwned3 | cat && echo 'quoted' \"double\" > out.txt"
    result = project.sub("log", text, "--json")
    assert result.code == 0, str(result)
    assert result.json()["content"] == text
    assert not any((project.root / name).exists() for name in ("pwned", "pwned2", "pwned3", "out.txt"))
    assert text in project.sub("context").out


@pytest.mark.parametrize("arg", [b"\xff\xfe", b"caf\xe9", b"ok \xc3\x28 then", b"\xed\xa0\x80"])
def test_bytes_that_are_not_utf8_are_refused_by_a_real_process(project, arg):
    before = project.checksum()
    for argv in (["log", arg], ["goal", arg], ["decide", b"what", arg], ["search", arg], ["--agent", arg, "log", b"x"],
                 ["log", b"x", "--files", arg], ["show", arg]):
        proc = subprocess.run([*IMI, *argv], cwd=project.root, env=project.process_env(), capture_output=True,
                              timeout=30)
        err = proc.stderr.decode("utf-8", "replace")
        assert proc.returncode == 2, (argv, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "UTF-8" in err, (argv, err)
    assert project.checksum() == before


@pytest.mark.parametrize(("var", "value"), [
    ("IMI_LEASE_MINUTES", "nan"), ("IMI_LEASE_MINUTES", "inf"), ("IMI_LEASE_MINUTES", "-5"),
    ("IMI_LEASE_MINUTES", "abc"), ("IMI_LEASE_MINUTES", "1e400"), ("IMI_AGENT_ID", "a\nb"),
    ("IMI_AGENT_ID", "x" * 10_000), ("IMI_AGENT_ID", "\x1b[31mred"), ("IMI_DB", "/nonexistent/dir/state.db"),
    ("IMI_DB", "/dev/null"), ("IMI_DB", "relative/state.db"),
])
def test_bad_environment_values(seeded, project, var, value):
    for args in (["start", seeded[TASK]], ["status"], ["context"], ["log", "n"], ["think"], ["next"], ["plan"]):
        before = project.checksum()
        result = project.run(*args, env={var: value})
        assert "Traceback" not in result.err and "internal error" not in result.err, str(result)
        if result.code:
            assert_clean_failure(result)
            assert project.checksum() == before, str(result)
