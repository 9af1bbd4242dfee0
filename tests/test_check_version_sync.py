from __future__ import annotations

import json
from pathlib import Path

import pytest
from pants.backend.python.macros import python_requirements
from pants.backend.python.macros.python_requirements import PythonRequirementsTargetGenerator
from pants.backend.python.target_types import PythonDistribution, PythonRequirementTarget
from pants.backend.python.util_rules.pex import rules as pex_rules  # noqa: F401
from pants.backend.python.macros.python_artifact import PythonArtifact
from pants.testutil.rule_runner import RuleRunner

from pants_calver import check_version_sync
from pants_calver.check_version_sync import CheckVersionSync

import monorepo


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = RuleRunner(
        rules=[*check_version_sync.rules(), *python_requirements.rules()],
        target_types=[PythonDistribution, PythonRequirementTarget, PythonRequirementsTargetGenerator],
        objects={"python_artifact": PythonArtifact},
    )
    monorepo.write(runner.build_root)
    return runner


def run(rule_runner: RuleRunner, *args: str, files: dict | None = None):
    if files:
        monorepo.write(rule_runner.build_root, files, {})
    branch = [] if any(arg.startswith("--branch") for arg in args) else ["--branch=main"]
    return rule_runner.run_goal_rule(CheckVersionSync, args=[*branch, *args])


def test_in_sync(rule_runner: RuleRunner) -> None:
    result = run(rule_runner)
    assert result.exit_code == 0, result.stdout
    assert result.stdout == (
        "✓ VERSION 23.09.6: 4 distributions, 4 version files and 6 first-party pins in sync.\n"
    )


@pytest.mark.parametrize(
    "files, expected",
    [
        pytest.param(
            {"VERSION": "23.9.6\n"}, ["VERSION:1: `23.9.6` is not in display form"], id="version-unpadded"
        ),
        pytest.param(
            {"VERSION": "24.03\n"}, ["VERSION:1: `24.03` has 2 release parts"], id="version-invalid"
        ),
        pytest.param(
            {"src/ai/backend/agent/VERSION": "23.09.5\n"},
            [
                "src/ai/backend/agent/VERSION:1: backend.ai-agent has version `23.09.5`, but VERSION has `23.09.6`"
            ],
            id="package-version",
        ),
        pytest.param(
            {"requirements.txt": "backend.ai-common==23.09.6\n"},
            ["requirements.txt:1: `backend.ai-common==23.09.6`: `23.09.6` is not normalized, write `23.9.6`"],
            id="requirements-padded",
        ),
        pytest.param(
            {
                "src/ai/backend/manager/BUILD": monorepo.FILES["src/ai/backend/manager/BUILD"].replace(
                    "23.9.6", "23.9.5"
                )
            },
            [
                "src/ai/backend/manager/BUILD:2: `backend.ai-common==23.9.5` pins 23.9.5, but the version is 23.09.6"
            ],
            id="build-inline-old",
        ),
        pytest.param(
            {
                "src/ai/backend/web/pyproject.toml": monorepo.FILES[
                    "src/ai/backend/web/pyproject.toml"
                ].replace("~=23.9.0", ">=24.3")
            },
            ["src/ai/backend/web/pyproject.toml:5: `backend.ai-common>=24.3` excludes the version 23.09.6"],
            id="pyproject-excludes",
        ),
        pytest.param(
            {
                "src/ai/backend/plugin/setup.cfg": monorepo.FILES["src/ai/backend/plugin/setup.cfg"].replace(
                    "23.9.6", "23.09.6"
                )
            },
            ["src/ai/backend/plugin/setup.cfg:5: `backend.ai-common==23.09.6`: `23.09.6` is not normalized"],
            id="setup-cfg-padded",
        ),
        pytest.param(
            {
                "src/ai/backend/plugin/setup.cfg": "[options]\ninstall_requires =\n    backend.ai-common=23.9.6\n"
            },
            ["src/ai/backend/plugin/setup.cfg:3: cannot parse requirement `backend.ai-common=23.9.6`"],
            id="unparseable",
        ),
    ],
)
def test_each_drift_is_reported_at_its_line(rule_runner: RuleRunner, files: dict, expected: list) -> None:
    result = run(rule_runner, files=files)
    assert result.exit_code == 1
    problem_lines = [
        line for line in result.stdout.splitlines() if ": " in line and not line.startswith("Run ")
    ]
    assert len(problem_lines) == len(expected), result.stdout
    for line, prefix in zip(problem_lines, expected):
        assert line.startswith(prefix), result.stdout


def test_summary_and_fix_command(rule_runner: RuleRunner) -> None:
    result = run(
        rule_runner, files={"requirements.txt": "backend.ai-common==23.09.6\nbackend.ai-common==23.09.5\n"}
    )
    assert result.stdout.splitlines()[-2:] == [
        "3 problems in 1 file.",
        "Run `pants bump-version --sync` to fix what can be fixed.",
    ]


def test_invalid_requirement_in_a_requirements_target_is_a_clear_error(rule_runner: RuleRunner) -> None:
    result = run(rule_runner, files={"requirements.txt": "aiohttp==3.8.1\nbackend.ai-common=23.9.6\n"})
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "error: Invalid requirement 'backend.ai-common=23.9.6' in requirements.txt at line 2"
    )
    assert "Traceback" not in result.stderr


def test_independent_distribution_keeps_its_own_version(rule_runner: RuleRunner) -> None:
    assert run(rule_runner, files={"src/ai/backend/client/VERSION": "24.09.0\n"}).exit_code == 0
    result = run(rule_runner, "--calver-independent=[]")
    assert result.exit_code == 1
    assert "src/ai/backend/client/VERSION:1: backend.ai-client has version `24.09.0`" in result.stdout


def test_symlinked_version_file_follows_the_root(rule_runner: RuleRunner) -> None:
    result = run(rule_runner, files={"VERSION": "23.09.7\n", "src/ai/backend/agent/VERSION": "23.09.7\n"})
    # The links follow VERSION; the regular file was updated; the pins are now old.
    assert "src/ai/backend/common/VERSION" not in result.stdout
    assert (
        "requirements.txt:3: `backend.ai-common==23.9.6` pins 23.9.6, but the version is 23.09.7"
        in result.stdout
    )


def test_release_branch(rule_runner: RuleRunner) -> None:
    assert run(rule_runner, "--branch=23.09").exit_code == 0
    result = run(rule_runner, "--branch=24.03")
    assert result.exit_code == 1
    assert (
        "VERSION:1: release branch 24.03 takes only 24.03.* versions, but the version is 23.09.6"
        in result.stdout
    )


def test_padding_off(rule_runner: RuleRunner) -> None:
    result = run(rule_runner, "--calver-pad-minor=false")
    assert "VERSION:1: `23.09.6` is not in display form (padding is off); write `23.9.6`" in result.stdout


def test_missing_version_file(rule_runner: RuleRunner) -> None:
    Path(rule_runner.build_root, "VERSION").unlink()
    result = run(rule_runner)
    assert result.exit_code == 1
    assert result.stdout.startswith("VERSION: the version file is missing")


def test_github_format(rule_runner: RuleRunner) -> None:
    result = run(
        rule_runner, "--output-format=github", files={"requirements.txt": "backend.ai-common==23.09.6\n"}
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "::error file=requirements.txt,line=1,title=pin-not-normalized::"
        "`backend.ai-common==23.09.6`: `23.09.6` is not normalized, write `23.9.6`"
    )


def test_json_format(rule_runner: RuleRunner) -> None:
    result = run(
        rule_runner, "--output-format=json", files={"requirements.txt": "backend.ai-common==23.09.6\n"}
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["version"] == "23.09.6" and document["in_sync"] is False
    assert [(p["path"], p["line"], p["code"], p["found"], p["expected"]) for p in document["problems"]] == [
        ("requirements.txt", 1, "pin-not-normalized", "23.09.6", "23.9.6")
    ]


def test_json_format_in_sync(rule_runner: RuleRunner) -> None:
    result = run(rule_runner, "--output-format=json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "version_file": "VERSION",
        "version": "23.09.6",
        "in_sync": True,
        "problems": [],
    }


def test_bad_setting_is_a_clear_error(rule_runner: RuleRunner) -> None:
    result = run(rule_runner, "--calver-release-months=[3, 13]")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: [calver].release_months holds [13], which are not months: give numbers from 1 to 12, "
        "or an empty list for a sequential cycle.\n"
    )
