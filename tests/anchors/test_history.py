"""Statuses on real history (issue 14): released versions of requests committed one over the other,
anchors made along the way, every status judged against git's rename detection and the `ast` of
both versions. The full twenty-version replay and its table are bench/anchor_history.py's
(docs/anchors.md); this replays the last four. The wheels come from PyPI into the cache."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import anchor_history  # noqa: E402

pytestmark = pytest.mark.slow


def test_statuses_on_four_released_versions_agree_with_what_happened(tmp_path, monkeypatch):
    versions = anchor_history.VERSIONS[-4:]
    try:
        for version in versions:
            anchor_history.fetch(version)
    except (RuntimeError, OSError) as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"requests wheels are not cached and cannot be fetched here: {error}")
    monkeypatch.setenv("IMI_DB", str(tmp_path / ".imi" / "state.db"))
    result = anchor_history.replay(versions, tmp_path)
    confusion = result["confusion"]
    false_alarm, missed, judged = anchor_history.stale_disagreements(confusion)
    assert judged > 500
    assert result["events"]["changed"] > 20 and result["events"]["holds"] > 200  # real edits happened
    assert (false_alarm, missed) == (0, 0), anchor_history.render([result])
    assert result["wrong_place"] == []
