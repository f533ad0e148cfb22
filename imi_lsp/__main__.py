"""Entry point for `imi-lsp` and `python -m imi_lsp`."""

import sys


def main() -> None:
    sys.stderr.write("imi-lsp: not built yet\n")
    sys.exit(1)


if __name__ == "__main__":
    main()
