"""`install_requires` and `extras_require` of setup.cfg files, read as configparser and setuptools
read them."""

from __future__ import annotations

import ast
import configparser
import io
import re

from pants_calver.core.versions.formats.found import Found, Located, located
from pants_calver.core.versions.formats.requirements_txt import COMMENT
from pants_calver.core.problems import Problem, unreadable
from pants_calver.core.text import split_lines

_INI_SECTION = re.compile(r"^\[([^\]]+)\]")
_INI_KEY = re.compile(r"^(.*?)\s*[=:]\s*")  # configparser's own rule: a key is anything before = or :


def find(path: str, text: str) -> Found:
    """The requirements of a setup.cfg, the files its `file:` directives name, and what
    configparser refuses in it."""
    found, includes = _requirements(text)
    return Found(tuple(found), tuple(includes), tuple(_parser_problems(path, text)))


def _requirements(text: str) -> tuple[list[Located], list[str]]:
    """`install_requires` in `[options]` and every key of `[options.extras_require]`, read as
    configparser and setuptools do (blank and comment lines inside a value, `install-requires`
    with a dash), and the files a `file:` directive names."""
    found: list[Located] = []
    includes: list[str] = []
    section = ""
    collecting = False
    key_indent: int | None = None  # the indentation of the key whose value is being read
    for number, line in enumerate(split_lines(text), start=1):
        section_match = _INI_SECTION.match(line)
        if section_match:
            section, collecting, key_indent = section_match.group(1), False, None  # spaces are kept
            continue
        if not line.strip() or line.lstrip().startswith(("#", ";")):
            continue  # A blank or comment line does not end a multi-line value.
        indent = len(line) - len(line.lstrip())
        if key_indent is None or indent <= key_indent:
            # As configparser reads it: a line no deeper than the last key starts a new key.
            key = _INI_KEY.match(line[indent:])
            key_indent = indent
            name = key.group(1).replace("-", "_") if key else ""  # setuptools reads `install-requires` too
            collecting = bool(key) and (
                (section == "options" and name == "install_requires") or section == "options.extras_require"
            )
            if not collecting or key is None:
                continue
            value_start = indent + key.end()
        elif not collecting:
            continue
        else:
            value_start = 0
        value = line[value_start:]
        comment = COMMENT.search(value)
        stripped = (value[: comment.start()] if comment else value).strip()
        if stripped.startswith("file:"):
            includes.extend(stripped[len("file:") :].replace(",", " ").split())
        elif stripped:
            found.append(located(stripped, number, value_start + value.index(stripped)))
    return found, includes


def _parser_problems(path: str, text: str) -> list[Problem]:
    """What configparser, which setuptools reads setup.cfg with, refuses in the file."""
    try:
        # As setuptools reads the file: text mode, so `\r` ends a line too.
        configparser.ConfigParser(interpolation=None).read_file(io.StringIO(text, newline=None), source=path)
    except configparser.ParsingError as e:
        if not getattr(e, "errors", None):  # MissingSectionHeaderError is one, without `errors`
            return [
                unreadable(
                    path, getattr(e, "lineno", 1), "this is not a valid setup.cfg: it has no section header"
                )
            ]
        line, content = e.errors[0]  # configparser keeps the line as its repr
        shown = ast.literal_eval(content).strip() if content[:1] in "'\"" else content
        return [
            unreadable(path, line, f"this is not a valid setup.cfg: `{shown}` is no section, key or value")
        ]
    except configparser.Error as e:
        line = getattr(e, "lineno", None) or 1
        return [unreadable(path, line, f"this is not a valid setup.cfg: {e.message.splitlines()[0]}")]
    return []
