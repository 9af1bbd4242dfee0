"""The requirement strings of `python_requirement(requirements=[...])` calls in BUILD files, and
the `name` and `version` of `python_artifact(...)` calls."""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass

from pants_calver.core.versions.formats.found import Found, Located, located
from pants_calver.core.problems import Problem, unreadable
from pants_calver.core.text import LONE_CR

_SKIPPED_TOKENS = (tokenize.NL, tokenize.COMMENT, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    """The file's tokens but layout and comments; raises what tokenize raises for broken text."""
    return [
        token
        # tokenize does not end a line at a lone `\r`, as Python's compiler and `split_lines`
        # do: make it a `\n` (same length, so every column stays) before tokenizing.
        for token in tokenize.generate_tokens(io.StringIO(LONE_CR.sub("\n", text)).readline)
        if token.type not in _SKIPPED_TOKENS
    ]


def find(path: str, text: str) -> Found:
    """String literals in `requirements=[...]` (or a tuple) of `python_requirement(...)` calls.

    An element that is not a plain string (`"x==%s" % V`, a name, a call) is reported: its
    version cannot be read or rewritten.
    """
    try:
        tokens = _tokens(text)
    except (tokenize.TokenError, SyntaxError) as e:
        return Found(problems=(unreadable(path, 1, f"cannot read this BUILD file: {e}"),))
    found: list[Located] = []
    problems: list[Problem] = []
    for element in _requirement_elements(tokens):
        if len(element) == 1 and element[0].type == tokenize.STRING:
            string = _plain_string(path, element[0], problems)
            if string:
                found.append(string)
        else:
            problems.append(
                unreadable(
                    path,
                    element[0].start[0],
                    "a requirement here is not a plain string, so its version can be neither checked "
                    "nor rewritten; write it as one string literal",
                )
            )
    return Found(tuple(found), problems=tuple(problems))


def _requirement_elements(tokens: list[tokenize.TokenInfo]) -> list[list[tokenize.TokenInfo]]:
    """The tokens of each element of a `requirements=[...]` list or tuple that is an argument of a
    `python_requirement(...)` call, found by bracket depth."""
    elements: list[list[tokenize.TokenInfo]] = []
    call_depth: int | None = None
    list_depth: int | None = None
    depth = 0
    element: list[tokenize.TokenInfo] = []

    def end_element() -> None:
        if element:
            elements.append(list(element))
        element.clear()

    for i, token in enumerate(tokens):
        opens = token.type == tokenize.OP and token.string in "([{"
        closes = token.type == tokenize.OP and token.string in ")]}"
        if list_depth is not None and depth == list_depth and not closes and token.string != ",":
            element.append(token)
        elif list_depth is not None and depth == list_depth and token.string == ",":
            end_element()
        if opens:
            depth += 1
            if call_depth is not None and list_depth is None and depth == call_depth + 1:
                list_depth = depth if _opens_requirements(tokens, i) else None
        elif closes:
            if list_depth is not None and depth == list_depth:
                end_element()
                list_depth = None
            if call_depth is not None and depth == call_depth:
                call_depth = None
            depth -= 1
        elif token.type == tokenize.NAME and token.string == "python_requirement":
            if i + 1 < len(tokens) and tokens[i + 1].string == "(":
                call_depth = depth + 1
    return elements


def _opens_requirements(tokens: list[tokenize.TokenInfo], i: int) -> bool:
    """Whether `tokens[i]` is the `[` or `(` of `requirements=[`."""
    return (
        tokens[i].string in "[("
        and i >= 2
        and tokens[i - 1].string == "="
        and tokens[i - 2].string == "requirements"
    )


def _plain_string(path: str, token: tokenize.TokenInfo, problems: list[Problem]) -> Located | None:
    """A plain one-line string literal's text and place; anything else is reported."""
    string = _string_body(token)
    if string is None:
        problems.append(
            unreadable(
                path, token.start[0], f"write the requirement {token.string} as a plain one-line string"
            )
        )
    return string


def _string_body(token: tokenize.TokenInfo) -> Located | None:
    """The body and place of a plain one-line string literal (any quotes, no prefix, no escape);
    None for anything else."""
    (row, column), (end_row, _) = token.start, token.end
    raw = token.string
    body_start = len(raw) - len(raw.lstrip("rRbBuUfF"))
    quote = (
        raw[body_start : body_start + 3]
        if raw[body_start : body_start + 3] in ('"""', "'''")
        else raw[body_start]
    )
    body = raw[body_start + len(quote) : len(raw) - len(quote)]
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        value = None
    if value != body or end_row != row or body_start:
        return None
    return located(body, row, column + len(quote))


# The names Pants 2.17 registers for `PythonArtifact` in BUILD files.
_ARTIFACT_CALLS = ("python_artifact", "setup_py")


@dataclass(frozen=True)
class ArtifactCall:
    """A `python_artifact(...)` call: the `name` it gives when that is one plain string, and its
    `version=` keyword: the line where its value starts (0 when there is none) and that value,
    placed, when it is one plain one-line string literal."""

    line: int
    name: str | None
    version_line: int = 0
    version: Located | None = None


def find_artifacts(text: str) -> tuple[ArtifactCall, ...]:
    """Every `python_artifact(...)` call of a BUILD file, found by tokenizing it as Pants' parser
    reads it; raises `tokenize.TokenError` or `SyntaxError` for text that does not tokenize."""
    tokens = _tokens(text)
    return tuple(
        _artifact_call(token, _arguments(tokens, i + 1))
        for i, token in enumerate(tokens)
        if token.type == tokenize.NAME
        and token.string in _ARTIFACT_CALLS
        and i + 1 < len(tokens)
        and tokens[i + 1].string == "("
    )


def _artifact_call(token: tokenize.TokenInfo, arguments: list[list[tokenize.TokenInfo]]) -> ArtifactCall:
    keywords = {
        argument[0].string: argument[2:]
        for argument in arguments
        if len(argument) > 2 and argument[0].type == tokenize.NAME and argument[1].string == "="
    }
    name = _single_string(keywords.get("name", []))
    version = keywords.get("version")
    return ArtifactCall(
        token.start[0],
        name.text if name else None,
        version[0].start[0] if version else 0,
        _single_string(version or []),
    )


def _single_string(value: list[tokenize.TokenInfo]) -> Located | None:
    """The value of an argument when it is one plain one-line string literal."""
    return _string_body(value[0]) if len(value) == 1 and value[0].type == tokenize.STRING else None


def _arguments(tokens: list[tokenize.TokenInfo], open_index: int) -> list[list[tokenize.TokenInfo]]:
    """The tokens of each argument of the call whose `(` is `tokens[open_index]`, split at the
    commas of its own bracket depth."""
    arguments: list[list[tokenize.TokenInfo]] = [[]]
    depth = 0
    for token in tokens[open_index:]:
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
            if depth == 1:
                continue
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
            if depth == 0:
                break
        elif depth == 1 and token.string == ",":
            arguments.append([])
            continue
        arguments[-1].append(token)
    return [argument for argument in arguments if argument]
