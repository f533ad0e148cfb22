"""Team-wide claims: the team's own git remote decides who works on what, across clones.

A claim on task T is the ref `refs/imi/claims/T` on the remote. It points at a tiny commit (empty
tree) whose message says who holds the claim (agent and clone) and when its last heartbeat was.
Every change to that ref is a push with `--force-with-lease` naming the value this clone last saw
(or "absent"): git's receive-pack updates a ref under a lock only while it still has that value,
so of several clones racing for one task exactly one push lands; the others are refused, and so is
their claim. No server besides the remote the team already pushes to.

Turned on for everyone by a committed one-line file, `.imi/claims-remote`, naming the remote;
`IMI_TEAM_CLAIMS=off` turns it off for one process. When the remote cannot be reached the claim
is made locally with a warning and pushed by the next claim command or `imi sync`; a double claim
that still happened that way is reported then.
"""

from __future__ import annotations

import json
import os
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .clock import ago
from .errors import Conflict, UsageError
from .teamconfig import config_path, configured_remote

REMOTE_PREFIX = "refs/imi/claims/"
SEEN_PREFIX = "refs/imi/seen-claims/"  # local: the claim commits this clone pushed and still holds
PENDING_PREFIX = "refs/imi/pending-claims/"  # local: claims made offline, not pushed yet
TIMEOUT_SECONDS = 20
_IDENTITY = {"GIT_AUTHOR_NAME": "imi", "GIT_AUTHOR_EMAIL": "imi@localhost", "GIT_COMMITTER_NAME": "imi",
             "GIT_COMMITTER_EMAIL": "imi@localhost", "GIT_TERMINAL_PROMPT": "0"}


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a claim on the remote, as its claim commit says."""

    task: str
    agent: str
    node: str
    claimed_at: int
    heartbeat_at: int
    sha: str = ""

    def message(self) -> str:
        return json.dumps({"task": self.task, "agent": self.agent, "node": self.node, "claimed_at": self.claimed_at,
                           "heartbeat_at": self.heartbeat_at}, sort_keys=True)

    @classmethod
    def parse(cls, text: str, sha: str) -> Holder | None:
        try:
            data = json.loads(text)
            return cls(str(data["task"]), str(data["agent"]), str(data["node"]), int(data["claimed_at"]),
                       int(data["heartbeat_at"]), sha)
        except (ValueError, KeyError, TypeError):
            return None


@dataclass(slots=True)
class Outcome:
    """What a team-wide claim did: `fresh` when this call created (or took over) the remote claim."""

    fresh: bool = False
    taken_from: str | None = None
    notices: list[str] = field(default_factory=list)


class _Offline(Exception):
    """The remote could not be reached (or answered with something other than a ref verdict)."""


def configure(root: Path, remote: str | None) -> None:
    """Turn team-wide claims on through `remote` (a remote name of this repository), or off (None)."""
    path = config_path(root)
    if remote is None:
        path.unlink(missing_ok=True)
        return
    known = _run(root, "remote").stdout.split()
    if remote not in known:
        listed = ", ".join(known) or "none"
        raise UsageError(f"no git remote named {remote!r} in this repository (remotes: {listed})")
    path.write_text(remote + "\n", encoding="utf-8")


def _run(root: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **_IDENTITY}
    try:
        return subprocess.run(["git", *args], cwd=root, env=env, input=input, capture_output=True, text=True,
                              timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as exc:
        raise _Offline(f"git {args[0]} took longer than {TIMEOUT_SECONDS} s") from exc
    except OSError as exc:
        raise _Offline(f"git could not run: {exc}") from exc


class TeamClaims:
    """Claims of one clone made through one remote."""

    def __init__(self, root: Path, remote: str, node: str, lease_ms: int):
        self.root, self.remote, self.node, self.lease_ms = root, remote, node, lease_ms

    # git plumbing ---------------------------------------------------------------------------------
    def _git(self, *args: str) -> str:
        proc = _run(self.root, *args)
        if proc.returncode != 0:
            raise _Offline(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"git {args[0]} failed")
        return proc.stdout.strip()

    def _local(self, ref: str) -> str | None:
        proc = _run(self.root, "rev-parse", "-q", "--verify", ref + "^{commit}")
        return proc.stdout.strip() if proc.returncode == 0 else None

    def _holder_at(self, sha: str) -> Holder | None:
        return Holder.parse(self._git("cat-file", "commit", sha).split("\n\n", 1)[-1], sha)

    def _commit(self, holder: Holder, parent: str | None) -> str:
        tree = self._git("mktree")  # the empty tree, written if this repository lacks it
        return self._git("commit-tree", tree, "-m", holder.message(), *(["-p", parent] if parent else []))

    def _push(self, task: str, new: str | None, expect: str | None) -> bool:
        """Compare-and-swap the remote claim ref: True when it moved, False when refused because it no
        longer had `expect` (None: absent). Raises _Offline when the remote gave no verdict."""
        ref = REMOTE_PREFIX + task
        proc = _run(self.root, "push", "--porcelain", "--no-verify", f"--force-with-lease={ref}:{expect or ''}",
                    self.remote, f"{new or ''}:{ref}")
        if proc.returncode == 0:
            return True
        refused = [line for line in proc.stdout.splitlines() if line.startswith("!\t")]  # --porcelain
        if refused and "[remote rejected]" not in refused[0]:  # our lease was stale: the ref had moved
            return False
        if refused:  # the remote's own verdict: a push racing ours moved the ref first, or a host refusing it
            if self._remote_sha(task) != expect:
                return False
            raise _Offline("the remote refused refs/imi/claims/: " + refused[0].split("\t")[-1])
        detail = proc.stderr.strip().splitlines()
        raise _Offline(detail[-1] if detail else "git push failed")

    def _fetch(self, task: str | None = None) -> None:
        """Bring the remote's claim ref(s) into refs/imi/remote-claims/ (all of them when task is None)."""
        pattern = task or "*"
        self._git("fetch", "-q", "--no-write-fetch-head", "--prune", "--no-tags", self.remote,
                  f"+{REMOTE_PREFIX}{pattern}:refs/imi/remote-claims/{pattern}")

    def _remote_sha(self, task: str) -> str | None:
        listed = self._git("ls-remote", self.remote, REMOTE_PREFIX + task).split()
        return listed[0] if listed else None

    def remote_holder(self, task: str) -> Holder | None:
        """Who holds `task` on the remote now, or None."""
        sha = self._remote_sha(task)
        if sha is None:
            return None
        if self._local(sha) is None:
            self._fetch(task)
        return self._holder_at(sha)

    def _stale(self, holder: Holder, now: int) -> bool:
        return now - holder.heartbeat_at > self.lease_ms

    def _mine(self, holder: Holder, agent: str) -> bool:
        return holder.agent == agent and holder.node == self.node

    def _set_local(self, prefix: str, task: str, sha: str | None) -> None:
        if sha:
            self._git("update-ref", prefix + task, sha)
        else:
            _run(self.root, "update-ref", "-d", prefix + task)

    # claims ---------------------------------------------------------------------------------------
    def acquire(self, task: str, agent: str, now: int, force: bool = False) -> Outcome:
        """Claim `task` for `agent` on the remote, or raise Conflict naming who holds it. Offline, the
        claim is kept as pending and the outcome carries a warning."""
        try:
            return self._acquire(task, agent, now, force)
        except _Offline as exc:
            mine = Holder(task, agent, self.node, now, now)
            try:
                self._set_local(PENDING_PREFIX, task, self._commit(mine, None))
            except _Offline:
                pass
            return Outcome(fresh=False, notices=[
                f"warning: team claim not pushed ({self.remote} unreachable: {exc}); task {task} is claimed in this "
                f"clone only until `imi sync` or the next claim pushes it"])

    def _acquire(self, task: str, agent: str, now: int, force: bool) -> Outcome:
        expect = self._local(SEEN_PREFIX + task)
        for _attempt in range(4):
            holder = self._holder_at(expect) if expect else None
            taken_from = None
            if holder is not None and not self._mine(holder, agent):
                if not (force or self._stale(holder, now)):
                    raise Conflict(self._refusal(holder, now))
                taken_from = holder.agent
            claimed_at = holder.claimed_at if holder is not None and taken_from is None else now
            new = self._commit(Holder(task, agent, self.node, claimed_at, now), expect if taken_from is None else None)
            if self._push(task, new, expect):
                self._set_local(SEEN_PREFIX, task, new)
                self._set_local(PENDING_PREFIX, task, None)
                return Outcome(fresh=holder is None or taken_from is not None, taken_from=taken_from)
            current = self.remote_holder(task)  # refused: somebody moved it; look and decide again
            expect = current.sha if current else None
        raise Conflict(f"task {task}: the team claim on {self.remote} keeps changing; try again")

    def _refusal(self, holder: Holder, now: int) -> str:
        return (f"task {holder.task} is claimed by {holder.agent} in another clone (team claim on {self.remote}, "
                f"last heartbeat {ago(holder.heartbeat_at, now)}); it can be taken over after "
                f"{self.lease_ms // 60_000} min without a heartbeat, or now with --force")

    def heartbeat(self, task: str, agent: str, now: int) -> list[str]:
        """Check this clone still holds the remote claim (one ls-remote) and refresh it when a fair part
        of the lease has passed; lines to tell the agent when the claim was taken over elsewhere or the
        remote is unreachable."""
        seen = self._local(SEEN_PREFIX + task)
        try:
            held = self._holder_at(seen) if seen else None
            if held is not None and self._remote_sha(task) == seen and now - held.heartbeat_at < self.lease_ms // 4:
                return []
            self._acquire(task, agent, now, force=False)
            return []
        except Conflict as exc:
            self._set_local(SEEN_PREFIX, task, None)
            return [f"warning: {exc}: stop working on it, or `imi start {task} --force`"]
        except _Offline as exc:
            return [f"warning: team claim heartbeat not pushed ({self.remote} unreachable: {exc})"]

    def release(self, task: str) -> list[str]:
        """Remove the remote claim on a finished or given-back task (whoever holds it: the task is
        over); lines for the user when that could not happen now."""
        self._set_local(PENDING_PREFIX, task, None)
        try:
            for _attempt in range(3):
                current = self.remote_holder(task)
                if current is None or self._push(task, None, current.sha):
                    self._set_local(SEEN_PREFIX, task, None)
                    return []
        except _Offline as exc:
            return [f"warning: team claim on task {task} not released ({self.remote} unreachable: {exc}); "
                    f"it expires after {self.lease_ms // 60_000} min"]
        return []

    def reconcile(self, agent_of: dict[str, str], now: int) -> list[str]:
        """Push claims made offline and compare this clone's claims with the remote's: lines naming
        every double claim (a task this clone works on that the team's claim gives to someone else).
        `agent_of` maps each task in progress here to its claimant. Raises nothing; offline says so."""
        lines = []
        try:
            for task, sha in self._refs(PENDING_PREFIX).items():
                pending = self._holder_at(sha)
                if pending is None or agent_of.get(task) != pending.agent:
                    self._set_local(PENDING_PREFIX, task, None)  # finished or given back meanwhile
                    continue
                try:
                    self._acquire(task, pending.agent, now, force=False)
                except Conflict as exc:
                    self._set_local(PENDING_PREFIX, task, None)
                    lines.append(f"double claim: task {task} was claimed offline by {pending.agent} here, "
                                 f"but {exc.args[0].split(' is claimed by ', 1)[-1]}")
            self._fetch()
            remote = {task: self._holder_at(sha) for task, sha in self._refs("refs/imi/remote-claims/").items()}
            for task, sha in self._refs(SEEN_PREFIX).items():
                holder = remote.get(task)
                if task in agent_of and holder is not None and holder.sha != sha and not self._mine(holder, agent_of[task]):
                    lines.append(f"double claim: task {task} is in progress here by {agent_of[task]}, but the team "
                                 f"claim on {self.remote} is {holder.agent}'s (since {ago(holder.claimed_at, now)})")
                    self._set_local(SEEN_PREFIX, task, None)
                elif task not in agent_of:
                    self._set_local(SEEN_PREFIX, task, None)
        except _Offline as exc:
            lines.append(f"warning: team claims not checked ({self.remote} unreachable: {exc})")
        return lines

    def listing(self) -> list[Holder]:
        """Every claim on the remote now (a fetch)."""
        self._fetch()
        return [h for h in (self._holder_at(sha) for sha in self._refs("refs/imi/remote-claims/").values()) if h]

    def forget_pending(self, task: str) -> None:
        self._set_local(PENDING_PREFIX, task, None)

    def _refs(self, prefix: str) -> dict[str, str]:
        out = self._git("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        return {name[len(prefix):]: sha for name, sha in (line.split() for line in out.splitlines())}


# the project's side ---------------------------------------------------------------------------------
def for_project(project) -> TeamClaims | None:
    """The project's team claims, or None when .imi/claims-remote is absent or IMI_TEAM_CLAIMS is off."""
    remote = configured_remote(project.root)
    if remote is None:
        return None
    from .textsync.state import node_id

    store = project._store
    with store.write():
        node = node_id(store)
    return TeamClaims(project.root, remote, node, project.lease_ms())


@contextmanager
def holding(project, task_id: str, prov, force: bool):
    """Claim on the remote, run the local claim inside, and give a fresh remote claim back if it fails."""
    team = for_project(project)
    if team is None:
        yield
        return
    outcome = team.acquire(task_id, prov.agent, prov.at, force)
    try:
        yield
    except BaseException:
        if outcome.fresh:
            team.release(task_id)
        elif outcome.notices:  # offline: the pending claim is void too
            team.forget_pending(task_id)
        raise
    project.notices.extend(outcome.notices)


def reconcile(project) -> list[str]:
    """Push offline claims and report double claims; [] when team claims are off."""
    team = for_project(project)
    if team is None:
        return []
    in_progress = {task.id: task.claimant for task in project.tasks(status="in_progress")}
    return team.reconcile(in_progress, project.provenance().at)
