"""Anchors in a document being edited: shifting ranges through edits, and locating them in unsaved text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from imi_cli.memory.anchors.live import DocumentAnchors, Edit, shift
from imi_cli.memory.store.records import FileRef

RANGE = (3, 4)  # 1-based lines 3-4


@pytest.mark.parametrize("edit, expected", [
    (Edit(0, 0, 0, 0, "a\nb\nc\n"), (6, 7)),   # three lines inserted at the top
    (Edit(2, 0, 2, 0, "x\n"), (4, 5)),         # a line inserted at the start of the first anchored line: above it
    (Edit(2, 0, 2, 0, "x"), (3, 4)),           # typing on the first line: in place
    (Edit(3, 0, 3, 0, "x\ny\n"), (3, 6)),      # two lines inserted inside: it grows
    (Edit(2, 0, 3, 0, ""), (3, 3)),            # its first line deleted: it shrinks
    (Edit(4, 0, 4, 0, "x\n"), (3, 4)),         # below: untouched
    (Edit(0, 0, 1, 0, ""), (2, 3)),            # a line deleted above
    (Edit(0, 0, 2, 0, "a\nb\n"), (3, 4)),      # two lines above replaced by two others
    (Edit(1, 2, 2, 3, "zz"), (2, 3)),          # an edit from above into its first line: it starts where the edit did
    (Edit(3, 2, 6, 0, "q\n"), (3, 4)),         # an edit from inside to below: it ends where the new text does
    (Edit(2, 0, 4, 0, ""), (3, 2)),            # every line deleted: empty, where the lines were
])
def test_a_range_shifts_with_an_edit(edit, expected):
    assert shift(*RANGE, edit) == expected


def test_an_emptied_range_stays_empty_and_keeps_moving():
    empty = shift(*RANGE, Edit(2, 0, 4, 0, ""))
    assert shift(*empty, Edit(0, 0, 0, 0, "x\n")) == (4, 3)
    assert shift(*empty, Edit(2, 0, 2, 0, "typed")) == (3, 2)


def _apply(text: str, edit: Edit) -> str:
    lines = text.split("\n")
    offset = [0]
    for line in lines:
        offset.append(offset[-1] + len(line) + 1)
    start = offset[edit.start_line] + edit.start_char
    end = offset[edit.end_line] + edit.end_char
    return text[:start] + edit.text + text[end:]


_piece = st.text(alphabet="ab\n", max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 12), st.integers(0, 4), st.data())
def test_edits_outside_a_range_leave_its_text_at_the_shifted_range(start, length, data):
    """Any edit above or below an anchored range (insertions, deletions, joined lines): the anchored
    lines are found, unchanged, where `shift` says."""
    lines = [f"line {i}" for i in range(1, 16)]
    end = min(start + length, len(lines))
    text = "\n".join(lines) + "\n"
    anchored = lines[start - 1:end]
    above = data.draw(st.booleans())
    if above and start > 1:
        l1 = data.draw(st.integers(0, start - 2))
        c1 = data.draw(st.integers(0, len(lines[l1])))
        l2 = data.draw(st.integers(l1, start - 1))
        c2 = 0 if l2 == start - 1 else data.draw(st.integers(c1 if l2 == l1 else 0, len(lines[l2])))
        new = data.draw(_piece)
        if l2 == start - 1 and not new.endswith("\n") and not (new == "" and c1 == 0):
            new += "\n"  # otherwise the edit writes into the first anchored line
    else:
        l1 = data.draw(st.integers(end, len(lines)))
        c1 = 0 if l1 == end or l1 == len(lines) else data.draw(st.integers(0, len(lines[l1])))
        l2 = data.draw(st.integers(l1, len(lines)))
        c2 = 0 if l2 == len(lines) else data.draw(st.integers(c1 if l2 == l1 else 0, len(lines[l2])))
        new = data.draw(_piece)
    edit = Edit(l1, c1, l2, c2, new)
    after = _apply(text, edit).split("\n")
    first, last = shift(start, end, edit)
    assert after[first - 1:last] == anchored


# locating in a document's text --------------------------------------------------------------------
CODE = ["import os", "", "def refresh(token):", "    if token.expired:", "        return renew(token)",
        "    return token", "", "def logout(s):", "    s.clear()"]


def _ref(ref_id: int, start: int, end: int, text: str | None = None, symbol: str | None = None) -> FileRef:
    return FileRef("src/auth.py", line_start=start, line_end=end, symbol=symbol, anchor_text=text, ref_id=ref_id)


def test_anchors_are_located_in_the_text_given_not_on_disk_and_follow_moved_code():
    doc = DocumentAnchors("src/auth.py")
    snapshot = "\n".join(CODE[2:6])
    moved = ["# header", "# more"] + CODE
    doc.sync([("lesson", "L", _ref(1, 3, 6, snapshot)),
              ("decision", "D", _ref(2, 8, 9, "def logout(s):\n    s.clear()")),
              ("note", "N", FileRef("src/auth.py", ref_id=3))], moved)
    assert set(doc.anchors) == {1, 2}  # a reference to the whole file is not an anchor
    assert (doc.get(1).lines(), doc.get(1).status) == ((5, 8), "moved")
    assert (doc.get(2).lines(), doc.get(2).status) == ((10, 11), "moved")
    assert doc.stale() == []


def test_changed_and_orphaned_anchors_are_stale_and_an_edit_is_judged_when_relocated():
    doc = DocumentAnchors("src/auth.py")
    edited = list(CODE)
    edited[4] = "        return renew(token, force=True)"
    doc.sync([("lesson", "L", _ref(1, 3, 6, "\n".join(CODE[2:6]))),
              ("decision", "D", _ref(2, 8, 9, "def vanished():\n    pass\n    return 1"))], edited)
    assert doc.get(1).status == "changed" and doc.get(1).lines() == (3, 6)
    assert doc.get(2).status == "orphaned" and doc.get(2).gone
    assert {a.record_id for a in doc.stale()} == {"L", "D"}

    # lines typed above move the changed anchor; restoring its code and relocating makes it whole again
    doc.edit(Edit(0, 0, 0, 0, "# new\n"))
    assert doc.get(1).lines() == (4, 7)
    doc.relocate(["# new"] + CODE)
    assert doc.get(1).status == "moved" and doc.get(1).lines() == (4, 7)


def test_a_reloaded_index_keeps_the_live_range_unless_the_snapshot_changed():
    doc = DocumentAnchors("src/auth.py")
    ref = _ref(1, 3, 6, "\n".join(CODE[2:6]))
    doc.sync([("lesson", "L", ref)], CODE)
    doc.edit(Edit(0, 0, 0, 0, "a\nb\n"))
    assert doc.sync([("lesson", "L", ref)], ["a", "b"] + CODE) == []  # same snapshot: not located again
    assert doc.get(1).lines() == (5, 8)
    reanchored = _ref(1, 1, 1, "import os")
    assert doc.sync([("lesson", "L", reanchored)], ["a", "b"] + CODE) == [1]
    assert doc.get(1).lines() == (3, 3)
    assert doc.sync([], CODE) == [] and len(doc) == 0


def test_a_symbol_anchor_follows_its_symbol_and_a_renamed_file_reads_as_renamed():
    doc = DocumentAnchors("lib/auth.py")  # the document is at the path git renamed the file to
    ref = _ref(1, 3, 6, "\n".join(CODE[2:6]), symbol="refresh")
    doc.sync([("lesson", "L", ref)], ["x = 1"] + CODE)
    assert (doc.get(1).lines(), doc.get(1).status) == ((4, 7), "renamed")
