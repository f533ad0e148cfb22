"""Entry point for `imi-lsp` and `python -m imi_lsp`: stdio by default, TCP on request."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="imi-lsp", description="Language server for IMI project memory.")
    parser.add_argument("--version", action="version", version=f"imi-lsp {__version__}")
    parser.add_argument("--stdio", action="store_true", help="Talk over stdin/stdout (the default).")
    parser.add_argument("--tcp", action="store_true", help="Listen on TCP instead of stdio.")
    parser.add_argument("--host", default="127.0.0.1", help="TCP host (default %(default)s).")
    parser.add_argument("--port", type=int, default=2087, help="TCP port (default %(default)s).")
    parser.add_argument("--db", type=Path, metavar="PATH",
                        help="Use this database for every folder (default: each folder's .imi/state.db; IMI_DB).")
    parser.add_argument("--log-file", type=Path, metavar="FILE", help="Also write the log to FILE.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="More logging (-vv for protocol detail).")
    return parser.parse_args(argv)


def setup_logging(verbose: int, log_file: Path | None) -> None:
    """Logs go to stderr (and a file): stdout carries only the protocol."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    logging.basicConfig(level=level, handlers=handlers, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if verbose < 2:
        logging.getLogger("pygls").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> None:
    """Run the server until the client says exit."""
    args = parse_args(argv)
    try:
        setup_logging(args.verbose, args.log_file)
    except OSError as exc:
        sys.stderr.write(f"imi-lsp: error: cannot write the log file: {exc}\n")
        sys.exit(2)
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print() must never corrupt the protocol stream
    from .server import create_server

    db = args.db.expanduser().absolute() if args.db else None
    server = create_server(db)
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        server.start_io(stdout=protocol_out)


if __name__ == "__main__":
    main()
