"""The RuleRunners of the version goals (check-version-sync, bump-version, check-backports), and the
git repos and runs their tests share. Test modules build their runners here: none imports another."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Mapping, Optional

from pants.backend.python.macros import python_requirements
from pants.backend.python.macros.python_artifact import PythonArtifact
from pants.backend.python.macros.python_requirements import PythonRequirementsTargetGenerator
from pants.backend.python.target_types import PythonDistribution, PythonRequirementTarget
from pants.testutil.rule_runner import GoalRuleResult, RuleRunner

import monorepo
from monorepo import git
from pants_calver.goals import check_backports
from pants_calver.goals.bump_version import BumpVersion


def version_goals_rule_runner(*rules: Any) -> RuleRunner:
    """`rules` (the goals' own, and any query rule) with the target types of `monorepo`."""
    return RuleRunner(
        rules=[*rules, *python_requirements.rules()],
        target_types=[PythonDistribution, PythonRequirementTarget, PythonRequirementsTargetGenerator],
        objects={"python_artifact": PythonArtifact},
    )


def check_backports_rule_runner() -> RuleRunner:
    """check-backports' rules and the target types of `monorepo`."""
    return version_goals_rule_runner(*check_backports.rules())


# bump-version's git steps

IDENTITY = {
    "GIT_AUTHOR_NAME": "r",
    "GIT_AUTHOR_EMAIL": "r@example.invalid",
    "GIT_COMMITTER_NAME": "r",
    "GIT_COMMITTER_EMAIL": "r@example.invalid",
}


def commit_sample_repo(rule_runner: RuleRunner) -> None:
    """`monorepo`'s files committed in the build root, with Pants' own directories ignored."""
    monorepo.write(rule_runner.build_root, {**monorepo.FILES, ".gitignore": "/.pants.d/\n/.pids/\n"})
    monorepo.commit_all(rule_runner.build_root)


def bump(rule_runner: RuleRunner, *args: str, env: Optional[Mapping[str, str]] = None) -> GoalRuleResult:
    """bump-version with `args`; by default as a committer with only IDENTITY and no git config."""
    return rule_runner.run_goal_rule(
        BumpVersion,
        args=list(args),
        env={**IDENTITY, "HOME": rule_runner.build_root} if env is None else env,
        env_inherit={"PATH"},
    )


# Release branches with backports

# What every good backport's editor appends.
MARKED = "\nBackported-From: main\nBackported-To: 23.09\n"


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


def cut_release_branch(rule_runner: RuleRunner) -> Dict[str, str]:
    """main with three fixes after the commit release branch 23.09 was cut at; 23.09 checked out,
    carrying the first fix as a marked backport. Returns main's fixes' full shas by subject."""
    root = Path(rule_runner.build_root)
    monorepo.write(root)
    monorepo.commit_all(root)
    git(root, "branch", "23.09")
    on_main = {
        subject: commit_file(root, f"src/ai/backend/manager/fix{i}.py", f"fix = {i}\n", subject)
        for i, subject in enumerate(["Fix the scheduler", "Fix storage", "Fix the agent"])
    }
    git(root, "checkout", "-q", "23.09")
    cherry_pick(root, on_main["Fix the scheduler"], MARKED)
    return on_main
