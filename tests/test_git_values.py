"""No value from a flag or option reaches a git command line except through the one door of
`pants_calver.engine.git`: `Git.commit` (after `--end-of-options`, in `rev-parse --verify`) and
`Git.check_ref_name` (as `refs/...`, in `check-ref-format`). Everything else git is given must be
what those returned, or the plugin's own constants.

Each goal runs under RuleRunner with sentinel values, and every git command it starts is
recorded (at `subprocess.run` as `engine/git.py` sees it). To hold another goal or option to
this, add a row to `CASES`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, List, Sequence, Tuple

import pytest
from pants.testutil.rule_runner import RuleRunner

import monorepo
from pants_calver.engine import git as engine_git
from pants_calver.goals import bump_version as bump_version_goal
from pants_calver.goals.check_backports import CheckBackports
from export_dev_runner import export_dev_rule_runner
from export_dev_runner import run as run_export_dev
from runners import (
    bump,
    check_backports_rule_runner,
    commit_sample_repo,
    cut_release_branch,
    version_goals_rule_runner,
)

TOKEN = "sentinel-7f3a"


def option_like(tmp: Path) -> List[Tuple[str, str]]:
    """Values that git would read as options, each naming a file it would write or run."""
    return [
        ("output", f"--output={tmp}/{TOKEN}"),
        ("config", f"-ccore.pager=touch {tmp}/{TOKEN}"),
        ("exec", f"--exec=touch {tmp}/{TOKEN}"),
    ]


# A value git would read as a ref: allowed only in the door's own calls.
PLAIN = f"{TOKEN}-ref"


def allowed(argv: Sequence[str], index: int) -> bool:
    """Whether `argv[index]`, which holds a user's value, is where the door puts one: a ref after
    `--end-of-options` in `rev-parse --verify`, a vetted name as a full ref (`refs/tags/...`), or
    a vetted name after `--` (`git tag -- NAME SHA`)."""
    if argv[1:3] == ["rev-parse", "--verify"]:
        return "--end-of-options" in argv[:index]
    return argv[index].startswith("refs/") or "--" in argv[:index]


def misplaced(calls: Sequence[Sequence[str]]) -> List[Sequence[str]]:
    """The git commands that hold a sentinel anywhere but where the door puts it."""
    return [
        argv for argv in calls if any(TOKEN in arg and not allowed(argv, i) for i, arg in enumerate(argv))
    ]


@dataclass(frozen=True)
class Case:
    """A goal run with `args` holding a sentinel `{value}`, on a repo that `repo` builds."""

    runner: Callable[[], RuleRunner]
    repo: Callable[[RuleRunner], object]
    run: Callable[[RuleRunner, Sequence[str]], Tuple[int, str]]  # exit code, stdout + stderr
    args: Tuple[str, ...]


def _check_backports(runner: RuleRunner, args: Sequence[str]) -> Tuple[int, str]:
    result = runner.run_goal_rule(CheckBackports, args=list(args))
    return result.exit_code, result.stdout + result.stderr


def _export_dev(runner: RuleRunner, args: Sequence[str]) -> Tuple[int, str]:
    result = run_export_dev(runner, *args, resolves={"alpha": "alpha.lock"})
    return result.exit_code, result.stdout + result.stderr


def _git_repo(runner: RuleRunner) -> None:
    runner.write_files({"alpha.lock": "// alpha\n"})
    monorepo.commit_all(runner.build_root)


def check_backports(*args: str) -> Case:
    """check-backports on release branch 23.09, cut from main."""
    return Case(check_backports_rule_runner, cut_release_branch, _check_backports, args)


def _bump_version_runner() -> RuleRunner:
    return version_goals_rule_runner(*bump_version_goal.rules())


def _bump_version(runner: RuleRunner, args: Sequence[str]) -> Tuple[int, str]:
    result = bump(runner, *args)
    return result.exit_code, result.stdout + result.stderr


def bump_version(*args: str) -> Case:
    """bump-version on main, at 23.09.6."""
    return Case(_bump_version_runner, commit_sample_repo, _bump_version, args)


CASES = {
    "check-backports --base": check_backports("--base={value}"),
    "check-backports --base with --branch": check_backports("--branch=23.09", "--base={value}"),
    "check-backports --branch": check_backports("--branch={value}"),
    "check-backports main_branch": check_backports("--check-backports-main-branch={value}"),
    "check-backports main_branch, --base": check_backports(
        "--base=main", "--check-backports-main-branch={value}"
    ),
    "export-dev --preview": Case(export_dev_rule_runner, _git_repo, _export_dev, ("--preview={value}",)),
    "bump-version tag_name": bump_version("--next=patch", "--tag-release", "--bump-version-tag-name={value}"),
    "bump-version tag_name, --dry-run": bump_version(
        "--next=patch", "--tag-release", "--dry-run", "--bump-version-tag-name={value}"
    ),
    "bump-version --branch": bump_version("--next=patch", "--commit", "--branch={value}"),
}


@pytest.fixture
def git_calls(monkeypatch: pytest.MonkeyPatch) -> List[List[str]]:
    """Every command `engine/git.py` starts from now on."""
    calls: List[List[str]] = []
    real_run = subprocess.run

    def recording_run(argv, *args, **kwargs):
        calls.append(list(argv))
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr(engine_git, "subprocess", SimpleNamespace(run=recording_run))
    return calls


def params() -> list:
    rows = []
    for name in CASES:
        for kind in ("output", "config", "exec"):
            rows.append(pytest.param(name, kind, id=f"{name}-{kind}"))
        rows.append(pytest.param(name, "plain", id=f"{name}-plain"))
    return rows


@pytest.mark.parametrize("name, kind", params())
def test_values_reach_git_only_through_the_door(
    git_calls: List[List[str]], tmp_path: Path, name: str, kind: str
) -> None:
    case = CASES[name]
    runner = case.runner()
    case.repo(runner)
    value = dict(option_like(tmp_path), plain=PLAIN)[kind]
    git_calls.clear()
    exit_code, output = case.run(runner, [arg.format(value=value) for arg in case.args])
    # No git command misread the value, and nothing was written; a value git would read as an
    # option is refused, naming it.
    assert misplaced(git_calls) == []
    assert list(tmp_path.iterdir()) == []
    if kind != "plain":
        assert (exit_code, TOKEN in output) == (1, True), output


def test_the_recorder_sees_the_door() -> None:
    # The check above would pass vacuously if it missed a call: the door's own calls hold the
    # value where `allowed` lets them, and nowhere else passes.
    assert (
        misplaced([["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{PLAIN}^{{commit}}"]])
        == []
    )
    assert misplaced([["git", "check-ref-format", f"refs/heads/{PLAIN}"]]) == []
    assert misplaced([["git", "log", f"{PLAIN}..HEAD", "--"]]) != []
    assert misplaced([["git", "rev-parse", "--verify", f"{PLAIN}^{{commit}}"]]) != []
    assert misplaced([["git", "check-ref-format", PLAIN]]) != []


def test_the_plain_value_reaches_the_door(git_calls: List[List[str]]) -> None:
    runner = check_backports_rule_runner()
    cut_release_branch(runner)
    git_calls.clear()
    assert _check_backports(runner, [f"--base={PLAIN}"])[0] == 1
    assert [argv for argv in git_calls if any(TOKEN in arg for arg in argv)] == [
        ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{PLAIN}^{{commit}}"]
    ]
