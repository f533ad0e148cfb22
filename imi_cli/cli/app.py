"""What every command receives: how it prints (Output), the agent flag, and the project, opened on first use."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing costs milliseconds at every start
if TYPE_CHECKING:
    from ..memory import Project


class Output:
    """Shared by every command: `--json`, colour, and where text goes."""

    def __init__(self, as_json: bool = False):
        self.as_json = as_json
        self.color = sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"

    def json(self, payload) -> None:
        """Print one JSON document (sorted keys, UTF-8)."""
        from ..memory import json_dumps

        indent = 2 if sys.stdout.isatty() else None  # pipes get one compact line: agents parse it, people read a terminal
        sys.stdout.write(json_dumps(payload, ensure_ascii=False, sort_keys=True, indent=indent) + "\n")

    def text(self, text: str = "") -> None:
        """Print text; `## ` headings are bold on a colour terminal."""
        if self.color:
            text = "\n".join(f"\x1b[1m{line}\x1b[0m" if line.startswith(("#", "##")) else line
                             for line in text.split("\n"))
        sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))

    def result(self, payload: dict, text: str) -> None:
        """Print `payload` as JSON or `text`, whichever the user asked for."""
        if self.as_json:
            self.json(payload)
        else:
            self.text(text)


class App:
    """Per-invocation state shared by the click commands."""

    def __init__(self, output: Output, agent_flag: str | None = None):
        self.out = output
        self.agent_flag = agent_flag
        self._project: Project | None = None
        self._opening_notices = 0

    def project(self) -> Project:
        """The project memory, found by walking up (or IMI_DB); opened once."""
        if self._project is None:
            from ..memory import Project

            self._project = Project.open(agent=self.agent_flag)
            self._opening_notices = len(self._project.notices)
        return self._project

    def notices(self, succeeded: bool) -> list[str]:
        """What the project says besides the result: what opening it did (always), and what the command
        did (only when it succeeded: a failed command did nothing)."""
        if self._project is None:
            return []
        notices = self._project.notices
        return notices if succeeded else notices[:self._opening_notices]

    def adopt(self, project: Project) -> None:
        """Use (and later close) a project opened elsewhere."""
        self._project = project

    def caught_up(self):
        """What catching up with git's changes did since the project was opened (a SyncReport), or None."""
        return self._project.caught_up if self._project is not None else None

    def warn_if_database_in_git(self) -> None:
        """One warning line when git tracks the database (status, sync, init say it; doctor fixes it)."""
        rel = self.project().database_in_git()
        if rel:
            from ..memory import tracked_warning  # loads the health checks: only status, sync and init ask

            sys.stderr.write(f"imi: warning: {tracked_warning(rel)}\n")

    def close(self) -> None:
        if self._project is not None:
            self._project.close()
