"""The user's cache folder (what hooks showed a session, where symbols were found): a file there is
replaced whole or not at all, whoever else writes it, and a missing folder is made private."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

from imi_cli.memory import usercache

_WRITER = """
import sys
from imi_cli.memory import usercache
path, me = sys.argv[1], int(sys.argv[2])
for i in range(150):
    usercache.write(path, {"writer": me, "i": i, "pad": "x" * (500 * me)}, 3600)
"""


def test_a_cache_file_is_replaced_whole_while_others_write_and_read_it(tmp_path):
    path = str(tmp_path / "cache" / "hook-sessions" / "one.json")
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, path, str(me)]) for me in (1, 2, 3)]
    seen = []
    while any(w.poll() is None for w in writers):
        try:
            with open(path, encoding="utf-8") as handle:
                seen.append(json.loads(handle.read()))  # the raw file: never half written
        except FileNotFoundError:
            pass  # between one writer's old file and its new one: as if the cache had lost it
    assert all(w.wait() == 0 for w in writers)
    for value in seen + [usercache.read(path)]:
        assert set(value) == {"writer", "i", "pad"} and value["pad"] == "x" * (500 * value["writer"])
    assert seen, "the reader never found a file"
    folder = os.path.dirname(path)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(folder) == ["one.json"]  # no temporary file left behind


def test_an_unwritable_cache_folder_is_no_error(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    usercache.write(str(blocked / "x.json"), {"a": 1}, 3600)  # cannot make the folder: nothing happens
    assert usercache.read(str(blocked / "x.json")) == {}
