"""Anchors follow code through real edits in a real git repository, through the CLI."""

from __future__ import annotations

from anchor_git import commit, git

AUTH = """import os


def refresh_token(token):
    if token.expired:
        return renew(token)
    return token


def logout(session):
    session.clear()
    return None
"""


def _setup(repo):
    (repo.root / "src").mkdir()
    (repo.root / "src" / "auth.py").write_text(AUTH)
    commit(repo, "code")
    repo.ok("init")
    lesson = repo.new("lesson", "refresh raced", "--correct-behavior", "mutex", "--files", "src/auth.py#refresh_token")
    decision = repo.new("decide", "logout clears the session", "security", "--files", "src/auth.py:10-12")
    return lesson, decision


def _statuses(repo) -> dict[str, dict]:
    result = repo.run("check", "--stale", "--json")
    data = result.json()
    found = {a["id"]: a for a in data["stale"] + data["moved"]}
    return found, result.code


def test_anchors_snapshot_their_code_and_start_fresh(repo):
    lesson, decision = _setup(repo)
    files = repo.json("show", lesson)["files"]
    assert files[0]["line_start"] == 4 and files[0]["line_end"] == 7 and files[0]["symbol"] == "refresh_token"
    assert repo.run("check", "--stale").code == 0
    assert "All 2 anchors hold" in repo.ok("check", "--stale").out


def test_insertions_above_move_the_anchor_quietly(repo):
    lesson, decision = _setup(repo)
    path = repo.root / "src" / "auth.py"
    path.write_text("# licence\n# header\n# more\n" + AUTH)
    found, code = _statuses(repo)
    assert code == 0
    assert found[lesson]["now"]["line_start"] == 7 and found[lesson]["status"] == "moved"
    assert found[decision]["now"]["line_start"] == 13 and found[decision]["status"] == "moved"
    context = repo.ok("context", "--file", "src/auth.py").out
    assert "src/auth.py:13-15" in context and "STALE" not in context
    # check --stale moved the stored anchors: nothing is reported as moved any more
    assert repo.json("check", "--stale")["moved"] == []


def test_an_edit_inside_is_changed_and_stale(repo):
    lesson, decision = _setup(repo)
    path = repo.root / "src" / "auth.py"
    path.write_text(AUTH.replace("session.clear()", "session.clear(keep_cookies=True)"))
    found, code = _statuses(repo)
    assert code == 1
    assert found[decision]["status"] == "changed" and lesson not in found
    assert "STALE" in repo.ok("context", "--file", "src/auth.py").out
    assert "[changed] decision" in repo.run("check", "--stale").out


def test_a_function_moved_within_the_file_is_followed(repo):
    lesson, decision = _setup(repo)
    path = repo.root / "src" / "auth.py"
    first, second = AUTH.split("\n\n\ndef logout")
    path.write_text("import os\n\n\ndef logout" + second + "\n\n" + first.replace("import os\n\n\n", ""))
    found, code = _statuses(repo)
    assert code == 0
    assert found[lesson]["status"] == "moved" and found[decision]["status"] == "moved"


def test_git_mv_renames_are_followed(repo):
    lesson, decision = _setup(repo)
    git(repo.root, "mv", "src/auth.py", "src/session.py")
    found, code = _statuses(repo)
    assert code == 0
    assert found[lesson]["status"] == "renamed" and found[lesson]["now"]["path"] == "src/session.py"
    repo.ok("check", "--stale")  # follows: the records now name the new path
    assert "refresh raced" in repo.ok("context", "--file", "src/session.py").out


def test_deleted_code_is_orphaned_and_verify_accepts_it(repo):
    lesson, decision = _setup(repo)
    path = repo.root / "src" / "auth.py"
    path.write_text(AUTH.split("\n\n\ndef logout")[0] + "\n")
    found, code = _statuses(repo)
    assert code == 1 and found[decision]["status"] == "orphaned"
    verified = repo.json("verify", decision)
    assert verified["anchors"][0]["action"].startswith("kept as a reference to the file")
    assert repo.run("check", "--stale").code == 0


def test_deleted_file_is_orphaned(repo):
    lesson, decision = _setup(repo)
    (repo.root / "src" / "auth.py").unlink()
    found, code = _statuses(repo)
    assert code == 1 and {found[lesson]["status"], found[decision]["status"]} == {"orphaned"}


def test_verify_re_anchors_changed_code(repo):
    lesson, decision = _setup(repo)
    path = repo.root / "src" / "auth.py"
    path.write_text(AUTH.replace("return renew(token)", "return renew(token, grace=30)"))
    found, code = _statuses(repo)
    assert code == 1 and found[lesson]["status"] == "changed"
    result = repo.json("verify", lesson)
    assert result["anchors"][0]["action"] == "re-anchored"
    assert repo.run("check", "--stale").code == 0


def test_reads_never_change_the_stored_anchor(repo):
    lesson, decision = _setup(repo)
    (repo.root / "src" / "auth.py").write_text(AUTH.replace("session.clear()", "session.reset()"))
    before = repo.checksum()
    for args in (("context",), ("context", "--file", "src/auth.py"), ("show", decision), ("search", "logout")):
        repo.ok(*args)
    assert repo.checksum() == before


def test_anchored_code_with_a_secret_is_redacted(repo):
    (repo.root / "cfg.py").write_text("TOKEN = '" + "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + "'\n")
    commit(repo, "cfg")
    repo.ok("init")
    result = repo.run("log", "token config", "--files", "cfg.py:1")
    assert result.code == 0 and "redacted" in result.err
    raw = b"".join(p.read_bytes() for p in (repo.root / ".imi").rglob("*") if p.is_file())
    assert b"a1B2c3D4e5F6g7H8i9J0" not in raw
