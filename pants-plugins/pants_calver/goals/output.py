"""What the check goals share: the output formats, the escaping of GitHub annotations, and the one
way an error is printed in each format, so that every exit speaks the format asked for."""

from __future__ import annotations

import json
from enum import Enum

from pants.engine.console import Console

from pants_calver.core.errors import CalverError


class OutputFormat(Enum):
    text = "text"
    github = "github"
    json = "json"


def github_escape(text: str) -> str:
    """Text for a workflow command (`::error ...::text`), which ends at a line break."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


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
