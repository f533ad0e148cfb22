"""Team-wide claims through the git remote: clones racing through a real bare remote, offline claims,
heartbeats, stale takeover, release, and double claims reported by `imi sync`."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from imi_testing import IMI


pytestmark = pytest.mark.slow  # real clones and pushes: about a minute in all


def _crew(team, size: int):
    """(clones, task ids): `size` clones of one project whose tasks and `.imi/claims-remote` are pushed."""
    first = team("ana")
    first.imi("claims", "--remote", "origin")
    goal = first.new("goal", "Ship it")
    tasks = [first.new("task", goal, f"Task {n}") for n in range(3)]
    first.commit("memory")
    first.git("push", "-q")
    return [first] + [team(name) for name in ("ben", "cy", "dee")[:size - 1]], tasks


@pytest.fixture
def crew(team):
    return _crew(team, 4)


@pytest.fixture
def pair(team):
    return _crew(team, 2)


def _remote_claims(clone) -> dict[str, str]:
    out = clone.git("ls-remote", "origin", "refs/imi/claims/*").stdout
    return {line.split()[1].rsplit("/", 1)[1]: line.split()[0] for line in out.splitlines()}


def _race(clones, *args):
    """Start `imi ARGS` in every clone at once (separate processes); their Results in clone order."""
    procs = [subprocess.Popen([*IMI, *args], cwd=c.root, env=c.process_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for c in clones]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, out, err))
    return results


def test_clones_racing_for_one_task_exactly_one_wins(crew):
    clones, tasks = crew
    for task in tasks[:2]:
        results = _race(clones, "start", task)
        winners = [c.name for c, (code, _, _) in zip(clones, results) if code == 0]
        assert len(winners) == 1, results
        for clone, (code, _, err) in zip(clones, results):
            if clone.name != winners[0]:
                assert code != 0 and f"claimed by {winners[0]} in another clone" in err, err
        assert task in _remote_claims(clones[0])


def test_next_in_racing_clones_hands_out_different_tasks(crew):
    clones, tasks = crew
    results = _race(clones[:3], "--json", "next")
    got = [json.loads(out)["id"] for code, out, err in results if code == 0]
    assert sorted(got) == sorted(tasks), results
    assert set(_remote_claims(clones[0])) == set(tasks)


def test_complete_and_fail_release_the_team_claim(pair):
    clones, tasks = pair
    ana, ben = clones[0], clones[1]
    ana.imi("start", tasks[0])
    ana.imi("start", tasks[1])
    ana.imi("complete", tasks[0], "done")
    ana.imi("fail", tasks[1], "cannot")
    assert _remote_claims(ana) == {}
    assert "Started task" in ben.imi("start", tasks[1]).out


def test_heartbeat_moves_the_claim_and_a_stale_claim_is_taken_over(pair):
    clones, tasks = pair
    ana, ben = clones[0], clones[1]
    ana.imi("start", tasks[0])
    before = _remote_claims(ana)[tasks[0]]
    time.sleep(0.2)  # a lease of 0.001 min (60 ms) has passed: ana's ping pushes, ben sees it stale
    ana.ok("ping", tasks[0], env={"IMI_LEASE_MINUTES": "0.001"})
    assert _remote_claims(ana)[tasks[0]] != before
    refused = ben.run("start", tasks[0])
    assert refused.code != 0 and "claimed by ana in another clone" in refused.err
    time.sleep(0.2)
    ben.ok("start", tasks[0], env={"IMI_LEASE_MINUTES": "0.001"})
    listed = ben.json("claims")["claims"]
    assert [(c["task"], c["agent"]) for c in listed] == [(tasks[0], "ben")]
    displaced = ana.run("ping", tasks[0])
    assert displaced.code == 0 and "claimed by ben in another clone" in displaced.err


def test_offline_claim_warns_then_sync_pushes_it_or_reports_the_double_claim(pair):
    clones, tasks = pair
    ana, ben = clones[0], clones[1]
    url = ana.git("remote", "get-url", "origin").stdout.strip()
    ana.git("remote", "set-url", "origin", str(ana.root.parent / "unreachable.git"))
    first = ana.run("start", tasks[0])
    second = ana.run("start", tasks[1])
    assert first.code == 0 and "claimed in this clone only" in first.err
    assert second.code == 0
    ben.imi("start", tasks[1])  # online: the team claim is ben's
    ana.git("remote", "set-url", "origin", url)
    synced = ana.run("sync")
    assert synced.code == 0
    assert f"double claim: task {tasks[1]}" in synced.out and "ben" in synced.out
    assert f"task {tasks[0]}" not in synced.out
    assert _remote_claims(ana).keys() == {tasks[0], tasks[1]}
    assert {c["task"]: c["agent"] for c in ana.json("claims")["claims"]} == {tasks[0]: "ana", tasks[1]: "ben"}


def test_without_the_setting_claims_stay_local(team):
    ana = team("ana")
    goal = ana.new("goal", "Solo")
    task = ana.new("task", goal, "Alone")
    ana.imi("start", task)
    assert ana.git("ls-remote", "origin").stdout.count("refs/imi/") == 0
    assert "off" in ana.imi("claims").out
    bad = ana.run("claims", "--remote", "nowhere")
    assert bad.code == 2 and "no git remote named 'nowhere'" in bad.err and "\n" == bad.err[-1]
