"""check-release-branch on a repo Pants reads, whose history real git made (release_history):
exact output in the three formats for each rule, exit codes, and errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Dict, Tuple

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
    root, shas = template
    shutil.copytree(root, rule_runner.build_root, symlinks=True, dirs_exist_ok=True)
    return {name: sha[:7] for name, sha in shas.items()}


def run(rule_runner: RuleRunner, *args: str) -> GoalRuleResult:
    return rule_runner.run_goal_rule(CheckReleaseBranch, args=list(args), env_inherit={"PATH"})


def test_smoke(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    result = run(rule_runner)
    print(result.stdout, result.stderr)
    result = run(rule_runner, "--output-format=json")
    print(result.stdout)
    assert False
