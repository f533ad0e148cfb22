"""Sixteen agents, each a stream of real `imi` processes with its own IMI_AGENT_ID, working one project
of a few hundred tasks at once: claims stay exclusive, nobody meets "database is locked", and
every write a command acknowledged is in the database and in the text afterwards.

The default run keeps them at it for about 10 s; the slow-marked run for a full minute.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict

import pytest

from robust_helpers import (LOCK_WORDS, Journal, assert_text_matches_db, db_has, imi, integrity, seed,
                            version_files)

AGENTS = 16
# A failed command here is a bug, except these answers to `start` on a task someone else may hold.
START_REFUSALS = ("is claimed by", "is already done", "is blocked by")


def _agent(project, agent: str, deadline: float, tasks: list[str], journal: Journal, seed_value: int) -> None:
    """What one agent does until the deadline: claim (mostly `next`, sometimes `start` on any task),
    work on it (heartbeats, checkpoints, notes, decisions, searches, context), then complete or fail it."""
    rng = random.Random(seed_value)
    run = lambda *args: imi(project, agent, *args, journal=journal)  # noqa: E731
    while time.monotonic() < deadline:
        if rng.random() < 0.25:
            claim = run("start", rng.choice(tasks), "--json")
        else:
            claim = run("next", "--json")
        if claim.code != 0 or claim.json().get("task", "") is None:
            run(rng.choice(["context", "plan"]))
            continue
        task = claim.json()["id"]
        for _ in range(rng.randint(0, 3)):
            action = rng.choice(["ping", "checkpoint", "log", "decide", "search", "context"])
            if action == "ping":
                run("ping", task)
            elif action == "checkpoint":
                run("checkpoint", task, f"{agent} halfway through {task}", "--json")
            elif action == "log":
                run("log", f"{agent} noticed something while on {task}", "--json")
            elif action == "decide":
                run("decide", f"{agent} decided about {task}", "because the load test said so", "--json")
            elif action == "search":
                run("search", rng.choice(["task", "halfway", "decided", agent]))
            else:
                run("context")
        if rng.random() < 0.8:
            run("complete", task, f"{agent} finished {task}", "--json")
        else:
            run("fail", task, f"{agent} gave up on {task}", "--json")


def _run_agents(project, seconds: float, tasks: list[str]) -> Journal:
    journal = Journal()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=_agent, args=(project, f"agent-{i:02d}", deadline, tasks, journal, i))
               for i in range(AGENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return journal


def _check_answers(journal: Journal) -> None:
    """Every call exited 0 with nothing about locks, except `start` refused with a clear reason."""
    for call in journal.calls:
        assert not any(word in call.err for word in LOCK_WORDS), str(call)
        assert "Traceback" not in call.err and "internal error" not in call.err, str(call)
        if call.args[0] == "start" and call.code != 0:
            assert call.code == 1 and any(r in call.err for r in START_REFUSALS), str(call)
            assert len(call.err.strip().splitlines()) == 1, str(call)
        else:
            assert call.code == 0, str(call)


def _claims_and_releases(journal: Journal):
    """Per task, the acknowledged claims and releases: (agent, kind, call)."""
    per_task = defaultdict(list)
    for call in journal.calls:
        verb = call.args[0]
        if call.code != 0:
            continue
        if verb in ("next", "start"):
            data = call.json()
            if data.get("id"):
                assert not data["already_held"], str(call)  # agents never re-claim what they hold
                per_task[data["id"]].append((call.agent, "claim", call))
        elif verb in ("complete", "fail"):
            per_task[call.args[1]].append((call.agent, verb, call))
    return per_task


def _check_exclusive(project, journal: Journal) -> None:
    """No task was held by two agents at once: neither in what the agents were told, nor in the history."""
    per_task = _claims_and_releases(journal)
    for task, events in per_task.items():
        # What the agents saw: a hold certainly lasted from the end of the claiming call to the start
        # of the releasing one; two such spans of different agents must not overlap.
        holds, open_since = [], {}
        for agent, kind, call in sorted(events, key=lambda e: e[2].began):
            if kind == "claim":
                open_since[agent] = call.ended
            elif agent in open_since:
                holds.append((open_since.pop(agent), call.began, agent))
        holds += [(since, float("inf"), agent) for agent, since in open_since.items()]
        holds.sort()
        for (s1, e1, a1), (s2, e2, a2) in zip(holds, holds[1:]):
            assert s2 >= e1 or a1 == a2, f"task {task} held by {a1} and {a2} at once"

        # What the database recorded, in commit order: started by X, then failed or completed by X, ...
        history = project.sql("SELECT key, source FROM memories WHERE task_id = ? AND type IN ('lifecycle', 'failure') "
                              "ORDER BY rowid", (task,))
        holder = None
        for key, agent in history:
            if key == "task_started":
                assert holder is None, f"task {task} started by {agent} while {holder} held it: {history}"
                holder = agent
            elif key in ("task_failed", "task_completed"):
                assert holder == agent, f"task {task}: {key} by {agent} while {holder} held it: {history}"
                holder = None if key == "task_failed" else "done"
            else:
                pytest.fail(f"task {task}: unexpected {key} by {agent} (a takeover?): {history}")
        claims = sorted(a for a, kind, _ in events if kind == "claim")
        assert claims == sorted(a for k, a in history if k == "task_started"), f"task {task}: {events} vs {history}"
        completes = [a for a, kind, _ in events if kind == "complete"]
        assert len(completes) <= 1
        status = project.sql("SELECT status FROM tasks WHERE id = ?", (task,))[0][0]
        assert status == ("done" if completes else "todo"), f"task {task} is {status}: {events}"


def _check_acknowledged(project, journal: Journal) -> int:
    """Every write that exited 0 is in the database and has a version file saying the same."""
    checked = 0
    for call in journal.calls:
        if call.code != 0 or call.args[0] not in ("log", "decide", "checkpoint", "complete", "fail"):
            continue
        data = call.json()
        kind = {"log": "note", "decide": "decision", "checkpoint": "memory"}.get(call.args[0], "task")
        assert db_has(project, kind, data["id"]), f"acknowledged but missing from the database: {call}"
        files = version_files(project.root, kind, data["id"])
        assert files, f"acknowledged but no version file: {call}"
        if kind == "task" and call.args[0] == "complete":
            assert '"status": "done"' in files[-1].read_text(), f"{files[-1]} does not say done: {call}"
        checked += 1
    return checked


def _export(project) -> list[str]:
    result = project.sub("export")
    assert result.code == 0, str(result)
    return sorted(result.out.splitlines())


def _load(project, seconds: float) -> None:
    goals = seed(project, goals=6, tasks_per_goal=50)
    tasks = [t for ts in goals.values() for t in ts]
    journal = _run_agents(project, seconds, tasks)

    _check_answers(journal)
    claims = sum(1 for c in journal.calls if c.args[0] in ("next", "start") and c.code == 0
                 and c.json().get("id"))
    assert claims >= AGENTS // 2, f"only {claims} claims in {seconds} s: the agents hardly ran ({len(journal.calls)} calls)"
    _check_exclusive(project, journal)
    assert _check_acknowledged(project, journal) > 0
    assert integrity(project.db) == "ok"
    assert_text_matches_db(project, ignore=set())

    before = _export(project)
    rebuilt = project.sub("rebuild")
    assert rebuilt.code == 0, str(rebuilt)
    assert _export(project) == before, "`imi rebuild` from .imi/records gave different records"
    assert integrity(project.db) == "ok"
    print(f"{len(journal.calls)} commands, {claims} claims by {AGENTS} agents in {seconds} s")


def test_sixteen_agents_for_ten_seconds(project):
    _load(project, 10)


@pytest.mark.slow
def test_sixteen_agents_for_a_minute(project):
    _load(project, 60)

