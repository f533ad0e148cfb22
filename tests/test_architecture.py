"""The layering, read from the import graph: fronts -> the memory API -> its insides, no cycles.

Every `import` and `from ... import` in imi_cli and imi_lsp counts, including the lazy ones
inside functions, so a shortcut taken to dodge start-up cost cannot hide a wrong dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("imi_cli", "imi_lsp")
FRONTS = ("imi_cli.cli", "imi_cli.agents", "imi_lsp")
API = "imi_cli.memory"
NOT_IN_DATA_LAYER = ("click", "pygls", "lsprotocol", "mcp", "imi_cli.cli", "imi_cli.agents", "imi_lsp")


def _module_files() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


MODULES = _module_files()


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _imports(name: str) -> set[str]:
    """Everything module `name` imports, as dotted names (a submodule where one is named)."""
    path = MODULES[name]
    package = name if _is_package(name) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    return found


GRAPH = {name: {dep for dep in _imports(name) if dep != name} for name in MODULES}


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_the_graph_is_read():
    assert "imi_cli.memory.store.connection" in GRAPH and "imi_lsp.server" in GRAPH
    assert "imi_cli.memory" in GRAPH["imi_cli.cli.app"] or any(
        _under(dep, API) for dep in GRAPH["imi_cli.cli.app"])


def test_no_import_cycles():
    internal = {name: {d for d in deps if d in MODULES} for name, deps in GRAPH.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(internal[node]):
            if state.get(dep) == 1:
                cycles.append(trail[trail.index(dep):] + [dep] if dep in trail else [node, dep])
            elif dep not in state:
                visit(dep, trail + [dep])
        state[node] = 2

    for name in sorted(internal):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_data_layer_imports_no_front():
    wrong = {(name, dep) for name, deps in GRAPH.items() if _under(name, API)
             for dep in deps if any(_under(dep, front) for front in NOT_IN_DATA_LAYER)}
    assert not wrong, sorted(wrong)


def test_fronts_use_only_the_public_api():
    """A front imports `imi_cli.memory` itself, never a module inside it."""
    wrong = {(name, dep) for name, deps in GRAPH.items() if any(_under(name, f) for f in FRONTS)
             for dep in deps if _under(dep, API) and dep != API}
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize("front, forbidden", [
    ("imi_lsp", ("click", "imi_cli.cli", "imi_cli.agents")),
    ("imi_cli.agents", ("imi_cli.cli", "imi_lsp", "pygls", "lsprotocol")),
    ("imi_cli.cli", ("imi_lsp", "pygls", "lsprotocol")),
])
def test_fronts_do_not_lean_on_each_other(front, forbidden):
    wrong = {(name, dep) for name, deps in GRAPH.items() if _under(name, front)
             for dep in deps if any(_under(dep, f) for f in forbidden)}
    assert not wrong, sorted(wrong)


def test_language_server_features_register_themselves():
    """Feature modules get the server handed to their setup(); none imports the server module."""
    features = [name for name in GRAPH if _under(name, "imi_lsp") and "setup" in MODULES[name].read_text()
                and "def setup(" in MODULES[name].read_text()]
    assert len(features) >= 6, features
    wrong = [name for name in GRAPH if _under(name, "imi_lsp") and "imi_lsp.server" in GRAPH[name]
             and name not in ("imi_lsp.__main__",)]
    assert not wrong, wrong
