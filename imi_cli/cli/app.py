"""The object every command receives: output settings, agent flag, and the project, opened on first use."""

from __future__ import annotations

import sys

from ..memory import Project, tracked_warning
from .output import Output


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
            sys.stderr.write(f"imi: warning: {tracked_warning(rel)}\n")

    def close(self) -> None:
        if self._project is not None:
            self._project.close()
