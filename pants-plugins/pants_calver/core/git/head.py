"""What a `HEAD` file says: the branch git has checked out, or a detached commit.

The file is found and read by `engine/git_head.py`; this module only parses its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pants_calver.core.git.objects import COMMIT_ID

_BRANCH = re.compile(r"ref: refs/heads/(\S+)")


@dataclass(frozen=True)
class Head:
    """What `HEAD` points at: a branch, or None when it is detached."""

    branch: str | None


def parse_head(text: str) -> Head | None:
    """Read a `HEAD` file; None when it is neither a branch nor a commit (ask git then)."""
    line = text.strip()
    branch = _BRANCH.fullmatch(line)
    if branch:
        return Head(branch.group(1))
    if COMMIT_ID.fullmatch(line):
        return Head(None)
    return None
