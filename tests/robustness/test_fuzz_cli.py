"""Bad input where tests/test_bad_input.py does not reach: the team-memory commands, version files
and import files with wrong types (from a bad merge, a foreign tool, a hand edit), hook payloads,
environment values, and the real process with hostile arguments.

Each property: no traceback, no internal error; a command either works or fails with one line and
a non-zero exit having written nothing.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from imi_cli.memory import hlc
from imi_cli.memory.clock import now_ms
from imi_cli.memory.textsync.layout import version_path
from imi_testing import IMI, assert_clean_failure
from robust_helpers import KIND_DIRS

SETTINGS = settings(deadline=None, database=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])

READS = [["context"], ["context", "--file", "src/a.py"], ["plan"], ["status"], ["ready"], ["search", "task"],
         ["check"], ["think"], ["export"], ["memory", "list"]]

# JSON values of every type, including ones no column expects.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63, max_value=2**80)
    | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from(["", "todo", "done", "in_progress", "critical", "../../etc/passwd", "mw", "\x00", "é" * 300]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6)


def _no_crash(result) -> None:
    assert "Traceback" not in result.err and "internal error" not in result.err, str(result)[-3000:]
    if result.code != 0:
        assert_clean_failure(result)


@pytest.fixture
def seeded(project):
    project.file("src/a.py", "x = 1\n")
    goal = project.new("goal", "G", "--files", "src/a.py")
    task = project.new("task", goal, "a task", "--files", "src/a.py:1")
    project.ok("start", task)
    ids = {"goal": goal, "task": task, "decision": project.new("decide", "d", "why", "--files", "src/*.py"),
           "lesson": project.new("lesson", "l", "--correct-behavior", "c"), "note": project.new("log", "n"),
           "memory": project.new("memory", "add", goal, "k", "v")}
    return ids


def _template(project, kind: str, record_id: str) -> dict:
    """The newest version file of a record, as a dict."""
    folder = project.root / ".imi" / "records" / KIND_DIRS[kind]
    return json.loads(max(folder.rglob(f"{record_id}.*.json"), key=lambda p: p.name).read_text())


FIELDS = sorted({"id", "name", "title", "description", "status", "priority", "goal_id", "task_id", "created_at",
                 "updated_at", "completed_at", "archived_at", "claimed_at", "last_ping_at", "agent_id", "summary",
                 "tools", "relevant_files", "what", "why", "kind", "content", "key", "value", "type",
                 "what_went_wrong", "correct_behavior", "files", "blocked_by", "extra"})
ENVELOPE = st.dictionaries(st.sampled_from(["base", "agent", "deleted", "kind", "format"]), json_values, max_size=2)


@settings(SETTINGS, max_examples=40)
@given(kind=st.sampled_from(sorted(KIND_DIRS)), new_record=st.booleans(),
       fields=st.dictionaries(st.sampled_from(FIELDS), json_values, min_size=1, max_size=4), envelope=ENVELOPE)
@example(kind="note", new_record=False, fields={"created_at": "abc", "content": 12345}, envelope={})
@example(kind="decision", new_record=True, fields={"archived_at": 9.2e21}, envelope={})
@example(kind="task", new_record=False, fields={"created_at": 2**62, "tools": "not json", "status": 5},
         envelope={})
@example(kind="task", new_record=False, fields={"files": [{"path": "src/a.py", "line_start": "x", "line_end": 2**70}]},
         envelope={})
@example(kind="goal", new_record=True, fields={"files": [{"path": "/etc/passwd"}, {"path": 5}, "src/a.py"]},
         envelope={"deleted": "yes"})
def test_version_files_with_wrong_types_never_break_a_command(seeded, project, kind, new_record, fields, envelope):
    """A version file that is valid JSON with the right name but values of any type in its fields:
    `imi sync` and every read still work (the file is taken in or reported as skipped)."""
    payload = _template(project, kind, seeded[kind])
    payload["record"].update(fields)
    payload.update(envelope)
    record_id = "mwfuzzfuzzfuzz01" if new_record else seeded[kind]
    stamp = hlc.format_stamp(now_ms() + 86_400_000, 0, "fuzz00")  # newer than every real version
    payload.update({"id": record_id, "hlc": stamp})
    path = version_path(project.root, kind, record_id, stamp)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False))
    try:
        synced = project.run("sync", "--json")
        _no_crash(synced)
        report = synced.json()
        taken = project.sql("SELECT 1 FROM text_versions WHERE name = ?", (path.name,))
        assert taken or report["skipped_files"], report  # the file was read: taken in, or reported
        for args in (*READS, ["show", record_id], ["show", seeded["task"]], ["log", "after the bad file"],
                     ["rebuild", "--force"]):
            _no_crash(project.run(*args))
    finally:  # forget the file, then remove it: a version file imi knows that vanishes is written back
        project.sql("DELETE FROM text_versions WHERE name = ?", (path.name,))
        path.unlink()
        project.run("rebuild", "--force")


@settings(SETTINGS, max_examples=40)
@given(lines=st.lists(st.one_of(
    st.fixed_dictionaries({"kind": st.sampled_from(sorted(KIND_DIRS)), "id": st.sampled_from(["mwimportimport01", "x"]),
                           "record": st.dictionaries(st.sampled_from(["title", "name", "status", "created_at",
                                                                      "priority", "files", "goal_id", "content",
                                                                      "what", "why", "key", "value"]),
                                                     json_values, max_size=5)}),
    json_values), min_size=1, max_size=4))
def test_import_files_with_wrong_types(seeded, project, lines):
    """`imi import` of JSON Lines whose objects have the wrong shape or types: it imports or refuses
    with one line; a refused import writes nothing."""
    source = project.root.parent / "import.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    before = project.checksum()
    result = project.run("import", source)
    _no_crash(result)
    if result.code:
        assert project.checksum() == before, str(result)
    for args in READS[:4]:
        _no_crash(project.run(*args))
    project.run("rebuild", "--force")


ARGS = st.one_of(st.sampled_from(["", "-", "--", "--force", "--quiet", "-o", "--format", "jsonl", "csv", "/",
                                  "/dev/full", "/proc/self/mem", ".imi/state.db", "../x", "a\x00b", "$(id)", "`id`",
                                  "x" * 5000, "\u202e", "日本"]),
                 st.text(max_size=20), st.integers().map(str))


@settings(SETTINGS, max_examples=120)
@given(args=st.tuples(st.sampled_from([["sync"], ["rebuild"], ["export"], ["export", "-o"], ["import"],
                                       ["export", "--format"], ["sync", "--quiet"], ["hook"], ["mcp"]]),
                      st.lists(ARGS, max_size=3)))
@example(args=(["export", "-o"], ["/dev/full"]))
@example(args=(["import"], [".imi/state.db"]))
@example(args=(["import"], ["/proc/self/mem"]))
@example(args=(["export", "-o"], [".imi"]))
def test_team_memory_commands_with_bad_arguments(seeded, project, args):
    command, rest = args
    if command == ["mcp"] and not any(a in ("--help", "-h") for a in rest):
        rest = [*rest, "--nope"]  # `imi mcp` with good arguments serves on stdin: only its refusals here
    before = project.checksum()
    result = project.run(*command, *rest)
    _no_crash(result)
    if result.code and command[0] != "hook":
        assert project.checksum() == before, str(result)


@settings(SETTINGS, max_examples=40)
@given(event=st.sampled_from(["session-start", "pre-tool-use", "stop", "session-end", "nope", ""]),
       payload=st.one_of(json_values.map(json.dumps), st.text(max_size=50),
                         st.fixed_dictionaries({"hook_event_name": st.text(max_size=10),
                                                "tool_name": st.sampled_from(["Edit", "Write", "Bash", 5, None]),
                                                "tool_input": json_values, "cwd": json_values,
                                                "session_id": json_values}).map(json.dumps)))
def test_hook_payloads_of_any_shape(seeded, project, event, payload):
    """Hooks run before an agent's every edit: any payload exits 0 (a hook must never break the
    session) with at most one line on stderr, and writes no memory (a stop may hold a proposal for review)."""
    before = project.checksum(ignore=("proposals",))
    proc = subprocess.run([*IMI, "hook", event], input=payload.encode("utf-8", "surrogatepass"), cwd=project.root,
                          env=project.process_env(), capture_output=True, timeout=30)
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "internal error" not in err, (event, payload, err)
    if event in ("session-start", "pre-tool-use", "stop", "session-end"):
        assert proc.returncode == 0, (event, payload, err)
        assert len(err.strip().splitlines()) <= 1, err
        out = proc.stdout.decode()
        if out.strip():
            json.loads(out)
    else:
        assert proc.returncode != 0 and len(err.strip().splitlines()) == 1, err
    assert project.checksum(ignore=("proposals",)) == before


@settings(SETTINGS, max_examples=40)
@given(agent=st.text(min_size=1, max_size=300).filter(lambda s: "\x00" not in s),
       lease=st.one_of(st.text(max_size=10), st.floats().map(str), st.integers().map(str)).filter(
           lambda s: "\x00" not in s))
def test_agent_and_lease_environment_values(seeded, project, agent, lease):
    """Whatever IMI_AGENT_ID and IMI_LEASE_MINUTES hold: claims work or refuse cleanly, and the
    agent id reads back the way it was recorded."""
    env = {"IMI_AGENT_ID": agent, "IMI_LEASE_MINUTES": lease}
    for args in (["start", seeded["task"]], ["status"], ["context"], ["ping", seeded["task"]], ["next"]):
        _no_crash(project.run(*args, env=env))
    note = project.run("log", "who wrote this", "--json", env=env)
    _no_crash(note)
    if note.code == 0:
        shown = project.json("show", note.json()["id"])
        assert shown["agent"].strip() and "\n" not in shown["agent"]


HOSTILE = st.one_of(
    st.sampled_from(["$(touch pwned)", "`touch pwned`", "; touch pwned", "| touch pwned", "&& touch pwned",
                     "> pwned", "$HOME", "${IFS}", "*", "~", "'", '"', "\\", "\n", "\t", "-rf", "--help", "%s%n",
                     "{}", "\u0000".strip("\x00") or "\u2028", "\u202e", "🎉", "𝕏" * 50]),
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=60))


@settings(SETTINGS, max_examples=25)
@given(verb=st.sampled_from(["log", "goal", "decide", "lesson", "search", "show", "context", "task"]),
       texts=st.lists(HOSTILE, min_size=1, max_size=3))
def test_hostile_arguments_through_a_real_process(seeded, project, verb, texts):
    """Through exec, not the in-process runner: nothing is run by a shell, nothing lands outside the
    project, output is one line on failure."""
    args = [verb, *([seeded["goal"]] if verb == "task" else []), *texts]
    before = project.checksum()
    proc = subprocess.run([*IMI, *args], cwd=project.root, env=project.process_env(), capture_output=True, timeout=30)
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "internal error" not in err, (args, err)
    if proc.returncode:
        assert len(err.strip().splitlines()) == 1, (args, err)
        assert project.checksum() == before
    assert not (project.root / "pwned").exists() and not (project.root.parent / "pwned").exists()
