"""The path index on a real database: a glob that many records share still finds every one of them."""

from __future__ import annotations

import gc

from imi_cli.memory.paths import FileSpec
from imi_cli.memory.refindex import RefIndex
from imi_cli.memory.opening import open_store
from imi_cli.memory.store import writes
from imi_cli.memory.store.writes import Provenance


def test_records_sharing_a_glob_are_all_found_and_other_patterns_of_the_folder_judged_apart(tmp_path):
    store = open_store(tmp_path / ".imi" / "state.db", create=True)
    prov = Provenance("test", None)
    with store.write():
        sql = [writes.add_decision(store, prov, what=f"schema rule {i}", why="w", affects=None, kind="decision",
                                   refs=[(FileSpec("**/*.sql"), "explicit")]) for i in range(300)]
        py = writes.add_decision(store, prov, what="python rule", why="w", affects=None, kind="decision",
                                 refs=[(FileSpec("**/*.py"), "explicit")])
        exact = writes.add_lesson(store, prov, text="t", correct_behavior="c", verified_by="ci",
                                  refs=[(FileSpec("db/001.sql"), "explicit")])
        db = writes.add_decision(store, prov, what="db folder", why="w", affects=None, kind="decision",
                                 refs=[(FileSpec("db/"), "explicit")])
    index = RefIndex.load(store)
    found = [hit.record.id for hit in index.hits("db/001.sql")]
    assert found[0] == exact  # exact references first
    assert sorted(found[1:]) == sorted(sql + [db])
    assert [hit.record.id for hit in index.hits("app/main.py")] == [py]
    assert index.hits("README.md") == []
    assert gc.isenabled()  # paused while loading, and back on afterwards
    store.close()


def test_a_live_index_is_kept_from_the_cycle_collector_and_freed_when_replaced(tmp_path):
    import weakref

    from imi_cli.memory.refindex import LiveIndex

    store = open_store(tmp_path / ".imi" / "state.db", create=True)
    with store.write():
        writes.add_lesson(store, Provenance("test", None), text="t", correct_behavior="c", verified_by="ci",
                          refs=[(FileSpec("a.py"), "explicit")])
    live = LiveIndex(store)
    first = weakref.ref(live.index)
    assert gc.get_freeze_count() > 0  # a full collection will not walk it during a request
    live.reload()
    assert first() is None  # frozen, yet freed as soon as it is replaced: no leak per reload
    assert [hit.record.kind for hit in live.index.hits("a.py")] == ["lesson"]
    store.close()
