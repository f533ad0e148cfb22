"""Open documents kept as a list of lines, so a keystroke costs the same in a file of any size.

pygls 2.1.1 applies an incremental change by splitting the whole text into lines and
writing every line into a new string: about 50 ms per keystroke in a 200,000-line file
(bench/bench_typing.py). `LineDocument` keeps the lines and replaces only those the
change touches; the text is joined again only when something asks for it. Its lines
are the ones pygls would give (`str.splitlines(True)` of the text), and the result of
any change is the text pygls would make (tests/lsp/test_lsp_documents.py).
"""

from __future__ import annotations

from pygls.workspace import TextDocument, Workspace


class LineDocument(TextDocument):
    """A pygls TextDocument whose incremental changes touch only the lines they change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._lines: list[str] | None = None  # the text's lines, when they are ahead of `_source`

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.source.splitlines(True)
        return self._lines

    @property
    def source(self) -> str:
        if self._lines is not None and self._source is None:
            self._source = "".join(self._lines)
        return super().source

    def _apply_full_change(self, change) -> None:
        self._lines = None
        super()._apply_full_change(change)

    def _apply_incremental_change(self, change) -> None:
        lines = self.lines
        rng = self._position_codec.range_from_client_units(lines, change.range)
        first, last = rng.start.line, rng.end.line
        if first == len(lines):  # at the very end: the text is appended (to the last line, if it has no break)
            lines[-1:] = (lines[-1] + change.text if lines else change.text).splitlines(True)
        elif first < len(lines) and last >= first:  # (pygls ignores any other range; so does this)
            head = lines[first][:rng.start.character] + change.text
            tail = lines[last][rng.end.character:] if last < len(lines) else ""
            # re-split with the neighbouring lines: a "\r" and a "\n" brought together make one line break
            lo, hi = max(first - 1, 0), min(last + 2, len(lines))
            window = "".join(lines[lo:first]) + head + tail + "".join(lines[last + 1:hi])
            lines[lo:hi] = window.splitlines(True)
        else:
            return
        self._source = None  # joined again when asked for
        self._lines = lines


def use_line_documents(workspace: Workspace) -> None:
    """Make `workspace` create `LineDocument`s for the documents opened from now on."""

    def create(doc_uri, source=None, version=None, language_id=None) -> TextDocument:
        return LineDocument(doc_uri, source=source, version=version, language_id=language_id,
                            sync_kind=workspace._sync_kind, position_codec=workspace._position_codec)

    workspace._create_text_document = create
