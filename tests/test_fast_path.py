"""The click-free fast path (imi_cli/cli/fast.py) and the click commands agree on every line.

The commands agents run constantly are parsed without click; any line the fast parser is not
sure of goes to click. These tests run the same lines both ways (the click way by turning the
fast path off) and require the same output, exit code and effect; and they check, line by line,
that the fast parser knows each command's parameters exactly as click declares them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import click
import pytest

import imi_cli.cli as cli_module
from imi_cli.cli import fast
from imi_cli.cli.commands import cli
from imi_cli.memory import DEFAULT_BUDGET

ID = re.compile(r"\b[0-9a-z]{16}\b")
STAMP = re.compile(r'"(\w+_at|hlc|last_ping_at|created|updated)": ("[^"]*"|\d+)')


def _click_command(name: str) -> click.Command:
    return cli.get_command(click.Context(cli), name)


def _both(project, *args, stdin_same=True, between=None):
    """Run the line by the fast path, then by click (fast path off); the two results. `between` runs
    in the middle, on the fast path's result."""
    fast_result = project.run(*args)
    if between is not None:
        between(fast_result)
    original = cli_module.run_fast
    cli_module.run_fast = lambda args, app: None
    try:
        click_result = project.run(*args)
    finally:
        cli_module.run_fast = original
    return fast_result, click_result


def _same(a, b) -> None:
    def norm(text: str) -> str:
        return STAMP.sub(r'"\1": _', ID.sub("ID", text))

    assert (a.code, norm(a.out), norm(a.err)) == (b.code, norm(b.out), norm(b.err)), f"fast: {a}\nclick: {b}"


# --- the parsers declare the same parameters --------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(fast.SPECS))
def test_the_fast_parser_knows_each_parameter_as_click_declares_it(name):
    spec, command = fast.SPECS[name], _click_command(name)
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    required = [p.required or (name, p.name) == ("decide", "why") for p in arguments]  # decide insists on WHY
    assert [(dest, req) for dest, req in spec.args] == list(zip([p.name for p in arguments], required))
    declared = {}
    for option in (p for p in command.params if isinstance(p, click.Option)):
        if isinstance(option.type, click.IntRange):
            kind = (option.type.min, option.type.max)
            assert spec.defaults[option.name] == option.default, option.name
        else:
            kind = fast.FLAG if option.is_flag else fast.MANY if option.multiple else fast.VALUE
        declared.update({flag: (option.name, kind) for flag in option.opts})
        assert (option.name in spec.required) == option.required, option.name
    assert spec.options == declared


def test_the_fast_path_default_budget_is_the_data_layers():
    assert fast.DEFAULT_BUDGET == DEFAULT_BUDGET


# --- the same lines give the same answers -----------------------------------------------------------------------

@pytest.fixture
def seeded(project):
    goal = project.new("goal", "Ship the importer", "-p", "high")
    project.file("src/app.py", "def main():\n    return 1\n")
    project.ok("lesson", "retries hid the outage", "--correct-behavior", "fail fast", "--files", "src/app.py")
    project.ok("decide", "use SQLite", "one file, no server")
    project.seeded_goal = goal
    return project


READS = [
    ("context",), ("context", "--budget", "800"), ("context", "--budget=800"), ("context", "--file", "src/app.py"),
    ("context", "--file=src/app.py", "--json"), ("status",), ("status", "--json"), ("think",), ("think", "--budget", "900"),
    ("check",), ("check", "--limit", "5"), ("check", "--stale"), ("search", "outage"), ("search", "outage", "--limit", "1"),
    ("ready",), ("ready", "--limit", "2", "--json"),
    # lines the fast parser hands to click: help, bad values, unknown options, missing or extra values
    ("context", "--budget", "5"), ("context", "--budget", "x"), ("context", "--budget"), ("context", "--help"),
    ("context", "-h"), ("context", "a", "b"), ("context", "--nope"), ("status", "extra"), ("think", "--budget=-1"),
    ("check", "--limit", "0"), ("check", "--stale=yes"), ("search",), ("search", " "), ("search", "--limit", "1001", "x"),
    ("ready", "--", "x"), ("context", "--file"), ("log",), ("decide", "only what"), ("lesson", "no correction"),
    ("decide", "what", " "), ("decide", "what", ""), ("task",), ("start",), ("ping",), ("checkpoint", "x"),
    ("complete", "x"), ("log", "-x"), ("log", "--files"),
    ("log", "a", "b"), ("start", "nosuchtask"), ("ping", "nosuchtask"), ("next", "nosuchgoal"), ("log", "--help"),
    ("complete", "--force=1", "a", "b"), ("task", "nosuchgoal", "title"), ("lesson", "x", "--correct-behavior", ""),
    ("--version",), ("--help",), ("-h",), (), ("--json",), ("nosuchcommand",),
]


@pytest.mark.parametrize("line", READS, ids=lambda line: " ".join(line) or "(nothing)")
def test_reads_and_bad_lines_answer_the_same_both_ways(seeded, line):
    before = seeded.checksum()
    fast_result, click_result = _both(seeded, *line)
    _same(fast_result, click_result)
    if fast_result.code != 0:
        assert seeded.checksum() == before, f"a failed line wrote: {fast_result}"


WRITES = [
    ("log", "kept the importer streaming"), ("log", "kept it", "--files", "src/app.py,docs/a.md", "--files=b.py"),
    ("log", "kept it", "--relevant-files", "src/app.py", "--json"),
    ("decide", "stream rows", "memory stays flat"), ("decide", "drop XML", "nobody uses it", "importer", "--killed"),
    ("lesson", "the parser hung", "--correct-behaviour", "set a timeout", "--verified-by", "ci"),
    ("lesson", "the parser hung", "--correct-behavior=set a timeout", "--files", "src/app.py", "--json"),
]


@pytest.mark.parametrize("line", WRITES, ids=lambda line: " ".join(line))
def test_writes_record_the_same_both_ways(seeded, line):
    def undo(result) -> None:  # the same line twice would be a duplicate (a notice): undo the first
        recorded = re.search(r'Recorded [a-z ]+ ([a-z0-9]+)|"id": "([a-z0-9]+)"', result.out)
        if recorded:
            assert seeded.run("delete", recorded.group(1) or recorded.group(2)).code == 0

    fast_result, click_result = _both(seeded, *line, between=undo)
    _same(fast_result, click_result)
    assert fast_result.code == 0, str(fast_result)


def test_tasks_are_added_the_same_both_ways(seeded):
    goal = seeded.seeded_goal
    line = ("task", goal, "Parse dates", "in ISO form", "-p", "low", "--why", "users paste them", "--context", "c",
            "--acceptance-criteria", "round-trips", "--tools", "pytest, ruff", "--blocked-by", "", "--files", "src/app.py")
    _same(*_both(seeded, *line))
    _same(*_both(seeded, "task", goal, "Short", "d", "high", "why", "--description", "wins", "--json"))


def test_the_work_cycle_answers_the_same_both_ways(seeded):
    goal = seeded.seeded_goal
    fast_task = seeded.new("task", goal, "Same title", "-p", "critical")
    click_task = seeded.new("task", goal, "Same title", "-p", "critical")
    seeded.new("task", goal, "Keeps the goal open", "-p", "low")  # else the second completion closes the goal
    original = cli_module.run_fast
    lines = [("start", "{t}"), ("start", "{t}", "--force"), ("ping", "{t}"), ("checkpoint", "{t}", "half done"),
             ("checkpoint", "{t}", "more", "--files", "src/app.py", "--json"),
             ("complete", "{t}", "done it", "--outcome", "tests pass", "--interpretation", "i", "--uncertainty", "u",
              "--files", "src/app.py"),
             ("complete", "{t}", "again"), ("ping", "{t}"), ("check", "{t}")]
    for line in lines:
        fast_result = seeded.run(*[a.replace("{t}", fast_task) for a in line])
        cli_module.run_fast = lambda args, app: None
        try:
            click_result = seeded.run(*[a.replace("{t}", click_task) for a in line])
        finally:
            cli_module.run_fast = original
        _same(fast_result, click_result)


def test_next_claims_the_same_way_both_ways(seeded):
    goal = seeded.seeded_goal
    seeded.new("task", goal, "Twin", "-p", "critical")
    seeded.new("task", goal, "Twin", "-p", "critical")
    _same(*_both(seeded, "next", goal))
    _same(*_both(seeded, "next", goal))  # nothing left to claim


def test_an_agent_flag_and_json_anywhere_reach_both_paths(seeded):
    fast_result, click_result = _both(seeded, "--agent", "claude-1", "log", "--json", "note from claude")
    _same(fast_result, click_result)
    assert json.loads(fast_result.out)["agent"] == "claude-1"


# --- the fast path is what agents get ---------------------------------------------------------------------------

FAST_LINES = [["--version"], ["--help"], ["context"], ["context", "--file", "src/app.py"], ["status"], ["think"],
              ["check"], ["search", "outage"], ["ready"], ["log", "n"], ["decide", "a", "b"],
              ["lesson", "a", "--correct-behavior", "b"], ["next"], ["hook", "pre-tool-use"]]


def test_the_lines_agents_run_never_import_click(seeded):
    code = ("import json, sys\nfrom imi_cli.cli import run\nlines = json.loads(sys.argv[1])\nout = []\n"
            "for line in lines:\n    run(line)\n    out.append('click' in sys.modules)\n"
            "sys.stderr.write(json.dumps(out))\n")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(FAST_LINES)], cwd=seeded.root,
                          env=seeded.process_env(), capture_output=True, text=True, input="{}", timeout=120)
    loaded = json.loads(proc.stderr.strip().splitlines()[-1])
    assert not any(loaded), [line for line, used in zip(FAST_LINES, loaded) if used]


def test_a_narrow_terminal_gets_clicks_own_help(seeded):
    narrow = seeded.sub("--help", env={"COLUMNS": "60"})
    assert narrow.code == 0 and max(len(line) for line in narrow.out.splitlines()) <= 60
    assert seeded.sub("--help", env={"COLUMNS": "80"}).out == seeded.run("--help").out
