"""What the goals share: the output formats, the escaping of GitHub annotations, the one way a
problem is printed in each format, and the one way an error is, so that every exit speaks the
format asked for."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from enum import Enum

from pants.engine.console import Console

from pants_calver.core.errors import CalverError
from pants_calver.core.problems import Problem


class OutputFormat(Enum):
    text = "text"
    github = "github"
    json = "json"


def github_escape(text: str) -> str:
    """Text for a workflow command (`::error ...::text`), which ends at a line break."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def problem_annotation(problem: Problem) -> str:
    """A problem as a workflow annotation: on its file and line when it has a file, else titled by
    its code with the whole text form (`sha subject: message` for a commit)."""
    if problem.path and problem.commit is None:
        where = f"file={problem.path},line={problem.line or 1},"
        return f"::error {where}title={problem.code}::{github_escape(problem.message)}"
    return f"::error title={problem.code}::{github_escape(problem.text())}"


def problem_document(problem: Problem) -> dict:
    """A problem in a JSON report: `sha`, `subject`, `code`, `message` for a commit; `path`,
    `line`, `code`, `message`, `found`, `expected` for a file (no `path` and `line` when the
    problem has no file)."""
    if problem.commit is not None:
        return {
            "sha": problem.commit,
            "subject": problem.subject,
            "code": problem.code,
            "message": problem.message,
        }
    where = {"path": problem.path, "line": problem.line} if problem.path else {}
    return {
        **where,
        "code": problem.code,
        "message": problem.message,
        "found": problem.found,
        "expected": problem.expected,
    }


def problem_lines(
    output_format: OutputFormat, problems: Iterable[Problem], mark: Callable[[str], str] = str
) -> list[str]:
    """Problems as lines of text (`Problem.text`, `mark` highlighting the location) or as workflow
    annotations; for JSON, see `problem_document`."""
    if output_format is OutputFormat.github:
        return [problem_annotation(p) for p in problems]
    return [p.text(mark) for p in problems]


def error_document(code: str, message: str) -> str:
    """The JSON document of an exit on an error: `{"error": {"code": ..., "message": ...}}`."""
    return json.dumps({"error": {"code": code, "message": message}}, indent=2)


def print_error(
    console: Console, output_format: OutputFormat, error: CalverError | str, code: str = ""
) -> None:
    """Print an error that stops a goal, in the format asked for: `error: ...` on stderr for text,
    a workflow annotation for `github`, one JSON document on stdout for `json`.

    `code` defaults to the error's own (`CalverError.code`), or `error` for a plain message.
    """
    message = str(error)
    code = code or (error.code if isinstance(error, CalverError) else CalverError.code)
    if output_format is OutputFormat.json:
        console.print_stdout(error_document(code, message))
    elif output_format is OutputFormat.github:
        console.print_stdout(f"::error title={code}::{github_escape(message)}")
    else:
        console.print_stderr(console.red(f"error: {message}"))
