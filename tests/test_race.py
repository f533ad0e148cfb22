"""Many agents at once, as separate processes: exclusive claims, distinct `next`, stale-claim takeover."""

from __future__ import annotations

import subprocess
import time

from imi_testing import IMI


def _together(project, commands: list[tuple[list[str], dict]]) -> list[tuple[int, str, str]]:
    """Start every command as its own process at (nearly) the same moment; return (code, out, err) each."""
    procs = [subprocess.Popen([*IMI, *args], cwd=project.root, env=project.process_env(env),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for args, env in commands]
    try:
        outputs = [p.communicate(timeout=90) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return [(p.returncode, out.decode(), err.decode()) for p, (out, err) in zip(procs, outputs)]


def test_eight_agents_starting_the_same_task_exactly_one_wins(project):
    goal = project.new("goal", "G")
    task = project.new("task", goal, "contended")
    agents = [f"agent-{i}" for i in range(8)]
    results = _together(project, [(["start", task, "--json"], {"IMI_AGENT_ID": a}) for a in agents])

    winners = [agents[i] for i, (code, _, _) in enumerate(results) if code == 0]
    assert len(winners) == 1, results
    for agent, (code, out, err) in zip(agents, results):
        assert "Traceback" not in err and "locked" not in err
        if agent != winners[0]:
            assert code != 0
            assert len(err.strip().splitlines()) == 1 and f"claimed by {winners[0]}" in err, err
    shown = project.json("show", task)
    assert shown["claimant"] == winners[0] and shown["status"] == "in_progress"
    assert [h["key"] for h in shown["history"]] == ["task_started"]


def test_eight_concurrent_next_never_hand_out_the_same_task(project):
    goal = project.new("goal", "G")
    tasks = {project.new("task", goal, f"task {i}") for i in range(6)}
    agents = [f"agent-{i}" for i in range(8)]
    results = _together(project, [(["next", "--json"], {"IMI_AGENT_ID": a}) for a in agents])
    assert all(code == 0 and "Traceback" not in err for code, _, err in results), results

    import json

    handed = {}
    for agent, (_, out, _) in zip(agents, results):
        claimed = json.loads(out)
        if claimed.get("id"):
            assert claimed["id"] not in handed, f"{claimed['id']} handed to {handed.get(claimed['id'])} and {agent}"
            handed[claimed["id"]] = agent
        else:
            assert claimed == {"task": None}
    assert set(handed) == tasks  # six tasks, six winners, two agents told there is nothing ready
    for task_id, agent in handed.items():
        assert project.json("show", task_id)["claimant"] == agent


def test_sixteen_agents_writing_at_once_lose_nothing(project):
    goal = project.new("goal", "G")
    commands = []
    for i in range(16):
        env = {"IMI_AGENT_ID": f"agent-{i}"}
        commands.append(([["log", f"note from agent {i}"], ["task", goal, f"task from agent {i}"],
                          ["decide", f"decision {i}", "why"], ["lesson", f"lesson {i}", "--correct-behavior", "c"]
                          ][i % 4], env))
    results = _together(project, commands)
    assert all(code == 0 for code, _, _ in results), [r for r in results if r[0]]
    assert not any("locked" in err for _, _, err in results)
    counts = {table: project.sql(f"SELECT count(*) FROM {table}")[0][0]
              for table in ("direction_notes", "tasks", "decisions", "lessons")}
    assert counts == {"direction_notes": 4, "tasks": 4, "decisions": 4, "lessons": 4}


def test_a_stale_claim_is_shown_and_taken_over_by_another_process(project):
    goal = project.new("goal", "G")
    task = project.new("task", goal, "abandoned")
    lease = {"IMI_LEASE_MINUTES": "0.01"}  # 0.6 s without a heartbeat
    first = project.sub("start", task, env={"IMI_AGENT_ID": "agent-1"})
    assert first.code == 0, str(first)
    # live under the default 30-minute lease, however slow the machine is
    live = project.sub("start", task, env={"IMI_AGENT_ID": "agent-2"})
    assert live.code != 0 and "claimed by agent-1" in live.err

    time.sleep(1.0)  # now more than the short lease has passed since the claim: stale for certain
    status = project.sub("status", env=lease)
    assert "STALE" in status.out, str(status)
    context = project.sub("context", env=lease)
    assert "STALE" in context.out.split("## In progress", 1)[1]

    taken = project.sub("start", task, env={**lease, "IMI_AGENT_ID": "agent-2"})
    assert taken.code == 0, str(taken)
    assert f"Took over task {task} from agent-1" in taken.out
    history = project.sub("show", task, "--json").json()
    assert history["claimant"] == "agent-2"
    takeovers = [h for h in history["history"] if h["key"] == "task_takeover"]
    assert len(takeovers) == 1 and "from agent-1" in takeovers[0]["value"]
    assert takeovers[0]["agent"] == "agent-2"
    # the old claimant can no longer finish it
    late = project.sub("complete", task, "done anyway", env={**lease, "IMI_AGENT_ID": "agent-1"})
    assert late.code != 0 and "claimed by agent-2" in late.err


def test_concurrent_inits_make_one_database(bare):
    results = _together(bare, [(["init", "--json"], {}) for _ in range(6)])
    assert all(code == 0 for code, _, _ in results), results
    from imi_cli.memory.store.migrations import SCHEMA_VERSION

    assert bare.sql("PRAGMA user_version")[0][0] == SCHEMA_VERSION
    assert bare.sql("PRAGMA integrity_check") == [("ok",)]
    bare.new("goal", "works")
