"""Requirements of pip requirements files (`requirements.txt`, `-r` includes, constraints), read
as pip 24.2 reads them: its lines (`pip_lines`), and what each requirement installs
(`pip_reference`). A line pip reads is never skipped: it is a requirement (placed character by
character, so that a rewrite lands on the right bytes), an include, an option, or it is reported
with the reason pip refuses it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pants_calver.core.versions.formats import pip_reference
from pants_calver.core.versions.formats.found import Found, Located
from pants_calver.core.versions.formats.pip_lines import ENV_VAR_RE, NOWHERE, PipLine, pip_lines
from pants_calver.core.problems import Problem, unreadable
from pants_calver.core.text import split_lines

# setuptools' inline comment in a setup.cfg value (setup_cfg.py): not pip's rule, which is
# `pip_lines.COMMENT_RE`.
COMMENT = re.compile(r"(?:^|\s)#")


@dataclass(frozen=True)
class PipRequirement(Located):
    """A requirement as pip reads it: `text` is the whole requirement (its marker included),
    `number` the line pip gives it, `name` the distribution it names (None when it names none),
    `direct` true for a URL or a path (no version to keep in sync), and for a PEP 508 requirement
    its `specifier` as pip reads it, at `span` in `text`."""

    number: int = 0
    name: str | None = None
    direct: bool = False
    specifier: str = ""
    span: tuple[int, int] = (0, 0)

    @property
    def line(self) -> int:
        return self.number


def find(path: str, text: str) -> Found:
    """The requirements pip reads from a requirements file, the files it includes with `-r`/`-c`,
    and what pip refuses."""
    place = _Places(text)
    found: list[Located] = []
    includes: list[str] = []
    problems: list[Problem] = []
    for line in pip_lines(text):
        if line.error:
            problems.append(
                unreadable(
                    path,
                    line.number,
                    f"pip cannot read `{line.options}`: {line.error.rstrip('.')}; fix or remove it",
                )
            )
        elif line.include is not None:
            if line.include:
                includes.append(line.include)
            else:
                problems.append(unreadable(path, line.number, f"`{line.options}` names no file; name one"))
        elif line.editable or line.requirement:
            requirement = _requirement(path, line, place)
            if isinstance(requirement, Problem):
                problems.append(requirement)
            else:
                found.append(requirement)
    return Found(tuple(found), tuple(includes), tuple(problems))


def _requirement(path: str, line: PipLine, place: _Places) -> PipRequirement | Problem:
    """What one requirement line installs, or why pip refuses it."""
    positions: tuple[tuple[int, int], ...] = ()
    if line.editable:
        text = line.editable
        reading = pip_reference.read_editable(text)
    else:
        text, positions = line.requirement, tuple(place(offset) for offset in line.offsets)
        reading = pip_reference.read_line(text)
    if reading.error:
        variable = ENV_VAR_RE.search(text)
        if variable:
            return unreadable(
                path,
                line.number,
                f"`{text}`: pip reads `{variable.group()}` from the environment, so this requirement can be "
                "neither checked nor rewritten; write its value, or edit it by hand",
            )
        return unreadable(
            path,
            line.number,
            f"cannot parse requirement `{text}`: {reading.error.rstrip('.')}; write it as pip reads it "
            "(PEP 508, a URL or a path)",
        )
    parsed = reading.requirement
    # pip reads the requirement with the white space before its options (`x  --hash`); it strips
    # that itself, and so does the text shown.
    shown = text.rstrip()
    return PipRequirement(
        shown,
        positions[: len(shown)],
        hashed=line.hashed,
        number=line.number,
        name=reading.name,
        direct=reading.direct,
        specifier=parsed.specifier if parsed else "",
        span=(reading.start + parsed.span[0], reading.start + parsed.span[1]) if parsed else (0, 0),
    )


class _Places:
    """The (line, column) of an offset in the text, lines broken as an editor breaks them
    (`text.split_lines`): pip's line breaks are not all line breaks there."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        for line in split_lines(text, keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def __call__(self, offset: int) -> tuple[int, int]:
        if offset == NOWHERE:
            return (0, 0)
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index]
