"""`core/releases/version_changes.py`: the version files change only in release commits, judged on
the commits of a history made by real git, on a release branch and on main."""

from __future__ import annotations

from typing import Dict, List, Tuple

import pytest

import release_history
from monorepo import git_bytes
from pants_calver.core.errors import SettingError
from pants_calver.core.git.log import Commit, log_args, parse_log
from pants_calver.core.releases.backports import BackportRules
from pants_calver.core.problems import Problem
from pants_calver.core.releases.version_changes import check_version_changes, subject_pattern
from pants_calver.core.repo_paths import glob_pattern

# A full commit id for commits made up here (the parser requires one; these checks never read it).
OID = "abc1234000000000000000000000000000000000"

RULES = BackportRules("23.09", "main", frozenset({"VERSION", "pkg/VERSION"}), (glob_pattern("changes/**"),))
SUBJECTS = [
    subject_pattern("[bump-version].commit_message", "release: {version}"),
    subject_pattern("[bump-version].cycle_message", "Start the {version} cycle"),
]


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Dict[str, str], List[Commit], List[Commit]]:
    root = tmp_path_factory.mktemp("versions") / "repo"
    shas = release_history.build(root)
    main, branch = shas["main:sneaked"], shas["23.09:sneaked"]
    on_main = parse_log(git_bytes(root, *log_args(main, shas["init"], paths=True)))
    on_branch = parse_log(git_bytes(root, *log_args(branch, main, paths=True)))
    return shas, list(on_main), list(on_branch)


def check(commits: List[Commit]) -> List[Problem]:
    return check_version_changes(commits, {"VERSION", "pkg/VERSION"}, SUBJECTS, RULES.is_release_commit)


FIX = "Change the version only with `bump-version --commit` (revert this change, or split it from the rest)"


def test_on_the_release_branch_only_the_release_commit_with_code_is_reported(sides) -> None:
    shas, _, on_branch = sides
    # `release: 23.09.0` and `release: 23.09.8.rc1` change VERSION alone: release commits.
    assert check(on_branch) == [
        Problem.in_commit(
            shas["23.09:sneaked"][:7],
            "release: 23.09.8",
            "version-changed-outside-release",
            f"changes `VERSION` but is no release commit: it also changes `src/app.py`. {FIX}",
        )
    ]


def test_on_main_the_cycle_commit_passes_and_a_bump_in_passing_does_not(sides) -> None:
    shas, on_main, _ = sides
    assert check(on_main) == [
        Problem.in_commit(
            shas["main:sneaked"][:7],
            "Bump things",
            "version-changed-outside-release",
            "changes `VERSION` but is no release commit: its subject is not one bump-version writes "
            f"(`[bump-version].commit_message`) and it also changes `src/app.py`. {FIX}",
        )
    ]


def commit(subject: str, *paths: str) -> Commit:
    return Commit(OID, "abc1234", subject, (), subject + "\n", paths)


@pytest.mark.parametrize(
    "subject, paths, why",
    [
        pytest.param("release: 23.09.7", ("pkg/VERSION", "changes/1.md"), None, id="release-with-news"),
        pytest.param("release: 23.09.7 ", ("VERSION",), "subject", id="subject-must-match-whole"),
        pytest.param("Release: 23.09.7", ("VERSION",), "subject", id="case-matters"),
        pytest.param("release: ", ("VERSION",), "subject", id="no-version"),
        pytest.param("docs", ("README.md",), None, id="no-version-file"),
        pytest.param("release: 23.09.7", ("VERSION", "a", "b", "c", "d"), "others", id="many-others"),
    ],
)
def test_release_subjects_and_paths(subject: str, paths: Tuple[str, ...], why) -> None:
    found = check([commit(subject, *paths)])
    if why is None:
        assert found == []
    elif why == "subject":
        assert [f.message.split(": ", 1)[1].split(".")[0] for f in found] == [
            "its subject is not one bump-version writes (`[bump-version]"
        ]
    else:
        assert found[0].message.startswith(
            "changes `VERSION` but is no release commit: it also changes `a`, `b`, `c` and 1 more. "
        )


def test_subject_pattern_from_templates() -> None:
    pattern = subject_pattern(
        "[bump-version].commit_message", "chore(release): {normalized} (was {old_version})\n\nbody"
    )
    assert pattern.fullmatch("chore(release): 23.9.7 (was 23.9.6)")
    assert pattern.fullmatch("chore(release): 23.9.7 (was )")
    assert not pattern.fullmatch("chore(release): x (was 23.9.6)")
    with pytest.raises(
        SettingError, match=r"^\[bump-version\].commit_message: `release: \{ver\}` uses \{ver\}"
    ):
        subject_pattern("[bump-version].commit_message", "release: {ver}")
