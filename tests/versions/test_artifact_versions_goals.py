"""check-version-sync and bump-version on a repo versioned the standard Pants way: no version files,
`provides=python_artifact(name=..., version="23.9.6")`, and a distribution built from its own
pyproject.toml's `[project] version`. And the setupgen style, unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Mapping

import pytest
from pants.engine.rules import QueryRule
from pants.testutil.rule_runner import RuleRunner

import monorepo
from monorepo import git
from pants_calver.core.versions.versioned_repo import VersionedRepo
from pants_calver.goals import bump_version, check_version_sync
from pants_calver.goals.check_version_sync import CheckVersionSync
from runners import bump, version_goals_rule_runner

COMMON_BUILD = "src/ai/backend/common/BUILD"
MANAGER_BUILD = "src/ai/backend/manager/BUILD"
WEB_PYPROJECT = "src/ai/backend/web/pyproject.toml"

# The repo of tests/monorepo.py, versioned the way Pants documents: each distribution's version in
# its `provides` (in several spellings of a string literal), none in a version file; the web UI is
# built from its own pyproject.toml. backend.ai-client keeps its own version ([calver].independent).
PANTS_WAY: Dict[str, str] = {
    "VERSION": "23.09.6\n",
    "BUILD": 'python_requirements(name="reqs")\n',
    "requirements.txt": "aiohttp==3.8.1\nbackend.ai-common==23.9.6\n",
    COMMON_BUILD: (
        "python_distribution(\n"
        '    name="dist",\n'
        '    provides=python_artifact(name="backend.ai-common", version="23.9.6"),  # the release\n'
        ")\n"
    ),
    MANAGER_BUILD: (
        "python_distribution(name='dist', provides=python_artifact(name='backend.ai-manager', version='23.9.6'))\n"
        'python_requirement(name="common", requirements=["backend.ai-common==23.9.6"])\n'
    ),
    "src/ai/backend/client/BUILD": (
        'python_distribution(name="dist", provides=python_artifact(name="backend.ai-client", version="24.3.1"))\n'
    ),
    "src/ai/backend/web/BUILD": (
        'python_distribution(name="dist", provides=python_artifact(name="backend.ai-webserver"), '
        "generate_setup=False)\n"
    ),
    WEB_PYPROJECT: (
        "[project]\r\n"
        'name = "backend.ai-webserver"\r\n'
        "version = '23.9.6'  # the release\r\n"
        'dependencies = ["backend.ai-common==23.9.6"]\r\n'
    ),
}

IN_SYNC = (
    "✓ VERSION 23.09.6: 4 distributions, 0 version files, 3 provides versions, 1 [project] version "
    "and 3 first-party pins in sync.\n"
)

# Drift in three spellings: padded, another version in a BUILD file, another in pyproject.toml.
DRIFT = {
    COMMON_BUILD: PANTS_WAY[COMMON_BUILD].replace('"23.9.6"', '"23.09.6"'),
    MANAGER_BUILD: PANTS_WAY[MANAGER_BUILD].replace("version='23.9.6'", "version='23.9.5'"),
    WEB_PYPROJECT: PANTS_WAY[WEB_PYPROJECT].replace("'23.9.6'", "'23.9.5'"),
}
DRIFT_PROBLEMS = [
    {
        "path": COMMON_BUILD,
        "line": 3,
        "code": "distribution-version-not-normalized",
        "message": "backend.ai-common's provides version `23.09.6` is not normalized, write `23.9.6`",
        "found": "23.09.6",
        "expected": "23.9.6",
    },
    {
        "path": MANAGER_BUILD,
        "line": 1,
        "code": "distribution-version-mismatch",
        "message": "backend.ai-manager's provides version is `23.9.5`, but VERSION has `23.09.6`; write `23.9.6`",
        "found": "23.9.5",
        "expected": "23.9.6",
    },
    {
        "path": WEB_PYPROJECT,
        "line": 3,
        "code": "distribution-version-mismatch",
        "message": "backend.ai-webserver's [project] version is `23.9.5`, but VERSION has `23.09.6`; write `23.9.6`",
        "found": "23.9.5",
        "expected": "23.9.6",
    },
]


def make_runner(files: Mapping[str, str], symlinks: Mapping[str, str]) -> RuleRunner:
    runner = version_goals_rule_runner(
        *bump_version.rules(), *check_version_sync.rules(), QueryRule(VersionedRepo, [])
    )
    monorepo.write(runner.build_root, files, symlinks)
    monorepo.commit_all(runner.build_root)
    return runner


@pytest.fixture
def rule_runner(monkeypatch: pytest.MonkeyPatch) -> RuleRunner:
    runner = make_runner(PANTS_WAY, {})
    monkeypatch.chdir(runner.build_root)  # Git looks at the working directory.
    return runner


def commit(rule_runner: RuleRunner, files: Mapping[str, str]) -> None:
    monorepo.write(rule_runner.build_root, files, {})
    git(rule_runner.build_root, "commit", "-qam", "change")


def check(rule_runner: RuleRunner, *args: str):
    return rule_runner.run_goal_rule(CheckVersionSync, args=["--branch=main", *args])


def read(rule_runner: RuleRunner, path: str) -> str:
    return Path(rule_runner.build_root, path).read_bytes().decode()


def snapshot(rule_runner: RuleRunner) -> dict:
    root = Path(rule_runner.build_root)
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }


def test_in_sync_counts_the_versions_in_provides_and_pyproject(rule_runner: RuleRunner) -> None:
    result = check(rule_runner)
    assert (result.exit_code, result.stdout) == (0, IN_SYNC)


def test_drift_is_reported_with_file_and_line(rule_runner: RuleRunner) -> None:
    commit(rule_runner, DRIFT)
    result = check(rule_runner)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        *(f"{p['path']}:{p['line']}: {p['message']}" for p in DRIFT_PROBLEMS),
        "",
        "3 problems in 3 files.",
        "Run `pants bump-version --sync` to fix what can be fixed.",
    ]


def test_drift_is_reported_in_json(rule_runner: RuleRunner) -> None:
    commit(rule_runner, DRIFT)
    result = check(rule_runner, "--output-format=json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "version_file": "VERSION",
        "version": "23.09.6",
        "in_sync": False,
        "problems": DRIFT_PROBLEMS,
    }


# Versions Pants reads but the plugin cannot read exactly, and a version set twice.
NOT_EXACT = {
    COMMON_BUILD: (
        'V = "23.9.6"\n'
        'python_distribution(name="dist", provides=python_artifact(name="backend.ai-common", version=V))\n'
    ),
    MANAGER_BUILD: (
        "python_distribution(\n"
        "    name='dist',\n"
        "    provides=python_artifact(name='backend.ai-manager', version='.'.join(['23', '9', '6'])),\n"
        ")\n"
    ),
    "src/ai/backend/web/BUILD": (
        "M = 9\n"
        'python_distribution(name="dist", provides=python_artifact(name="backend.ai-webserver", '
        'version=f"23.{M}.6"))\n'
    ),
    WEB_PYPROJECT: '[project]\nname = "backend.ai-webserver"\ndynamic = ["version"]\n',
    "src/ai/backend/client/VERSION": "24.03.1\n",
}
NOT_PLAIN = (
    "Pants reads the version `23.9.6` from `provides`, but the version there is not one plain string "
    'literal, so it can be neither checked nor rewritten; write it as version="23.9.6"'
)
NOT_EXACT_PROBLEMS = [
    "src/ai/backend/client/BUILD:1: backend.ai-client's version is set in 2 places: its provides version "
    "(src/ai/backend/client/BUILD:1), its version file (src/ai/backend/client/VERSION); keep only one of them",
    f"src/ai/backend/common/BUILD:2: backend.ai-common: {NOT_PLAIN}",
    f"src/ai/backend/manager/BUILD:3: backend.ai-manager: {NOT_PLAIN}",
    f"src/ai/backend/web/BUILD:2: backend.ai-webserver: {NOT_PLAIN}",
]


def test_a_version_not_read_exactly_or_set_twice_is_reported(rule_runner: RuleRunner) -> None:
    commit(rule_runner, NOT_EXACT)
    result = check(rule_runner)
    assert result.exit_code == 1
    # None of them is fixed by --sync: no hint.
    assert result.stdout.splitlines() == [*NOT_EXACT_PROBLEMS, "", "4 problems in 4 files."]
    codes = [p["code"] for p in json.loads(check(rule_runner, "--output-format=json").stdout)["problems"]]
    assert codes == ["distribution-version-twice", *["distribution-version-unreadable"] * 3]


def test_bump_refuses_what_it_cannot_read_exactly(rule_runner: RuleRunner) -> None:
    commit(rule_runner, NOT_EXACT)
    before = snapshot(rule_runner)
    result = bump(rule_runner, "--sync")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        *NOT_EXACT_PROBLEMS,
        "error: nothing was written: 4 problems above.",
    ]
    assert snapshot(rule_runner) == before


def test_next_patch_rewrites_every_literal_byte_for_byte(rule_runner: RuleRunner) -> None:
    result = bump(rule_runner, "--next=patch")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "VERSION: 23.09.6 → 23.09.7",
        "  VERSION: version file",
        "  requirements.txt: 1 pin",
        "  src/ai/backend/common/BUILD: 1 provides version",
        "  src/ai/backend/manager/BUILD: 1 pin, 1 provides version",
        "  src/ai/backend/web/pyproject.toml: 1 pin, 1 [project] version",
    ]
    moved = {path: content.replace("23.9.6", "23.9.7") for path, content in PANTS_WAY.items()}
    moved["VERSION"] = "23.09.7\n"
    # Only the versions changed: quotes, comments, CRLF and the independent client stay.
    assert snapshot(rule_runner) == {path: content.encode() for path, content in moved.items()}
    assert check(rule_runner).stdout == IN_SYNC.replace("23.09.6", "23.09.7")


def test_next_patch_refuses_drift_and_writes_nothing(rule_runner: RuleRunner) -> None:
    commit(rule_runner, DRIFT)
    before = snapshot(rule_runner)
    result = bump(rule_runner, "--next=patch")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "src/ai/backend/manager/BUILD:1: backend.ai-manager's provides version is `23.9.5`, not VERSION's "
        "`23.09.6`; fix it by hand or run with --sync first",
        "src/ai/backend/web/pyproject.toml:3: backend.ai-webserver's [project] version is `23.9.5`, not "
        "VERSION's `23.09.6`; fix it by hand or run with --sync first",
        "error: nothing was written: 2 problems above.",
    ]
    assert snapshot(rule_runner) == before


def test_sync_fixes_the_drift(rule_runner: RuleRunner) -> None:
    commit(rule_runner, DRIFT)
    result = bump(rule_runner, "--sync")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "VERSION: 23.09.6",
        "  src/ai/backend/common/BUILD: 1 provides version",
        "  src/ai/backend/manager/BUILD: 1 provides version",
        "  src/ai/backend/web/pyproject.toml: 1 [project] version",
    ]
    assert snapshot(rule_runner) == {path: content.encode() for path, content in PANTS_WAY.items()}
    assert check(rule_runner).stdout == IN_SYNC


DRY_RUN_PATCH = (
    "--- a/VERSION\n+++ b/VERSION\n@@ -1 +1 @@\n-23.09.6\n+23.09.7\n"
    "--- a/requirements.txt\n+++ b/requirements.txt\n@@ -1,2 +1,2 @@\n"
    " aiohttp==3.8.1\n-backend.ai-common==23.9.6\n+backend.ai-common==23.9.7\n"
    "--- a/src/ai/backend/common/BUILD\n+++ b/src/ai/backend/common/BUILD\n@@ -1,4 +1,4 @@\n"
    " python_distribution(\n"
    '     name="dist",\n'
    '-    provides=python_artifact(name="backend.ai-common", version="23.9.6"),  # the release\n'
    '+    provides=python_artifact(name="backend.ai-common", version="23.9.7"),  # the release\n'
    " )\n"
    "--- a/src/ai/backend/manager/BUILD\n+++ b/src/ai/backend/manager/BUILD\n@@ -1,2 +1,2 @@\n"
    "-python_distribution(name='dist', provides=python_artifact(name='backend.ai-manager', version='23.9.6'))\n"
    '-python_requirement(name="common", requirements=["backend.ai-common==23.9.6"])\n'
    "+python_distribution(name='dist', provides=python_artifact(name='backend.ai-manager', version='23.9.7'))\n"
    '+python_requirement(name="common", requirements=["backend.ai-common==23.9.7"])\n'
    "--- a/src/ai/backend/web/pyproject.toml\n+++ b/src/ai/backend/web/pyproject.toml\n@@ -1,4 +1,4 @@\n"
    " [project]\r\n"
    ' name = "backend.ai-webserver"\r\n'
    "-version = '23.9.6'  # the release\r\n"
    '-dependencies = ["backend.ai-common==23.9.6"]\r\n'
    "+version = '23.9.7'  # the release\r\n"
    '+dependencies = ["backend.ai-common==23.9.7"]\r\n'
    "VERSION: 23.09.6 → 23.09.7\n"
    "  VERSION: version file\n"
    "  requirements.txt: 1 pin\n"
    "  src/ai/backend/common/BUILD: 1 provides version\n"
    "  src/ai/backend/manager/BUILD: 1 pin, 1 provides version\n"
    "  src/ai/backend/web/pyproject.toml: 1 pin, 1 [project] version\n"
    "Then, in git:\n"
    "  commit VERSION, requirements.txt, src/ai/backend/common/BUILD, src/ai/backend/manager/BUILD, "
    "src/ai/backend/web/pyproject.toml: release: 23.09.7\n"
)


def test_dry_run_shows_the_diff_and_writes_nothing(rule_runner: RuleRunner) -> None:
    before = snapshot(rule_runner)
    result = bump(rule_runner, "--next=patch", "--commit", "--dry-run")
    assert (result.exit_code, result.stdout, result.stderr) == (0, DRY_RUN_PATCH, "")
    assert snapshot(rule_runner) == before


def test_the_release_commit_takes_the_literals(rule_runner: RuleRunner) -> None:
    result = bump(rule_runner, "--next=patch", "--commit")
    assert result.exit_code == 0, result.stderr
    assert git(rule_runner.build_root, "show", "--name-only", "--format=%s", "HEAD").split() == [
        "release:",
        "23.09.7",
        "VERSION",
        "requirements.txt",
        "src/ai/backend/common/BUILD",
        "src/ai/backend/manager/BUILD",
        "src/ai/backend/web/pyproject.toml",
    ]
    assert git(rule_runner.build_root, "status", "--porcelain") == ""


def test_cut_branch_moves_the_literals_to_the_next_cycle_too(rule_runner: RuleRunner) -> None:
    result = bump(rule_runner, "--to=23.10.0", "--cut-branch", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "  then 24.03.0.dev0 in VERSION, requirements.txt, src/ai/backend/common/BUILD, "
        "src/ai/backend/manager/BUILD, src/ai/backend/web/pyproject.toml, and commit them: "
        "Start the 24.03.0.dev0 cycle"
    )


def test_check_backports_lets_a_release_commit_change_the_literals(rule_runner: RuleRunner) -> None:
    versioned = rule_runner.request(VersionedRepo, [])
    assert sorted(versioned.written_paths()) == [
        "VERSION",
        "requirements.txt",
        "src/ai/backend/client/BUILD",
        "src/ai/backend/common/BUILD",
        "src/ai/backend/manager/BUILD",
        "src/ai/backend/web/pyproject.toml",
    ]


# --- The setupgen style: no version in `provides`, version files -------------------------------------

# A distribution built from a pyproject.toml whose version is dynamic has no literal.
SETUPGEN_EXTRA = {
    "src/ai/backend/agent/pyproject.toml": '[project]\nname = "backend.ai-agent"\ndynamic = ["version"]\n'
}


@pytest.fixture
def setupgen_runner(monkeypatch: pytest.MonkeyPatch) -> RuleRunner:
    runner = make_runner({**monorepo.FILES, **SETUPGEN_EXTRA}, monorepo.SYMLINKS)
    monkeypatch.chdir(runner.build_root)
    return runner


def test_the_setupgen_style_gives_the_same_output_as_before(setupgen_runner: RuleRunner) -> None:
    result = check(setupgen_runner)
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ VERSION 23.09.6: 4 distributions, 4 version files and 6 first-party pins in sync.\n",
    )
    result = bump(setupgen_runner, "--next=rc")
    assert (result.exit_code, result.stdout.splitlines()) == (0, monorepo.NEXT_RC_REPORT)
    assert (
        read(setupgen_runner, "src/ai/backend/agent/pyproject.toml")
        == SETUPGEN_EXTRA["src/ai/backend/agent/pyproject.toml"]
    )
