"""`imi init --agents ...`: a short marked IMI section in each agent's instruction file.

What the user wrote stays byte for byte; running twice leaves one section;
`--remove` gives the files back exactly as they were.
"""

from __future__ import annotations

from hypothesis import example, given, settings, strategies as st

from imi_cli.agents import instructions as agent_files
from imi_cli.agents.instructions import END, START, with_section, without_section

ALL = "claude,cursor,copilot,codex"
FILES = {"claude": "CLAUDE.md", "codex": "AGENTS.md", "copilot": ".github/copilot-instructions.md",
         "cursor": ".cursor/rules/imi.mdc"}
USER_CONTENT = {
    "CLAUDE.md": "# Team rules\n\nUse pytest. Never push to main.\nÜmlauts and emoji stay: ✓ 🚀\n".encode(),
    "AGENTS.md": b"# Codex\r\n\r\nWindows line endings here.\r\n",
    ".github/copilot-instructions.md": b"Prefer small functions.",  # no final newline
}


def write_user_files(project) -> dict[str, bytes]:
    for rel, data in USER_CONTENT.items():
        path = project.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return dict(USER_CONTENT)


def read(project, rel: str) -> bytes:
    return (project.root / rel).read_bytes()


def section_of(data: bytes) -> str:
    text = data.decode("utf-8")
    return text[text.index(START):text.index(END) + len(END)]


def test_init_adds_one_short_section_and_keeps_every_user_byte(project):
    originals = write_user_files(project)
    result = project.json("init", "--agents", ALL)
    assert {c["agent"]: c["action"] for c in result["agent_files"]} == dict.fromkeys(FILES, "added")
    for rel, original in originals.items():
        data = read(project, rel)
        assert data.startswith(original), rel  # the user's bytes come first, untouched
        assert data.count(START.encode()) == 1 and data.count(END.encode()) == 1
        assert len(section_of(data)) < 1_500
        for command in ("imi context", "imi next", "imi start", "imi checkpoint", "imi complete", "imi decide",
                        "imi lesson"):
            assert command in section_of(data), (rel, command)
    assert b"\r\n<!-- imi:end -->\r\n" in read(project, "AGENTS.md")  # the file's own line endings
    mdc = read(project, FILES["cursor"]).decode()
    assert mdc.startswith("---\n") and "\nalwaysApply: true\n" in mdc.split("---")[1]
    assert len(mdc) < 1_500


def test_running_twice_leaves_one_section_and_changes_nothing(project):
    write_user_files(project)
    project.ok("init", "--agents", ALL)
    after_first = {rel: read(project, rel) for rel in FILES.values()}
    again = project.json("init", "--agents", ALL)
    assert {c["action"] for c in again["agent_files"]} == {"unchanged"}
    assert {rel: read(project, rel) for rel in FILES.values()} == after_first


def test_an_old_section_is_updated_in_place_and_text_after_it_is_kept(project):
    project.file("CLAUDE.md", "# Mine\n")
    project.ok("init", "--agents", "claude")
    data = read(project, "CLAUDE.md").replace(b"Project memory (IMI)", b"old wording")
    (project.root / "CLAUDE.md").write_bytes(data + b"\n## Added later by the user\n")
    result = project.json("init", "--agents", "claude")
    assert result["agent_files"][0]["action"] == "updated"
    data = read(project, "CLAUDE.md")
    assert data.startswith(b"# Mine\n") and data.endswith(b"\n## Added later by the user\n")
    assert b"old wording" not in data and data.count(START.encode()) == 1


def test_remove_restores_every_file_byte_for_byte(project):
    originals = write_user_files(project)
    project.ok("init", "--agents", ALL)
    project.ok("init", "--agents", ALL)
    removed = project.json("init", "--agents", ALL, "--remove")
    assert {c["action"] for c in removed["agent_files"]} == {"removed"}
    for rel, original in originals.items():
        assert read(project, rel) == original, rel
    assert not (project.root / ".cursor").exists()  # IMI created it, IMI took it away
    again = project.json("init", "--agents", ALL, "--remove")
    assert {c["action"] for c in again["agent_files"]} == {"absent"}


def test_remove_keeps_what_the_user_added_around_the_section(project):
    project.ok("init", "--agents", "claude")
    data = read(project, "CLAUDE.md")
    (project.root / "CLAUDE.md").write_bytes(b"# Written above later\n\n" + data + b"\nbelow\n")
    project.ok("init", "--agents", "claude", "--remove")
    assert read(project, "CLAUDE.md") == b"# Written above later\n\nbelow\n"


def test_a_broken_section_is_refused_and_nothing_is_written(project):
    write_user_files(project)
    (project.root / "CLAUDE.md").write_bytes(b"# Mine\n" + START.encode() + b"\nhalf a section\n")
    before = {rel: (project.root / rel).read_bytes() if (project.root / rel).exists() else None
              for rel in FILES.values()}
    result = project.fail("init", "--agents", ALL)
    assert "CLAUDE.md has a broken IMI section" in result.err
    assert {rel: (project.root / rel).read_bytes() if (project.root / rel).exists() else None
            for rel in FILES.values()} == before


def test_a_broken_section_in_a_new_project_creates_no_database(bare):
    bare.file("AGENTS.md", START + "\n")
    result = bare.run("init", "--agents", "codex")
    assert result.code == 1 and "AGENTS.md has a broken IMI section" in result.err
    assert not bare.db.exists()


def test_an_unknown_agent_is_a_usage_error_before_anything_is_created(bare):
    result = bare.run("init", "--agents", "claude,vim")
    assert result.code == 2 and "'vim'" in result.err and result.err.count("\n") == 1
    assert not bare.db.exists() and not (bare.root / "CLAUDE.md").exists()
    assert bare.run("init", "--remove").code == 2  # --remove needs --agents


def test_init_from_a_subfolder_with_imi_db_writes_next_to_the_project(project):
    sub = project.root / "pkg"
    sub.mkdir()
    project.ok("init", "--agents", "codex", "--remove", cwd=sub)  # nothing there yet: fine
    project.ok("init", "--agents", "codex", env={"IMI_DB": str(project.db)}, cwd=sub)
    assert (project.root / "AGENTS.md").is_file() and not (sub / "AGENTS.md").exists()
    project.ok("init", "--agents", "codex", "--remove", cwd=sub)
    assert not (project.root / "AGENTS.md").exists()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode)
       | st.text(alphabet="a \r\n-#", max_size=40).map(str.encode))
@example(b"\r")
@example(b"text\r")
@example(b"a\r\n\r")
@example(b"\n\n")
def test_adding_then_removing_gives_back_any_content(content):
    if START.encode() in content or END.encode() in content:
        return
    added = with_section(content)
    assert added.startswith(content)
    assert with_section(added) == added
    assert without_section(added) == content


def test_the_section_text_is_short():
    assert len(agent_files.block()) < 1_500
    assert len(agent_files.MDC_FRONT_MATTER) + len(agent_files.block()) < 1_500
