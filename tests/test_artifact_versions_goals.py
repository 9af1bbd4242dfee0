from __future__ import annotations

from pathlib import Path

import pytest
from pants.backend.python.macros import python_requirements
from pants.backend.python.macros.python_artifact import PythonArtifact
from pants.backend.python.macros.python_requirements import PythonRequirementsTargetGenerator
from pants.backend.python.target_types import PythonDistribution, PythonRequirementTarget
from pants.testutil.rule_runner import RuleRunner

import monorepo
from pants_calver.goals import bump_version, check_version_sync
from pants_calver.goals.bump_version import BumpVersion
from pants_calver.goals.check_version_sync import CheckVersionSync

PANTS_WAY = {
    "VERSION": "23.09.6\n",
    "BUILD": 'python_requirements(name="reqs")\n',
    "requirements.txt": "aiohttp==3.8.1\nbackend.ai-common==23.9.6\n",
    "src/ai/backend/common/BUILD": (
        'python_distribution(\n    name="dist",\n'
        '    provides=python_artifact(name="backend.ai-common", version="23.9.6"),\n)\n'
    ),
    "src/ai/backend/manager/BUILD": (
        "python_distribution(name='dist', provides=python_artifact(name='backend.ai-manager', version='23.9.6'))\n"
        'python_requirement(name="common", requirements=["backend.ai-common==23.9.6"])\n'
    ),
    "src/ai/backend/client/BUILD": (
        'python_distribution(name="dist", provides=python_artifact(name="backend.ai-client", version="24.3.1"))\n'
    ),
    "src/ai/backend/web/BUILD": (
        'python_distribution(name="dist", provides=python_artifact(name="backend.ai-webserver"), generate_setup=False)\n'
    ),
    "src/ai/backend/web/pyproject.toml": (
        '[project]\nname = "backend.ai-webserver"\nversion = "23.9.6"  # the release\n'
        'dependencies = ["backend.ai-common~=23.9.0"]\n'
    ),
}


@pytest.fixture
def rule_runner(monkeypatch: pytest.MonkeyPatch) -> RuleRunner:
    runner = RuleRunner(
        rules=[*bump_version.rules(), *check_version_sync.rules(), *python_requirements.rules()],
        target_types=[PythonDistribution, PythonRequirementTarget, PythonRequirementsTargetGenerator],
        objects={"python_artifact": PythonArtifact},
    )
    monorepo.write(runner.build_root, PANTS_WAY, {})
    monkeypatch.chdir(runner.build_root)
    monorepo.commit_all(runner.build_root)
    return runner


def test_explore(rule_runner: RuleRunner) -> None:
    r = rule_runner.run_goal_rule(CheckVersionSync, args=["--branch=main"])
    print(r.exit_code, r.stdout, r.stderr)
    r = rule_runner.run_goal_rule(BumpVersion, args=["--next=patch", "--dry-run"])
    print(r.exit_code, r.stdout, r.stderr)
    assert False
