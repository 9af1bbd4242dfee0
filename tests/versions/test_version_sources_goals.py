"""check-version-sync and bump-version with sources declared in `[calver].version_sources`: the
settings refused on one line, drift reported in every format, a dry run's diff, a refusal that
writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict

import pytest
from pants.testutil.rule_runner import RuleRunner

import monorepo
from pants_calver.goals import bump_version, check_version_sync
from pants_calver.goals.check_version_sync import CheckVersionSync
from runners import bump, version_goals_rule_runner

SOURCES = {
    "charts/app/Chart.yaml": {"keys": ["version", "appVersion"]},
    "docker/Dockerfile": {"pattern": "ARG VERSION={normalized}"},
}
FILES: Dict[str, str] = {
    **monorepo.FILES,
    ".gitignore": "/.pants.d/\n/.pids/\n",
    "charts/app/Chart.yaml": "apiVersion: v2\nversion: 23.9.6  # the chart\nappVersion: '23.9.6'\n",
    "docker/Dockerfile": "FROM python:3.9\nARG VERSION=23.9.6\n",
}


def option(sources: object) -> str:
    return f"--calver-version-sources={json.dumps(sources)}"


@pytest.fixture
def rule_runner(monkeypatch: pytest.MonkeyPatch) -> RuleRunner:
    runner = version_goals_rule_runner(*bump_version.rules(), *check_version_sync.rules())
    monorepo.write(runner.build_root, FILES)
    monorepo.commit_all(runner.build_root)
    monkeypatch.chdir(runner.build_root)  # Git looks at the working directory.
    return runner


def check(rule_runner: RuleRunner, sources: object = SOURCES, *args: str):
    return rule_runner.run_goal_rule(
        CheckVersionSync, args=["--branch=main", *args], global_args=[option(sources)]
    )


def snapshot(root: str) -> dict:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in Path(root).rglob("*")
        if p.is_file() and ".git" not in p.parts
    }


def test_in_sync_counts_the_sources(rule_runner: RuleRunner) -> None:
    result = check(rule_runner)
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ VERSION 23.09.6: 4 distributions, 4 version files, 3 version sources and 6 first-party pins in sync.\n",
    )


@pytest.mark.parametrize(
    "sources, message",
    [
        pytest.param(
            {"a.cfg": {"key": "v"}},
            "[calver].version_sources: `a.cfg`: the format cannot be told from the file name; give "
            "`format` (toml, yaml or json).",
            id="format",
        ),
        pytest.param(
            {"../x.json": {"key": "v"}},
            "[calver].version_sources: `../x.json` leaves the build root; give a path relative to the build "
            "root, without `..`.",
            id="path",
        ),
        pytest.param(
            {"x.json": {"key": "v", "distribution": "backend.ai-sdk"}},
            "[calver].version_sources: `x.json`: `distribution` `backend.ai-sdk` names no python_distribution "
            "of the repo; give the name of its python_artifact.",
            id="distribution",
        ),
    ],
)
def test_a_bad_entry_stops_both_goals_on_one_line(
    rule_runner: RuleRunner, sources: object, message: str
) -> None:
    result = check(rule_runner, sources)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    before = snapshot(rule_runner.build_root)
    result = bump(rule_runner, "--next=patch", option(sources))
    assert (result.exit_code, result.stderr) == (1, f"error: {message}\n")
    assert snapshot(rule_runner.build_root) == before


def test_drift_is_reported_with_file_line_and_expected_value(rule_runner: RuleRunner) -> None:
    monorepo.write(rule_runner.build_root, {"docker/Dockerfile": "FROM python:3.9\nARG VERSION=23.9.5\n"}, {})
    result = check(rule_runner, SOURCES, "--output-format=json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problems"] == [
        {
            "path": "docker/Dockerfile",
            "line": 2,
            "code": "version-source-mismatch",
            "message": "the pattern `ARG VERSION={normalized}` reads `ARG VERSION=23.9.5`, but VERSION has "
            "`23.09.6`; write `ARG VERSION=23.9.6`",
            "found": "ARG VERSION=23.9.5",
            "expected": "ARG VERSION=23.9.6",
        }
    ]


def test_a_dry_run_shows_the_sources_and_writes_nothing(rule_runner: RuleRunner) -> None:
    before = snapshot(rule_runner.build_root)
    result = bump(rule_runner, "--next=patch", "--dry-run", option(SOURCES))
    assert result.exit_code == 0, result.stderr
    assert (
        "--- a/charts/app/Chart.yaml\n+++ b/charts/app/Chart.yaml\n@@ -1,3 +1,3 @@\n apiVersion: v2\n"
        "-version: 23.9.6  # the chart\n-appVersion: '23.9.6'\n+version: 23.9.7  # the chart\n"
        "+appVersion: '23.9.7'\n"
    ) in result.stdout
    assert (
        "  charts/app/Chart.yaml: 2 version sources\n  docker/Dockerfile: 1 version source\n" in result.stdout
    )
    assert snapshot(rule_runner.build_root) == before


def test_a_source_that_cannot_move_stops_the_bump(rule_runner: RuleRunner) -> None:
    monorepo.write(
        rule_runner.build_root, {"charts/app/Chart.yaml": "version: &v 23.9.6\nappVersion: *v\n"}, {}
    )
    before = snapshot(rule_runner.build_root)
    result = bump(rule_runner, "--next=patch", "--allow-dirty", option(SOURCES))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "charts/app/Chart.yaml:1: `version` should read `23.9.7`, but `version` stands in an anchored node "
        "that an alias (`*name`) uses elsewhere, so rewriting it would change those places too; write the "
        "value out in place"
    )
    assert snapshot(rule_runner.build_root) == before


def test_a_source_on_a_pin_is_made_once_or_stops_the_bump(rule_runner: RuleRunner) -> None:
    before = snapshot(rule_runner.build_root)
    same = option({"requirements.txt": {"pattern": "backend.ai-common=={normalized}"}})
    result = bump(rule_runner, "--next=patch", "--dry-run", same)
    assert result.exit_code == 0, result.stderr
    assert "-backend.ai-common==23.9.6\n+backend.ai-common==23.9.7\n backend-ai-client" in result.stdout
    other = option({"requirements.txt": {"pattern": "backend.ai-common==23.9.{patch}"}})
    for mode in ("--dry-run", "--allow-dirty"):  # A dry run refuses as the real run does.
        result = bump(rule_runner, "--next=patch", mode, other)
        assert (result.exit_code, result.stderr.splitlines()[0]) == (
            1,
            "requirements.txt:3: the text is already rewritten as a pin; remove its entry from "
            "[calver].version_sources",
        )
    assert snapshot(rule_runner.build_root) == before
