"""Proposals: memory a session suggests, held back until a person reviews it.

A proposal is not memory yet. It lives in its own table, is never packed into context
or shown as verified, and reaches the records only through `accept` (optionally edited)
by someone other than the proposal itself. A rejected proposal is remembered by a
fingerprint of its text, so the same suggestion is not made again.
"""

from __future__ import annotations

from .clock import now_ms
from .errors import NotFound, UsageError
from .gate import admit
from .ids import new_id
from .jsontext import dumps, loads
from .store import Store
from .store.writes import Provenance
from .text import clean
from .typed import RecordType

# What each kind of proposal holds: its text fields (required first) and what accepting it makes.
FIELDS = {
    "lesson": ("text", "correct_behavior"),
    "decision": ("what", "why"),
    "summary": ("task_id", "summary"),
}
COLUMNS = ("id, kind, fields, status, session_id, source, proposed_by, created_at, decided_by, decided_at, "
           "record_id")


class Proposal(metaclass=RecordType):
    """One suggestion and what became of it: pending, accepted, rejected, or outdated (a summary
    for a task that another accepted summary completed)."""

    id: str
    kind: str
    fields: dict
    status: str = "pending"
    session_id: str | None = None
    source: str = "capture"
    proposed_by: str | None = None
    created_at: int | None = None
    decided_by: str | None = None
    decided_at: int | None = None
    record_id: str | None = None

    @property
    def files(self) -> list[str]:
        return list(self.fields.get("files") or [])

    def title(self) -> str:
        """The proposal's main text (one line is the caller's job)."""
        return self.fields.get(FIELDS[self.kind][0] if self.kind != "summary" else "summary") or ""

    def to_json(self) -> dict:
        from .clock import iso

        return {"id": self.id, "kind": self.kind, "fields": self.fields, "status": self.status,
                "session": self.session_id, "source": self.source, "proposed_by": self.proposed_by,
                "created_at": iso(self.created_at), "decided_by": self.decided_by,
                "decided_at": iso(self.decided_at), "record_id": self.record_id}


def _proposal(row) -> Proposal:
    fields = loads(row[2])
    return Proposal(row[0], row[1], fields if isinstance(fields, dict) else {}, *row[3:])


def fingerprint(kind: str, fields: dict) -> str:
    """The same suggestion in other spacing or case has the same fingerprint (files do not count)."""
    words = [" ".join(str(fields.get(name) or "").lower().split()) for name in FIELDS[kind]]
    import hashlib  # only where proposals are made: loading OpenSSL costs every `imi status` otherwise

    return hashlib.sha256("\0".join([kind, *words]).encode("utf-8")).hexdigest()[:32]


def _checked(kind: str, fields: dict) -> dict:
    """The proposal's fields cleaned like any record's (the gate: escapes, secrets), required ones present."""
    if kind not in FIELDS:
        raise UsageError(f"a proposal is a lesson, decision or summary, not {kind!r}")
    required = FIELDS[kind]
    out = {name: clean(fields.get(name), name.replace("_", " "), required=index == 0 or kind != "decision")
           for index, name in enumerate(required)}
    out = admit(kind if kind != "summary" else "task", out)
    files = fields.get("files") or []
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise UsageError("a proposal's files are a list of paths")
    out["files"] = [clean(f, "file") for f in files]
    return out


def propose(store: Store, prov: Provenance, kind: str, fields: dict, *, session: str | None = None,
            source: str = "capture") -> tuple[Proposal, bool]:
    """Hold a suggestion for review. Returns (proposal, new): an earlier proposal with the same text
    (pending, accepted or rejected) is returned instead of a second one."""
    fields = _checked(kind, fields)
    mark = fingerprint(kind, fields)
    with store.write():
        row = store.one(f"SELECT {COLUMNS} FROM proposals WHERE fingerprint = ? ORDER BY created_at LIMIT 1", (mark,))
        if row is not None:
            return _proposal(row), False
        if kind == "summary" and session:  # the session went on: its draft for the task is rewritten
            row = store.one(f"SELECT {COLUMNS} FROM proposals WHERE status = 'pending' AND kind = 'summary' AND "
                            "session_id = ? AND json_extract(fields, '$.task_id') = ?", (session, fields["task_id"]))
            if row is not None:
                store.execute("UPDATE proposals SET fields = ?, fingerprint = ? WHERE id = ?",
                              (dumps(fields, ensure_ascii=False), mark, row[0]))
                return find(store, row[0]), False
        proposal = Proposal(new_id(), kind, fields, "pending", session, source, prov.agent, prov.at)
        store.execute("INSERT INTO proposals(id, kind, fields, fingerprint, status, session_id, source, proposed_by, "
                      "created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                      (proposal.id, kind, dumps(fields, ensure_ascii=False), mark, "pending", session, source,
                       prov.agent, prov.at))
    return proposal, True


def listing(store: Store, status: str | None = "pending", session: str | None = None) -> list[Proposal]:
    """Proposals, oldest first (those of one capture share its time: then in the order it made them):
    pending ones by default, or every one (`status=None`)."""
    wanted = {name: value for name, value in (("status", status), ("session_id", session)) if value}
    where = [f"{name} = ?" for name in wanted]
    args = list(wanted.values())
    sql = f"SELECT {COLUMNS} FROM proposals" + (" WHERE " + " AND ".join(where) if where else "")
    return [_proposal(row) for row in store.execute(sql + " ORDER BY created_at, rowid", tuple(args))]


def pending_count(store: Store) -> int:
    return store.scalar("SELECT count(*) FROM proposals WHERE status = 'pending'") or 0


def find(store: Store, ref: str) -> Proposal:
    """The proposal an id or unique prefix names (NotFound / UsageError otherwise)."""
    ref = (ref or "").strip()
    if not ref:
        raise UsageError("name a proposal id (see `imi review`)")
    rows = store.execute(f"SELECT {COLUMNS} FROM proposals WHERE id >= ? AND id < ? LIMIT 2",
                         (ref, ref + "\U0010ffff")).fetchall()
    if not rows:
        raise NotFound(f"no proposal {ref!r} (see `imi review`)")
    if len(rows) > 1:
        raise UsageError(f"{ref!r} names more than one proposal: give more of the id")
    return _proposal(rows[0])


def _pending(store: Store, ref: str) -> Proposal:
    proposal = find(store, ref)
    if proposal.status != "pending":
        raise UsageError(f"proposal {proposal.id} was already {proposal.status}"
                         + (f" (record {proposal.record_id})" if proposal.record_id else ""))
    return proposal


def _decide(store: Store, proposal: Proposal, status: str, reviewer: str, record_id: str | None) -> None:
    store.execute("UPDATE proposals SET status = ?, decided_by = ?, decided_at = ?, record_id = ? WHERE id = ?",
                  (status, reviewer, now_ms(), record_id, proposal.id))


def accept(store: Store, reviewer: Provenance, ref: str, edits: dict | None = None) -> tuple[str, str]:
    """Make a pending proposal a record, with `edits` over its fields; returns (kind, record id).

    The record is stored under the proposing agent's name, with the reviewer as its approver and
    the session and proposal it came from."""
    from . import recording
    from .store import claims, queries, writes

    with store.write():
        proposal = _pending(store, ref)
        fields = dict(proposal.fields)
        fields.update({k: v for k, v in (edits or {}).items() if v is not None})
        fields = _checked(proposal.kind, fields)
        author = Provenance(proposal.proposed_by or reviewer.agent, reviewer.commit)
        if proposal.kind == "summary":
            task_id = queries.resolve(store, fields["task_id"], ["task"])[1]
            refs = recording.collect_refs(store, fields["files"], [fields["summary"]])
            claims.complete(store, task_id, fields["summary"], author, force=True, refs=refs,
                            outcome=f"summary proposed by {author.agent}, accepted by {reviewer.agent}")
            kind, record_id = "task", task_id
            # other drafts for the same task (later sessions) have nothing left to complete
            store.execute("UPDATE proposals SET status = 'outdated', decided_by = ?, decided_at = ? WHERE "
                          "status = 'pending' AND kind = 'summary' AND id != ? AND json_extract(fields, '$.task_id') = ?",
                          (reviewer.agent, now_ms(), proposal.id, task_id))
        else:
            if proposal.kind == "lesson":
                record_id = recording.add_lesson(store, author, fields["text"], fields["correct_behavior"],
                                                 f"review by {reviewer.agent}", fields["files"])
            else:
                record_id = recording.add_decision(store, author, fields["what"], fields.get("why"),
                                                   files=fields["files"])
            kind = proposal.kind
            writes.update(store, kind, record_id, {"approved_by": reviewer.agent, "proposal_id": proposal.id,
                                                   "session_id": proposal.session_id})
        _decide(store, proposal, "accepted", reviewer.agent, record_id)
    return kind, record_id


def reject(store: Store, reviewer: Provenance, ref: str) -> Proposal:
    """Turn a proposal down; the same text will not be proposed again."""
    with store.write():
        proposal = _pending(store, ref)
        _decide(store, proposal, "rejected", reviewer.agent, None)
    return proposal


def accept_session(store: Store, reviewer: Provenance, session: str) -> list[tuple[str, str]]:
    """Accept every pending proposal of one session, in the order they were made."""
    chosen = listing(store, "pending", session)
    if not chosen:
        raise NotFound(f"no pending proposals from session {session!r}")
    with store.write():
        return [accept(store, reviewer, p.id) for p in chosen]


# who stored a record, per table: the column that names the writer
_WRITER = {"goal": "agent", "task": "created_by", "decision": "agent", "lesson": "agent", "note": "author",
           "memory": "source"}
_REVIEWED = ("decision", "lesson", "note")


def origin(store: Store, kind: str, record_id: str) -> dict:
    """A record's provenance as far as it is known: who stored it, at which commit, from which
    session and proposal, who approved it."""
    from .store.queries import TABLES

    extra = ", session_id, proposal_id, approved_by" if kind in _REVIEWED else ""
    row = store.one(f"SELECT {_WRITER[kind]}, commit_sha{extra} FROM {TABLES[kind]} WHERE id = ?", (record_id,))
    if row is None:
        return {}
    names = ("stored_by", "commit", "session", "proposal", "approved_by")
    return {name: value for name, value in zip(names, row) if value}
