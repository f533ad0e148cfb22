"""Neovim at scale: 2,000 records, 1,000 of them anchored in one file. Lenses are fetched when the
buffer or the memory changes (debounced) and only those in view are resolved, so typing costs the
same few requests as with 20 records (Neovim's own refresh resolves every lens of the buffer)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tools import NVIM_RUNTIME, nvim, require

pytestmark = pytest.mark.slow
SESSION = __file__.replace("test_nvim_lenses.py", "nvim_lenses.lua")
LESSONS, RECORDS = 1000, 2000


@pytest.fixture(scope="module")
def big(module_tmp, editor_env, monkeypatch_module):
    """src/big.py (3,000 lines) named by 1,000 anchored lessons and 1,000 decisions, written through the data layer."""
    from imi_cli.memory import Project

    for key in ("HOME", "USER"):
        monkeypatch_module.setenv(key, editor_env[key])
    root = module_tmp / "big"
    (root / "src").mkdir(parents=True)
    (root / "src" / "big.py").write_text("".join(f"x_{i} = {i}\n" for i in range(3000)))
    project, _report, _hooks = Project.init(root / ".imi" / "state.db")
    with project.transaction():
        for i in range(RECORDS):
            if i % 2 == 0:
                project.add_lesson(f"lesson {i} about x_{i}", "keep it right", files=[f"src/big.py:{i + 1}-{i + 2}"])
            else:
                project.decide(f"decision {i}", "because", files=["src/big.py"])
    project.close()
    return root


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(scope="module")
def counted(big, module_tmp, editor_env):
    binary = nvim()
    require(binary)
    out = module_tmp / "lenses.json"
    env = {**editor_env, "IMI_OUT": str(out), "IMI_FILE": str(big / "src" / "big.py")}
    proc = subprocess.run([str(binary), "--clean", "--cmd", f"set runtimepath^={NVIM_RUNTIME}", "-l", SESSION],
                          cwd=big, env=env, capture_output=True, text=True, timeout=240)
    seen = json.loads(out.read_text()) if out.is_file() else {}
    assert proc.returncode == 0, f"nvim exited {proc.returncode} after {seen.get('steps')}: {proc.stderr[-2000:]}"
    return seen


def test_only_the_lenses_in_view_are_resolved(counted):
    assert counted["lenses"] > 900  # the file has a lens per anchored range
    assert 0 < counted["after_open"]["resolve"] <= counted["in_view"]


def test_typing_asks_for_lenses_once_per_pause_and_resolves_nothing_new(counted):
    assert counted["warned"]  # the lesson warning came
    typed = {k: counted["after_typing"][k] - counted["after_open"][k] for k in ("resolve", "codeLens")}
    assert 1 <= typed["codeLens"] <= 3  # the lenses follow the edit, debounced: 25 keys, one pause
    assert typed["resolve"] <= counted["in_view"]  # nothing resolved again for lenses that did not change


def test_scrolling_resolves_what_comes_into_view(counted):
    assert counted["scrolled_resolved"]
    more = counted["after_scroll"]["resolve"] - counted["after_typing"]["resolve"]
    assert 0 < more <= counted["in_view_after_scroll"]
