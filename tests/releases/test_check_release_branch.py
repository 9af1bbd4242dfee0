"""check-release-branch on a repo Pants reads, whose history real git made (release_history: real
`cherry-pick -x` and `-e`, annotated and lightweight tags): for each rule the exact output in the
three formats and the exit code; errors in the three formats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
from pants.testutil.rule_runner import GoalRuleResult, RuleRunner

import monorepo
import release_history
from pants_calver.goals import bump_version, check_backports, check_release_branch
from pants_calver.goals.check_release_branch import CheckReleaseBranch
from runners import version_goals_rule_runner

Expected = Tuple[str, str, str, str, str]  # rule, code, name, subject, message


@pytest.fixture
def rule_runner() -> RuleRunner:
    return version_goals_rule_runner(
        *check_release_branch.rules(), *check_backports.rules(), *bump_version.rules()
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, Dict[str, str]]:
    root = tmp_path_factory.mktemp("release") / "repo"
    files = {**monorepo.FILES, ".gitignore": "/.pants.d/\n/.pids/\n"}
    return root, release_history.build(root, files)


@pytest.fixture
def shas(rule_runner: RuleRunner, template: Tuple[Path, Dict[str, str]]) -> Dict[str, str]:
    """The full id of each commit of release_history, in the build root (checked out on 23.09)."""
    root, shas = template
    shutil.copytree(root, rule_runner.build_root, symlinks=True, dirs_exist_ok=True)
    return dict(shas)


def run(rule_runner: RuleRunner, *args: str) -> GoalRuleResult:
    return rule_runner.run_goal_rule(CheckReleaseBranch, args=list(args), env_inherit={"PATH"})


def git(rule_runner: RuleRunner, *args: str) -> str:
    return release_history.run(Path(rule_runner.build_root), *args)


def assert_formats(
    rule_runner: RuleRunner, args: List[str], expected: List[Expected], summary: str, document: Dict
) -> None:
    """The run's exit code and exact output as text, GitHub annotations and JSON."""
    result = run(rule_runner, *args)
    lines = [
        f"{rule}: {name}{f' {subject}:' if subject else ''} {message}"
        for rule, _, name, subject, message in expected
    ]
    assert (result.exit_code, result.stderr) == (1 if expected else 0, "")
    assert result.stdout == "\n".join(lines + ([""] if expected else []) + [summary]) + "\n"
    result = run(rule_runner, *args, "--output-format=github")
    assert (result.exit_code, result.stdout.splitlines()) == (
        1 if expected else 0,
        [f"::error title={code}::{line}" for (_, code, *_), line in zip(expected, lines)],
    )
    result = run(rule_runner, *args, "--output-format=json")
    assert result.exit_code == (1 if expected else 0)
    assert json.loads(result.stdout) == document


def finding(
    rule: str,
    code: str,
    name: str,
    message: str,
    subject: str = "",
    found: str = "",
    expected: str = "",
    branches: Optional[List[str]] = None,
) -> Dict:
    return {
        "rule": rule,
        "code": code,
        "name": name,
        "message": message,
        "subject": subject,
        "found": found,
        "expected": expected,
        "branches": branches or [],
    }


def document(
    rules: List[str],
    checked: Dict[str, str],
    findings: List[Dict],
    branch: str = "23.09",
    base_commit: Optional[str] = None,
    skipped: Optional[Dict[str, str]] = None,
) -> Dict:
    return {
        "branch": branch,
        "base": "main",
        "base_commit": base_commit,
        "rules": rules,
        "checked": checked,
        "skipped": skipped or {},
        "findings": findings,
    }


RENAME = "(`git branch -m`)"
NAMES = [
    (
        "branch-names",
        "branch-named-like-tag",
        "23.09.2",
        "",
        "is named like a release tag (x.y.z): rename the branch so that it differs from release tags and "
        f"release branches {RENAME}",
    ),
    (
        "branch-names",
        "branch-disguised",
        "24.09",
        "",
        "is named like release branch 24.09, but its head holds version 24.03.0.dev1 in `VERSION`, not a 24.09.* "
        f"version: a feature branch in disguise. Rename it so that it differs from release branches {RENAME}",
    ),
    (
        "branch-names",
        "branch-named-like-tag",
        "hotfix",
        "",
        "has the name of tag hotfix: git reads `hotfix` as either, and warns that it is ambiguous. "
        f"Rename the branch {RENAME}",
    ),
]


def test_branch_names_of_every_branch(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    # 23.09 (under test), 23.09.2, 24.09, hotfix, main and origin/23.09; not origin/HEAD, a symbolic ref.
    assert_formats(
        rule_runner,
        ["--rules=branch-names", "--all-branches"],
        NAMES,
        "3 problems (branch-names: 6 branches).",
        document(
            ["branch-names"], {"branch-names": "6 branches"}, [finding(r, c, n, m) for r, c, n, _, m in NAMES]
        ),
    )


def test_the_branch_under_test_alone(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    result = run(rule_runner, "--rules=branch-names")
    assert (result.exit_code, result.stdout) == (0, "✓ 23.09: no problems (branch-names: 1 branch).\n")
    git(rule_runner, "checkout", "-q", "24.09")
    assert_formats(
        rule_runner,
        ["--rules=branch-names"],
        NAMES[1:2],
        "1 problem (branch-names: 1 branch).",
        document(
            ["branch-names"],
            {"branch-names": "1 branch"},
            [finding(*NAMES[1][:3], NAMES[1][4])],
            branch="24.09",
        ),
    )
    # CI's checkout of a pull request: detached, the head branch's name given.
    git(rule_runner, "checkout", "-q", "--detach", "main")
    result = run(rule_runner, "--rules=branch-names")
    assert (result.exit_code, result.stdout) == (
        0,
        "branch-names: skipped: HEAD is detached and --branch names no branch.\n",
    )
    result = run(rule_runner, "--rules=branch-names", "--branch=23.09.2")
    assert (result.exit_code, result.stdout.splitlines()[0]) == (1, f"branch-names: 23.09.2 {NAMES[0][4]}")


def tag_findings(shas: Dict[str, str]) -> List[Dict]:
    return [
        finding(
            "tags",
            "tag-version-mismatch",
            "23.09.1",
            f"points at {shas['23.09:release'][:12]}, whose `VERSION` holds 23.09.0, not 23.09.1: move the tag to "
            "the release commit of 23.09.1",
            found="23.09.0",
            expected="23.09.1",
        ),
        finding(
            "tags",
            "tag-misspelled",
            "23.09.8.rc1",
            "is not spelled as the version 23.09.8rc1 is: write `23.09.8rc1` (`git tag 23.09.8rc1 23.09.8.rc1^{}`, "
            "then delete `23.09.8.rc1`)",
            found="23.09.8.rc1",
            expected="23.09.8rc1",
        ),
        finding(
            "tags",
            "tag-version-misspelled",
            "23.09.8.rc1",
            f"points at {shas['23.09:rc'][:12]}, whose `VERSION` spells 23.09.8rc1 as `23.09.8.rc1`: the release was "
            "made with a misspelled version file; spell it `23.09.8rc1` from now on",
            found="23.09.8.rc1",
            expected="23.09.8rc1",
        ),
    ]


def expected_of(findings: List[Dict]) -> List[Expected]:
    return [(f["rule"], f["code"], f["name"], f["subject"], f["message"]) for f in findings]


def test_tags_annotated_and_lightweight(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    # 23.09.0 (annotated, on its release commit) passes; 23.09.1 (lightweight) is on 23.09.0's.
    findings = tag_findings(shas)
    checked = "3 tags reachable from HEAD"
    assert_formats(
        rule_runner,
        ["--rules=tags"],
        expected_of(findings),
        f"3 problems (tags: {checked}).",
        document(["tags"], {"tags": checked}, findings),
    )


def test_tags_since_a_version(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    findings = tag_findings(shas)[1:]
    checked = "1 tag reachable from HEAD (2 older than `[check-release-branch].tags_since` not checked)"
    assert_formats(
        rule_runner,
        ["--rules=tags", "--check-release-branch-tags-since=23.09.2"],
        expected_of(findings),
        f"2 problems (tags: {checked}).",
        document(["tags"], {"tags": checked}, findings),
    )


def test_tags_on_main_and_a_padding_that_changed(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    git(rule_runner, "checkout", "-q", "main")
    result = run(rule_runner, "--rules=tags")
    assert (result.exit_code, result.stdout) == (
        1,
        "tags: 24.03.0dev0 is not spelled as the version 24.03.0.dev0 is: write `24.03.0.dev0` "
        "(`git tag 24.03.0.dev0 24.03.0dev0^{}`, then delete `24.03.0dev0`)\n\n"
        "1 problem (tags: 1 tag reachable from HEAD).\n",
    )
    # Unpadded since 25.1: the padded tags of before are left out, not reported.
    result = run(
        rule_runner, "--rules=tags", "--calver-pad-minor=false", "--check-release-branch-tags-since=25.1.0"
    )
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ main: no problems (tags: 0 tags reachable from HEAD (1 older than "
        "`[check-release-branch].tags_since` not checked)).\n",
    )


def test_version_changes_on_the_release_branch(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    # `release: 23.09.0` and `release: 23.09.8.rc1` change VERSION alone; `release: 23.09.8` also code.
    findings = [
        finding(
            "version-changes",
            "version-changed-outside-release",
            shas["23.09:sneaked"][:7],
            "changes `VERSION` but is no release commit: it also changes `src/app.py`. Change the version only "
            "with `bump-version --commit` (revert this change, or split it from the rest)",
            subject="release: 23.09.8",
        )
    ]
    checked = "8 commits since main"
    assert_formats(
        rule_runner,
        ["--rules=version-changes"],
        expected_of(findings),
        f"1 problem (version-changes: {checked}).",
        document(
            ["version-changes"], {"version-changes": checked}, findings, base_commit=shas["main:sneaked"]
        ),
    )


def test_version_changes_on_main(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    # The cycle commit (`[bump-version].cycle_message`) passes; a bump in passing does not.
    git(rule_runner, "checkout", "-q", "main")
    result = run(rule_runner, "--rules=version-changes", f"--base={shas['init']}")
    assert (result.exit_code, result.stdout) == (
        1,
        f"version-changes: {shas['main:sneaked'][:7]} Bump things: changes `VERSION` but is no release commit: "
        "its subject is not one bump-version writes (`[bump-version].commit_message`) and it also changes "
        "`src/app.py`. Change the version only with `bump-version --commit` (revert this change, or split it "
        f"from the rest)\n\n1 problem (version-changes: 11 commits since {shas['init']}).\n",
    )
    # On main since main: nothing to check, and missing-backports has no release branch.
    result = run(rule_runner, "--rules=version-changes", "--rules=missing-backports")
    assert (result.exit_code, result.stdout) == (
        0,
        "missing-backports: skipped: main is not a release branch x.y.\n"
        "✓ main: no problems (version-changes: 0 commits since main).\n",
    )


def missing_finding(shas: Dict[str, str], name: str, forms: str = "`trailers`", how: str = "") -> Dict:
    sha = shas[name][:7]
    how = how or (
        f"`git cherry-pick -e {sha}` and end the message with `Backported-From: main` and "
        "`Backported-To: 23.09`, after one blank line"
    )
    return finding(
        "missing-backports",
        "backport-missing",
        sha,
        f"is missing from 23.09: no commit there is its backport (accepted provenance: {forms}). "
        f"Backport it: on 23.09, {how}",
        subject=release_history.FIXES[name].split("\n")[0],
        branches=["23.09"],
    )


def test_missing_backports_by_the_spec_trailers(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    # Only the `-e` backport with the spec's trailers counts; `feat: new API` asks for 23.09 with
    # `Backport: 23.09, 22.09`; `fix: only for 24.03` asks for 24.03 only; `refactor:` is no fix.
    findings = [
        missing_finding(shas, name)
        for name in ("requested", "missed", "patch", "backport-of", "pr", "picked")
    ]
    checked = "11 commits of main since the branch point"
    assert_formats(
        rule_runner,
        ["--rules=missing-backports"],
        expected_of(findings),
        f"6 problems (missing-backports: {checked}).",
        document(
            ["missing-backports"], {"missing-backports": checked}, findings, base_commit=shas["main:sneaked"]
        ),
    )


def test_missing_backports_of_other_subjects(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    result = run(
        rule_runner,
        "--rules=missing-backports",
        "--check-release-branch-backport-subjects=['^refactor']",
        "--check-release-branch-request-key=Backport-to",
    )
    assert (result.exit_code, result.stdout.splitlines()[:-2]) == (
        1,
        [
            f"missing-backports: {shas['refactor'][:7]} refactor: tidy (#109): "
            + missing_finding(shas, "refactor")["message"]
        ],
    )


@pytest.mark.parametrize(
    "args, code, message",
    [
        pytest.param(
            ["--rules=names"],
            "setting-invalid",
            "--rules: `names` is not a rule; use any of branch-names, tags, version-changes, missing-backports.",
            id="rule",
        ),
        pytest.param(
            ["--base=--output=/tmp/x"],
            "ref-invalid",
            "--base: `--output=/tmp/x` is not a branch, tag or commit name.",
            id="base-like-an-option",
        ),
        pytest.param(
            ["--base=origin/main"],
            "ref-invalid",
            "--base: git knows no branch, tag or commit `origin/main`: check the name, or fetch it first.",
            id="base-unknown",
        ),
        pytest.param(
            ["--branch=-x"],
            "ref-invalid",
            "--branch: `-x` is not a name git takes for a branch.",
            id="branch-like-an-option",
        ),
        pytest.param(
            ["--check-release-branch-tags-since=latest"],
            "setting-invalid",
            "[check-release-branch].tags_since: `latest` is not a version: write one such as `25.1.0`.",
            id="tags-since",
        ),
        pytest.param(
            ["--check-release-branch-backport-subjects=['(']"],
            "setting-invalid",
            "[check-release-branch].backport_subjects: `(` is not a regular expression "
            "(missing ), unterminated subpattern at position 0)",
            id="subjects",
        ),
        pytest.param(
            ["--check-release-branch-request-key=Backport to"],
            "setting-invalid",
            "[check-release-branch].request_key: `Backport to` is not a trailer key: use ASCII letters, "
            "digits and `-`, such as `Backport`.",
            id="request-key",
        ),
    ],
)
def test_errors_in_every_format(
    rule_runner: RuleRunner, shas: Dict[str, str], args: List[str], code: str, message: str
) -> None:
    result = run(rule_runner, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    result = run(rule_runner, *args, "--output-format=github")
    assert (result.exit_code, result.stdout) == (1, f"::error title={code}::{message}\n")
    result = run(rule_runner, *args, "--output-format=json")
    assert (result.exit_code, json.loads(result.stdout)) == (1, {"error": {"code": code, "message": message}})
