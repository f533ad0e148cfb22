"""Errors a user can cause. The front ends turn them into one line and an exit code."""


class ImiError(Exception):
    """A problem the user can fix; `exit_code` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(ImiError):
    """Bad arguments: exit code 2."""

    exit_code = 2


class NotFound(ImiError):
    """No record matches an id or prefix."""


class Conflict(ImiError):
    """The request is valid but the current state refuses it (claimed, done, ambiguous)."""
