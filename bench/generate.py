"""Generate a realistic IMI project of a given size, for benchmarks.

    python bench/generate.py OUT_DIR --scale issue2      # 200 goals, 5,000 tasks, ... (issue 2)
    python bench/generate.py OUT_DIR --scale 100k        # 100,000 records, same proportions

The project is a folder with a source tree of a few hundred files and `.imi/state.db`.
Records are written through the data layer (`imi_cli.memory.store.writes` and
`imi_cli.memory.store.claims`), so the rows, file references, search index and
lifecycle memories are exactly what the CLI writes, but inside a few large
transactions instead of one process per record. Texts are built from a seeded
random generator: the same scale and seed give the same texts (ids differ).

A manifest (`bench-manifest.json` in OUT_DIR) names sample ids, a much-referenced
file and a search word, for bench/bench_cli.py.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from imi_cli.memory.clock import now_ms  # noqa: E402
from imi_cli.memory.paths import FileSpec, paths_in_text  # noqa: E402
from imi_cli.memory.store import claims, writes  # noqa: E402
from imi_cli.memory.opening import open_store  # noqa: E402
from imi_cli.memory.store.connection import Store  # noqa: E402
from imi_cli.memory.store.writes import Provenance  # noqa: E402

GENERATOR_VERSION = 2
MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# Issue 2's project; "records" are goals + tasks + decisions + lessons + notes.
ISSUE2 = {"goals": 200, "tasks": 5000, "completions": 3000, "decisions": 1000, "lessons": 1000, "notes": 1000}
ISSUE2_RECORDS = sum(v for k, v in ISSUE2.items() if k != "completions")
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}


@dataclass(frozen=True)
class Scale:
    """How many records of each kind to write."""

    name: str
    goals: int
    tasks: int
    completions: int
    decisions: int
    lessons: int
    notes: int
    in_progress: int
    files: int

    @property
    def records(self) -> int:
        return self.goals + self.tasks + self.decisions + self.lessons + self.notes


def scale_named(name: str) -> Scale:
    """`issue2`, `1k`, `10k`, `100k` or a number of records (issue 2's proportions)."""
    key = name.strip().lower()
    if key == "issue2":
        factor = 1.0
    elif key in SIZES:
        factor = SIZES[key] / ISSUE2_RECORDS
    elif key.isdigit() and int(key) >= 50:
        factor = int(key) / ISSUE2_RECORDS
    else:
        raise SystemExit(f"generate.py: error: unknown scale {name!r}: use issue2, 1k, 10k, 100k or a number >= 50")
    counts = {k: max(1, round(v * factor)) for k, v in ISSUE2.items()}
    # About 1% of tasks are claimed right now (at least a handful, so stale claims show).
    in_progress = max(4, round(counts["tasks"] * 0.01))
    in_progress = min(in_progress, counts["tasks"] - counts["completions"])
    files = min(400, max(60, round(300 * factor ** 0.5)))
    return Scale(key, counts["goals"], counts["tasks"], counts["completions"], counts["decisions"],
                 counts["lessons"], counts["notes"], in_progress, files)


# --- Vocabulary -------------------------------------------------------------------------------------------------

COMPONENTS = ["auth", "billing", "search", "sync", "cache", "gateway", "notifications", "export", "importer",
              "scheduler", "storage", "cli", "editor", "webhooks", "ratelimit", "sessions", "migrations",
              "logging", "metrics", "onboarding", "payments", "reports", "permissions", "uploads"]
MODULES = ["client", "models", "views", "service", "handlers", "schema", "queue", "worker", "config", "errors",
           "retry", "serializers", "router", "store", "validators", "events", "tokens", "limits"]
UI = ["LoginForm", "InvoiceTable", "SearchBar", "SyncStatus", "SettingsPage", "UploadDialog", "ReportChart",
      "Sidebar", "Toast", "PermissionMatrix", "OnboardingWizard", "BillingSummary"]
SYMBOLS = ["handle_request", "refresh_token", "retry_with_backoff", "build_index", "flush", "validate",
           "serialize", "parse_config", "open_session", "schedule_job", "apply_migration", "render"]
AGENTS = ["claude-1", "claude-2", "cursor-1", "cursor-2", "codex-1", "gemini-1", "alice", "bob"]
USERS = ["maintainers", "new users", "agents running in CI", "the support team", "self-hosting admins",
         "enterprise customers", "mobile users", "plugin authors"]
VERBS = ["Add", "Fix", "Refactor", "Speed up", "Document", "Test", "Harden", "Simplify", "Remove", "Migrate"]
PROBLEMS = ["a race when two workers pick the same job", "slow queries on large accounts",
            "timeouts under load", "duplicate rows after a retry", "a memory leak in long sessions",
            "stale data after a deploy", "flaky tests on CI", "wrong totals for partial refunds",
            "unicode names that break the export", "missing audit entries", "an N+1 query in the list view",
            "tokens that never expire", "a deadlock during migrations", "lost writes when the disk is full"]
CHOICES = ["SQLite in WAL mode", "a token bucket", "exponential backoff with jitter", "Postgres advisory locks",
           "server-sent events", "a write-ahead queue", "signed URLs", "optimistic locking",
           "a single background worker", "content hashes as cache keys", "feature flags", "UTC everywhere",
           "structured JSON logs", "idempotency keys", "cursor-based pagination", "a read-through cache"]
REASONS = ["it keeps the hot path free of network calls", "the previous approach lost writes under load",
           "support tickets doubled after the last release", "it is what the team already knows",
           "it halves the p95 latency in the benchmark", "the vendor API rate-limits us at 100 requests/s",
           "customers asked for it in the last three calls", "it removes a whole class of merge conflicts",
           "the audit requires it", "agents kept re-deriving it in every session"]
KILLED = ["the GraphQL gateway", "real-time collaboration in the editor", "the plugin marketplace",
          "per-user themes", "the XML export", "offline mode for the mobile app", "the custom query language",
          "automatic dependency upgrades", "the Slack bot", "multi-region writes"]
WORDS = ["migration", "cache", "latency", "retry", "token", "index", "queue", "schema", "webhook", "invoice",
         "session", "export", "rollback", "timeout", "permission", "upload", "throttle", "checksum"]


class Texts:
    """Plausible project texts from a seeded generator."""

    def __init__(self, rng: random.Random, files: list[str]):
        self.r = rng
        self.files = files
        # Some files are touched by much more work than others (Zipf-like).
        self.weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(files))]

    def pick(self, seq):
        return self.r.choice(seq)

    def file(self) -> str:
        return self.r.choices(self.files, self.weights)[0]

    def sentence(self) -> str:
        c = self.pick(COMPONENTS)
        return self.pick([
            f"The {c} module has {self.pick(PROBLEMS)}.",
            f"Users of {c} see {self.pick(PROBLEMS)} about once a week.",
            f"We use {self.pick(CHOICES)} in {c} because {self.pick(REASONS)}.",
            f"See {self.file()} for the current {self.pick(WORDS)} handling.",
            f"The {self.pick(WORDS)} path in {c} is called on every request.",
            f"Keep the {self.pick(WORDS)} logic in one place; {self.pick(REASONS)}.",
        ])

    def paragraph(self, low: int = 1, high: int = 3) -> str:
        return " ".join(self.sentence() for _ in range(self.r.randint(low, high)))

    def goal(self) -> dict:
        c = self.pick(COMPONENTS)
        name = self.pick([
            f"Make {c} reliable under load", f"Ship {c} v2", f"Cut {c} latency in half",
            f"Self-serve {c} for {self.pick(USERS)}", f"Retire the legacy {c} code",
            f"{c.capitalize()} that never loses a {self.pick(WORDS)}",
        ])
        return {
            "name": name,
            "description": self.paragraph(1, 2),
            "why": f"{self.pick(REASONS).capitalize()}.",
            "for_who": self.pick(USERS),
            "success_signal": (f"p95 of {c} under {self.r.choice([50, 100, 200, 500])} ms and no "
                               f"{self.pick(WORDS)} errors for two weeks" if self.r.random() < 0.8 else None),
            "priority": self.r.choices(["critical", "high", "medium", "low", "backlog"], [1, 4, 8, 4, 1])[0],
        }

    def task(self, goal_name: str) -> dict:
        c = self.pick(COMPONENTS)
        word = self.pick(WORDS)
        title = self.pick([
            f"{self.pick(VERBS)} {word} handling in {c}", f"Fix {self.pick(PROBLEMS)} in {c}",
            f"{self.pick(VERBS)} the {c} {self.pick(MODULES)}", f"Add tests for the {c} {word} code",
            f"Split {self.file()} into smaller modules", f"Use {self.pick(CHOICES)} for {c}",
        ])
        return {
            "title": title,
            "description": f"Part of '{goal_name}'. " + self.paragraph(1, 3),
            "why": f"{self.pick(REASONS).capitalize()}." if self.r.random() < 0.6 else None,
            "context": self.paragraph(1, 1) if self.r.random() < 0.3 else None,
            "acceptance_criteria": (f"{word.capitalize()} tests pass in tests/; no regression in the {c} benchmark"
                                    if self.r.random() < 0.6 else None),
            "tools": self.r.sample(["pytest", "ruff", "mypy", "psql", "curl", "gh"], self.r.randint(0, 2)),
            "priority": self.r.choices(["critical", "high", "medium", "low", "backlog"], [1, 3, 8, 4, 1])[0],
        }

    def summary(self, title: str) -> dict:
        path = self.file()
        return {
            "summary": self.pick([
                f"Done: {title[0].lower() + title[1:]}. Changed {path} and added {self.r.randint(1, 12)} tests.",
                f"Implemented with {self.pick(CHOICES)} in {path}; {self.pick(REASONS)}.",
                f"Fixed {self.pick(PROBLEMS)} by moving the {self.pick(WORDS)} check into {path}.",
            ]) + " " + self.paragraph(0, 2),
            "interpretation": (f"Read the task as covering only the {self.pick(COMPONENTS)} side, not the UI."
                               if self.r.random() < 0.5 else None),
            "uncertainty": (f"Not sure the {self.pick(WORDS)} limit holds for accounts over 10k rows."
                            if self.r.random() < 0.2 else None),
            "outcome": (f"Verified: {self.r.randint(3, 80)} tests pass, p95 {self.r.randint(5, 90)} ms."
                        if self.r.random() < 0.4 else None),
        }

    def decision(self) -> dict:
        c = self.pick(COMPONENTS)
        return {"what": f"Use {self.pick(CHOICES)} for the {c} {self.pick(WORDS)} path",
                "why": f"{self.pick(REASONS).capitalize()}. " + self.paragraph(0, 1),
                "affects": c if self.r.random() < 0.5 else None}

    def killed(self) -> dict:
        return {"what": f"Killed {self.pick(KILLED)}",
                "why": f"{self.pick(REASONS).capitalize()}; nobody used it in the last quarter.",
                "affects": None}

    def lesson(self) -> dict:
        c, word = self.pick(COMPONENTS), self.pick(WORDS)
        return {"text": f"{c.capitalize()} broke because {self.pick(PROBLEMS)} was fixed in the wrong layer.",
                "correct_behavior": f"Change the {word} logic only in {self.file()} and run the {c} tests first.",
                "verified_by": self.pick(["human", "ci", "test: tests/test_regressions.py", "code review"])}

    def note(self) -> str:
        return self.pick([
            f"Focus this week: {self.pick(COMPONENTS)}. {self.pick(REASONS).capitalize()}.",
            f"Do not touch {self.file()} until the {self.pick(WORDS)} refactor lands.",
            f"Customers report {self.pick(PROBLEMS)}; prioritise it over new features.",
            f"Prefer small PRs for {self.pick(COMPONENTS)}; reviews of big ones stall.",
        ])


# --- Source tree ------------------------------------------------------------------------------------------------

def make_files(root: Path, count: int, rng: random.Random) -> list[str]:
    """Write `count` small source, test and doc files; return their repo-relative paths."""
    candidates = []
    for c in COMPONENTS:
        for m in MODULES:
            candidates.append(f"src/app/{c}/{m}.py")
        candidates.append(f"tests/test_{c}.py")
        candidates.append(f"docs/{c}.md")
    candidates += [f"web/src/components/{name}.tsx" for name in UI]
    rng.shuffle(candidates)
    chosen = sorted(candidates[:count], key=lambda p: (not p.startswith("src/"), p))
    rng.shuffle(chosen)  # hot files (the front of the list) are spread over the tree
    for rel in chosen:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".py"):
            body = "".join(f"\n\ndef {s}(*args, **kwargs):\n    return None\n" for s in rng.sample(SYMBOLS, 3))
            target.write_text(f'"""{rel}: generated for the IMI benchmark."""{body}')
        elif rel.endswith(".md"):
            target.write_text(f"# {Path(rel).stem}\n\nGenerated for the IMI benchmark.\n")
        else:
            target.write_text(f"export function {Path(rel).stem}() {{ return null; }}\n")
    return chosen


# --- Writing ----------------------------------------------------------------------------------------------------

class BatchStore(Store):
    """A Store whose `write()` joins the transaction already open, so claims' own transactions batch up."""

    @contextmanager
    def write(self) -> Iterator[Store]:
        if self.conn.in_transaction:
            yield self
        else:
            with super().write():
                yield self


def refs_for(texts: Texts, body: str, rng: random.Random, root: Path) -> list:
    """(FileSpec, origin) pairs as `recording.collect_refs` makes them: `--files` entries, then paths in the text."""
    refs, seen = [], set()
    for _ in range(rng.choices([0, 1, 2, 3], [3, 4, 2, 1])[0]):
        path = texts.file()
        roll = rng.random()
        if roll < 0.05:
            spec = FileSpec(path.rsplit("/", 1)[0] + "/**")
        elif roll < 0.25:
            start = rng.randint(1, 200)
            spec = FileSpec(path, start, start + rng.randint(0, 40))
        elif roll < 0.35 and path.endswith(".py"):
            spec = FileSpec(path, symbol=rng.choice(SYMBOLS))
        else:
            spec = FileSpec(path)
        key = (spec.path, spec.line_start, spec.symbol)
        if key not in seen:
            seen.add(key)
            refs.append((spec, "explicit"))
    for spec in paths_in_text(body, root):  # the CLI's own rule for paths named in text
        key = (spec.path, spec.line_start, spec.symbol)
        if key not in seen and (spec.path, None, None) not in seen:
            seen.add(key)
            refs.append((spec, "text"))
    return refs


def spread(rng: random.Random, now: int, days: float) -> int:
    """A moment within the last `days` days (more recent ones more likely)."""
    return now - int(rng.random() ** 1.5 * days * DAY)


def generate(out: Path, scale: Scale, seed: int = 1, force: bool = False, quiet: bool = False) -> dict:
    """Create the project at `out` and return its manifest."""
    started = time.perf_counter()
    db_dir = out / ".imi"
    if out.is_dir() and any(out.iterdir()) and not (out / "bench-manifest.json").is_file():
        raise SystemExit(f"generate.py: error: {out} is not empty and was not made by generate.py: "
                         "choose a new folder (files are written into it)")
    if db_dir.exists():
        if not force:
            raise SystemExit(f"generate.py: error: {db_dir} exists: pass --force to replace it")
        shutil.rmtree(db_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files = make_files(out, scale.files, rng)
    texts = Texts(rng, files)
    now = now_ms()
    commit = "%040x" % rng.getrandbits(160)

    store = open_store(db_dir / "state.db", create=True)
    store = BatchStore(store.conn, store.db_path, store.root, False)
    store.execute("PRAGMA synchronous=OFF")  # a benchmark fixture: speed over durability while writing it
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))

    def prov(at: int, agent: str | None = None) -> Provenance:
        return Provenance(agent or rng.choice(AGENTS), commit, at)

    counts = {"files": len(files)}
    say(f"writing {scale.records:,} records ({scale.name}) into {db_dir / 'state.db'}")
    with store.write():
        writes.add_note(store, prov(now - 200 * DAY, "alice"), kind="vision", refs=[], content=(
            "A payments platform that small teams can run themselves: every change is auditable, "
            "nothing is ever lost, and the API stays under 100 ms at the 95th percentile."))
        goal_ids, goal_names = [], []
        for _ in range(scale.goals):
            g = texts.goal()
            goal_ids.append(writes.add_goal(store, prov(spread(rng, now, 180)), refs=refs_for(
                texts, g["description"], rng, out), **g))
            goal_names.append(g["name"])
        counts["goals"] = len(goal_ids)

        # Decide every task's fate first, so a done task only waits on tasks that were done before it.
        fates = (["done"] * scale.completions + ["in_progress"] * scale.in_progress
                 + ["todo"] * (scale.tasks - scale.completions - scale.in_progress))
        rng.shuffle(fates)
        created = sorted(spread(rng, now - 2 * HOUR, 120) for _ in fates)
        task_ids: list[str] = []
        titles: list[str] = []
        done_so_far: list[str] = []
        blocked = 0
        for fate, at in zip(fates, created):
            gi = rng.randrange(len(goal_ids))
            t = texts.task(goal_names[gi])
            blockers: list[str] = []
            if task_ids and rng.random() < 0.15:
                pool = done_so_far if fate != "todo" else task_ids
                if pool:
                    blockers = list({rng.choice(pool[-300:]) for _ in range(rng.randint(1, 2))})
                    blocked += 1
            body = " ".join(x for x in (t["description"], t["context"] or "") if x)
            task_id = writes.add_task(store, prov(at), goal_id=goal_ids[gi], blocked_by=blockers,
                                      refs=refs_for(texts, body, rng, out), **t)
            task_ids.append(task_id)
            titles.append(t["title"])
            if fate == "done":
                done_so_far.append(task_id)
        counts["tasks"], counts["blocked_tasks"] = len(task_ids), blocked
        say(f"  {len(goal_ids):,} goals, {len(task_ids):,} tasks")

        kills = max(1, scale.decisions // 30)
        for i in range(scale.decisions):
            d = texts.killed() if i < kills else texts.decision()
            writes.add_decision(store, prov(spread(rng, now, 150)), kind="killed" if i < kills else "decision",
                                refs=refs_for(texts, f"{d['what']} {d['why']}", rng, out), **d)
        for _ in range(scale.lessons):
            lesson = texts.lesson()
            body = f"{lesson['text']} {lesson['correct_behavior']}"
            writes.add_lesson(store, prov(spread(rng, now, 150)), refs=refs_for(texts, body, rng, out), **lesson)
        for _ in range(scale.notes):
            content = texts.note()
            writes.add_note(store, prov(now - int(rng.random() * 30 * DAY)), content=content, kind="note",
                            refs=refs_for(texts, content, rng, out))
        for gi in range(0, len(goal_ids), 2):  # `memory add`: learnings on half the goals
            writes.add_memory(store, prov(spread(rng, now, 60)), key=rng.choice(WORDS),
                              value=texts.paragraph(1, 1), type="learning", goal_id=goal_ids[gi])
        counts.update(decisions=scale.decisions, killed=kills, lessons=scale.lessons, notes=scale.notes)
    say(f"  {scale.decisions:,} decisions, {scale.lessons:,} lessons, {scale.notes:,} notes")

    # Work: claims, checkpoints and completions through the same functions `imi start/complete` use.
    done_ids, wip_ids, stale_ids = [], [], []
    with store.write():
        for task_id, title, fate, at in zip(task_ids, titles, fates, created):
            if fate == "todo":
                continue
            agent = rng.choice(AGENTS)
            if fate == "done":
                begun = at + rng.randint(10 * MINUTE, 3 * DAY)
                finished = min(begun + rng.randint(5 * MINUTE, 2 * DAY), now - MINUTE)
                begun = min(begun, finished - MINUTE)
                claims.start(store, task_id, prov(begun, agent))
                if rng.random() < 0.3:
                    claims.checkpoint(store, task_id, texts.paragraph(1, 1), prov(begun + MINUTE, agent))
                claims.complete(store, task_id, prov=prov(finished, agent), **texts.summary(title))
                done_ids.append(task_id)
            else:
                stale = len(stale_ids) < max(2, scale.in_progress // 3)
                # A live claim's heartbeat is recent; a stale one stopped hours ago (lease: 30 min).
                begun = now - (rng.randint(2, 30) * HOUR if stale else rng.randint(1, 10) * MINUTE)
                claims.start(store, task_id, prov(begun, agent))
                claims.checkpoint(store, task_id, texts.paragraph(1, 1), prov(begun + 30_000, agent))
                (stale_ids if stale else wip_ids).append(task_id)
    counts.update(completions=len(done_ids), in_progress=len(wip_ids) + len(stale_ids), stale=len(stale_ids))
    say(f"  {len(done_ids):,} completions, {len(wip_ids) + len(stale_ids)} claimed ({len(stale_ids)} stale)")

    by_refs = list(store.execute(
        "SELECT path, count(*) AS n FROM refs WHERE is_glob = 0 GROUP BY path ORDER BY n DESC, path"))
    hot = by_refs[0] if by_refs else (files[0], 0)
    typical = by_refs[len(by_refs) // 2] if by_refs else (files[-1], 0)
    counts["refs"] = store.scalar("SELECT count(*) FROM refs")
    counts["memories"] = store.scalar("SELECT count(*) FROM memories")
    store.execute("PRAGMA synchronous=FULL")
    store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.execute("PRAGMA optimize")
    store.close()
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "scale": scale.name,
        "records": scale.records,
        "seed": seed,
        "generated_at_ms": now,
        "seconds": round(time.perf_counter() - started, 2),
        "db_bytes": (db_dir / "state.db").stat().st_size,
        "counts": counts,
        "samples": {
            "goal": goal_ids[0],
            "done_task": done_ids[len(done_ids) // 2] if done_ids else task_ids[0],
            "in_progress_task": (wip_ids or stale_ids or task_ids)[0],
            "hot_file": hot[0],          # the most referenced file: the worst case for `context --file`
            "hot_file_refs": hot[1],
            "typical_file": typical[0],  # the median file by references
            "typical_file_refs": typical[1],
            "search_word": "migration",
        },
    }
    (out / "bench-manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    say(f"done in {manifest['seconds']} s: {manifest['db_bytes'] / 1e6:.1f} MB, manifest in "
        f"{out / 'bench-manifest.json'}")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="project folder to create (the .imi/ inside is replaced with --force)")
    parser.add_argument("--scale", default="issue2",
                        help="issue2 (default), 1k, 10k, 100k, or a number of records")
    parser.add_argument("--seed", type=int, default=1, help="seed for the texts (default 1)")
    parser.add_argument("--force", action="store_true", help="replace an existing .imi/ in OUT")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    generate(args.out.absolute(), scale_named(args.scale), args.seed, args.force, args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
