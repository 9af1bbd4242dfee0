"""`core/git/log.py`: the arguments of the one `git log` of a range, and the reading of its output,
made up and as real git printed it for a real history."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Tuple

import pytest

import release_history
from monorepo import git_bytes
from pants_calver.core.errors import GitError
from pants_calver.core.git.log import LOG_FORMAT, Commit, log_args, parse_log


A = "abc1234" + "0" * 33
D = "def5678" + "1" * 33
F = "fed9876" + "2" * 57  # SHA-256


def test_parse_log() -> None:
    output = (
        b"\0%s\0abc1234\0Fix a\x1fb\0Fix a\x1fb\n\nBody \x1e\xff\n\nBackported-From: main\n\0\0"
        b"\n\nfirst-starts-with-a-newline\0dir/with space.txt\0\n\0"
        b"\0%s\0def5678\0Empty\0Empty\n\0\0"
        b"\0%s\0fed9876\0\0\0\0\na\0" % (A.encode(), D.encode(), F.encode())
    )
    assert parse_log(output) == (
        Commit(
            A,
            "abc1234",
            "Fix a\x1fb",
            (("Backported-From", "main"),),
            "Fix a\x1fb\n\nBody \x1e\udcff\n\nBackported-From: main\n",
            ("\nfirst-starts-with-a-newline", "dir/with space.txt", "\n"),
        ),
        Commit(D, "def5678", "Empty", (), "Empty\n", ()),
        Commit(F, "fed9876", "", (), "", ("a",)),
    )
    assert parse_log(b"") == ()


def test_parse_log_without_paths() -> None:
    # Without `--name-only`, every record ends at its empty field: no commit has paths.
    output = b"\0%s\0abc1234\0Fix\0Fix\n\0\0\0%s\0def5678\0Two\0Two\n\0\0" % (A.encode(), D.encode())
    assert [(c.oid, c.sha, c.subject, c.paths) for c in parse_log(output)] == [
        (A, "abc1234", "Fix", ()),
        (D, "def5678", "Two", ()),
    ]


@pytest.mark.parametrize(
    "output",
    [
        pytest.param(b"%s\0abc1234\0Fix\0Fix\n\0\0" % A.encode(), id="no-empty-field-first"),
        pytest.param(b"\0%s\0abc1234\0Fix\0Fix\n\0" % A.encode(), id="cut-short"),
        pytest.param(b"\0%s\0abc1234\0Fix\0Fix\n\0x\0" % A.encode(), id="no-empty-field-after-the-message"),
        pytest.param(b"\0%s\0abc1234\0Fix\0Fix\n\0\0\na" % A.encode(), id="no-final-nul"),
        pytest.param(b"\0abc1234\0abc1234\0Fix\0Fix\n\0\0", id="short-id-first"),
        pytest.param(b"\0abc1234\0Fix\0Fix\n\0\0", id="no-full-id"),
        pytest.param(b"\0%s\0abc1234\0Fix\0Fix\n\0\0" % A.upper().encode(), id="upper-case-id"),
    ],
)
def test_parse_log_refuses_other_output(output: bytes) -> None:
    with pytest.raises(GitError, match=r"^`git log` printed what this cannot read \(at field \d+\)"):
        parse_log(output)


def test_parse_log_refuses_a_record_without_its_full_id() -> None:
    with pytest.raises(GitError) as error:
        parse_log(b"\0abc1234\0abc1234\0Fix\0Fix\n\0\0")
    assert str(error.value) == (
        "`git log` printed what this cannot read (at field 0): "
        "check that `git log -z --name-only` works here, and report it."
    )


SHA1 = "0123456789abcdef0123456789abcdef01234567"
SHA2 = "89abcdef" * 5


def test_log_args_walk_every_parent_between_commit_ids() -> None:
    # Every commit the first has and the second has not: not only first parents, so that what a
    # merge brings in is judged; merge commits themselves left out. Both are commit ids. Nothing
    # of the user's configuration changes the output: no signature lines, messages in UTF-8.
    assert log_args(SHA2, SHA1, paths=True) == [
        "log",
        "--no-merges",
        "--topo-order",
        "--no-renames",
        "--no-show-signature",
        "--encoding=UTF-8",
        f"--format={LOG_FORMAT}",
        "--name-only",
        "-z",
        f"{SHA1}..{SHA2}",
        "--",
    ]
    # Paths only when asked for; SHA-256 ids too.
    assert log_args(SHA2, SHA1, paths=False) == [
        *log_args(SHA2, SHA1, paths=True)[:7],
        "-z",
        f"{SHA1}..{SHA2}",
        "--",
    ]
    assert log_args(SHA2, SHA1 + "89abcdef" * 3, paths=True)[9] == f"{SHA1}{'89abcdef' * 3}..{SHA2}"
    assert log_args(SHA1 + "89abcdef" * 3, SHA2, paths=True)[9] == f"{SHA2}..{SHA1}{'89abcdef' * 3}"


@pytest.mark.parametrize(
    "commit",
    [
        pytest.param("main", id="branch-name"),
        pytest.param("--output=/tmp/x", id="option"),
        pytest.param(SHA1[:12], id="short-id"),
        pytest.param(SHA1.upper(), id="upper-case"),
        pytest.param(SHA1 + "\n", id="trailing-newline"),
        pytest.param(SHA1 + "0", id="41-digits"),
        pytest.param("head", id="lower-case-head"),
        pytest.param("HEAD~1", id="head-ancestor"),
    ],
)
def test_log_args_take_only_commit_ids(commit: str) -> None:
    with pytest.raises(ValueError, match="not a full commit id"):
        log_args(SHA2, commit, paths=True)
    with pytest.raises(ValueError, match="not a full commit id"):
        log_args(commit, SHA1, paths=True)


def test_log_args_take_no_head() -> None:
    # A goal resolves HEAD once and passes its id, so that all its reads see the same commits.
    with pytest.raises(ValueError, match="not a full commit id: 'HEAD'"):
        log_args("HEAD", SHA1, paths=True)
    with pytest.raises(ValueError, match="not a full commit id: 'HEAD'"):
        log_args(SHA1, "HEAD", paths=False)


History = Tuple[Path, Dict[str, str]]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    root = tmp_path_factory.mktemp("history") / "repo"
    return root, release_history.build(root)


def test_log_of_each_side_of_a_release_branch(history: History) -> None:
    root, shas = history
    main, branch = shas["main:sneaked"], shas["23.09:sneaked"]
    on_main = parse_log(git_bytes(root, *log_args(main, branch, paths=False)))
    assert [commit.oid for commit in on_main][:2] == [shas["main:sneaked"], shas["refactor"]]
    assert len(on_main) == 11 and all(commit.paths == () for commit in on_main)
    requested = next(commit for commit in on_main if commit.oid == shas["requested"])
    assert (requested.sha, requested.subject, requested.trailers) == (
        shas["requested"][:7],
        "feat: new API (#107)",
        (("Backport", "23.09, 22.09"),),
    )
    on_branch = parse_log(git_bytes(root, *log_args(branch, main, paths=True)))
    assert [(commit.oid, commit.paths) for commit in on_branch[:2]] == [
        (shas["23.09:sneaked"], ("VERSION", "src/app.py")),
        (shas["23.09:rc"], ("VERSION",)),
    ]
    picked = next(commit for commit in on_branch if commit.oid == shas["23.09:picked"])
    assert picked.message == f"fix: scheduler race (#101)\n\n(cherry picked from commit {shas['picked']})\n"
    # check-backports' range, HEAD's id (checked out on 23.09) and its base: the branch's log.
    head = git_bytes(root, "rev-parse", "HEAD").decode().strip()
    assert git_bytes(root, *log_args(head, main, paths=True)) == git_bytes(
        root, *log_args(branch, main, paths=True)
    )
