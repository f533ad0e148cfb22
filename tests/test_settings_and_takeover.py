"""Every setting is validated (one clear line, nothing written), and a claimant displaced by a takeover
cannot checkpoint the task any more."""

from __future__ import annotations

import pytest

A1 = {"IMI_AGENT_ID": "agent-1"}
A2 = {"IMI_AGENT_ID": "agent-2"}


@pytest.fixture
def goal(project) -> str:
    return project.new("goal", "Ship it")


@pytest.mark.parametrize("value", ["banana", "0", "-5", "nan", "inf", "1e400", ""])
def test_a_bad_lease_setting_is_refused_naming_the_variable(project, goal, value):
    task = project.new("task", goal, "t")
    if value == "":  # an empty variable is unset
        project.ok("start", task, env={**A1, "IMI_LEASE_MINUTES": value})
        return
    for command in (["start", task], ["status"], ["context"]):
        result = project.fail(*command, env={**A1, "IMI_LEASE_MINUTES": value}, code=2)
        assert "IMI_LEASE_MINUTES" in result.err, str(result)


@pytest.mark.parametrize("variable,value", [("IMI_ALLOW_SECRETS", "yes please"), ("IMI_ALLOW_SECRETS", "2")])
def test_other_bad_settings_are_refused_naming_the_variable(project, variable, value):
    result = project.fail("decide", "something", "why", env={variable: value}, code=2)
    assert variable in result.err


def test_a_database_path_setting_that_is_a_folder_is_refused(project, tmp_path):
    result = project.fail("status", env={"IMI_DB": str(tmp_path)}, code=2)
    assert "IMI_DB" in result.err


def test_a_displaced_claimant_cannot_checkpoint(project, goal):
    task = project.new("task", goal, "long job")
    project.ok("start", task, env=A1)
    project.sql("UPDATE tasks SET last_ping_at = last_ping_at - 5000, claimed_at = claimed_at - 5000 WHERE id = ?",
                (task,))
    project.ok("start", task, env={**A2, "IMI_LEASE_MINUTES": "0.01"})  # takes the stale claim over
    refused = project.fail("checkpoint", task, "still working on it", env=A1)
    assert "agent-2" in refused.err
    project.ok("checkpoint", task, "taking it from here", env=A2)
