"""check-backports with `[check-backports].provenance`: on a release branch made by real git
(`cherry-pick -x`, `-e` with trailers, a squash merge's `(#103) (#110)`, `Backport-of:`, an
unmarked cherry-pick), each commit passes with one accepted form; exact output in three formats."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Dict, List, Tuple

import pytest
from pants.testutil.rule_runner import GoalRuleResult, RuleRunner

import monorepo
import release_history
from pants_calver.engine import git as engine_git
from pants_calver.goals.check_backports import CheckBackports
from runners import check_backports_rule_runner


@pytest.fixture
def rule_runner() -> RuleRunner:
    return check_backports_rule_runner()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, Dict[str, str]]:
    root = tmp_path_factory.mktemp("forms") / "repo"
    files = {**monorepo.FILES, ".gitignore": "/.pants.d/\n/.pids/\n"}
    return root, release_history.build(root, files)


@pytest.fixture
def shas(rule_runner: RuleRunner, template: Tuple[Path, Dict[str, str]]) -> Dict[str, str]:
    root, shas = template
    shutil.copytree(root, rule_runner.build_root, symlinks=True, dirs_exist_ok=True)
    # Without the commit that changes code and the version at once, which no form passes.
    release_history.run(Path(rule_runner.build_root), "reset", "-q", "--hard", shas["23.09:rc"])
    return {name: sha[:7] for name, sha in shas.items()}


def run(rule_runner: RuleRunner, *args: str) -> GoalRuleResult:
    return rule_runner.run_goal_rule(CheckBackports, args=list(args), env_inherit={"PATH"})


MARKS = "--check-backports-provenance=['trailers', 'cherry-picked', 'backport-of', 'pr-number']"


def test_every_mark_but_the_unmarked_cherry_pick(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    sha = shas["23.09:patch"]
    message = (
        "has no backport trailers: cherry-pick it from main with `git cherry-pick -e` and end the message "
        "with `Backported-From: main` and `Backported-To: 23.09`, after one blank line"
    )
    result = run(rule_runner, MARKS)
    assert (result.exit_code, result.stdout) == (
        1,
        f"{sha} fix: logging (#105): {message}\n\n1 problem in 7 commits on 23.09 since main.\n",
    )
    result = run(rule_runner, MARKS, "--output-format=github")
    assert (result.exit_code, result.stdout) == (
        1,
        f"::error title=trailers-missing::{sha} fix: logging (#105): {message}\n",
    )
    result = run(rule_runner, MARKS, "--output-format=json")
    assert (result.exit_code, json.loads(result.stdout)["problems"]) == (
        1,
        [{"sha": sha, "subject": "fix: logging (#105)", "code": "trailers-missing", "message": message}],
    )


def test_patch_ids_pass_the_unmarked_cherry_pick(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    result = run(rule_runner, MARKS[:-1] + ", 'patch-id']")
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ 23.09: 7 commits since main, every one a marked backport or a release.\n",
    )


def test_head_is_resolved_once_for_the_log_and_the_patch_ids(
    rule_runner: RuleRunner, shas: Dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The branch's log and the patch-id step's log of main read the same HEAD: one `rev-parse`,
    # whose id both ranges name, so a HEAD that moves during the run cannot split them.
    calls: List[List[str]] = []
    real_run = subprocess.run

    def recording_run(argv, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(list(argv))
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr(engine_git, "subprocess", SimpleNamespace(run=recording_run))
    result = run(rule_runner, MARKS[:-1] + ", 'patch-id']")
    assert result.exit_code == 0
    head = release_history.run(Path(rule_runner.build_root), "rev-parse", "HEAD").strip()
    base = release_history.run(Path(rule_runner.build_root), "rev-parse", "main").strip()
    assert [argv for argv in calls if any("HEAD" in arg for arg in argv)] == [
        ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", "HEAD^{commit}"]
    ]
    assert [argv[-2] for argv in calls if argv[1] == "log"] == [f"{base}..{head}", f"{head}..{base}"]


def test_only_cherry_pick_lines(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    result = run(rule_runner, "--check-backports-provenance=['cherry-picked']", "--output-format=json")
    message = (
        "carries no accepted provenance (`cherry-picked`). Backport the commit of main it comes from: on "
        "23.09, `git cherry-pick -x <sha>`"
    )
    assert (result.exit_code, json.loads(result.stdout)["problems"]) == (
        1,
        [
            {
                "sha": shas[f"23.09:{name}"],
                "subject": subject,
                "code": "provenance-missing",
                "message": message,
            }
            for name, subject in [
                ("patch", "fix: logging (#105)"),
                ("backport-of", "fix: web UI crash (#104)"),
                ("pr", "fix: storage quota (#103) (#110)"),
                ("trailers", "fix: agent leak (#102)"),
            ]
        ],
    )


def test_a_form_that_is_not_one(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    result = run(rule_runner, "--check-backports-provenance=['-x']")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: [check-backports].provenance: `-x` is not a provenance form; use any of trailers, "
        "cherry-picked, backport-of, pr-number, patch-id.\n",
    )
