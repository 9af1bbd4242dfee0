"""What the check goals share: the output formats, and the escaping of GitHub annotations."""

from __future__ import annotations

from enum import Enum


class OutputFormat(Enum):
    text = "text"
    github = "github"
    json = "json"


def github_escape(text: str) -> str:
    """Text for a workflow command (`::error ...::text`), which ends at a line break."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
