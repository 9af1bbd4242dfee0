"""The user-facing errors of the plugin: one base, a subclass per kind, with no Pants import.

Every error class of the plugin is here. A goal catches `CalverError` and prints it with
`pants_calver.goals.output.print_error` (one `error: ...` line, an annotation or a JSON document),
with no traceback: every message names the file (and line) or the option at fault, and ends with
what to do. What a check reports (drift, a commit that breaks the backport rule, a migration file
that cannot be read) is not an exception but a `pants_calver.core.problems.Problem`.
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


class MissingObjectsError(GitError):
    """`git cat-file --batch` has no such object: a partial clone that cannot fetch, or a damaged
    repository. `missing` names them."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        self.missing = missing
        super().__init__(
            f"git has no object {', '.join(missing)}, which the branch's tree names. Fetch the "
            "branch again (`git fetch`), or see what else is missing with `git fsck`."
        )


class RefError(CalverError):
    """A value from a flag or option that must name a commit, or be a branch or tag name, and
    does not: it names nothing git knows, git would read it as an option, or git refuses the name."""

    code = "ref-invalid"


class InputFileError(CalverError):
    """A file that a goal reads is not in the shape it needs (the export record).
    `line` is None when the whole file is at fault."""

    code = "input-file-invalid"

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line
