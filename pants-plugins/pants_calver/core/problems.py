"""A disagreement with the version scheme, as every check reports it, with no Pants import.

Scanners, the repo check and the bump planner all say what is wrong as `Problem`s; the goals print
them as text (`path:line: message`), GitHub annotations or JSON. Problems are drift, a report: a
mistake that stops a goal outright is a `pants_calver.core.errors.CalverError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterable


@dataclass(frozen=True)
class Problem:
    """One disagreement at `path:line` (line 0 when it is about the whole file).

    `code` is stable, for machine-readable reports; `message` ends with the fix. `found` and
    `expected`, when known, are the text as written and what to write instead.
    """

    path: str
    line: int
    code: str
    message: str
    found: str = ""
    expected: str = ""

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


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
