"""Requirement lines of pip requirements files (`requirements.txt`, `-r` includes, constraints)."""

from __future__ import annotations

import re

from pants_calver.core.formats.found import Found, Located
from pants_calver.core.problems import Problem, unreadable
from pants_calver.core.text import split_lines

_OPTION = re.compile(r"(?:^|\s)(--?[A-Za-z][\w-]*)")
COMMENT = re.compile(r"(?:^|\s)#")

_INCLUDE_OPTIONS = ("-r", "-c", "--requirement", "--constraint")


def _include(words: list[str]) -> tuple[str | None, str | None]:
    """The file an option line includes (`-r x`, `-rx`, `--requirement=x`), or why it names none;
    (None, None) for other options."""
    first = words[0]
    for option in _INCLUDE_OPTIONS:
        if first == option:
            return (words[1], None) if len(words) > 1 else (None, f"`{first}` names no file")
        if first.startswith(option + "="):
            path = first[len(option) + 1 :]
            return (path, None) if path else (None, f"`{first}` names no file")
        if len(option) == 2 and first.startswith(option) and first[2:3] not in ("", "-"):
            return first[2:], None
    return None, None


def _logical_lines(text: str) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    """Each logical line, comments cut and `\\` continuations joined (also one at the end of the
    file), with the (line, column) of each of its characters."""
    logical: list[tuple[str, tuple[tuple[int, int], ...]]] = []
    chars: list[str] = []
    positions: list[tuple[int, int]] = []
    for number, raw in enumerate(split_lines(text), start=1):
        line = raw
        comment = COMMENT.search(line)
        if comment:
            line = line[: comment.start()]
        continued = line.endswith("\\")
        if continued:
            line = line[:-1]
        chars.extend(line)
        positions.extend((number, i) for i in range(len(line)))
        if not continued:
            logical.append(("".join(chars), tuple(positions)))
            chars, positions = [], []
    if chars:
        logical.append(("".join(chars), tuple(positions)))
    return logical


def find(path: str, text: str) -> Found:
    """Requirement lines of a pip requirements file, the files it includes with `-r`/`-c`, and
    what cannot be read."""
    found: list[Located] = []
    includes: list[str] = []
    problems: list[Problem] = []
    for logical, positions in _logical_lines(text):
        start = len(logical) - len(logical.lstrip())
        option = _OPTION.search(logical)
        end = option.start() if option else len(logical)
        requirement = logical[start:end].rstrip()
        if option and not requirement:
            include, error = _include(logical.split())
            if include:
                includes.append(include)
            if error:
                problems.append(unreadable(path, positions[start][0], error))
        elif requirement:
            found.append(
                Located(
                    requirement,
                    positions[start : start + len(requirement)],
                    hashed=bool(option) and "--hash" in logical[end:],
                )
            )
    return Found(tuple(found), tuple(includes), tuple(problems))
