"""Proposals behind review: `imi capture` drafts them from a session, `imi review` decides."""

from __future__ import annotations

import json

import click

from ..memory import UsageError, one_line
from .app import App
from .options import files_option, pass_app
from .writing import split_files


def _load_events(path: str) -> list[dict]:
    """Host-neutral events from a JSON array or JSON Lines file (see `imi capture --help`)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(text) if text.lstrip().startswith("[") else [json.loads(x) for x in text.splitlines()
                                                                      if x.strip()]
    except ValueError as exc:
        raise UsageError(f"{path} is not JSON or JSON Lines ({exc})") from None
    if not all(isinstance(e, dict) for e in data):
        raise UsageError(f"{path}: every event must be a JSON object")
    return data


def _line(proposal, new: bool | None = None) -> str:
    mark = "" if new is None else ("new  " if new else f"{proposal.status:<9}")
    files = f"  [{', '.join(proposal.files[:3])}]" if proposal.files else ""
    session = f"  session {proposal.session_id}" if proposal.session_id else ""
    return (f"{mark}{proposal.id}  {proposal.kind:<8} {one_line(proposal.title(), 120)}{files}"
            f"  (by {proposal.proposed_by}{session})")


@click.command()
@click.option("--session", help="The session these events come from (accept them together with "
                                "`imi review accept-all --session`).")
@click.option("--transcript", type=click.Path(dir_okay=False), help="A Claude Code session transcript (JSON Lines).")
@click.option("--events", "events_path", type=click.Path(dir_okay=False),
              help='Tool events as JSON: {"kind": "shell", "command": ..., "ok": true|false} or '
                   '{"kind": "edit", "paths": [...]}, oldest first.')
@pass_app
def capture(app: App, session, transcript, events_path):
    """Propose memory from a session: a summary for each task you hold, lessons from commands that
    failed until a file changed. Proposals wait for `imi review`; nothing reaches context before."""
    events: list[dict] = []
    if transcript:
        from ..agents.transcript import read_events

        events += read_events(transcript)
    if events_path:
        events += _load_events(events_path)
    made = app.project().capture(events, session=session)
    lines = [_line(p, new) for p, new in made]
    app.out.result({"proposals": [p.to_json() | {"new": new} for p, new in made]},
                   "\n".join(lines + ["Review with `imi review`."]) if lines else "Nothing to propose.")


@click.group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Also list accepted and rejected proposals.")
@click.option("--session", help="Only proposals from this session.")
@pass_app
@click.pass_context
def review(ctx, app: App, show_all, session):
    """List proposals waiting for review (then `accept`, `reject`, or `accept-all --session`)."""
    if ctx.invoked_subcommand is not None:
        return
    found = app.project().proposals(None if show_all else "pending", session)
    lines = [_line(p, None if not show_all else False) for p in found]
    hint = "Accept with `imi review accept ID` (edit with --text, --why, ...), reject with `imi review reject ID`."
    app.out.result({"proposals": [p.to_json() for p in found]},
                   "\n".join(lines + [hint]) if lines else "No proposals waiting for review.")


@review.command()
@click.argument("proposal_id")
@click.option("--text", help="A lesson's text, edited.")
@click.option("--correct-behavior", help="A lesson's correct behaviour, edited.")
@click.option("--what", help="A decision, edited.")
@click.option("--why", help="A decision's reason, edited.")
@click.option("--summary", help="A task summary, edited.")
@files_option
@pass_app
def accept(app: App, proposal_id, text, correct_behavior, what, why, summary, files):
    """Accept a proposal (optionally edited): it becomes a record approved by you."""
    edits = {"text": text, "correct_behavior": correct_behavior, "what": what, "why": why, "summary": summary}
    if files:
        edits["files"] = split_files(files)
    kind, record_id = app.project().accept(proposal_id, edits)
    app.out.result({"proposal": proposal_id, "kind": kind, "id": record_id},
                   f"Accepted: {'completed task' if kind == 'task' else kind} {record_id}")


@review.command()
@click.argument("proposal_id")
@pass_app
def reject(app: App, proposal_id):
    """Reject a proposal; the same text will not be proposed again."""
    proposal = app.project().reject(proposal_id)
    app.out.result({"proposal": proposal.id, "rejected": True}, f"Rejected {proposal.kind} proposal {proposal.id}")


@review.command("accept-all")
@click.option("--session", required=True, help="The session whose pending proposals to accept.")
@pass_app
def accept_all(app: App, session):
    """Accept every pending proposal from one session."""
    done = app.project().accept_session(session)
    app.out.result({"accepted": [{"kind": k, "id": i} for k, i in done]},
                   "\n".join(f"Accepted: {k} {i}" for k, i in done))


COMMANDS = [capture, review]
