"""check-backports on a temporary repo whose release branch was built by real `git cherry-pick -e`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict

import pytest
from pants.backend.python.macros import python_requirements
from pants.backend.python.macros.python_artifact import PythonArtifact
from pants.backend.python.macros.python_requirements import PythonRequirementsTargetGenerator
from pants.backend.python.target_types import PythonDistribution, PythonRequirementTarget
from pants.testutil.rule_runner import GoalRuleResult, RuleRunner

import monorepo
from monorepo import git
from pants_calver.goals import check_backports
from pants_calver.goals.check_backports import CheckBackports

# What each backport's editor appends to the cherry-picked message (`git cherry-pick -e`).
BACKPORTS = {
    "Fix the scheduler": "\nBackported-From: main\nBackported-To: 23.09\n",
    "Fix the agent": "\nbackported-from: main (24.09)\nbackported-to: 23.9\n",
    "Fix storage": "",
    "Fix the web UI": "\nBackported-From: main\nBackported-To: 23.09\n\nThanks to the reviewers.\n",
    "Fix a race": "\nBackported-From: main\nBackported-To: 23.03\n",
    "Fix a leak": "\nBackported-From: main\nBackported-To: 23.O9\n",
    "Fix logging": "\nBackported-From: develop\nBackported-To: 23.09\n",
}


def cherry_pick(root: Path, sha: str, append: str) -> None:
    """`git cherry-pick -e`, with an editor that appends `append` to the message."""
    editor = root.parent / "append-to-message"
    editor.write_text('#!/bin/sh\nprintf "%s" "$APPEND" >> "$1"\n')
    editor.chmod(0o755)
    git(root, "cherry-pick", "-e", sha, GIT_EDITOR=str(editor), APPEND=append)


def commit_file(root: Path, path: str, content: str, message: str) -> str:
    monorepo.write(root, {path: content}, {})
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD").strip()


def short(root: Path, rev: str = "HEAD") -> str:
    return git(root, "rev-parse", "--short", rev).strip()


@pytest.fixture
def rule_runner() -> RuleRunner:
    return RuleRunner(
        rules=[*check_backports.rules(), *python_requirements.rules()],
        target_types=[PythonDistribution, PythonRequirementTarget, PythonRequirementsTargetGenerator],
        objects={"python_artifact": PythonArtifact},
    )


@pytest.fixture
def shas(rule_runner: RuleRunner) -> Dict[str, str]:
    """A main branch with seven fixes, and release branch 23.09 with each cherry-picked as
    `BACKPORTS` says, then a release commit. Returns the short sha of each commit on 23.09."""
    root = Path(rule_runner.build_root)
    monorepo.write(root)
    monorepo.commit_all(root)
    git(root, "branch", "23.09")
    on_main = {
        subject: commit_file(root, f"src/ai/backend/manager/fix{i}.py", f"fix = {i}\n", subject)
        for i, subject in enumerate(BACKPORTS)
    }
    git(root, "checkout", "-q", "23.09")
    shas = {}
    for subject, append in BACKPORTS.items():
        cherry_pick(root, on_main[subject], append)
        shas[subject] = short(root)
    monorepo.write(root, {"VERSION": "23.09.7\n", "CHANGELOG.md": "## 23.09.7\n"}, {})
    for path in ("requirements.txt", "src/ai/backend/manager/BUILD", "src/ai/backend/plugin/setup.cfg"):
        monorepo.write(root, {path: (root / path).read_text().replace("23.9.6", "23.9.7")}, {})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "release: 23.09.7")
    shas["release: 23.09.7"] = short(root)
    return shas


def run(rule_runner: RuleRunner, *args: str) -> GoalRuleResult:
    return rule_runner.run_goal_rule(CheckBackports, args=list(args))


def expected_problems(shas: Dict[str, str]) -> list:
    wanted = "`Backported-From: main` and `Backported-To: 23.09`"
    return [
        (
            shas["Fix logging"],
            "Fix logging",
            "from-not-main",
            "says `Backported-From: develop`, but fixes come from main",
        ),
        (
            shas["Fix a leak"],
            "Fix a leak",
            "to-other-branch",
            "says `Backported-To: 23.O9`, but this is release branch 23.09",
        ),
        (
            shas["Fix a race"],
            "Fix a race",
            "to-other-branch",
            "says `Backported-To: 23.03`, but this is release branch 23.09",
        ),
        (
            shas["Fix the web UI"],
            "Fix the web UI",
            "trailers-not-final",
            "has Backported-From/Backported-To lines that are not in the message's last paragraph, so "
            f"git does not read them as trailers: end the message with {wanted}, after one blank line",
        ),
        (
            shas["Fix storage"],
            "Fix storage",
            "trailers-missing",
            "has no backport trailers: cherry-pick it from main with `git cherry-pick -e` and end the "
            f"message with {wanted}, after one blank line",
        ),
    ]


def test_each_broken_rule_is_reported_with_sha_and_subject(
    rule_runner: RuleRunner, shas: Dict[str, str]
) -> None:
    result = run(rule_runner)
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        *(f"{sha} {subject}: {message}" for sha, subject, _, message in expected_problems(shas)),
        "",
        "5 problems in 8 commits on 23.09 since main.",
    ]


def test_json_and_github_output(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    result = run(rule_runner, "--output-format=json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "branch": "23.09",
        "base": "main",
        "commits": 8,
        "problems": [
            {"sha": sha, "subject": subject, "code": code, "message": message}
            for sha, subject, code, message in expected_problems(shas)
        ],
    }
    result = run(rule_runner, "--output-format=github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"::error title={code}::{sha} {subject}: {message}"
        for sha, subject, code, message in expected_problems(shas)
    ]


def test_base_and_branch_in_detached_head(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    root = Path(rule_runner.build_root)
    # Only the two good backports and the release commit: everything after "Fix the agent" goes.
    git(root, "reset", "-q", "--hard", shas["Fix the agent"])
    git(root, "cherry-pick", shas["release: 23.09.7"])
    git(root, "checkout", "-q", "--detach")
    result = run(rule_runner)
    assert (result.exit_code, result.stdout) == (
        0,
        "HEAD is detached and --branch names no branch, so this is not a release branch x.y: "
        "there are no backports to check.\n",
    )
    result = run(rule_runner, "--branch=23.09")
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ 23.09: 3 commits since main, every one a marked backport or a release.\n",
    )
    result = run(rule_runner, "--branch=23.09", f"--base={shas['Fix the scheduler']}")
    assert (result.exit_code, result.stdout) == (
        0,
        f"✓ 23.09: 2 commits since {shas['Fix the scheduler']}, every one a marked backport or a release.\n",
    )


def test_release_commit_needs_release_files_only(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    root = Path(rule_runner.build_root)
    git(root, "reset", "-q", "--hard", shas["Fix the agent"])
    # A version bump that also touches code is no release commit.
    monorepo.write(root, {"VERSION": "23.09.8\n", "src/ai/backend/manager/extra.py": "x = 1\n"}, {})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "release: 23.09.8")
    result = run(rule_runner)
    assert (result.exit_code, result.stdout.splitlines()[0]) == (
        1,
        f"{short(root)} release: 23.09.8: has no backport trailers: cherry-pick it from main with "
        "`git cherry-pick -e` and end the message with `Backported-From: main` and "
        "`Backported-To: 23.09`, after one blank line",
    )
    # Exempt by subject.
    result = run(rule_runner, "--check-backports-exempt-subjects=['^release: ']")
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ 23.09: 3 commits since main, every one a marked backport or a release.\n",
    )


def test_not_a_release_branch(rule_runner: RuleRunner) -> None:
    root = Path(rule_runner.build_root)
    monorepo.write(root)
    monorepo.commit_all(root)
    result = run(rule_runner)
    assert (result.exit_code, result.stdout) == (
        0,
        "main is not a release branch x.y: there are no backports to check.\n",
    )


def test_bad_base_and_bad_pattern_are_clear_errors(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    result = run(rule_runner, "--base=no-such-ref")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("error: `git log no-such-ref..HEAD` failed: fatal: ")
    assert result.stderr.endswith("Name an existing ref with --base, or fetch no-such-ref.\n")
    result = run(rule_runner, "--check-backports-exempt-subjects=['(']")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "error: [check-backports].exempt_subjects: `(` is not a regular expression "
        "(missing ), unterminated subpattern at position 0)\n"
    )
