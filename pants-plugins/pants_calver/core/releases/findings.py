"""What check-release-branch reports, with no Pants import: one `Finding` per thing wrong."""

from __future__ import annotations

from dataclasses import dataclass

# The rules, in the order they run and print.
BRANCH_NAMES, TAGS, VERSION_CHANGES, MISSING_BACKPORTS = (
    "branch-names",
    "tags",
    "version-changes",
    "missing-backports",
)
RULES = (BRANCH_NAMES, TAGS, VERSION_CHANGES, MISSING_BACKPORTS)


@dataclass(frozen=True)
class Finding:
    """One thing a rule found wrong. `rule` and `code` are stable, for machines; `name` is what it
    is about (a branch or tag as git shows it, or a commit's short id, then `subject`); `message`
    ends with the fix. `found`/`expected` carry a misspelling and the spelling meant; `branches`
    the release branches a commit of main is missing from."""

    rule: str
    code: str
    name: str
    message: str
    subject: str = ""
    found: str = ""
    expected: str = ""
    branches: tuple[str, ...] = ()
