"""Dependencies point one way: the data layer imports neither click nor pygls/lsprotocol; imi_lsp never click."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import imi_cli
import imi_lsp

FORBIDDEN_IN_DATA_LAYER = ("click", "pygls", "lsprotocol")


def _modules(package) -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."))


def _imported_after(modules: list[str]) -> set[str]:
    """Import `modules` in a fresh interpreter and return the top-level names in sys.modules afterwards."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    if name.endswith('.__main__'):\n"
        "        continue\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout))


def test_the_data_layer_imports_no_front_end():
    data_layer = [m for m in _modules(imi_cli) if not m.startswith("imi_cli.cli")]
    assert "imi_cli.memory.store.connection" in data_layer and "imi_cli.memory.context" in data_layer
    loaded = _imported_after(data_layer)
    assert not loaded & set(FORBIDDEN_IN_DATA_LAYER), loaded & set(FORBIDDEN_IN_DATA_LAYER)


def test_the_language_server_never_imports_click():
    modules = _modules(imi_lsp) + [m for m in _modules(imi_cli) if not m.startswith("imi_cli.cli")]
    assert "click" not in _imported_after(modules)


def test_the_check_itself_would_notice_click():
    assert "click" in _imported_after(["imi_cli.cli.commands"] if "imi_cli.cli.commands" in _modules(imi_cli)
                                      else ["imi_cli.cli.record"])
