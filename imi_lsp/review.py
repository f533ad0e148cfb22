"""Review in the editor: the pending-proposal count, proposals as pages, accept / accept edited / reject.

Sessions propose memory (`imi capture` at a host's stop hook, MCP `propose`); a person decides.
The commands here call the same `Project` methods as `imi review`:

- `imi.pendingCount`: {count, folders: [{folder, count}]}.
- `imi.proposals {session?, status?}`: the proposals as JSON (pickers, the VS Code view).
- `imi.acceptProposal {id, text?, correctBehavior?, what?, why?, summary?}`: accept, optionally edited.
- `imi.rejectProposal {id}`, `imi.acceptSession {session}`.
- `imi.readView` views "review" (every pending proposal, by session) and "proposal" {id}.

The count reaches clients without their asking: after every change of the memory (another
process's write, noticed by the `data_version` poll, or a command here) the server sends the
notification `imi/pendingReview` {count, folders} when a folder's count differs from the last one
sent. A hook that captures a proposal thus shows in the editor at the next poll, in VS Code and in
Neovim alike (Neovim on Linux has no file watcher to rely on).
"""

from __future__ import annotations

from imi_cli.memory import ImiError, NotFound, UsageError, ago, iso, now_ms, one_line

from . import render
from .base import ImiLanguageServer, guarded
from .commands import _need_project, _options, _text, _written
from .folders import FolderMemory

NOTIFICATION = "imi/pendingReview"
LIST_LIMIT = 200
ACCEPT = "imi.acceptProposal"
REJECT = "imi.rejectProposal"
ACCEPT_SESSION = "imi.acceptSession"
# the fields a person may edit, per kind: (wire name, the proposal's field, the question)
EDITABLE = {
    "lesson": (("text", "text", "What went wrong (edit the lesson)"),
               ("correctBehavior", "correct_behavior", "The correct behaviour")),
    "decision": (("what", "what", "What was decided (edit the decision)"), ("why", "why", "Why")),
    "summary": (("summary", "summary", "What was done (edit the summary)"),),
}


# counting ---------------------------------------------------------------------------------------
def _with_memory(ls: ImiLanguageServer) -> list[FolderMemory]:
    """Each database once (nested folders and `--db` may share one), in a stable order."""
    seen, out = set(), []
    for memory in sorted(ls.folders, key=lambda f: str(f.folder)):
        if memory.project is not None and memory.db_path not in seen:
            seen.add(memory.db_path)
            out.append(memory)
    return out


def pending(ls: ImiLanguageServer) -> dict:
    """{count, folders: [{folder, count}]}: what waits for review in each memory."""
    folders = [{"folder": str(m.root), "count": m.project.pending_count()} for m in _with_memory(ls)]
    return {"count": sum(f["count"] for f in folders), "folders": folders}


def announce(ls: ImiLanguageServer) -> None:
    """A memory listener: tell the client the count when it changed since it was last told."""
    try:
        now = pending(ls)
    except Exception as exc:  # a database going away is reported by the watcher; the count waits
        ls.note(f"counting proposals: {exc}")
        return
    if now != ls.pending_sent:
        ls.pending_sent = now
        ls.protocol.notify(NOTIFICATION, now)


# finding and rendering --------------------------------------------------------------------------
def _find(ls: ImiLanguageServer, ref: str):
    """(memory, proposal) for an id or unique prefix, in whichever folder holds it."""
    last: ImiError | None = None
    for memory in _with_memory(ls):
        try:
            found = [p for p in memory.project.proposals(status=None) if p.id.startswith(ref)]
        except ImiError as exc:
            last = exc
            continue
        if len(found) > 1:
            raise UsageError(f"{ref!r} names more than one proposal: give more of the id")
        if found:
            return memory, found[0]
    raise last or NotFound(f"no proposal {ref!r} (see the command imi.readView {{view: 'review'}} or `imi review`)")


def _task_title(memory: FolderMemory, task_ref: str) -> str:
    try:
        task = memory.project.find(task_ref, ["task"])
    except ImiError:
        return task_ref
    return f"`{task.id}` {one_line(task.title, 120)}"


def _origin(proposal, now: int) -> str:
    where = f" in session `{proposal.session_id}`" if proposal.session_id else ""
    return (f"Proposed by **{one_line(proposal.proposed_by or 'unknown', 80)}**{where} ({proposal.source}) "
            f"on {iso(proposal.created_at)[:10]} ({ago(proposal.created_at, now)}) · `{proposal.id}`")


def proposal_markdown(memory: FolderMemory, proposal, now: int) -> str:
    """One proposal as a record would read, headed by what it is and what became of it."""
    fields = proposal.fields
    state = "pending review" if proposal.status == "pending" else proposal.status
    if proposal.kind == "lesson":
        body = (f"### Lesson (proposed, {state}): {render._quote(one_line(fields.get('text'), 200))}\n\n"
                f"**What went wrong:** {render._quote(fields.get('text'))}\n\n"
                f"**Correct behaviour:** {render._quote(fields.get('correct_behavior'))}")
    elif proposal.kind == "decision":
        body = f"### Decision (proposed, {state})\n\n**{render._quote(fields.get('what'), 400)}**"
        if fields.get("why"):
            body += f"\n\n**Why:** {render._quote(fields.get('why'))}"
    else:
        body = (f"### Task summary (proposed, {state})\n\n**Completes task:** {_task_title(memory, fields.get('task_id', ''))}"
                f"\n\n**Summary:** {render._quote(fields.get('summary'))}")
    files = fields.get("files") or []
    if files:
        body += "\n\nFiles: " + ", ".join(f"`{one_line(f, 120)}`" for f in files[:8])
    body += "\n\n" + _origin(proposal, now)
    if proposal.status != "pending":
        decided = f"{proposal.status.title()} by **{one_line(proposal.decided_by or 'unknown', 80)}**"
        decided += f" {ago(proposal.decided_at, now)}" if proposal.decided_at else ""
        if proposal.record_id:
            decided += f": [{proposal.record_id}](imi:record/{proposal.record_id})"
        body += "\n\n" + decided
    return body


def _session_count(memory: FolderMemory, session: str | None) -> int:
    return len(memory.project.proposals("pending", session)) if session else 0


def proposal_actions(memory: FolderMemory, proposal) -> list[dict]:
    """Accept, accept edited (the client asks for each field, filled with the proposal's text), reject,
    and accept the whole session when it has other pending proposals."""
    if proposal.status != "pending":
        return []
    edit = EDITABLE[proposal.kind]
    out = [
        {"title": "Accept", "command": ACCEPT, "arguments": [{"id": proposal.id}]},
        {"title": "Accept edited…", "command": ACCEPT, "arguments": [{"id": proposal.id}],
         "ask": ",".join(name for name, _, _ in edit),
         "values": {name: proposal.fields.get(field) or "" for name, field, _ in edit},
         "prompts": {name: prompt for name, _, prompt in edit}},
        {"title": "Reject", "command": REJECT, "arguments": [{"id": proposal.id}]},
    ]
    others = _session_count(memory, proposal.session_id)
    if others > 1:
        out.append({"title": f"Accept all {others} from this session", "command": ACCEPT_SESSION,
                    "arguments": [{"session": proposal.session_id}]})
    return out


def proposal_page(ls: ImiLanguageServer, options: dict, cmd: str) -> dict:
    memory, proposal = _find(ls, _text(options, "id", cmd))
    title = one_line(proposal.title(), 50)
    return {"title": f"Proposal: {title}", "markdown": proposal_markdown(memory, proposal, now_ms()),
            "actions": proposal_actions(memory, proposal), "id": proposal.id, "kind": "proposal",
            "root": str(memory.root)}


def review_page(ls: ImiLanguageServer, options: dict, cmd: str) -> dict:
    """Every pending proposal, grouped by session, each a link to its own page; a button per session."""
    memory = _need_project(ls, options.get("uri"))
    proposals = memory.project.proposals("pending")
    now = now_ms()
    lines = [f"# Pending review: {len(proposals)} proposal{'s' if len(proposals) != 1 else ''}", ""]
    if not proposals:
        lines.append("Nothing waits for review. Sessions propose lessons and task summaries when they end "
                     "(`imi capture`); agents with `propose` (MCP).")
    sessions: dict[str | None, list] = {}
    for proposal in proposals[:LIST_LIMIT]:
        sessions.setdefault(proposal.session_id, []).append(proposal)
    actions = []
    for session, listed in sessions.items():
        lines += [f"## Session `{session}` ({len(listed)})" if session else f"## Without a session ({len(listed)})", ""]
        for p in listed:
            lines.append(f"- **{p.kind}** [{one_line(p.title(), 90) or p.id}](imi:proposal/{p.id}) · "
                         f"by {one_line(p.proposed_by or 'unknown', 40)} · {ago(p.created_at, now)} · `{p.id}`")
        lines.append("")
        if session and len(listed) > 1:
            actions.append({"title": f"Accept all {len(listed)} from session {session[:16]}",
                            "command": ACCEPT_SESSION, "arguments": [{"session": session}]})
    if len(proposals) > LIST_LIMIT:
        lines.append(f"… and {len(proposals) - LIST_LIMIT} more (`imi review`)")
    return {"title": "IMI: pending review", "markdown": "\n".join(lines).rstrip() + "\n", "actions": actions,
            "kind": "review", "root": str(memory.root)}


# commands ---------------------------------------------------------------------------------------
@guarded(default={"count": 0, "folders": []})
async def pending_count(ls: ImiLanguageServer, *args):
    """imi.pendingCount: how many proposals wait for review, in all and per folder."""
    return pending(ls)


@guarded(default={"proposals": []})
async def list_proposals(ls: ImiLanguageServer, *args):
    """imi.proposals [{session?, status?}]: proposals as JSON (pending ones unless `status` is "all"),
    each with its folder and one-line title, oldest first."""
    cmd = "imi.proposals"
    options = _options(args, cmd, ("session",))
    session = _text(options, "session", cmd, required=False)
    status = _text(options, "status", cmd, required=False) or "pending"
    out = []
    for memory in _with_memory(ls):
        for p in memory.project.proposals(None if status == "all" else status, session)[:LIST_LIMIT]:
            out.append({**p.to_json(), "title": one_line(p.title(), 200), "folder": str(memory.root)})
    return {"proposals": out, "count": len(out)}


def _edits(options: dict, kind: str, cmd: str) -> dict:
    """The edited fields given for this kind of proposal, as the data layer names them."""
    edits = {}
    for name, field, _ in EDITABLE[kind]:
        value = _text(options, name, cmd, required=False,
                      aliases=("correct_behavior", "correctBehaviour") if name == "correctBehavior" else ())
        if value is not None:
            if not value.strip():
                raise UsageError(f"{cmd}: {name} cannot be empty: nothing was written")
            edits[field] = value
    return edits


async def _decided(ls: ImiLanguageServer, memory: FolderMemory, message: str) -> None:
    await _written(ls, memory)  # lenses, warnings and the count follow (announce is a memory listener)
    ls.tell(message)


@guarded(loud=True)
async def accept(ls: ImiLanguageServer, *args):
    """imi.acceptProposal id | {id, text?, correctBehavior?, what?, why?, summary?}: the proposal becomes a
    record stored under its proposer's name and approved by this user (`imi review accept`)."""
    cmd = ACCEPT
    options = _options(args, cmd, ("id",))
    if not options:
        raise UsageError(f"{cmd} needs a proposal id (the review view lists them; `imi review` too)")
    memory, proposal = _find(ls, _text(options, "id", cmd))
    kind, record_id = memory.project.accept(proposal.id, _edits(options, proposal.kind, cmd))
    what = "completed task" if kind == "task" else kind
    await _decided(ls, memory, f"Accepted: {what} {record_id}")
    return {"proposal": proposal.id, "kind": kind, "id": record_id}


@guarded(loud=True)
async def reject(ls: ImiLanguageServer, *args):
    """imi.rejectProposal id | {id}: turn it down; the same text is not proposed again."""
    cmd = REJECT
    options = _options(args, cmd, ("id",))
    if not options:
        raise UsageError(f"{cmd} needs a proposal id (the review view lists them; `imi review` too)")
    memory, proposal = _find(ls, _text(options, "id", cmd))
    memory.project.reject(proposal.id)
    await _decided(ls, memory, f"Rejected {proposal.kind} proposal {proposal.id}")
    return {"proposal": proposal.id, "rejected": True}


@guarded(loud=True)
async def accept_session(ls: ImiLanguageServer, *args):
    """imi.acceptSession session | {session}: accept every pending proposal of one session."""
    cmd = ACCEPT_SESSION
    options = _options(args, cmd, ("session",))
    session = _text(options, "session", cmd)
    for memory in _with_memory(ls):
        if memory.project.proposals("pending", session):
            done = memory.project.accept_session(session)
            await _decided(ls, memory, f"Accepted {len(done)} proposal{'s' if len(done) != 1 else ''} "
                                       f"from session {session}")
            return {"accepted": [{"kind": k, "id": i} for k, i in done]}
    raise NotFound(f"no pending proposals from session {session!r}")


COMMANDS = {
    "imi.pendingCount": pending_count,
    "imi.proposals": list_proposals,
    ACCEPT: accept,
    REJECT: reject,
    ACCEPT_SESSION: accept_session,
}


def setup(server: ImiLanguageServer) -> None:
    for name, handler in COMMANDS.items():
        server.command(name)(handler)
    server.pages["review"] = review_page
    server.pages["proposal"] = proposal_page
    server.memory_listeners.append(announce)
