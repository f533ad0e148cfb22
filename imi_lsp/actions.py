"""Code actions on a lesson warning (acknowledge it for this session, or open the lesson) and on a stale
anchor (re-anchor, verify, supersede: fixes.py)."""

from __future__ import annotations

from lsprotocol import types

from imi_cli.memory import shorten

from . import fixes
from .diagnostics import CODE, SOURCE
from .base import ImiLanguageServer, guarded

ACKNOWLEDGE = "imi.acknowledgeLesson"
SHOW_RECORD = "imi.showRecord"
SHOW_FILE = "imi.showFileMemory"
# "Show memory for this file" is no fix: a kind of its own, so a client asking only for quick fixes
# (VS Code's lightbulb on save, Neovim's filters) never gets it, and no "action will be dropped" warning
SOURCE_KIND = "source.imi.showFileMemory"


def lesson_id(ls: ImiLanguageServer, uri: str, diagnostic: types.Diagnostic) -> str | None:
    """The lesson a warning is about: from its data, or (for clients that drop data) from what we published."""
    if isinstance(diagnostic.data, dict) and isinstance(diagnostic.data.get("id"), str):
        return diagnostic.data["id"]
    for known_id, shown in ls.warnings.get(uri, {}).items():
        if shown.message == diagnostic.message:
            return known_id
    return None


def wanted(kind: str, only: list[str] | None) -> bool:
    """Whether the client asked for actions of this kind (`context.only`: a kind and its sub-kinds)."""
    return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)


@guarded(default=[])
def code_action(ls: ImiLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    only = [str(getattr(k, "value", k)) for k in params.context.only or []]
    actions: list[types.CodeAction] = []
    if wanted(types.CodeActionKind.QuickFix.value, only):
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != SOURCE or diagnostic.code != CODE:
                continue
            found = lesson_id(ls, uri, diagnostic)
            if found is None:
                continue
            lesson = shorten(diagnostic.message.splitlines()[0].removeprefix("Lesson: "), 60)
            actions.append(types.CodeAction(
                title=f"Acknowledge lesson: {lesson}", kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic], is_preferred=True,
                command=types.Command(title="Acknowledge lesson", command=ACKNOWLEDGE, arguments=[found])))
            actions.append(types.CodeAction(
                title=f"Open lesson: {lesson}", kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                command=types.Command(title="Open lesson", command=SHOW_RECORD, arguments=[found])))
        actions.extend(fixes.actions(ls, params))
    where = ls.locate(uri)
    if wanted(SOURCE_KIND, only) and where is not None and where[0].index.hits(where[1]):
        actions.append(types.CodeAction(
            title="Show IMI memory for this file", kind=SOURCE_KIND,
            command=types.Command(title="Show IMI memory for this file", command=SHOW_FILE, arguments=[uri])))
    return actions


def setup(server: ImiLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, SOURCE_KIND]))(code_action)
