"""The line count of an open document, followed through its edits, is what counting the text gives
(for the edits editors send: ranges whose characters lie inside their lines)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace import TextDocument

from imi_lsp.linecount import LineCounts

texts = st.text(alphabet="ab\n", max_size=40)


@st.composite
def edits(draw, text: str):
    """What an editor sends: a range inside the text (or ending past its end), or the whole text."""
    lines = text.split("\n")
    start = draw(st.integers(0, len(lines) - 1))
    end = draw(st.integers(start, len(lines) + 1))
    start_char = draw(st.integers(0, len(lines[start])))
    end_char = draw(st.integers(start_char if end == start else 0, len(lines[end]) if end < len(lines) else 3))
    at = types.Range(start=types.Position(line=start, character=start_char),
                     end=types.Position(line=end, character=end_char))
    if draw(st.integers(0, 9)) == 0:
        return types.TextDocumentContentChangeWholeDocument(text=draw(texts))
    return types.TextDocumentContentChangePartial(range=at, text=draw(texts))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), text=texts)
def test_a_followed_count_matches_the_text_after_any_edits(data, text):
    doc = TextDocument("file:///x.py", text, version=1)
    counts = LineCounts()
    assert counts.get(doc.uri, doc.version, lambda: doc.source) == text.count("\n") + 1
    for version in range(2, 2 + data.draw(st.integers(1, 8))):
        change = data.draw(edits(doc.source))
        doc.apply_change(change)
        doc.version = version
        counts.edited(doc.uri, version, change)
        assert counts.get(doc.uri, doc.version, lambda: doc.source) == doc.source.count("\n") + 1
