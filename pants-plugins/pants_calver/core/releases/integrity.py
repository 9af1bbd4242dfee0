"""The rules of check-release-branch, by name, with no Pants import. Each reports `Problem`s
(core/problems.py): about a branch or a tag (no path; the message names it) or about a commit."""

from __future__ import annotations

from pants_calver.core.text import encode

# The rules, in the order they run and print.
BRANCH_NAMES, TAGS, VERSION_CHANGES, MISSING_BACKPORTS = (
    "branch-names",
    "tags",
    "version-changes",
    "missing-backports",
)
RULES = (BRANCH_NAMES, TAGS, VERSION_CHANGES, MISSING_BACKPORTS)


def shown(text: str) -> str:
    """Text to print: bytes that are not UTF-8 (kept by `text.decode`) shown as U+FFFD."""
    return encode(text).decode("utf-8", "replace")
