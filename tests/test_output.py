"""What the CLI prints: `--json` anywhere on the line, plain text off a terminal, NO_COLOR, help and version."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess

import pytest

from imi_testing import IMI

ANSI = "\x1b["


@pytest.fixture
def ids(project):
    project.file("src/a.py")
    goal = project.new("goal", "G", "", "high", "", "", "signal")
    task = project.new("task", goal, "t", "--files", "src/a.py")
    done = project.new("task", goal, "done one")
    project.ok("start", done)
    project.ok("complete", done, "finished", "--outcome", "tests pass")
    return {"goal": goal, "task": task, "done": done,
            "decision": project.new("decide", "d", "w"),
            "lesson": project.new("lesson", "l", "--correct-behavior", "c")}


def read_commands(ids) -> list[list[str]]:
    return [["context"], ["context", ids["goal"]], ["context", "--file", "src/a.py"], ["plan"], ["plan", ids["goal"]],
            ["status"], ["think"], ["check"], ["check", ids["done"]], ["search", "t"], ["show", ids["task"]],
            ["show", ids["goal"]], ["ready"], ["memory", "list"], ["init"]]


def test_json_anywhere_on_the_line_is_valid_json(project, ids):
    for command in read_commands(ids):
        for position in range(len(command) + 1):
            args = [*command[:position], "--json", *command[position:]]
            result = project.ok(*args)
            assert isinstance(result.json(), dict), args


def test_json_for_writes_and_work(project, ids):
    task = ids["task"]
    for args in (["log", "--json", "n"], ["--json", "decide", "a", "b"], ["start", task, "--json"],
                 ["ping", "--json", task], ["checkpoint", task, "c", "--json"], ["fail", task, "r", "--json"],
                 ["next", "--json"], ["complete", task, "s", "--json"], ["archive", ids["decision"], "--json"],
                 ["delete", "--json", ids["lesson"]]):
        assert isinstance(project.ok(*args).json(), dict), args


def test_json_errors_are_json_on_stdout_and_one_line_on_stderr(project):
    result = project.run("show", "nosuchid", "--json")
    assert result.code == 1
    assert json.loads(result.out) == {"error": result.err.strip().removeprefix("imi: error: "), "exit_code": 1}
    usage = project.run("--json", "context", "--budget", "x")
    assert usage.code == 2 and json.loads(usage.out)["exit_code"] == 2


def test_plain_text_when_not_a_terminal(project, ids):
    for command in read_commands(ids):
        result = project.sub(*command)
        assert result.code == 0, str(result)
        assert ANSI not in result.out and ANSI not in result.err, command


def _on_a_terminal(project, args, env) -> str:
    """Run `imi ARGS` with stdout on a pseudo-terminal and return what it printed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([*IMI, *args], cwd=project.root, env=project.process_env(env), stdout=follower,
                            stderr=subprocess.PIPE)
    os.close(follower)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 30)
            if not ready:
                break
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal closes when the process exits
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=30)
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return b"".join(chunks).decode("utf-8", "replace")


def test_headings_are_bold_on_a_terminal_unless_no_color(project, ids):
    coloured = _on_a_terminal(project, ["context"], {"TERM": "xterm-256color"})
    assert "## Active goals" in coloured and ANSI in coloured
    plain = _on_a_terminal(project, ["context"], {"TERM": "xterm-256color", "NO_COLOR": "1"})
    assert "## Active goals" in plain and ANSI not in plain
    dumb = _on_a_terminal(project, ["context"], {"TERM": "dumb"})
    assert ANSI not in dumb


def test_escape_sequences_in_records_never_reach_the_terminal(project):
    project.ok("log", "\x1b]0;pwned\x07title \x1b[2Jcleared \x1b[31mred")
    for command in (["context"], ["search", "title"], ["plan"]):
        out = project.sub(*command).out
        assert "\x1b" not in out, command


def test_help_and_version(project):
    help_text = project.ok("--help").out
    for command in ("init", "goal", "task", "decide", "kill", "vision", "log", "lesson", "memory", "start", "next",
                    "ping", "checkpoint", "complete", "fail", "ready", "context", "plan", "status", "think", "check",
                    "search", "show", "archive", "delete"):
        assert f"  {command}" in help_text, command
    assert "--files" in project.ok("decide", "--help").out
    assert project.ok("--version").out.strip().startswith("imi, version ")
    unknown = project.run("frobnicate")
    assert unknown.code == 2 and "frobnicate" in unknown.err and len(unknown.err.strip().splitlines()) == 1


def test_a_closed_pipe_is_not_an_error(project, ids):
    for _ in range(30):
        project.ok("log", "a fairly long direction note to make the output larger " * 5)
    proc = subprocess.Popen([*IMI, "context"], cwd=project.root, env=project.process_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=30)
    assert "Traceback" not in err and "BrokenPipe" not in err
