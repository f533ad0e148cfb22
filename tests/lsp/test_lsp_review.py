"""Review in the editor: the pending count follows proposals as sessions make them, and a person accepts
(as proposed or edited), rejects or accepts a whole session through the server's commands."""

from __future__ import annotations

import json

import pytest

from imi_cli.memory import Project as Memory
from imi_testing import Project, patched_env
from lsp_helpers import command, hover, messages, open_doc, start, until

NOTIFICATION = "imi/pendingReview"
FAILED_THEN_PASSED = [
    {"kind": "shell", "command": "pytest tests/test_parser.py", "ok": False},
    {"kind": "edit", "paths": ["src/parser.py"]},
    {"kind": "shell", "command": "pytest tests/test_parser.py", "ok": True},
]


def listen(client) -> list[dict]:
    """Record every `imi/pendingReview` the server sends."""
    heard: list[dict] = []

    @client.feature(NOTIFICATION)
    def _pending(params):
        heard.append(plain(params))

    return heard


def plain(value):
    """A notification's params (pygls gives untyped ones as named tuples) as JSON values."""
    if hasattr(value, "_asdict"):
        return {key: plain(item) for key, item in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def count_of(params: dict) -> int:
    return params["count"]


def capture(project: Project, session: str) -> None:
    """What a host's stop hook does: `imi capture` in its own process, from the session's tool events."""
    events = project.root / f"{session}.json"
    events.write_text(json.dumps(FAILED_THEN_PASSED))
    result = project.sub("capture", "--events", str(events), "--session", session)
    assert result.code == 0, str(result)


def propose(project: Project, kind: str, fields: dict, session: str) -> str:
    """An agent's MCP `propose`, through the same API, from another connection."""
    with patched_env({**project.env, "IMI_AGENT_ID": "claude-7"}), Memory.open(project.db) as memory:
        proposal, _new = memory.propose(kind, fields, session=session, source="agent")
    return proposal.id


@pytest.fixture
def code(project: Project) -> Project:
    project.file("src/parser.py", "def parse():\n    return 1\n")
    project.file("tests/test_parser.py", "def test_parse():\n    pass\n")
    return project


async def test_the_count_arrives_when_a_hook_captures_and_follows_each_decision(client, code):
    heard = listen(client)
    await start(client, code.root)
    assert (await command(client, "imi.pendingCount"))["count"] == 0

    capture(code, "s1")  # another process writes: the poll notices, the count is pushed
    await until(lambda: heard and count_of(heard[-1]) == 1)
    [folder] = heard[-1]["folders"]
    assert folder == {"folder": str(code.root), "count": 1}

    second = propose(code, "decision", {"what": "parse lazily", "why": "big files", "files": ["src/parser.py"]}, "s1")
    await until(lambda: count_of(heard[-1]) == 2)
    listed = (await command(client, "imi.proposals"))["proposals"]
    assert [p["kind"] for p in listed] == ["lesson", "decision"]
    lesson_id = listed[0]["id"]

    # the review page lists both under their session, with a button for the session
    page = await command(client, "imi.readView", {"view": "review"})
    assert "Pending review: 2 proposals" in page["markdown"] and "Session `s1` (2)" in page["markdown"]
    assert f"(imi:proposal/{second})" in page["markdown"]
    assert [a["command"] for a in page["actions"]] == ["imi.acceptSession"]

    # one proposal, rendered like a record, with its actions
    page = await command(client, "imi.readView", {"view": "proposal", "id": lesson_id[:10]})
    assert "### Lesson (proposed, pending review)" in page["markdown"]
    assert "pytest tests/test_parser.py" in page["markdown"] and "src/parser.py" in page["markdown"]
    assert "session `s1`" in page["markdown"]
    titles = [a["title"] for a in page["actions"]]
    assert titles == ["Accept", "Accept edited…", "Reject", "Accept all 2 from this session"]
    edited = page["actions"][1]
    assert edited["ask"] == "text,correctBehavior" and edited["values"]["text"] == listed[0]["fields"]["text"]

    # accept edited: the lesson is stored as edited, approved by this user, and the count drops
    result = await command(client, "imi.acceptProposal", {"id": lesson_id, "text": "the parser test failed until "
                                                          "parse() returned the tree", "correctBehavior": "run it"})
    assert result["kind"] == "lesson"
    await until(lambda: count_of(heard[-1]) == 1)
    shown = code.json("show", result["id"])
    assert shown["text"].startswith("the parser test failed until") and shown["correct_behavior"] == "run it"
    record = await command(client, "imi.readView", {"view": "record", "id": result["id"]})
    assert "approved by tester" in record["markdown"] and f"imi:proposal/{lesson_id}" in record["markdown"]
    assert "from session `s1`" in record["markdown"]

    # reject: remembered, the count is zero, the same proposal is not made again
    await command(client, "imi.rejectProposal", second)
    await until(lambda: count_of(heard[-1]) == 0)
    assert f"Rejected decision proposal {second}" in messages(client)
    assert propose(code, "decision", {"what": "Parse  lazily", "why": "big files"}, "s2") == second
    assert (await command(client, "imi.pendingCount"))["count"] == 0
    page = await command(client, "imi.readView", {"view": "proposal", "id": second})
    assert "(proposed, rejected)" in page["markdown"] and page["actions"] == []


async def test_accept_all_from_a_session_and_the_memory_tree_carries_the_proposals(client, code):
    propose(code, "lesson", {"text": "retries hid the outage", "correct_behavior": "fail fast"}, "s9")
    propose(code, "decision", {"what": "one writer", "why": "locks", "files": ["src/parser.py"]}, "s9")
    propose(code, "decision", {"what": "keep the cache", "why": "speed"}, "other")
    await start(client, code.root)
    [folder] = (await command(client, "imi.memoryTree"))["folders"]
    assert folder["counts"]["proposals"] == 3
    assert [p["title"] for p in folder["proposals"]] == ["retries hid the outage", "one writer", "keep the cache"]

    result = await command(client, "imi.acceptSession", {"session": "s9"})
    assert [a["kind"] for a in result["accepted"]] == ["lesson", "decision"]
    # the hover over the file the decision names says who decided it and who approved it
    uri = open_doc(client, code.root / "src/parser.py")
    shown = await hover(client, uri, 0)
    assert "Decided by **claude-7**, approved by **tester**" in shown.contents.value
    assert (await command(client, "imi.pendingCount"))["count"] == 1
    context = code.ok("context").out
    assert "retries hid the outage" in context and "one writer" in context and "keep the cache" not in context


async def test_bad_review_requests_get_one_message_and_change_nothing(client, code):
    propose(code, "lesson", {"text": "retries hid the outage", "correct_behavior": "fail fast"}, "s1")
    await start(client, code.root)
    before = code.checksum()
    assert await command(client, "imi.acceptProposal") is None
    assert await command(client, "imi.acceptProposal", {"id": "zzzz"}) is None
    [listed] = (await command(client, "imi.proposals"))["proposals"]
    assert await command(client, "imi.acceptProposal", {"id": listed["id"], "text": "  "}) is None
    assert await command(client, "imi.acceptProposal", {"id": listed["id"], "text": 5}) is None
    assert await command(client, "imi.acceptSession", {"session": "nosuch"}) is None
    text = messages(client)
    assert "imi.acceptProposal needs a proposal id" in text and "no proposal 'zzzz'" in text
    assert "text cannot be empty" in text and "text must be text" in text
    assert "no pending proposals from session 'nosuch'" in text
    assert code.checksum() == before
    assert (await command(client, "imi.pendingCount"))["count"] == 1
