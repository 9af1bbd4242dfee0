"""`core/git/log.py`: the arguments of the one `git log` of a range, and the reading of its output."""

from __future__ import annotations

import pytest

from pants_calver.core.errors import GitError
from pants_calver.core.git.log import LOG_FORMAT, Commit, log_args, parse_log


def test_parse_log() -> None:
    output = (
        b"\0abc1234\0Fix a\x1fb\0Fix a\x1fb\n\nBody \x1e\xff\n\nBackported-From: main\n\0\0"
        b"\n\nfirst-starts-with-a-newline\0dir/with space.txt\0\n\0"
        b"\0def5678\0Empty\0Empty\n\0\0"
        b"\0fed9876\0\0\0\0\na\0"
    )
    assert parse_log(output) == (
        Commit(
            "abc1234",
            "Fix a\x1fb",
            (("Backported-From", "main"),),
            "Fix a\x1fb\n\nBody \x1e\udcff\n\nBackported-From: main\n",
            ("\nfirst-starts-with-a-newline", "dir/with space.txt", "\n"),
        ),
        Commit("def5678", "Empty", (), "Empty\n", ()),
        Commit("fed9876", "", (), "", ("a",)),
    )
    assert parse_log(b"") == ()


@pytest.mark.parametrize(
    "output",
    [
        pytest.param(b"abc1234\0Fix\0Fix\n\0\0", id="no-empty-field-first"),
        pytest.param(b"\0abc1234\0Fix\0Fix\n\0", id="cut-short"),
        pytest.param(b"\0abc1234\0Fix\0Fix\n\0x\0", id="no-empty-field-after-the-message"),
        pytest.param(b"\0abc1234\0Fix\0Fix\n\0\0\na", id="no-final-nul"),
    ],
)
def test_parse_log_refuses_other_output(output: bytes) -> None:
    with pytest.raises(
        GitError, match=r"^`git log` printed what check-backports cannot read \(at field \d+\)"
    ):
        parse_log(output)


SHA1 = "0123456789abcdef0123456789abcdef01234567"


def test_log_args_walk_every_parent_from_a_commit_id() -> None:
    # Every commit HEAD has and the base has not: not only first parents, so that what a merge
    # brings in is judged; merge commits themselves left out. The base is a commit id. Nothing
    # of the user's configuration changes the output: no signature lines, messages in UTF-8.
    assert log_args(SHA1) == [
        "log",
        "--no-merges",
        "--topo-order",
        "--no-renames",
        "--no-show-signature",
        "--encoding=UTF-8",
        f"--format={LOG_FORMAT}",
        "--name-only",
        "-z",
        f"{SHA1}..HEAD",
        "--",
    ]
    assert log_args(SHA1 + "89abcdef" * 3)[9] == f"{SHA1}{'89abcdef' * 3}..HEAD"


@pytest.mark.parametrize(
    "base",
    [
        pytest.param("main", id="branch-name"),
        pytest.param("--output=/tmp/x", id="option"),
        pytest.param(SHA1[:12], id="short-id"),
        pytest.param(SHA1.upper(), id="upper-case"),
        pytest.param(SHA1 + "\n", id="trailing-newline"),
        pytest.param(SHA1 + "0", id="41-digits"),
    ],
)
def test_log_args_take_only_a_commit_id(base: str) -> None:
    with pytest.raises(ValueError, match="not a full commit id"):
        log_args(base)
