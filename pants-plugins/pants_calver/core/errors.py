"""The user-facing errors of the plugin: one base, a subclass per kind, with no Pants import.

A goal catches `CalverError` and prints its message as one `error: ...` line, with no traceback:
every message names the file (and line) or the option at fault, and ends with what to do. Drift
that a check reports is not an exception but a `pants_calver.core.problems.Problem`.
"""

from __future__ import annotations


class CalverError(Exception):
    """A mistake in the repo, its settings or the command that stops a goal.

    `code` is stable, for machine-readable output (`--output-format=json` and `github`).
    """

    code = "error"


class SettingError(CalverError):
    """An option's value cannot be used (`[calver].release_months`, a template, a pattern)."""

    code = "setting-invalid"


class RepoError(CalverError):
    """Pants cannot read the repo's targets (a BUILD file that is not Python, an invalid field)."""

    code = "repo-unreadable"


class VersionError(CalverError):
    """A version text outside the scheme. `expected`, when known, is what to write instead."""

    code = "version-invalid"

    def __init__(self, message: str, expected: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


class CommandError(CalverError):
    """The command asks for something that cannot be done (`--to` with `--next`, no version)."""

    code = "command-invalid"


class PlanError(CalverError):
    """The repo cannot be bumped as asked; `problems` (printed before the message) say where."""

    code = "plan-refused"

    def __init__(self, message: str, problems: tuple = ()) -> None:
        super().__init__(message)
        self.problems = problems


class ReleaseError(CalverError):
    """A release step that cannot go ahead: a git precondition, a branch that cannot be cut."""

    code = "release-refused"


class GitError(CalverError):
    """A git command failed; the message names the command and what git said."""

    code = "git-failed"


class RefError(CalverError):
    """A value from a flag or option that must name a commit, or be a branch or tag name, and
    does not: it names nothing git knows, git would read it as an option, or git refuses the name."""

    code = "ref-invalid"


class InputFileError(CalverError):
    """A file that a goal reads is not in the shape it needs (a migration, the export record).
    `line` is None when the whole file is at fault."""

    code = "input-file-invalid"

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line
