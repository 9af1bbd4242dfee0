"""The shapes every format scanner returns, with no Pants import."""

from __future__ import annotations

from dataclasses import dataclass

from pants_calver.core.problems import Problem


@dataclass(frozen=True)
class Located:
    """A requirement text and, for each of its characters, the (line, column) it came from."""

    text: str
    positions: tuple[tuple[int, int], ...]
    hashed: bool = False

    @property
    def line(self) -> int:
        return self.positions[0][0] if self.positions else 0


def located(text: str, line: int, column: int) -> Located:
    """A text that stands on one line, from `column` on."""
    return Located(text, tuple((line, column + i) for i in range(len(text))))


@dataclass(frozen=True)
class Found:
    """What a scanner found in one file: requirement texts, included files, and what it cannot read."""

    requirements: tuple[Located, ...] = ()
    includes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
