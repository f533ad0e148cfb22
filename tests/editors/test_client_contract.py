"""The editor clients and the server agree: every server command a client calls exists, the VS Code
settings mirror the server's, and the palette offers what the issue promises. Fast: no editor runs.
"""

from __future__ import annotations

import json
import re

import pytest

from imi_lsp.server import create_server
from imi_lsp.settings import SEVERITIES, Settings
from tools import NVIM_RUNTIME, VSCODE

MANIFEST = json.loads((VSCODE / "package.json").read_text())
CONTRIBUTES = MANIFEST["contributes"]
# a quoted server command id: 'imi.showContext' (the client's own are imi.ui.*)
SERVER_ID = re.compile(r"""['"](imi\.(?!ui\.)[a-z][A-Za-z]+)['"]""")


@pytest.fixture(scope="module")
def server_commands() -> set[str]:
    return set(create_server().protocol.fm.commands)


def called(files) -> dict[str, set[str]]:
    """Server command ids named in client sources -> the files naming them."""
    found: dict[str, set[str]] = {}
    for path in files:
        for command in SERVER_ID.findall(path.read_text()):
            found.setdefault(command, set()).add(path.name)
    return found


def test_every_server_command_the_vscode_extension_calls_exists(server_commands):
    """src/protocol.ts holds the ids; no other module spells one out."""
    ids = set(re.findall(r"^\s+\w+: '(imi\.[A-Za-z]+)',", (VSCODE / "src" / "protocol.ts").read_text(), re.M))
    assert {"imi.showContext", "imi.recordLesson", "imi.memoryTree"} <= ids
    assert sorted(ids - server_commands) == [], "the extension calls commands the server does not offer"
    for path in (VSCODE / "src").glob("*.ts"):
        if path.name != "protocol.ts":
            assert not set(SERVER_ID.findall(path.read_text())) & server_commands, f"{path.name}: use Server.*"


def test_every_server_command_the_neovim_plugin_calls_exists(server_commands):
    modules = {f"imi.{p.stem}" for p in (NVIM_RUNTIME / "lua" / "imi").glob("*.lua")}  # require('imi.server')
    calls = {c: f for c, f in called(sorted(NVIM_RUNTIME.rglob("*.lua"))).items() if c not in modules}
    assert {"imi.showContext", "imi.recordLesson", "imi.startTask"} <= set(calls)
    missing = {command: files for command, files in calls.items() if command not in server_commands}
    assert missing == {}, "the Neovim plugin calls commands the server does not offer"


def test_palette_offers_the_commands_the_issue_names():
    titles = {c["title"] for c in CONTRIBUTES["commands"] if c.get("category") == "IMI"}
    assert {"Show Context", "Record Decision Here", "Record Lesson Here", "Log Note", "Start Task", "Complete Task",
            "Search Memory"} <= titles


def test_palette_commands_are_client_side_and_registered():
    """Palette entries are the extension's own commands (the palette would send `arguments: []`)."""
    registered = set(re.findall(r"'(imi\.ui\.[A-Za-z]+)'", (VSCODE / "src" / "commands.ts").read_text()))
    registered |= set(re.findall(r"OPEN_COMMAND = '(imi\.ui\.[A-Za-z]+)'", (VSCODE / "src" / "tree.ts").read_text()))
    contributed = {c["command"] for c in CONTRIBUTES["commands"]}
    assert all(c.startswith("imi.ui.") for c in contributed)
    assert contributed == registered


def test_vscode_settings_mirror_the_servers():
    props = CONTRIBUTES["configuration"]["properties"]
    server_keys = {k for k in props if not k.startswith(("imi.server.", "imi.trace."))}
    assert server_keys == {"imi.codeLens.enable", "imi.diagnostics.enable", "imi.diagnostics.severity",
                           "imi.diagnostics.staleAnchors", "imi.kinds"}
    defaults = Settings()
    assert props["imi.codeLens.enable"]["default"] is defaults.code_lens
    assert props["imi.diagnostics.enable"]["default"] is defaults.diagnostics
    assert props["imi.diagnostics.severity"]["default"] == defaults.severity
    assert props["imi.diagnostics.severity"]["enum"] == list(SEVERITIES)
    assert props["imi.diagnostics.staleAnchors"]["default"] is defaults.stale_anchors
    assert props["imi.kinds"]["default"] == list(defaults.kinds)
    assert props["imi.kinds"]["items"]["enum"] == list(defaults.kinds)


def test_language_model_tools_are_declared_and_registered():
    tools = {t["name"]: t for t in CONTRIBUTES["languageModelTools"]}
    source = (VSCODE / "src" / "tools.ts").read_text()
    assert set(tools) == {"imi_context", "imi_file_memory"}
    for name, tool in tools.items():
        assert f"'{name}'" in source
        assert tool["modelDescription"] and tool["userDescription"] and tool["inputSchema"]["type"] == "object"


def test_engine_fits_the_language_client_and_the_types():
    """vsce refuses a package whose @types/vscode is newer than its engine; languageclient 9 needs ^1.82."""
    engine = MANIFEST["engines"]["vscode"].lstrip("^")
    types = MANIFEST["devDependencies"]["@types/vscode"]
    as_tuple = lambda v: tuple(int(p) for p in v.split("."))  # noqa: E731
    assert as_tuple(types) <= as_tuple(engine)
    assert as_tuple(engine) >= (1, 82, 0)
    assert MANIFEST["dependencies"]["vscode-languageclient"].startswith("9.")
