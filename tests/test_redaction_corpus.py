"""Recall and precision of redaction on a labelled corpus of secrets and look-alikes.

`python tests/test_redaction_corpus.py` prints the figures quoted in docs/guarantees.md.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from imi_cli.memory.redaction import replace_secrets

CORPUS = Path(__file__).parent / "data" / "redaction-corpus.tsv"
OPEN, CLOSE, NEWLINE = "⟦", "⟧", "⏎"


class Case:
    """One corpus line: the text as a user would paste it, and where its secrets are."""

    def __init__(self, number: int, label: str, marked: str):
        self.number, self.label = number, label
        self.pieces = re.split(f"{OPEN}|{CLOSE}", marked.replace(NEWLINE, "\n"))  # text, secret, text, secret, ..., text
        self.text = "".join(self.pieces)
        self.secrets = self.pieces[1::2]

    def expected(self) -> re.Pattern[str]:
        """The text with each secret replaced by a redaction mark, and nothing else touched."""
        parts = [re.escape(p) if i % 2 == 0 else r"\[REDACTED:[a-z0-9-]+\]" for i, p in enumerate(self.pieces)]
        return re.compile("".join(parts), re.S)


def load() -> list[Case]:
    cases = []
    for number, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            label, marked = line.split("\t", 1)
            cases.append(Case(number, label, marked))
    return cases


def _leaks(secret: str, out: str) -> bool:
    """Any 8 characters of the secret in a row survive (a half-redacted key is a leak)."""
    width = min(8, len(secret))
    return any(secret[i:i + width] in out for i in range(len(secret) - width + 1))


def measure(cases: list[Case]) -> dict:
    """Figures over the corpus: a secret counts as caught when none of it survives; a redaction
    counts as false when it touches a look-alike or text around a secret."""
    caught = Counter()
    total = Counter()
    missed, false_hits = [], []
    true_redactions = false_redactions = 0
    for case in cases:
        out, kinds = replace_secrets(case.text)
        if case.label == "keep":
            if out != case.text:
                false_redactions += len(kinds)
                false_hits.append(case)
            continue
        leaked = [secret for secret in case.secrets if _leaks(secret, out)]
        total[case.label] += len(case.secrets)
        caught[case.label] += len(case.secrets) - len(leaked)
        true_redactions += len(case.secrets) - len(leaked)
        if leaked:
            missed.append(case)
        elif not case.expected().fullmatch(out):  # more was cut than the secret
            false_redactions += max(1, len(kinds) - len(case.secrets))
            false_hits.append(case)
    secrets = sum(total.values())
    return {
        "secrets": secrets, "kinds": len(total), "lookalikes": sum(c.label == "keep" for c in cases),
        "recall": sum(caught.values()) / secrets,
        "precision": true_redactions / max(1, true_redactions + false_redactions),
        "per_kind": {kind: (caught[kind], total[kind]) for kind in sorted(total)},
        "missed": missed, "false": false_hits,
    }


@pytest.fixture(scope="module")
def figures():
    return measure(load())


def test_corpus_is_big_and_balanced(figures):
    assert figures["secrets"] + figures["lookalikes"] >= 300
    assert figures["kinds"] >= 25
    assert figures["lookalikes"] >= figures["secrets"]


# Secrets no rule can tell from prose without flagging ordinary text (see docs/guarantees.md).
KNOWN_MISSES = ("neo4j login failed for neo4j/",)


def test_every_secret_in_the_corpus_is_redacted(figures):
    missed = [f"{c.number}: {c.text}" for c in figures["missed"] if not c.text.startswith(KNOWN_MISSES)]
    assert missed == []
    assert figures["recall"] >= 0.99


def test_no_look_alike_is_touched(figures):
    details = [f"{c.number}: {c.text!r} -> {replace_secrets(c.text)[0]!r}" for c in figures["false"]]
    assert details == []
    assert figures["precision"] == 1.0


def test_redacting_twice_changes_nothing():
    for case in load():
        once = replace_secrets(case.text)[0]
        assert replace_secrets(once) == (once, []), case.number


def report(figures: dict) -> str:
    lines = [f"{figures['secrets']} secrets of {figures['kinds']} kinds, {figures['lookalikes']} look-alikes",
             f"recall {figures['recall']:.1%}, precision {figures['precision']:.1%}",
             "", "| kind | caught |", "| --- | --- |"]
    lines += [f"| {kind} | {hit}/{n} |" for kind, (hit, n) in figures["per_kind"].items()]
    lines += [f"missed line {c.number}: {c.text}" for c in figures["missed"]]
    lines += [f"false hit line {c.number}: {c.text!r} -> {replace_secrets(c.text)[0]!r}" for c in figures["false"]]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(report(measure(load())) + "\n")
