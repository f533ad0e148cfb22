"""Quick fixes for a stale anchor, and the workspace commands behind them: re-anchor, verify, supersede.

- `imi.reanchor {id, uri, range?, ref?}`: anchor the record's reference to the selected
  lines (or, with a bare cursor, to where its changed code is now), with a snapshot of
  the document's text, saved or not.
- `imi.verify id | {id, uri?}`: the record is still true: `imi verify ID`, reading open
  documents from the editor.
- `imi.supersede {id, what, why, affects?, uri?, range?, files?}`: record a decision that
  replaces the record (anchored here) and archive the old one; its `why` ends with
  "Supersedes KIND ID: …". Without `what` it explains, as the record commands do:
  LSP has no way to ask for text, so the editor clients ask and pass it.
Writes go through `imi_cli.memory.Project`, so `.imi/records/` version files follow.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from imi_cli.memory import SUPERSEDABLE, LiveAnchor, UsageError, read_lines, shorten

from . import anchoring
from .commands import _find, _options, _range, _text, _written, anchor
from .base import ImiLanguageServer, guarded

REANCHOR = "imi.reanchor"
VERIFY = "imi.verify"
SUPERSEDE = "imi.supersede"


def selected_lines(rng: tuple[int, int, int, int]) -> tuple[int, int] | None:
    """1-based (first, last) lines of a selection, None for a bare cursor. A selection of whole lines
    ends at character 0 of the next line, which is not part of it."""
    start, start_char, end, end_char = rng
    if (start, start_char) == (end, end_char):
        return None
    if end > start and end_char == 0:
        end -= 1
    return start + 1, max(start, end) + 1


def lsp_range(first: int, last: int) -> dict:
    """Whole lines first..last (1-based) as an LSP range in JSON, for command arguments."""
    return {"start": {"line": first - 1, "character": 0}, "end": {"line": last, "character": 0}}


# code actions ---------------------------------------------------------------------------------------
def actions(ls: ImiLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """The quick fixes for each stale-anchor diagnostic in the request, and, with lines selected,
    re-anchoring any anchor of this document whose code is gone to them."""
    uri = params.text_document.uri
    doc = ls.documents.get(uri)
    if doc is None:
        return []
    rng = params.range
    selection = selected_lines((rng.start.line, rng.start.character, rng.end.line, rng.end.character))
    found: list[types.CodeAction] = []
    offered: set[int] = set()
    for diagnostic in params.context.diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        if diagnostic.source != anchoring.SOURCE or (diagnostic.code != anchoring.STALE_CODE and "ref" not in data):
            continue  # a lesson warning whose anchor is stale says so and carries the fixes too
        live = anchoring.stale_of(ls, uri, diagnostic)
        if live is None or not live.stale:
            continue
        offered.add(live.ref.ref_id)
        found.extend(_fixes(uri, live, diagnostic, selection))
    if selection is not None:
        for live in doc.anchors.stale():
            if live.ref.ref_id not in offered and live.gone:
                shown = [d for d in doc.shown if isinstance(d.data, dict) and d.data.get("ref") == live.ref.ref_id]
                found.append(_reanchor_action(uri, live, selection, shown))
    return found


def _fixes(uri: str, live: LiveAnchor, diagnostic: types.Diagnostic,
           selection: tuple[int, int] | None) -> list[types.CodeAction]:
    target = selection or (live.lines() if not live.gone else None)
    fixes = []
    if target is not None:
        fixes.append(_reanchor_action(uri, live, target, [diagnostic]))
    fixes.append(types.CodeAction(
        title=f"Verify {live.kind} {live.record_id} (still true)", kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        command=types.Command(title="Verify", command=VERIFY, arguments=[{"id": live.record_id, "uri": uri}])))
    if live.kind in SUPERSEDABLE:
        arguments: dict[str, Any] = {"id": live.record_id, "uri": uri}
        if target is not None:
            arguments["range"] = lsp_range(*target)
        fixes.append(types.CodeAction(
            title=f"Supersede {live.kind} {live.record_id}…", kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            command=types.Command(title="Supersede", command=SUPERSEDE, arguments=[arguments])))
    return fixes


def _reanchor_action(uri: str, live: LiveAnchor, lines: tuple[int, int],
                     diagnostics: list[types.Diagnostic]) -> types.CodeAction:
    first, last = lines
    where = f"line {first}" if first == last else f"lines {first}-{last}"
    return types.CodeAction(
        title=f"Re-anchor {live.kind} {live.record_id} here ({where})", kind=types.CodeActionKind.QuickFix,
        diagnostics=diagnostics or None,
        command=types.Command(title="Re-anchor here", command=REANCHOR, arguments=[
            {"id": live.record_id, "ref": live.ref.ref_id, "uri": uri, "range": lsp_range(first, last)}]))


# commands -----------------------------------------------------------------------------------------
def _ref_id(options: dict, command: str) -> int | None:
    value = options.get("ref")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{command}: ref must be a reference id (a whole number), as the quick fix passes it")
    return value


@guarded(loud=True)
async def reanchor(ls: ImiLanguageServer, *args):
    """imi.reanchor {id, uri, range?, ref?}: anchor a record here, to the selected lines."""
    cmd = REANCHOR
    options = _options(args, cmd, ("id",))
    if not options:
        ls.tell("Re-anchoring needs a record and where: imi.reanchor {id, uri, range} (the quick fix on a "
                "stale-anchor diagnostic passes them), or `imi verify ID` to accept it where its code is now.")
        return None
    record_id, uri = _text(options, "id", cmd), _text(options, "uri", cmd)
    rng = options.get("range")
    selection = selected_lines(_range(rng, cmd)) if rng is not None else None
    ref_id = _ref_id(options, cmd)
    located = ls.locate(uri)
    if located is None:
        raise UsageError(f"{uri} is not in a workspace folder with project memory: nothing was written")
    memory, rel = located
    project = memory.project
    kind, rid = project.resolve(record_id)
    opened = uri in ls.workspace.text_documents
    lines = anchoring.text_lines(ls, uri) if opened else (read_lines(memory.root / rel) or [])
    live = _anchor_of(ls, uri, project, kind, rid, rel, ref_id)
    if selection is None:
        current = live.lines() if live is not None and not live.gone else None
        if current is None:
            raise UsageError(f"{cmd}: select the lines to anchor {kind} {rid} to: nothing was written")
        selection = current
    ref_id = live.ref.ref_id if live is not None else ref_id
    ref = project.reanchor(kind, rid, ref_id, rel, lines, *selection)
    await _written(ls, memory)
    ls.tell(f"Re-anchored {kind} {rid} to {ref.label()}")
    return {"kind": kind, "id": rid, "ref": ref.to_json()}


def _anchor_of(ls: ImiLanguageServer, uri: str, project, kind: str, rid: str, rel: str,
               ref_id: int | None) -> LiveAnchor | None:
    """The record's anchor in this document to re-anchor: the one named, else its only one (a stale one
    first). None when the document is not followed and the reference was named."""
    doc = ls.documents.get(uri)
    mine = [a for a in doc.anchors.anchors.values() if a.record_id == rid] if doc is not None else []
    if ref_id is not None:
        named = next((a for a in mine if a.ref.ref_id == ref_id), None)
        if named is None and doc is not None:
            found = project.get(kind, rid)
            if not any(r.ref_id == ref_id for r in getattr(found, "files", ())):
                raise UsageError(f"{kind} {rid} has no file reference {ref_id}: nothing was written")
        return named
    if not mine and doc is None:
        found = project.get(kind, rid)
        refs = [r for r in getattr(found, "files", ()) if r.path == rel and r.is_anchor]
        if len(refs) == 1:
            return LiveAnchor(kind, rid, refs[0], rel, refs[0].line_start, refs[0].line_end)
        mine = []
    stale = [a for a in mine if a.stale] or mine
    if len(stale) != 1:
        raise UsageError(f"{kind} {rid} has {len(stale) or 'no'} anchors in {rel}: pass ref (the quick fix does) "
                         "to say which; nothing was written")
    return stale[0]


@guarded(loud=True)
async def verify(ls: ImiLanguageServer, *args):
    """imi.verify id | {id, uri?}: the record is still true; re-anchor it where its code is now (open documents
    as the editor has them)."""
    cmd = VERIFY
    options = _options(args, cmd, ("id",))
    if not options:
        ls.tell("Verifying needs a record id: imi.verify ID (the quick fix on a stale-anchor diagnostic passes it), "
                "or run `imi verify ID`; `imi check --stale` lists the stale ones.")
        return None
    record_id = _text(options, "id", cmd)
    memory, found = _record_in(ls, options, record_id, cmd)
    _kind, _id, done = memory.project.verify(found.id, read=anchoring.document_reader(ls, memory))
    await _written(ls, memory)
    moved = sum(1 for _ref, _now, action in done if action != "unchanged")
    ls.tell(f"Verified {found.kind} {found.id}" + (f": {moved} anchor(s) re-anchored" if moved else ""))
    return {"kind": found.kind, "id": found.id, "anchors": [
        {"was": ref.label(), "status": now.status, "now": now.to_json(), "action": action}
        for ref, now, action in done]}


def _record_in(ls: ImiLanguageServer, options: dict, record_id: str, command: str):
    """The record, from the folder of `uri` when given, else from any folder's memory."""
    uri = _text(options, "uri", command, required=False)
    if uri is None:
        return _find(ls, record_id)
    memory = ls.folder_of(uri)
    if memory is None or memory.project is None:
        raise UsageError(f"{uri} is not in a workspace folder with project memory: nothing was written")
    kind, rid = memory.project.resolve(record_id)
    return memory, memory.project.get(kind, rid)


@guarded(loud=True)
async def supersede(ls: ImiLanguageServer, *args):
    """imi.supersede {id, what, why, affects?, uri?, range?, files?}: a new decision replaces the record,
    which is archived."""
    cmd = SUPERSEDE
    options = _options(args, cmd, ("id", "what", "why"))
    if not options:
        ls.tell("To supersede a record, the editor passes the new decision: imi.supersede {id, what, why, uri, range} "
                "(the quick fix on a stale-anchor diagnostic starts it), or run `imi decide \"WHAT\" \"WHY\" "
                "--files PATH:LINES` and `imi archive ID`.")
        return None
    record_id = _text(options, "id", cmd)
    memory, found = _record_in(ls, options, record_id, cmd)
    what = _text(options, "what", cmd, required=False)
    if what is None:
        files = ", ".join(ref.label() for ref in getattr(found, "files", ())) or "PATH:LINES"
        ls.tell(f"To supersede {found.kind} {found.id} ({_title(found)}), the editor passes the new decision: "
                f"imi.supersede {{id, what, why, uri, range}} (the IMI VS Code and Neovim clients ask for it), or run "
                f"`imi decide \"WHAT\" \"WHY\" --files {files}` and `imi archive {found.id}`. Nothing was written.")
        return None
    why = _text(options, "why", cmd)
    affects = _text(options, "affects", cmd, required=False)
    target, files = anchor(ls, options, cmd)
    if target is not memory:
        raise UsageError(f"{cmd}: the record and the place to anchor the new decision are in different folders")
    new_id = memory.project.supersede(found.kind, found.id, what, why, affects, files)
    uri = options.get("uri")
    anchoring.snapshot_document(ls, memory, "decision", new_id, uri if isinstance(uri, str) else None)
    await _written(ls, memory)
    decision = memory.project.get("decision", new_id)
    ls.tell(f"Recorded decision {new_id}, superseding {found.kind} {found.id} (archived)")
    return {"kind": "decision", "id": new_id, "supersedes": {"kind": found.kind, "id": found.id},
            "files": [ref.to_json() for ref in decision.files]}


def _title(found) -> str:
    return shorten(" ".join(str(getattr(found, "title", found.id)).split()), 80)


COMMANDS = {REANCHOR: reanchor, VERIFY: verify, SUPERSEDE: supersede}


def setup(server: ImiLanguageServer) -> None:
    for name, handler in COMMANDS.items():
        server.command(name)(handler)
