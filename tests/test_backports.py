from __future__ import annotations

from typing import Optional, Tuple

import pytest

from pants_calver.core.errors import SettingError
from pants_calver.core.backports import (
    BackportRules,
    Commit,
    check_commit,
    compile_patterns,
    glob_pattern,
    log_args,
    LOG_FORMAT,
    parse_log,
    parse_trailers,
)

RULES = BackportRules(
    branch="23.09",
    main_branch="main",
    release_files=frozenset({"VERSION", "requirements.txt"}),
    release_globs=(glob_pattern("CHANGELOG.md"), glob_pattern("changes/**")),
    exempt_subjects=compile_patterns("exempt", [r"^Revert "]),
)


def commit(trailers: Tuple[Tuple[str, str], ...] = (), message: str = "", paths=("src/a.py",), subject="Fix"):
    return Commit("abc1234", subject, trailers, message or subject, tuple(paths))


@pytest.mark.parametrize(
    "glob, path, matches",
    [
        pytest.param("changes/**", "changes/123.fix.md", True, id="double-star-file"),
        pytest.param("changes/**", "changes/a/b.md", True, id="double-star-deep"),
        pytest.param("changes/**", "changelog/a.md", False, id="double-star-other-dir"),
        pytest.param("**/CHANGELOG.md", "CHANGELOG.md", True, id="leading-double-star-at-root"),
        pytest.param("**/CHANGELOG.md", "docs/CHANGELOG.md", True, id="leading-double-star-deep"),
        pytest.param("changes/*.md", "changes/a/b.md", False, id="star-stays-in-directory"),
        pytest.param("CHANGELOG.md", "CHANGELOGxmd", False, id="dot-is-literal"),
        pytest.param("v?.txt", "v1.txt", True, id="question-mark"),
    ],
)
def test_glob_pattern(glob: str, path: str, matches: bool) -> None:
    assert bool(glob_pattern(glob).match(path)) is matches


def test_parse_trailers() -> None:
    assert parse_trailers("Backported-from: main (24.09)\nBackported-to:23.09\nSigned-off-by: a <b>\n") == (
        ("Backported-from", "main (24.09)"),
        ("Backported-to", "23.09"),
        ("Signed-off-by", "a <b>"),
    )


def test_parse_log() -> None:
    output = (
        "\x1eabc1234\x1fFix a\x1fBackported-From: main\n\x1fFix a\n\nBackported-From: main\n\x1f\x00\n"
        "src/a.py\x00dir/with space.txt\x00"
        "\x1edef5678\x1fEmpty\x1f\x1fEmpty\n\x1f\x00"
    )
    assert parse_log(output) == (
        Commit(
            "abc1234",
            "Fix a",
            (("Backported-From", "main"),),
            "Fix a\n\nBackported-From: main\n",
            ("src/a.py", "dir/with space.txt"),
        ),
        Commit("def5678", "Empty", (), "Empty\n", ()),
    )


GOOD = (("Backported-From", "main"), ("Backported-To", "23.09"))


@pytest.mark.parametrize(
    "change, code",
    [
        pytest.param(commit(GOOD), None, id="good"),
        pytest.param(
            commit((("BACKPORTED-FROM", "main (24.09)"), ("backported-to", "23.9"))), None, id="any-case"
        ),
        pytest.param(
            commit((("Backported-From", "main"), ("Backported-To", "23.03"), ("Backported-To", "23.09"))),
            None,
            id="one-of-several-targets",
        ),
        pytest.param(commit(paths=("VERSION", "CHANGELOG.md", "changes/1.md")), None, id="release-commit"),
        pytest.param(commit(paths=("VERSION", "src/a.py")), "trailers-missing", id="release-and-code"),
        pytest.param(commit(paths=()), "trailers-missing", id="empty-commit-is-no-release"),
        pytest.param(commit(subject='Revert "Fix"'), None, id="exempt-subject"),
        pytest.param(commit(), "trailers-missing", id="no-trailers"),
        pytest.param(
            commit(message="Fix\n\nBackported-From: main\nBackported-To: 23.09\n\nMore.\n"),
            "trailers-not-final",
            id="not-final",
        ),
        pytest.param(commit((("Backported-To", "23.09"),)), "trailer-missing", id="to-only"),
        pytest.param(commit((("Backported-From", "main"),)), "trailer-missing", id="from-only"),
        pytest.param(commit((("Backported-From", "mainline"), GOOD[1])), "from-not-main", id="other-source"),
        pytest.param(commit((GOOD[0], ("Backported-To", "23.10"))), "to-other-branch", id="other-target"),
        pytest.param(commit((GOOD[0], ("Backported-To", "2309"))), "to-other-branch", id="typo"),
        pytest.param(commit((GOOD[0], ("Backported-To", ""))), "to-other-branch", id="empty-target"),
    ],
)
def test_check_commit(change: Commit, code: Optional[str]) -> None:
    problem = check_commit(change, RULES)
    assert (problem.code if problem else None) == code
    if problem:
        assert (problem.sha, problem.subject) == (change.sha, change.subject)


def test_compile_patterns_names_the_option() -> None:
    with pytest.raises(SettingError) as error:
        compile_patterns("[check-backports].exempt_subjects", ["ok", "["])
    assert str(error.value) == (
        "[check-backports].exempt_subjects: `[` is not a regular expression "
        "(unterminated character set at position 0)"
    )


SHA1 = "0123456789abcdef0123456789abcdef01234567"


def test_log_args_walk_every_parent_from_a_commit_id() -> None:
    # Every commit HEAD has and the base has not: not only first parents, so that what a merge
    # brings in is judged; merge commits themselves left out. The base is a commit id.
    assert log_args(SHA1) == [
        "log",
        "--no-merges",
        "--topo-order",
        "--no-renames",
        f"--format={LOG_FORMAT}",
        "--name-only",
        "-z",
        f"{SHA1}..HEAD",
        "--",
    ]
    assert log_args(SHA1 + "89abcdef" * 3)[7] == f"{SHA1}{'89abcdef' * 3}..HEAD"


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
