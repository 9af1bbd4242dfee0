"""bump-version's git steps (--commit, --tag, --cut-branch, before_commit) on a real git repo."""

from __future__ import annotations

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
from pants_calver.goals import bump_version, check_version_sync
from pants_calver.goals.bump_version import BumpVersion
from pants_calver.goals.check_version_sync import CheckVersionSync

IDENTITY = {
    "GIT_AUTHOR_NAME": "r",
    "GIT_AUTHOR_EMAIL": "r@example.invalid",
    "GIT_COMMITTER_NAME": "r",
    "GIT_COMMITTER_EMAIL": "r@example.invalid",
}


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = RuleRunner(
        rules=[*bump_version.rules(), *check_version_sync.rules(), *python_requirements.rules()],
        target_types=[PythonDistribution, PythonRequirementTarget, PythonRequirementsTargetGenerator],
        objects={"python_artifact": PythonArtifact},
    )
    monorepo.write(runner.build_root, {**monorepo.FILES, ".gitignore": "/.pants.d/\n/.pids/\n"})
    monorepo.commit_all(runner.build_root)
    return runner


def bump(rule_runner: RuleRunner, *args: str) -> GoalRuleResult:
    return rule_runner.run_goal_rule(
        BumpVersion, args=list(args), env={**IDENTITY, "HOME": rule_runner.build_root}, env_inherit={"PATH"}
    )


def snapshot(root: str) -> Dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in Path(root).rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def head(root: str, rev: str = "HEAD") -> str:
    return git(root, "rev-parse", "--short", rev).strip()


BUMPED = [
    "VERSION",
    "requirements.txt",
    "src/ai/backend/agent/VERSION",
    "src/ai/backend/manager/BUILD",
    "src/ai/backend/plugin/setup.cfg",
]


def test_commit_and_tag_take_only_the_bumped_files(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    # Unrelated work in progress: staged, unstaged and untracked. None of it joins the release.
    monorepo.write(root, {"src/ai/backend/web/pyproject.toml": "# staged\n", "notes.txt": "todo\n"}, {})
    git(root, "add", "src/ai/backend/web/pyproject.toml")
    monorepo.write(root, {"BUILD": 'python_requirements(name="reqs")\n# unstaged\n'}, {})
    old_head = head(root)
    result = bump(rule_runner, "--next=rc", "--commit", "--tag-release")
    assert (result.exit_code, result.stderr) == (0, "")
    sha = head(root)
    assert result.stdout.splitlines()[-3:] == [
        f"Committed {sha} release: 23.09.7rc1.",
        "Tagged 23.09.7rc1.",
        "Nothing was pushed. To publish: git push origin main 23.09.7rc1",
    ]
    assert git(root, "show", "--name-only", "--format=%s%n%P", "HEAD").split() == [
        "release:",
        "23.09.7rc1",
        git(root, "rev-parse", old_head).strip(),
        *BUMPED,
    ]
    assert git(root, "tag", "--points-at", "HEAD").split() == ["23.09.7rc1"]
    assert git(root, "cat-file", "-t", "23.09.7rc1").strip() == "commit"  # a lightweight tag
    assert sorted(git(root, "status", "--porcelain").splitlines()) == [
        " M BUILD",
        "?? notes.txt",
        "M  src/ai/backend/web/pyproject.toml",
    ]


def test_annotated_tag_and_message_templates(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    result = bump(
        rule_runner,
        "--next=patch",
        "--tag-release",
        "--bump-version-commit-message=Release {version} (was {old_version}, pins {normalized})",
        "--bump-version-tag-name=v{normalized}",
        "--bump-version-tag-message=Backend.AI {version}",
    )
    assert result.exit_code == 0, result.stderr
    assert git(root, "log", "-1", "--format=%s").strip() == "Release 23.09.7 (was 23.09.6, pins 23.9.7)"
    assert git(root, "cat-file", "-t", "v23.9.7").strip() == "tag"
    assert git(root, "tag", "-l", "--format=%(contents:subject)", "v23.9.7").strip() == "Backend.AI 23.09.7"


def test_existing_tag_writes_nothing(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    git(root, "tag", "23.09.7rc1")
    before, old_head = snapshot(root), head(root)
    result = bump(rule_runner, "--next=rc", "--tag-release")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "error: the tag 23.09.7rc1 exists already; nothing was written.\n",
    )
    assert (snapshot(root), head(root)) == (before, old_head)


@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param(
            ["--next=rc", "--cut-branch"],
            "--cut-branch is for a final x.y.0 release, and 23.09.7rc1 is not one: release 23.09.0 first.",
            id="not-x.y.0",
        ),
        pytest.param(
            ["--to=23.09.0", "--cut-branch", "--branch=23.09"],
            "--cut-branch cuts a release branch from the main line, not from a release branch.",
            id="on-a-release-branch",
        ),
        pytest.param(
            ["--next=patch", "--commit", "--bump-version-commit-message=release {tag}"],
            "[bump-version].commit_message: `release {tag}` uses {tag}; the placeholders are "
            "{version}, {old_version}, {normalized}.",
            id="unknown-placeholder",
        ),
        pytest.param(
            ["--next=patch", "--commit", "--allow-dirty"],
            "--allow-dirty cannot be used with --commit: these files have uncommitted changes, and the "
            "release commit would take them: requirements.txt. Commit or stash them first.",
            id="dirty-file",
        ),
    ],
)
def test_refused_before_anything_is_written(rule_runner: RuleRunner, args: list, message: str) -> None:
    root = rule_runner.build_root
    if "--allow-dirty" in args:
        monorepo.write(root, {"requirements.txt": monorepo.FILES["requirements.txt"] + "# local\n"}, {})
    before, old_head = snapshot(root), head(root)
    result = bump(rule_runner, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    assert (snapshot(root), head(root)) == (before, old_head)


def test_detached_head_refuses_to_commit(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    git(root, "checkout", "-q", "--detach")
    before = snapshot(root)
    result = bump(rule_runner, "--next=patch", "--commit")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: HEAD is detached: check out the branch to release on.\n",
    )
    assert snapshot(root) == before


def test_failing_before_commit_leaves_tree_and_history(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    before, old_head = snapshot(root), head(root)
    result = bump(
        rule_runner,
        "--next=patch",
        "--commit",
        "--bump-version-before-commit=['sh -c \"echo broken changelog >&2; exit 3\"']",
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "error: `sh -c echo broken changelog >&2; exit 3` failed with exit code 3:\nbroken changelog\n"
        "The release stopped; the bump's edits were put back.\n"
    )
    assert (snapshot(root), head(root)) == (before, old_head)


def test_before_commit_changes_join_the_release_commit(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    monorepo.write(root, {"changes/123.fix.md": "Fix the scheduler\n"}, {})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a news fragment")
    build_changelog = "sh -c 'printf \"## {version}\\n\" > CHANGELOG.md && rm changes/123.fix.md'"
    result = bump(
        rule_runner, "--next=patch", "--commit", f"--bump-version-before-commit=[{build_changelog!r}]"
    )
    assert result.exit_code == 0, result.stderr
    assert (Path(root) / "CHANGELOG.md").read_text() == "## 23.09.7\n"
    assert git(root, "show", "--name-status", "--format=", "HEAD").splitlines() == [
        "A\tCHANGELOG.md",
        "M\tVERSION",
        "D\tchanges/123.fix.md",
        "M\trequirements.txt",
        "M\tsrc/ai/backend/agent/VERSION",
        "M\tsrc/ai/backend/manager/BUILD",
        "M\tsrc/ai/backend/plugin/setup.cfg",
    ]
    assert git(root, "status", "--porcelain") == ""


def test_dry_run_lists_the_git_steps(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    monorepo.write(root, monorepo.at_version("24.03.0rc2", "24.3.0rc2"), {})
    git(root, "commit", "-qam", "24.03.0rc2")
    before, old_head = snapshot(root), head(root)
    result = bump(rule_runner, "--next=release", "--cut-branch", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split("Then, in git:\n")[1].splitlines() == [
        "  commit VERSION, src/ai/backend/agent/VERSION, requirements.txt, src/ai/backend/manager/BUILD, "
        "src/ai/backend/plugin/setup.cfg: release: 24.03.0",
        "  tag 24.03.0",
        "  branch 24.03 at the release commit",
        "  then 24.09.0.dev0 in VERSION, src/ai/backend/agent/VERSION, requirements.txt, "
        "src/ai/backend/manager/BUILD, src/ai/backend/plugin/setup.cfg, and commit them: "
        "Start the 24.09.0.dev0 cycle",
    ]
    assert (snapshot(root), head(root)) == (before, old_head)


def test_cut_branch_releases_and_starts_the_next_cycle(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    monorepo.write(root, monorepo.at_version("24.03.0rc2", "24.3.0rc2"), {})
    git(root, "commit", "-qam", "24.03.0rc2")
    result = bump(rule_runner, "--next=release", "--tag-release", "--cut-branch")
    assert (result.exit_code, result.stderr) == (0, "")
    release, cycle = head(root, "HEAD~1"), head(root)
    assert result.stdout.splitlines()[-6:] == [
        "VERSION: 24.03.0 → 24.09.0.dev0 on main",
        f"Committed {release} release: 24.03.0.",
        "Tagged 24.03.0.",
        f"Created branch 24.03 at {release}.",
        f"Committed {cycle} Start the 24.09.0.dev0 cycle.",
        "Nothing was pushed. To publish: git push origin main 24.03 24.03.0",
    ]
    assert head(root, "24.03") == head(root, "24.03.0") == release
    assert git(root, "show", "24.03:VERSION") == "24.03.0\n"
    assert (Path(root) / "VERSION").read_text() == "24.09.0.dev0\n"
    assert "backend.ai-common==24.9.0.dev0" in (Path(root) / "requirements.txt").read_text()
    assert git(root, "status", "--porcelain") == ""

    def check(branch: str) -> GoalRuleResult:
        return rule_runner.run_goal_rule(CheckVersionSync, args=[f"--branch={branch}"])

    assert check("main").exit_code == 0
    git(root, "checkout", "-q", "24.03")
    assert check("24.03").exit_code == 0


def test_invalid_tag_name_writes_nothing(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    before = snapshot(root)
    result = bump(rule_runner, "--next=patch", "--tag-release", "--bump-version-tag-name=release..{version}")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: `release..23.09.7` is not a name git takes for a tag.\n",
    )
    assert snapshot(root) == before


def test_a_step_failing_after_the_commit_says_what_was_done_and_how_to_undo_it(
    rule_runner: RuleRunner,
) -> None:
    root = rule_runner.build_root
    old_head = head(root)
    # A hook that refuses new tags: the failure comes after the release commit.
    hook = Path(root, ".git/hooks/reference-transaction")
    hook.write_text('#!/bin/sh\n[ "$1" = prepared ] && grep -q " refs/tags/" && exit 1\nexit 0\n')
    hook.chmod(0o755)
    result = bump(rule_runner, "--next=patch", "--tag-release")
    sha = head(root)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "Done before that:",
        f"  committed {sha} release: 23.09.7",
        "To undo it:",
        f"  git reset --keep {old_head}",
    ]
    assert result.stderr.startswith("error: `git tag 23.09.7 ")
    hook.unlink()
    git(root, "reset", "-q", "--keep", old_head)
    assert (Path(root) / "VERSION").read_text() == "23.09.6\n"


def test_the_push_command_names_the_branch_git_is_on(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    git(root, "checkout", "-q", "-b", "release-prep")
    # --branch names the line the version belongs to; the commit lands on the checked-out branch.
    result = bump(rule_runner, "--next=patch", "--commit", "--branch=main")
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (
        0,
        "Nothing was pushed. To publish: git push origin release-prep",
    )
    assert git(root, "log", "-1", "--format=%s", "release-prep").strip() == "release: 23.09.7"
