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


def text(problem: Dict) -> str:
    """A problem's one text form: `sha subject: message` for a commit, the message for a ref."""
    return (
        f"{problem['sha']} {problem['subject']}: {problem['message']}"
        if "sha" in problem
        else problem["message"]
    )


def assert_formats(rule_runner: RuleRunner, args: List[str], report: Dict, summary: str) -> None:
    """The run's exit code and exact output as text, GitHub annotations and JSON (`report`)."""
    problems = [p for rule in report["rules"].values() for p in rule["problems"]]
    code = 1 if problems else 0
    result = run(rule_runner, *args)
    assert (result.exit_code, result.stderr) == (code, "")
    assert result.stdout == "\n".join([*map(text, problems), *([""] if problems else []), summary]) + "\n"
    result = run(rule_runner, *args, "--output-format=github")
    assert (result.exit_code, result.stdout.splitlines()) == (
        code,
        [f"::error title={p['code']}::{text(p)}" for p in problems],
    )
    result = run(rule_runner, *args, "--output-format=json")
    assert (result.exit_code, json.loads(result.stdout)) == (code, report)


def ref_problem(code: str, message: str, found: str = "", expected: str = "") -> Dict:
    return {"code": code, "message": message, "found": found, "expected": expected}


def commit_problem(sha: str, subject: str, code: str, message: str) -> Dict:
    return {"sha": sha[:7], "subject": subject, "code": code, "message": message}


def report(
    rules: Dict[str, Tuple[str, List[Dict]]], branch: str = "23.09", base_commit: Optional[str] = None
) -> Dict:
    return {
        "branch": branch,
        "base": "main",
        "base_commit": base_commit,
        "rules": {
            rule: {"checked": checked, "problems": problems} for rule, (checked, problems) in rules.items()
        },
        "skipped": {},
    }


RENAME = "(`git branch -m`)"
LIKE_TAG = ref_problem(
    "branch-named-like-tag",
    "branch 23.09.2 is named like a release tag (x.y.z): rename the branch so that it differs from release "
    f"tags and release branches {RENAME}",
)
DISGUISED = ref_problem(
    "branch-disguised",
    "branch 24.09 is named like release branch 24.09, but its head holds version 24.03.0.dev1 in `VERSION`, not a "
    f"24.09.* version: a feature branch in disguise. Rename it so that it differs from release branches {RENAME}",
)
AS_TAG = ref_problem(
    "branch-named-like-tag",
    "branch hotfix has the name of tag hotfix: git reads `hotfix` as either, and warns that it is ambiguous. "
    f"Rename the branch {RENAME}",
)


def test_branch_names_of_every_branch(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    # 23.09 (under test), 23.09.2, 24.09, hotfix, main and origin/23.09; not origin/HEAD, a symbolic ref.
    assert_formats(
        rule_runner,
        ["--rules=branch-names", "--all-branches"],
        report({"branch-names": ("6 branches", [LIKE_TAG, DISGUISED, AS_TAG])}),
        "3 problems (branch-names: 6 branches).",
    )


def test_the_branch_under_test_alone(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    result = run(rule_runner, "--rules=branch-names")
    assert (result.exit_code, result.stdout) == (0, "✓ 23.09: no problems (branch-names: 1 branch).\n")
    git(rule_runner, "checkout", "-q", "24.09")
    assert_formats(
        rule_runner,
        ["--rules=branch-names"],
        report({"branch-names": ("1 branch", [DISGUISED])}, branch="24.09"),
        "1 problem (branch-names: 1 branch).",
    )
    # CI's checkout of a pull request: detached, the head branch's name given.
    git(rule_runner, "checkout", "-q", "--detach", "main")
    result = run(rule_runner, "--rules=branch-names")
    assert (result.exit_code, result.stdout) == (
        0,
        "branch-names: skipped: HEAD is detached and --branch names no branch.\n",
    )
    result = run(rule_runner, "--rules=branch-names", "--branch=23.09.2")
    assert (result.exit_code, result.stdout.splitlines()[0]) == (1, LIKE_TAG["message"])


def tag_problems(shas: Dict[str, str]) -> List[Dict]:
    return [
        ref_problem(
            "tag-version-mismatch",
            f"tag 23.09.1 points at {shas['23.09:release'][:12]}, whose `VERSION` holds 23.09.0, not 23.09.1: move "
            "the tag to the release commit of 23.09.1",
            found="23.09.0",
            expected="23.09.1",
        ),
        ref_problem(
            "tag-misspelled",
            "tag 23.09.8.rc1 is not spelled as the version 23.09.8rc1 is: write `23.09.8rc1` (`git tag 23.09.8rc1 "
            "23.09.8.rc1^{}`, then delete `23.09.8.rc1`)",
            found="23.09.8.rc1",
            expected="23.09.8rc1",
        ),
        ref_problem(
            "tag-version-misspelled",
            f"tag 23.09.8.rc1 points at {shas['23.09:rc'][:12]}, whose `VERSION` spells 23.09.8rc1 as `23.09.8.rc1`: "
            "the release was made with a misspelled version file; spell it `23.09.8rc1` from now on",
            found="23.09.8.rc1",
            expected="23.09.8rc1",
        ),
    ]


def test_tags_annotated_and_lightweight(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    # 23.09.0 (annotated, on its release commit) passes; 23.09.1 (lightweight) is on 23.09.0's.
    checked = "3 tags reachable from HEAD"
    assert_formats(
        rule_runner,
        ["--rules=tags"],
        report({"tags": (checked, tag_problems(shas))}),
        f"3 problems (tags: {checked}).",
    )


def test_tags_since_a_version(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    checked = "1 tag reachable from HEAD (2 older than `[check-release-branch].tags_since` not checked)"
    assert_formats(
        rule_runner,
        ["--rules=tags", "--check-release-branch-tags-since=23.09.2"],
        report({"tags": (checked, tag_problems(shas)[1:])}),
        f"2 problems (tags: {checked}).",
    )


def test_tags_on_main_and_a_padding_that_changed(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    git(rule_runner, "checkout", "-q", "main")
    result = run(rule_runner, "--rules=tags")
    assert (result.exit_code, result.stdout) == (
        1,
        "tag 24.03.0dev0 is not spelled as the version 24.03.0.dev0 is: write `24.03.0.dev0` "
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


FIX = "Change the version only with `bump-version --commit` (revert this change, or split it from the rest)"


def test_version_changes_on_the_release_branch(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    # `release: 23.09.0` and `release: 23.09.8.rc1` change VERSION alone; `release: 23.09.8` also code.
    problem = commit_problem(
        shas["23.09:sneaked"],
        "release: 23.09.8",
        "version-changed-outside-release",
        f"changes `VERSION` but is no release commit: it also changes `src/app.py`. {FIX}",
    )
    checked = "8 commits since main"
    assert_formats(
        rule_runner,
        ["--rules=version-changes"],
        report({"version-changes": (checked, [problem])}, base_commit=shas["main:sneaked"]),
        f"1 problem (version-changes: {checked}).",
    )


def test_version_changes_on_main(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    # The cycle commit (`[bump-version].cycle_message`) passes; a bump in passing does not.
    git(rule_runner, "checkout", "-q", "main")
    result = run(rule_runner, "--rules=version-changes", f"--base={shas['init']}")
    assert (result.exit_code, result.stdout) == (
        1,
        f"{shas['main:sneaked'][:7]} Bump things: changes `VERSION` but is no release commit: its subject is not "
        "one bump-version writes (`[bump-version].commit_message`) and it also changes `src/app.py`. "
        f"{FIX}\n\n1 problem (version-changes: 11 commits since {shas['init']}).\n",
    )
    # On main since main: nothing to check, and missing-backports has no release branch.
    result = run(rule_runner, "--rules=version-changes", "--rules=missing-backports")
    assert (result.exit_code, result.stdout) == (
        0,
        "missing-backports: skipped: main is not a release branch x.y.\n"
        "✓ main: no problems (version-changes: 0 commits since main).\n",
    )
    result = run(rule_runner, "--rules=missing-backports", "--output-format=json")
    assert (result.exit_code, json.loads(result.stdout)) == (
        0,
        {
            "branch": "main",
            "base": "main",
            "base_commit": shas["main:sneaked"],
            "rules": {},
            "skipped": {"missing-backports": "main is not a release branch x.y."},
        },
    )


def missing_problem(shas: Dict[str, str], name: str, forms: str = "`trailers`", how: str = "") -> Dict:
    sha = shas[name][:7]
    how = how or (
        f"`git cherry-pick -e {sha}` and end the message with `Backported-From: main` and "
        "`Backported-To: 23.09`, after one blank line"
    )
    return commit_problem(
        sha,
        release_history.FIXES[name].split("\n")[0],
        "backport-missing",
        f"is missing from 23.09: no commit there is its backport (accepted provenance: {forms}). "
        f"Backport it: on 23.09, {how}",
    )


MAIN_SINCE = "11 commits of main since the branch point"


def test_missing_backports_by_the_spec_trailers(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    # Only the `-e` backport with the spec's trailers counts; `feat: new API` asks for 23.09 with
    # `Backport: 23.09, 22.09`; `fix: only for 24.03` asks for 24.03 only; `refactor:` is no fix.
    names = ("requested", "missed", "patch", "backport-of", "pr", "picked")
    assert_formats(
        rule_runner,
        ["--rules=missing-backports"],
        report(
            {"missing-backports": (MAIN_SINCE, [missing_problem(shas, name) for name in names])},
            base_commit=shas["main:sneaked"],
        ),
        f"6 problems (missing-backports: {MAIN_SINCE}).",
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
        [text(missing_problem(shas, "refactor"))],
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


EVERY_FORM = (
    "--check-backports-provenance=['cherry-picked', 'trailers', 'backport-of', 'pr-number', 'patch-id']"
)


def test_missing_backports_by_every_form(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    # -x, the trailers, `Backport-of:`, `(#103) (#110)` and the unmarked cherry-pick (patch id) all
    # count: only the two never backported are missing. The fix is written in the first form.
    forms = "`cherry-picked`, `trailers`, `backport-of`, `pr-number`, `patch-id`"
    problems = [
        missing_problem(shas, name, forms, f"`git cherry-pick -x {shas[name][:7]}`")
        for name in ("requested", "missed")
    ]
    assert_formats(
        rule_runner,
        ["--rules=missing-backports", EVERY_FORM],
        report({"missing-backports": (MAIN_SINCE, problems)}, base_commit=shas["main:sneaked"]),
        f"2 problems (missing-backports: {MAIN_SINCE}).",
    )


@pytest.mark.parametrize(
    "form, found",
    [
        pytest.param("cherry-picked", ["picked"], id="cherry-picked"),
        pytest.param("backport-of", ["backport-of"], id="backport-of"),
        # The squash merge wrote `(#103) (#110)`; a cherry-pick's one `(#101)` is its own number.
        pytest.param("pr-number", ["pr"], id="pr-number"),
        pytest.param("patch-id", ["patch", "backport-of", "pr", "trailers", "picked"], id="patch-id"),
    ],
)
def test_missing_backports_by_one_form(
    rule_runner: RuleRunner, shas: Dict[str, str], form: str, found: List[str]
) -> None:
    result = run(
        rule_runner,
        "--rules=missing-backports",
        f"--check-backports-provenance=['{form}']",
        "--output-format=json",
    )
    names = {sha[:7]: name for name, sha in shas.items()}
    missing = [names[p["sha"]] for p in json.loads(result.stdout)["rules"]["missing-backports"]["problems"]]
    everything = ["requested", "missed", "patch", "backport-of", "pr", "trailers", "picked"]
    assert (result.exit_code, missing) == (1, [name for name in everything if name not in found])
