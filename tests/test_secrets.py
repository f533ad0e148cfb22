"""Credentials pasted into memory never reach the database, its WAL or the search index."""

from __future__ import annotations

import json

import pytest

from imi_cli.memory.redaction import find, policy, redact

# Built from pieces so this file itself does not look like it holds live credentials.
SAMPLES = {
    "aws-access-key": "AKIA" + "IOSFODNN7EXAMPLE",
    "github-token": "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "gitlab-token": "glpat-" + "x1Y2z3A4b5C6d7E8f9G0",
    "anthropic-key": "sk-ant-" + "api03-abcdefghijklmnopqrstuvwxyz012345",
    "openai-key": "sk-proj-" + "abcdefghijklmnopqrstuvwxyz0123456789",
    "google-api-key": "AIza" + "SyA1234567890abcdefghijklmnopqrstuv",
    "slack-token": "xoxb-" + "123456789012-abcdefghijkl",
    "stripe-key": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "huggingface-token": "hf_" + "abcdefghijklmnopqrstuvwxyzABCDEFGH",
    "jwt": "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
}
PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1234567890abcdef\nabcdef==\n-----END RSA PRIVATE KEY-----"
URL = "postgres://admin:" + "hunter2x9@db.internal:5432/app"


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_kind_is_found_and_replaced(kind):
    secret = SAMPLES[kind]
    text = f"deploy failed; used {secret} in the config"
    assert [k for k, _, _ in find(text)] == [kind]
    cleaned = redact(text)
    assert secret not in cleaned
    assert f"[REDACTED:{kind}]" in cleaned
    assert cleaned.startswith("deploy failed; used ") and cleaned.endswith(" in the config")


def test_private_key_block_and_url_password():
    text = f"key:\n{PRIVATE_KEY}\nthen connect to {URL}"
    cleaned = redact(text)
    assert "MIIEpAIBAAKCAQEA" not in cleaned and "hunter2x9" not in cleaned
    assert "postgres://admin:[REDACTED:url-password]@db.internal" in cleaned


def test_password_assignment_needs_a_value_that_looks_like_one():
    assert "s3cretPassw0rd" not in redact("set password=s3cretPassw0rd in .env")
    ordinary = "the password: must be hashed; token refresh runs before expiry"
    assert redact(ordinary) == ordinary


def test_policy_collects_findings_and_can_allow():
    with policy() as found:
        redact(SAMPLES["github-token"], "note")
    assert [f.kind for f in found.found] == ["github-token"]
    with policy(allow=True) as allowed:
        assert redact(SAMPLES["github-token"]) == SAMPLES["github-token"]
    assert allowed.summary() == "1 secret (github-token)"


def test_a_policy_holds_for_its_own_thread_and_block_only():
    """A server may run operations on several threads: what one redacts is counted by its own
    policy, an inner block's policy ends with the block, and outside any block nothing is kept."""
    import threading

    seen = {}

    def operation(name: str, allow: bool):
        with policy(allow=allow) as found:
            ready.wait()
            kept = redact(SAMPLES["github-token"], name)
        seen[name] = (found.summary(), kept == SAMPLES["github-token"])

    ready = threading.Event()
    threads = [threading.Thread(target=operation, args=(name, name == "allowed")) for name in ("allowed", "redacted")]
    for thread in threads:
        thread.start()
    ready.set()
    for thread in threads:
        thread.join()
    assert seen == {"allowed": ("1 secret (github-token)", True), "redacted": ("1 secret (github-token)", False)}
    with policy(allow=True) as outer:
        with policy() as inner:
            assert redact(SAMPLES["github-token"]) != SAMPLES["github-token"]
        assert redact(SAMPLES["github-token"]) == SAMPLES["github-token"]
    assert (len(inner.found), len(outer.found)) == (1, 1)
    assert redact(SAMPLES["github-token"]) != SAMPLES["github-token"]


def _all_bytes(project) -> bytes:
    imi = project.root / ".imi"
    return b"".join(p.read_bytes() for p in sorted(imi.rglob("*")) if p.is_file())


def test_cli_redacts_every_text_and_says_so(project):
    token, aws = SAMPLES["github-token"], SAMPLES["aws-access-key"]
    result = project.run("log", f"deployed with {token}")
    assert result.code == 0
    assert "redacted before storing" in result.err and "github-token" in result.err
    goal = project.run("goal", "G", f"uses {aws}", "--json").json()["id"]
    task = project.new("task", goal, "T")
    project.ok("start", task)
    for args in (("checkpoint", task, f"tried {URL}"),
                 ("complete", task, f"done with {token}", "--outcome", f"ran with {aws}"),
                 ("lesson", f"leaked {token}", "--correct-behavior", f"rotate {aws}"),
                 ("decide", f"use {token}", f"because {URL}")):
        result = project.run(*args)
        assert result.code == 0 and "redacted before storing" in result.err, result
    raw = _all_bytes(project)
    for secret in (token, aws, "hunter2x9"):
        assert secret.encode() not in raw, f"{secret} reached .imi/"
    assert "[REDACTED:github-token]" in project.ok("search", "deployed").out


def test_allow_secrets_stores_deliberately(project):
    token = SAMPLES["github-token"]
    result = project.run("log", f"test fixture token {token}", "--allow-secrets")
    assert result.code == 0 and "stored 1 secret" in result.err
    assert token in project.ok("search", "fixture").out


def test_agent_ids_and_file_paths_are_redacted_too(project):
    token = SAMPLES["github-token"]
    result = project.run("log", "deployed", "--files", f"src/{token}.py", env={"IMI_AGENT_ID": f"bot-{token}"})
    assert result.code == 0 and "redacted before storing" in result.err, result
    record = project.json("search", "deployed", "--json")["results"][0]["record"]
    assert record["agent"] == "bot-[REDACTED:github-token]"
    assert token not in json.dumps(record) and token.encode() not in _all_bytes(project)


def test_an_agent_id_with_hidden_characters_is_refused(project):
    result = project.run("log", "x", env={"IMI_AGENT_ID": "claude\u202e1"})
    assert result.code == 2 and "IMI_AGENT_ID must be one printable line" in result.err
