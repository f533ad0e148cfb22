"""The redaction prefilter (one scan naming the rules a text may match) wakes exactly the rules that
testing each rule's `needs` one by one would: a rule it missed would let a secret through."""

from __future__ import annotations

import random

import pytest

from imi_cli.memory import redaction
from imi_cli.memory.redaction import _KEY_HINTS, _RULES, candidates, replace_secrets
from tests.test_redaction_corpus import load


def rule_by_rule(text: str, lower: str) -> tuple[list[int], bool]:
    """The rules a text wakes, asking each rule in turn (what the scan replaces): a need in lower case
    is looked for in the lower-cased text, another as written."""
    awake = [i for i, rule in enumerate(_RULES)
             if not rule.needs or any(n in (lower if n == n.lower() else text) for n in rule.needs)]
    return awake, any(w in lower for w in _KEY_HINTS)


def texts() -> list[str]:
    """Corpus lines, and strings made of overlapping pieces of the needles (`ghf_`, `sk-ant-sk`), in
    lower and upper case."""
    needles = sorted({n for rule in _RULES for n in rule.needs} | set(_KEY_HINTS))
    rng = random.Random(20)
    made = []
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 6)):
            needle = rng.choice(needles)
            start = rng.randint(0, len(needle) - 1)
            parts.append(rng.choice([needle, needle[start:], needle[:start + 1], rng.choice(" x-_.:")]))
        made.append("".join(parts))
        made.append(made[-1].upper())
    return [case.text for case in load()] + made


@pytest.mark.parametrize("scan_after", [0, 10**9], ids=["scanner", "rule by rule"])
def test_the_scan_wakes_the_same_rules_as_asking_each_rule(monkeypatch, scan_after):
    """Both ways `candidates` answers (the scanner a bulk load builds, the loop a single write
    uses) wake the rules that asking each rule wakes."""
    monkeypatch.setattr(redaction, "_SCAN_AFTER", scan_after)
    for text in texts():
        lower = text.lower()
        assert candidates(text, lower) == rule_by_rule(text, lower), text


def test_secrets_are_replaced_as_when_every_rule_is_asked(monkeypatch):
    corpus = [case.text for case in load()]
    scanned = [replace_secrets(text) for text in corpus]
    monkeypatch.setattr(redaction, "candidates", rule_by_rule)
    assert [replace_secrets(text) for text in corpus] == scanned
    assert sum(1 for _, kinds in scanned if kinds) > 100  # the corpus holds secrets: the comparison means something


def test_the_shortcuts_past_the_prefilter_change_no_result(monkeypatch):
    """A secret word at the very end of a text ("all tests pass") and a discord rule woken by a dot
    in a text without a long token skip their patterns: the results are the same as running them."""
    tails = ("", " ", "\n", ": x", " = 's3cr3tValue9'")
    made = texts() + [f"{head} {word}{tail}" for head in ("all tests", "token=abc123def456 then", "")
                      for word in ("pass", "password", "api_key", "token") for tail in tails]
    made += ["see M" + "a1B2c3D4e5F6g7H8i9J0k1L2m3" + ".Xy12ab." + "Q" * 30 + " now", "v1.2 of the parser."]
    quick = [replace_secrets(text) for text in made]
    monkeypatch.setattr(redaction, "_keys_end_the_text", lambda lower: False)
    monkeypatch.setattr(redaction, "_RULES", [redaction.Rule(*rule[:5]) for rule in _RULES])  # no `run`
    redaction._FOUND.clear()
    assert [replace_secrets(text) for text in made] == quick
    assert any(kinds for _, kinds in quick)  # some texts hold secrets: the comparison means something


def test_short_plain_agent_ids_can_hold_no_secret():
    """`identity._checked` returns a short id of letters, digits, `.`, `_` and `-` without asking the
    rules: that holds only while every rule that can match so few characters needs another character."""
    import re._parser as sre_parse

    from imi_cli.memory.identity import _PLAIN_ID_CHARS, SHORT_PLAIN_ID, _checked

    short = {rule.kind + " " + rule.pattern for rule in _RULES
             if sre_parse.parse(rule.pattern.removeprefix(redaction._B)).getwidth()[0] <= SHORT_PLAIN_ID}
    reviewed = {"url-password": "://", "password": r"\s"}  # each needs a character outside the plain ones
    assert all(entry.split()[0] in reviewed for entry in short), short
    assert all(any(need in entry for need in reviewed.values()) for entry in short), short
    rng = random.Random(14)
    prefixes = ["", "xoxb-", "ghp_", "AKIA", "sk-", "hf_", "npm_", "glpat-", "eyJ", "pass", "token", "key-"]
    for _ in range(5000):
        head = rng.choice(prefixes)
        ident = head + "".join(rng.choice(sorted(_PLAIN_ID_CHARS)) for _ in range(rng.randint(1, 14)))
        ident = ident[:SHORT_PLAIN_ID]
        assert replace_secrets(ident) == (ident, []) and _checked(ident, "IMI_AGENT_ID") == ident


def test_an_ascii_text_is_searched_for_assignments_in_lower_case_alike():
    """For an ASCII text the names that say "secret" are searched for in the lower-cased text, without
    ignoring case (faster): every match and every part of it is where the pattern that ignores case
    finds it in the text as written."""
    made = texts() + [f"{name}{sep}{value}" for name in ("DB_PASSWORD", "Api-Key", "sEcReT", "x.TOKEN", "--PassPhrase")
                      for sep in ("=", ": ", " ", "\"]: ", " => ") for value in ("AbC123xYz987", "'Quoted Value9'", "hunter22")]
    groups = ("word", "close", "sep", "q", "value")
    checked = 0
    for text in filter(str.isascii, made):
        as_written = [[m.span(g) for g in groups] for m in redaction._ASSIGNED.finditer(text)]
        lowered = [[m.span(g) for g in groups] for m in redaction._ASSIGNED_LOWER.finditer(text.lower())]
        assert lowered == as_written, text
        checked += bool(as_written)
    assert checked > 100
