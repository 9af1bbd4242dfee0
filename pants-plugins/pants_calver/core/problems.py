"""What is wrong, as every check reports it, with no Pants import: one `Problem` type.

Scanners, the repo check and the bump planner (about a file and line), the backport rule (about a
commit), the migration plan and the reader of migration files (about the database, or a file) all
say what is wrong as `Problem`s; `pants_calver.goals.output` prints them as text, GitHub
annotations or JSON. Problems are a report: a mistake that stops a goal outright is a
`pants_calver.core.errors.CalverError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable, Iterable


@dataclass(frozen=True)
class Problem:
    """One thing that is wrong, and where: at `path:line` (line 0 when it is about the whole
    file), in a commit (`commit`, with its `subject`), or neither (`path` empty: the message says
    where).

    `code` is stable, for machine-readable reports, and never empty; `message` ends with the fix.
    `found` and `expected`, when known, are the text as written and what to write instead.
    """

    path: str
    line: int
    code: str
    message: str
    found: str = ""
    expected: str = ""
    commit: str | None = None
    subject: str = ""

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError(f"a Problem needs a code: {self.message!r}")

    @classmethod
    def in_commit(cls, commit: str, subject: str, code: str, message: str) -> Problem:
        """A problem with a commit: `commit` is its sha as printed, `subject` its first line."""
        return cls("", 0, code, message, commit=commit, subject=subject)

    @property
    def location(self) -> str:
        """`path:line`, `path` (line 0), `sha subject` for a commit, or "" when the message says."""
        if self.commit is not None:
            return f"{self.commit} {self.subject}"
        return f"{self.path}:{self.line}" if self.line else self.path

    def text(self, mark: Callable[[str], str] = str) -> str:
        """The one text form of a problem, `location: message` (`mark` highlights the path and
        line, or the commit's sha); the message alone when there is no location."""
        if self.commit is not None:
            return f"{mark(self.commit)} {self.subject}: {self.message}"
        return f"{mark(self.location)}: {self.message}" if self.path else self.message


# What a scanner reports for a requirement it cannot read, check or rewrite.
REQUIREMENT_INVALID = "requirement-invalid"


def unreadable(path: str, line: int, message: str) -> Problem:
    """A requirement source (or part of one) that cannot be read as requirements."""
    return Problem(path, line, REQUIREMENT_INVALID, message)


def in_file_order(problems: Iterable[Problem]) -> list[Problem]:
    """Problems sorted by file, line and code, as every report prints them."""
    return sorted(problems, key=lambda p: (p.path, p.line, p.code))


def plural(count: int, word: str) -> str:
    """`1 pin`, `2 pins`."""
    return f"{count} {word}{'' if count == 1 else 's'}"
