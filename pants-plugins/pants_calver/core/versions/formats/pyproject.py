"""`[project]` dependencies and optional dependencies of pyproject.toml files, and `[project]
version`, held to what a TOML parser reads."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import toml

from pants_calver.core.versions.formats.found import Found, Located, located
from pants_calver.core.problems import Problem, unreadable
from pants_calver.core.text import split_lines

_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ARRAY_KEY = re.compile(r"^\s*([A-Za-z0-9_.\"'-]+)\s*=\s*\[")
_VERSION_KEY = re.compile(r"""^\s*(?:version|"version"|'version')\s*=\s*""")


def find(path: str, text: str) -> Found:
    """`[project]` dependencies and `[project.optional-dependencies]` of a pyproject.toml."""
    found: list[Located] = []
    problems: list[Problem] = []
    lines = split_lines(text)
    table = ""
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        header = _TABLE.match(line)
        if header:
            table = ".".join(part.strip().strip("\"'") for part in header.group(1).split("."))
            continue
        key = _ARRAY_KEY.match(line)
        if not key:
            continue
        name = key.group(1).strip("\"'")
        if (table == "project" and name == "dependencies") or table == "project.optional-dependencies":
            strings, problem, number = _array_strings(path, lines, number, key.end())
            found.extend(strings)
            problems.extend(problem)
    placed, unplaced = _checked(path, text, found)
    return Found(tuple(placed), problems=(*problems, *unplaced))


def _array_strings(
    path: str, lines: Sequence[str], number: int, column: int
) -> tuple[list[Located], list[Problem], int]:
    """The strings of a TOML array whose `[` is at `lines[number - 1][column - 1]`, what stops
    reading it, and the line number where the array ends."""
    found: list[Located] = []
    line_index, i = number - 1, column
    while line_index < len(lines):
        line = lines[line_index]
        while i < len(line):
            char = line[i]
            if char == "]":
                return found, [], line_index + 1
            if char == "#":
                break
            if char in "\"'":
                end, problem = _string_end(path, line, i, line_index + 1)
                if problem:
                    return found, [problem], line_index + 1
                found.append(located(line[i + 1 : end], line_index + 1, i + 1))
                i = end + 1
                continue
            i += 1
        line_index += 1
        i = 0
    return found, [unreadable(path, number, "unterminated array")], len(lines)


def _string_end(path: str, line: str, i: int, number: int) -> tuple[int, Problem | None]:
    """Where the one-line string that opens at `line[i]` closes, or why it cannot be placed."""
    char = line[i]
    if line.startswith(char * 3, i):
        return i, unreadable(
            path, number, "write one single-line string per requirement, not a multi-line string"
        )
    end = line.find(char, i + 1)
    if end < 0:
        return i, unreadable(path, number, "unterminated string")
    body = line[i + 1 : end]
    if char == '"' and "\\" in body:
        return i, unreadable(path, number, f"write the requirement {body!r} without escapes")
    return end, None


def _checked(path: str, text: str, found: Sequence[Located]) -> tuple[list[Located], list[Problem]]:
    """Hold what the scanner found to what a TOML parser reads: only declared dependencies are
    pins (not look-alikes inside a multi-line string), and a declared one the scanner did not place
    (an inline table, dotted keys) is reported, as is a file that is not TOML."""
    try:
        document = toml.loads(text)
    except toml.TomlDecodeError as e:
        return [], [unreadable(path, e.lineno, f"this is not valid TOML: {e.msg}")]
    except (TypeError, ValueError, IndexError) as e:  # The parser's own slips on odd input.
        return [], [unreadable(path, 1, f"this is not valid TOML: {e}")]
    wanted = Counter(_declared(document))
    placed = []
    for item in found:
        if wanted[item.text]:
            wanted[item.text] -= 1
            placed.append(item)
    unplaced = [
        unreadable(
            path,
            next((i for i, line in enumerate(split_lines(text), 1) if dependency in line), 1),
            f"`{dependency}` cannot be placed in the file to be checked or rewritten; write it as "
            "one string in a `dependencies = [...]` array, or edit it by hand",
        )
        for dependency, count in wanted.items()
        if count
    ]
    return placed, unplaced


def _declared(document: dict) -> list[str]:
    """The dependency strings a parsed pyproject.toml declares in `[project]`."""
    project = document.get("project", {})
    if not isinstance(project, dict):
        return []
    declared = list(project.get("dependencies", []) or [])
    extras = project.get("optional-dependencies", {}) or {}
    if isinstance(extras, dict):
        declared += [dep for deps in extras.values() if isinstance(deps, list) for dep in deps]
    return [dependency for dependency in declared if isinstance(dependency, str)]


@dataclass(frozen=True)
class ProjectVersion:
    """`[project] version` of a pyproject.toml: what a TOML parser reads (`value`: the string, or
    the repr of another value; None when there is none), whether `dynamic` lists it, `[project]
    name`, and the string placed in the file when exactly one plain one-line string there reads as
    `value`. `toml` is False for a file that is not TOML (which `find` reports)."""

    value: str | None = None
    is_text: bool = True
    dynamic: bool = False
    name: str | None = None
    literal: Located | None = None
    line: int = 0
    toml: bool = True


def find_version(text: str) -> ProjectVersion:
    """`[project] version`, read by a TOML parser and placed by the scanner."""
    try:
        document = toml.loads(text)
    except (toml.TomlDecodeError, TypeError, ValueError, IndexError):
        return ProjectVersion(toml=False)
    project = document.get("project")
    if not isinstance(project, dict) or "version" not in project:
        dynamic = isinstance(project, dict) and "version" in (project.get("dynamic") or [])
        return ProjectVersion(dynamic=dynamic)
    value = project["version"]
    name = project.get("name")
    candidates = _version_strings(text)
    placed = [c for c in candidates if isinstance(value, str) and c.text == value]
    return ProjectVersion(
        value=value if isinstance(value, str) else repr(value),
        is_text=isinstance(value, str),
        dynamic="version" in (project.get("dynamic") or []),
        name=name if isinstance(name, str) else None,
        literal=placed[0] if len(placed) == 1 else None,
        line=candidates[0].line if candidates else _version_line(text),
    )


def _version_line(text: str) -> int:
    """The first line that sets a `version` key (dotted, or in an inline table), for a report."""
    lines = split_lines(text)
    return next((i for i, line in enumerate(lines, 1) if re.search(r"\bversion[\"']?\s*=", line)), 1)


def _version_strings(text: str) -> list[Located]:
    """Each one-line string without escapes written as `version = "..."` in the `[project]` table
    (a look-alike inside a multi-line string too: the parser's value tells them apart)."""
    found = []
    table = ""
    for number, line in enumerate(split_lines(text), start=1):
        header = _TABLE.match(line)
        if header:
            table = ".".join(part.strip().strip("\"'") for part in header.group(1).split("."))
            continue
        key = _VERSION_KEY.match(line)
        if table != "project" or not key:
            continue
        quote = line[key.end() : key.end() + 1]
        if quote not in ('"', "'") or line.startswith(quote * 3, key.end()):
            continue
        end = line.find(quote, key.end() + 1)
        body = line[key.end() + 1 : end]
        if end > 0 and not (quote == '"' and "\\" in body):
            found.append(located(body, number, key.end() + 1))
    return found
