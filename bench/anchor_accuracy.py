"""How often IMI's symbol finder agrees with a real parser on real code, and the "## Accuracy on real
code" section of docs/anchors.md.

    python bench/anchor_accuracy.py              # fetch (cached) the code bases, measure, update the docs
    python bench/anchor_accuracy.py --no-docs    # print only
    python bench/anchor_accuracy.py requests     # some code bases only (implies --no-docs)

Every top-level function, class and method the reference (bench/anchor_reference.py: `ast`
for Python, tree-sitter for the others) finds in a code base is looked up by name with
`find_symbol`, and counts as a hit when the lines are exactly the reference's.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import anchor_corpus  # noqa: E402
from anchor_reference import reference  # noqa: E402

DOCS = REPO / "docs" / "anchors.md"
HEADING = "## Accuracy on real code"
TARGETS = {"python": 1.0, "ts": 0.99, "go": 0.99, "rust": 0.99}


def find_symbol(lines, path, name):
    from imi_cli.memory import find_symbol as find

    return find(lines, path, name)


@dataclass
class Result:
    corpus: anchor_corpus.Corpus
    files: int = 0
    symbols: int = 0
    hits: int = 0
    skipped_files: list[str] = field(default_factory=list)  # the reference could not parse them
    misses: list[tuple[str, str, tuple[int, int], tuple[int, int] | None]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def accuracy(self) -> float:
        return self.hits / self.symbols if self.symbols else 1.0

    @property
    def meets_target(self) -> bool:
        return self.accuracy >= TARGETS[self.corpus.language]


def measure(corpus: anchor_corpus.Corpus, root: Path | None = None) -> Result:
    """Look up every symbol the reference finds in the code base (fetched first if needed)."""
    root = root or anchor_corpus.fetch(corpus)
    result = Result(corpus)
    for path in anchor_corpus.source_files(corpus, root):
        text = path.read_bytes().decode("utf-8", errors="replace")
        relative = path.relative_to(root).as_posix()
        try:
            expected = reference(text, corpus.language)
        except SyntaxError:
            result.skipped_files.append(relative)
            continue
        lines = text.splitlines()
        result.files += 1
        started = time.perf_counter()
        for name, span in expected.items():
            got = find_symbol(lines, relative, name)
            result.symbols += 1
            if got == span:
                result.hits += 1
            else:
                result.misses.append((relative, name, span, got))
        result.seconds += time.perf_counter() - started
    return result


def _miss_line(miss) -> str:
    path, name, span, got = miss
    found = f"lines {got[0]}-{got[1]}" if got else "not found"
    return f"`{path}` `{name}`: lines {span[0]}-{span[1]}, found {found}"


def render(results: list[Result]) -> str:
    lines = [HEADING, "",
             "Measured by `python bench/anchor_accuracy.py` (code bases fetched from the registries and cached",
             "under `~/.cache/imi/anchor-corpus`): every top-level function, class and method that a real",
             "parser finds (`ast` for Python, tree-sitter for TypeScript, Go and Rust) is looked up by name,",
             "and counts when IMI's lines are exactly the parser's (decorators and attributes included, by the",
             "rules of [Finding symbols](#finding-symbols-without-a-toolchain); computed names such as",
             "`[Symbol.iterator]` cannot be written as `path#symbol` and are not counted; a comment between two",
             "Rust attributes does not part them from their item). The time is per symbol, each file's outline",
             "built once.", "",
             "| code base | language | files | symbols | exact | accuracy | target | time |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        per = r.seconds / r.symbols * 1000 if r.symbols else 0
        lines.append(f"| {anchor_corpus.label(r.corpus)} | {r.corpus.language} | {r.files} | {r.symbols} | {r.hits} "
                     f"| {r.accuracy:.2%} | {TARGETS[r.corpus.language]:.0%} | {per:.2f} ms a symbol |")
    misses = [(r, m) for r in results for m in r.misses]
    lines.append("")
    if misses:
        lines.append("The misses:")
        lines.append("")
        lines += [f"- {r.corpus.name}: {_miss_line(m)}" for r, m in misses]
    else:
        lines.append("No misses.")
    skipped = [(r, f) for r in results for f in r.skipped_files]
    if skipped:
        lines += ["", "Files the reference parser rejects (not counted): "
                  + ", ".join(f"{r.corpus.name} `{f}`" for r, f in skipped) + "."]
    return "\n".join(lines) + "\n"


def write_section(docs: Path, heading: str, section: str) -> None:
    """Put `section` (starting with `heading`) in place of the old one in `docs`, or at its end."""
    text = docs.read_text()
    start = text.find(heading)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + section + ("\n" + text[end + 1:] if end != -1 else "")
    docs.write_text(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", help="code bases to measure (default: all)")
    parser.add_argument("--no-docs", action="store_true", help="print only, do not update docs/anchors.md")
    args = parser.parse_args(argv)
    wanted = [anchor_corpus.by_name(n) for n in args.corpora] or anchor_corpus.CORPORA
    results = [measure(corpus) for corpus in wanted]
    section = render(results)
    print(section)
    if not args.no_docs and not args.corpora:
        write_section(DOCS, HEADING, section)
    return 0 if all(r.meets_target for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
