"""`imi init` and finding the project database: walk-up, IMI_DB, no silent global database."""

from __future__ import annotations

from pathlib import Path

from imi_testing import Project, assert_clean_failure


def test_init_creates_the_database_and_is_idempotent(bare):
    first = bare.json("init")
    assert first["created"] is True
    assert Path(first["db_path"]) == bare.db
    assert Path(first["root"]) == bare.root
    bare.new("goal", "keep me")
    before = bare.checksum()

    again = bare.ok("init")
    assert "Already initialised" in again.out
    assert bare.json("init")["created"] is False
    assert bare.checksum() == before  # running init again changes nothing
    assert [g["name"] for g in bare.json("plan")["goals"]] == ["keep me"]


def test_init_as_a_process_prints_where_the_memory_is(bare):
    result = bare.sub("init")
    assert result.code == 0, str(result)
    assert str(bare.db) in result.out
    assert bare.db.is_file()


def test_commands_in_a_subfolder_find_the_project_by_walking_up(project):
    deep = project.root / "src" / "pkg" / "deep"
    deep.mkdir(parents=True)
    goal_id = project.new("goal", "from deep", cwd=deep)
    status = project.json("status", cwd=deep)
    assert Path(status["db_path"]) == project.db
    assert [g["id"] for g in project.json("plan")["goals"]] == [goal_id]
    assert not (deep / ".imi").exists()


def test_imi_db_overrides_the_walk_up(project, tmp_path):
    other = tmp_path / "elsewhere" / "memory.db"
    other.parent.mkdir()
    env = {"IMI_DB": str(other)}
    created = project.json("init", env=env)
    assert Path(created["db_path"]) == other and other.is_file()
    project.new("goal", "in the override", env=env)
    assert [g["name"] for g in project.json("plan", env=env)["goals"]] == ["in the override"]
    assert project.json("plan")["goals"] == []  # the project's own database was not touched


def test_outside_any_project_is_a_clear_error_and_writes_nothing(bare):
    for command in (["context"], ["goal", "g"], ["log", "a note"], ["status"], ["next"]):
        result = bare.run(*command)
        assert_clean_failure(result)
        assert "imi init" in result.err
    assert not (bare.root / ".imi").exists()
    assert not (Path(bare.env["HOME"]) / ".imi").exists()


def test_the_home_folders_global_database_is_not_used(tmp_path, clean_env):
    """IMI 0.3 keeps a global ~/.imi/state.db; a project folder under home must not fall into it."""
    home = Path(clean_env["HOME"])
    Project(home, clean_env).ok("init", env={"IMI_DB": str(home / ".imi" / "state.db")})  # like IMI 0.3's
    global_sum = Project(home, clean_env).checksum()
    repo = home / "code" / "repo"
    repo.mkdir(parents=True)
    inside = Project(repo, clean_env)

    result = inside.run("goal", "should not land in the home database")
    assert_clean_failure(result)
    assert "imi init" in result.err
    assert Project(home, clean_env).checksum() == global_sum

    inside.ok("init")
    assert inside.db.is_file()
    inside.new("goal", "lands in the repo")
    assert Project(home, clean_env).checksum() == global_sum


def test_init_inside_a_project_notes_the_parent_project(project):
    sub = project.root / "packages" / "lib"
    sub.mkdir(parents=True)
    result = project.ok("init", cwd=sub)
    assert (sub / ".imi" / "state.db").is_file()
    assert str(project.db) in result.out


def test_a_file_that_is_not_a_database_is_refused_clearly(bare):
    bare.db.parent.mkdir()
    bare.db.write_bytes(b"this is not sqlite" * 100)
    result = bare.run("status")
    assert_clean_failure(result)
    assert str(bare.db) in result.err
    assert bare.db.read_bytes() == b"this is not sqlite" * 100


def test_init_in_the_home_folder_is_refused(clean_env):
    home = Project(Path(clean_env["HOME"]), clean_env)
    result = home.run("init")
    assert_clean_failure(result)
    assert "home folder" in result.err
    assert not (home.root / ".imi").exists()
