"""Real code bases for measuring anchors, fetched from the package registries and cached under
~/.cache/imi/anchor-corpus (nothing is vendored in the repository).

    python bench/anchor_corpus.py fetch          # fetch every code base not cached yet
    python bench/anchor_corpus.py fetch requests # one of them
    python bench/anchor_corpus.py list

Python comes as sdists from PyPI (`pip download`), TypeScript as npm packages that ship their
sources (`npm pack`), Go and Rust as Debian's golang-*-dev and librust-*-dev packages
(`apt-get download`). `IMI_CORPUS_CACHE` moves the cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Corpus:
    name: str
    registry: str        # pypi, npm or debian
    package: str
    version: str | None  # None: whatever the distribution has (Debian)
    language: str        # python, ts, go, rust
    what: str            # why it is in the set


CORPORA = [
    Corpus("requests", "pypi", "requests", "2.32.3", "python", "the HTTP library of the issue"),
    Corpus("click", "pypi", "click", "8.1.7", "python", "overloads (`@t.overload`) and decorators everywhere"),
    Corpus("rxjs", "npm", "rxjs", "7.8.2", "ts", "TypeScript sources with many overload signatures"),
    Corpus("cobra", "debian", "golang-github-spf13-cobra-dev", None, "go", "Go: methods on types, grouped declarations"),
    Corpus("serde_json", "debian", "librust-serde-json-dev", None, "rust", "Rust: impl blocks, traits, attributes, macros"),
    Corpus("attrs", "pypi", "attrs", "23.2.0", "python", "class decorators, descriptors, conditional definitions"),
    Corpus("query-core", "npm", "@tanstack/query-core", "5.59.0", "ts", "generic classes, overloads, arrow members"),
    Corpus("gorilla-mux", "debian", "golang-github-gorilla-mux-dev", None, "go", "Go: a router with many small methods"),
    Corpus("regex-syntax", "debian", "librust-regex-syntax-dev", None, "rust", "Rust: a parser, big enums and matches"),
]
EXTENSIONS = {"python": (".py",), "ts": (".ts", ".tsx"), "go": (".go",), "rust": (".rs",)}


def cache_dir() -> Path:
    return Path(os.environ.get("IMI_CORPUS_CACHE") or Path.home() / ".cache" / "imi" / "anchor-corpus")


def by_name(name: str) -> Corpus:
    for corpus in CORPORA:
        if corpus.name == name:
            return corpus
    raise SystemExit(f"unknown code base {name!r}; known: {', '.join(c.name for c in CORPORA)}")


def cached(corpus: Corpus) -> Path | None:
    """The folder holding the code base's sources, or None when it is not fetched yet."""
    folder = cache_dir() / corpus.name
    return folder if (folder / ".complete").is_file() else None


def source_files(corpus: Corpus, root: Path) -> list[Path]:
    """The code base's source files of its language (tests included, generated and vendored folders not)."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in EXTENSIONS[corpus.language] and not path.name.endswith(".d.ts"):
            if not any(part in ("node_modules", "dist", "vendor") for part in path.relative_to(root).parts):
                found.append(path)
    return found


def _run(args: list[str], cwd: Path) -> None:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {(result.stderr or result.stdout).strip()[-400:]}")


def _download(corpus: Corpus, work: Path) -> Path:
    """Download the package into `work` and return the archive."""
    if corpus.registry == "pypi":
        _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
              "-d", str(work), f"{corpus.package}=={corpus.version}"], work)
    elif corpus.registry == "npm":
        _run(["npm", "pack", "--silent", f"{corpus.package}@{corpus.version}"], work)
    else:
        try:
            _run(["apt-get", "download", corpus.package], work)
        except RuntimeError:  # package lists not fetched yet on this machine
            _run(["apt-get", "update", "-qq"], work)
            _run(["apt-get", "download", corpus.package], work)
    archives = [p for p in work.iterdir() if p.suffix in (".gz", ".tgz", ".deb", ".zip")]
    if len(archives) != 1:
        raise RuntimeError(f"expected one archive for {corpus.name}, found {[p.name for p in work.iterdir()]}")
    return archives[0]


def _unpack(archive: Path, into: Path) -> None:
    if archive.suffix == ".deb":
        _run(["dpkg-deb", "-x", str(archive), str(into)], archive.parent)
        return
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")


def fetch(corpus: Corpus) -> Path:
    """The code base's folder, downloaded and unpacked first if it is not cached."""
    folder = cached(corpus)
    if folder:
        return folder
    folder = cache_dir() / corpus.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        archive = _download(corpus, Path(tmp))
        _unpack(archive, folder)
        (folder / ".complete").write_text(archive.name + "\n")
    return folder


def label(corpus: Corpus) -> str:
    """`name version` as fetched (the archive's name tells Debian's version)."""
    folder = cached(corpus)
    archive = (folder / ".complete").read_text().strip() if folder else ""
    if corpus.registry == "debian" and archive:
        return f"{corpus.package} {archive.split('_')[1]}"
    return f"{corpus.package} {corpus.version}"


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("fetch", "list"):
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        return 2
    wanted = [by_name(n) for n in argv[1:]] or CORPORA
    for corpus in wanted:
        if argv[0] == "fetch":
            try:
                fetch(corpus)
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
                print(f"{corpus.name}: {error}", file=sys.stderr)
                return 1
        print(f"{corpus.name:12} {corpus.language:7} {cached(corpus) or 'not fetched'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
