"""Open documents as lines (imi_lsp/documents.py): after any change the text and its lines are exactly
what pygls' own TextDocument makes, in every position encoding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace import PositionCodec, TextDocument

from imi_lsp.documents import LineDocument

texts = st.lists(st.sampled_from(["a", "b", " ", "\n", "\r", "\r\n", "é", "𝄞", "\u2028"]), max_size=20).map("".join)
ENCODINGS = [types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf32]


@st.composite
def changes(draw, line_count: int):
    if draw(st.integers(0, 12)) == 0:
        return types.TextDocumentContentChangeWholeDocument(text=draw(texts))
    position = st.builds(types.Position, line=st.integers(0, line_count + 1), character=st.integers(0, 6))
    start = draw(position)
    end = draw(position if draw(st.integers(0, 9)) == 0 else  # mostly ranges that go forwards
               st.builds(types.Position, line=st.integers(start.line, line_count + 1), character=st.integers(0, 6)))
    return types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text=draw(texts))


@settings(max_examples=500, deadline=None)
@given(data=st.data(), text=texts, encoding=st.sampled_from(ENCODINGS))
def test_any_changes_give_the_text_pygls_gives(data, text, encoding):
    codec = PositionCodec(encoding)
    ours = LineDocument("file:///x.py", text, version=1, position_codec=codec)
    theirs = TextDocument("file:///x.py", text, version=1, position_codec=codec)
    for _ in range(data.draw(st.integers(1, 6))):
        change = data.draw(changes(len(theirs.lines)))
        theirs.apply_change(change)
        ours.apply_change(change)
        assert list(ours.lines) == list(theirs.lines)
        assert ours.source == theirs.source


def test_a_keystroke_in_a_big_document_touches_only_its_line():
    text = "".join(f"line {i}\n" for i in range(100_000))
    doc = LineDocument("file:///big.py", text, version=1)
    at = types.Position(line=50_000, character=4)
    doc.apply_change(types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text="!"))
    assert doc.lines[50_000] == "line! 50000\n"
    assert doc._source is None  # the whole text was not rebuilt for the keystroke
    assert doc.source.count("\n") == 100_000
