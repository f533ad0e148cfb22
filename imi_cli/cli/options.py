"""Click pieces shared by the command modules: the App decorator and the `--files` option."""

from __future__ import annotations

import click

from .app import App

pass_app = click.make_pass_decorator(App)


def files_option(func):
    """`--files a,b` (alias `--relevant-files`), repeatable: paths, globs, `path:10-15`, `path#symbol`."""
    return click.option("--files", "--relevant-files", "files", multiple=True, metavar="PATHS",
                        help="Comma-separated repo-relative paths or globs this record is about "
                             "(path:10-15 for lines, path#name for a symbol).")(func)
