"""Issue 14: anchors that are right on real code: overloads, big symbols, secrets in code, and the
messages `imi check --stale` and `imi verify` give (through the CLI, on a real git repository)."""

from __future__ import annotations

from anchor_git import commit

OVERLOADED = '''from typing import overload
import typing as t


@overload
def fetch(url: str) -> bytes: ...


@t.overload
def fetch(url: bytes) -> bytes: ...


def fetch(url):
    data = download(url)
    return data


class Client:
    @overload
    def get(self, key: int) -> int: ...
    @overload
    def get(self, key: str) -> str: ...
    def get(self, key):
        return self.cache[key]
'''

OVERLOADED_TS = '''export function parse(text: string): Node;
export function parse(text: Buffer): Node;
export function parse(text: string | Buffer): Node {
  const tree = build(text);
  return tree;
}

export class Reader {
  read(size: number): string;
  read(): string;
  read(size?: number): string {
    return this.take(size);
  }
}
'''


def _record(repo, rel: str, text: str, spec: str) -> str:
    (repo.root / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo.root / rel).write_text(text)
    commit(repo, "code")
    result = repo.run("lesson", f"about {spec}", "--correct-behavior", "keep it", "--files", spec, "--json")
    assert result.code == 0, str(result)
    return result.json()["id"]


def _stale(repo) -> dict[str, str]:
    return {a["id"]: a["status"] for a in repo.run("check", "--stale", "--json").json()["stale"]}


def test_an_overloaded_python_function_is_anchored_to_its_implementation(repo):
    repo.ok("init")
    lesson = _record(repo, "api.py", OVERLOADED, "api.py#fetch")
    method = repo.new("lesson", "cache hits", "--correct-behavior", "keep", "--files", "api.py#Client.get")
    files = repo.json("show", lesson)["files"][0]
    assert (files["line_start"], files["line_end"]) == (13, 15)
    assert (repo.json("show", method)["files"][0]["line_start"]) == 23
    (repo.root / "api.py").write_text(OVERLOADED.replace("download(url)", "download(url, retries=3)")
                                      .replace("self.cache[key]", "self.cache.get(key)"))
    assert _stale(repo) == {lesson: "changed", method: "changed"}  # edits to the bodies warn


def test_typescript_overload_signatures_give_way_to_the_implementation(repo):
    repo.ok("init")
    lesson = _record(repo, "src/parse.ts", OVERLOADED_TS, "src/parse.ts#parse")
    method = repo.new("lesson", "reads", "--correct-behavior", "keep", "--files", "src/parse.ts#Reader.read")
    assert repo.json("show", lesson)["files"][0]["line_start"] == 3
    assert repo.json("show", method)["files"][0]["line_start"] == 11
    (repo.root / "src/parse.ts").write_text(OVERLOADED_TS.replace("build(text)", "build(text, {strict: true})"))
    assert _stale(repo) == {lesson: "changed"}


def test_a_symbol_longer_than_400_lines_is_fresh_when_recorded_and_changed_when_edited(repo):
    repo.ok("init")
    body = "".join(f"    def method_{i}(self):\n        return {i}\n\n" for i in range(300))
    source = "import os\n\n\nclass Big:\n" + body + "\n\ndef after():\n    return 1\n"
    lesson = _record(repo, "big.py", source, "big.py#Big")
    files = repo.json("show", lesson)["files"][0]
    assert (files["line_start"], files["line_end"]) == (4, 4 + 300 * 3 - 1)
    assert repo.run("check", "--stale").code == 0
    (repo.root / "big.py").write_text(source.replace("return 290\n", "return -290\n"))
    assert _stale(repo) == {lesson: "changed"}  # an edit past line 400 of the class is seen


HTTP_TEST = '''import requests


def test_basic_auth_in_url(httpbin):
    url = "http://user:s3cretpass@localhost:8080/get"
    response = requests.get(url)
    assert response.status_code == 200


def test_other():
    return 1
'''


def test_credentials_in_anchored_code_are_not_stored_and_do_not_make_it_stale(repo):
    repo.ok("init")
    lesson = _record(repo, "tests/test_auth.py", HTTP_TEST, "tests/test_auth.py#test_basic_auth_in_url")
    snapshot = repo.json("show", lesson)["files"][0]
    assert "s3cretpass" not in repo.root.joinpath(".imi", "state.db").read_bytes().decode("latin-1")
    assert all("s3cretpass" not in p.read_text() for p in (repo.root / ".imi").rglob("*") if p.is_file()
               and p.suffix not in (".db", ".db-wal", ".db-shm"))
    assert snapshot["line_start"] == 4
    assert repo.run("check", "--stale").code == 0  # fresh: redaction is not an edit
    source = (repo.root / "tests/test_auth.py").read_text()
    (repo.root / "tests/test_auth.py").write_text("# a header line\n" + source)
    assert repo.json("check", "--stale")["moved"][0]["status"] == "moved"  # still followed when it moves
    (repo.root / "tests/test_auth.py").write_text(source.replace("status_code == 200", "status_code == 401"))
    assert _stale(repo) == {lesson: "changed"}


def test_verifying_an_orphaned_anchor_says_what_happened(repo):
    repo.ok("init")
    lesson = _record(repo, "gone.py", "def old():\n    return 1\n", "gone.py#old")
    (repo.root / "gone.py").unlink()
    assert _stale(repo) == {lesson: "orphaned"}
    out = repo.ok("verify", lesson).out
    assert "dropped" in out and "gone.py" in out
    after = repo.ok("check", "--stale").out
    assert "All 0 anchors" not in after
    assert "No record is anchored to code" in after


def test_a_big_block_anchored_by_lines_and_edited_is_changed_at_once(repo):
    repo.ok("init")
    body = "".join(f"    def method_{i}(self):\n        return {i} * self.scale + {i}\n\n" for i in range(600))
    source = "class Big:\n" + body
    lesson = _record(repo, "big.py", source, "big.py:1-1800")
    edited = source.replace("return 5 *", "return -5 *").replace("return 500 *", "return -500 *")
    (repo.root / "big.py").write_text("# header\n" * 40 + edited)
    assert _stale(repo) == {lesson: "changed"}
