"""Team memory through git: the text under `.imi/records/` is the memory, the database a local cache.

`attach(store)` is called when a project has `.imi/records/`: writes then also add
version files (before the transaction commits), and the database catches up with
files that git brought in since the last command.
"""

from __future__ import annotations

from ..store import Store


def _before_commit(store: Store, touched: list[tuple[str, str]]):
    from .export import write_versions

    return write_versions(store, touched)


def enabled(store: Store) -> bool:
    """Whether this project keeps its memory in git: `.imi/records/` is there, or the database has
    synced with it before (git removes the folder on a checkout of a commit that has no records;
    the database must then follow, and later writes must recreate it)."""
    from . import layout, state

    return layout.records_dir(store.root).is_dir() or state.get(store, "text_signature") is not None


def attach(store: Store) -> None:
    """Keep this store and the version files in step, when the project keeps its memory in git."""
    if not enabled(store):
        return
    store.before_commit = _before_commit
    if store.readonly:
        return
    import apsw

    try:
        if store.built_from_records:  # a fresh clone: every record loaded at once, keys checked at the end
            from .bulk import foreign_keys_checked_at_end

            with foreign_keys_checked_at_end(store):
                _catch_up(store)
        else:
            _catch_up(store)
    except apsw.FullError:  # no room to record the catch-up: reads go on; a write says the disk is full
        pass
    store.on_begin = _catch_up


def _catch_up(store: Store) -> None:
    """Import version files the database lacks, when the record folders changed since the last sync.

    Runs on opening and again at the start of every write transaction: between opening and
    writing, another process may have added files (a writer killed after writing its file, before
    its commit); taking them in under the write lock keeps this write from recording a text
    signature that hides them. The check is a few `stat` calls; the importer (and its imports)
    load only when something changed.
    """
    from . import state

    if not state.is_current(store):
        from . import importer

        report = importer.check(store)
        if report is not None:
            store.caught_up = report if store.caught_up is None else store.caught_up.merged(report)


def enable(store: Store):
    """Turn team memory on for a project (what `imi init` does): create `.imi/records/`, write
    every record the text lacks, and install the git hooks. Returns (sync report, hooks changed)."""
    from . import githooks, importer, layout, state

    records = layout.records_dir(store.root)
    if not records.is_dir() and state.get(store, "text_signature") is None:
        # a new project starts sharded, so a team never has a flat folder to migrate; a project whose
        # folder a checkout removed (it synced before) keeps whatever layout its commits carry
        layout.write_atomic(records / layout.MARKER, layout.MARKER_TEXT)
    records.mkdir(parents=True, exist_ok=True)
    store.before_commit = _before_commit
    report = importer.sync(store, export_untracked=True)
    if store.caught_up is not None:  # opening the store already loaded what git brought (a fresh clone)
        report = store.caught_up.merged(report)
    return report, githooks.install(store.root)
