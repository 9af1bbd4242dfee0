from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pants.backend.python.util_rules.pex import rules as pex_rules  # noqa: F401
from pants.testutil.rule_runner import RuleRunner

from pants_calver.goals import check_version_sync
from pants_calver.goals.check_version_sync import CheckVersionSync

import monorepo
from runners import version_goals_rule_runner


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = version_goals_rule_runner(*check_version_sync.rules())
    monorepo.write(runner.build_root)
    return runner


def run(rule_runner: RuleRunner, *args: str, files: dict | None = None):
    if files:
        monorepo.write(rule_runner.build_root, files, {})
    branch = [] if any(arg.startswith("--branch") for arg in args) else ["--branch=main"]
    return rule_runner.run_goal_rule(CheckVersionSync, args=[*branch, *args])


IN_SYNC = "✓ VERSION 23.09.6: 4 distributions, 4 version files and 6 first-party pins in sync.\n"


def test_in_sync(rule_runner: RuleRunner) -> None:
    result = run(rule_runner)
    assert (result.exit_code, result.stdout) == (0, IN_SYNC)


FIX = "Run `pants bump-version --sync` to fix what can be fixed."


@pytest.mark.parametrize(
    "files, expected",
    [
        pytest.param(
            {"VERSION": "23.9.6\n"},
            [
                "VERSION:1: `23.9.6` is not in display form (the minor part is zero-padded); write `23.09.6`",
                "",
                "1 problem in 1 file.",
                FIX,
            ],
            id="version-unpadded",
        ),
        pytest.param(
            {"VERSION": "24.03\n"},
            ["VERSION:1: `24.03` has 2 release parts; the scheme is x.y.z", "", "1 problem in 1 file."],
            id="version-invalid",
        ),
        pytest.param(
            {"src/ai/backend/agent/VERSION": "23.09.5\n"},
            [
                "src/ai/backend/agent/VERSION:1: backend.ai-agent has version `23.09.5`, but VERSION has "
                "`23.09.6`; write `23.09.6` or link it to VERSION",
                "",
                "1 problem in 1 file.",
                FIX,
            ],
            id="package-version",
        ),
        pytest.param(
            {"requirements.txt": "backend.ai-common==23.09.6\n"},
            [
                "requirements.txt:1: `backend.ai-common==23.09.6`: `23.09.6` is not normalized, write `23.9.6`",
                "",
                "1 problem in 1 file.",
                FIX,
            ],
            id="requirements-padded",
        ),
        pytest.param(
            {
                "src/ai/backend/manager/BUILD": monorepo.FILES["src/ai/backend/manager/BUILD"].replace(
                    "23.9.6", "23.9.5"
                )
            },
            [
                "src/ai/backend/manager/BUILD:2: `backend.ai-common==23.9.5` pins 23.9.5, but the version is "
                "23.09.6; write `23.9.6`",
                "",
                "1 problem in 1 file.",
                FIX,
            ],
            id="build-inline-old",
        ),
        pytest.param(
            {
                "src/ai/backend/web/pyproject.toml": monorepo.FILES[
                    "src/ai/backend/web/pyproject.toml"
                ].replace("~=23.9.0", ">=24.3")
            },
            [
                "src/ai/backend/web/pyproject.toml:5: `backend.ai-common>=24.3` excludes the version 23.09.6",
                "",
                "1 problem in 1 file.",
                FIX,
            ],
            id="pyproject-excludes",
        ),
        pytest.param(
            {
                "src/ai/backend/plugin/setup.cfg": monorepo.FILES["src/ai/backend/plugin/setup.cfg"].replace(
                    "23.9.6", "23.09.6"
                )
            },
            [
                "src/ai/backend/plugin/setup.cfg:5: `backend.ai-common==23.09.6`: `23.09.6` is not normalized, "
                "write `23.9.6`",
                "",
                "1 problem in 1 file.",
                FIX,
            ],
            id="setup-cfg-padded",
        ),
        pytest.param(
            {
                "src/ai/backend/plugin/setup.cfg": "[options]\ninstall_requires =\n    backend.ai-common=23.9.6\n"
            },
            [
                "src/ai/backend/plugin/setup.cfg:3: cannot parse requirement `backend.ai-common=23.9.6`: "
                "Parse error at \"'=23.9.6'\": Expected string_end",
                "",
                "1 problem in 1 file.",
            ],
            id="unparseable",
        ),
    ],
)
def test_each_drift_is_reported_at_its_line(rule_runner: RuleRunner, files: dict, expected: list) -> None:
    result = run(rule_runner, files=files)
    assert (result.exit_code, result.stdout.split("\n")) == (1, [*"\n".join(expected).split("\n"), ""])


def test_summary_and_fix_command(rule_runner: RuleRunner) -> None:
    result = run(
        rule_runner, files={"requirements.txt": "backend.ai-common==23.09.6\nbackend.ai-common==23.09.5\n"}
    )
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            "requirements.txt:1: `backend.ai-common==23.09.6`: `23.09.6` is not normalized, write `23.9.6`",
            "requirements.txt:2: `backend.ai-common==23.09.5` pins 23.9.5, but the version is 23.09.6; "
            "write `23.9.6`",
            "requirements.txt:2: `backend.ai-common==23.09.5`: `23.09.5` is not normalized, write `23.9.5`",
            "",
            "3 problems in 1 file.",
            FIX,
        ],
    )


def test_invalid_requirement_in_a_requirements_target_is_a_clear_error(rule_runner: RuleRunner) -> None:
    result = run(rule_runner, files={"requirements.txt": "aiohttp==3.8.1\nbackend.ai-common=23.9.6\n"})
    assert (result.exit_code, result.stdout) == (1, "")
    # Pants' own message, which names the file and line, as one line with no traceback.
    assert re.fullmatch(
        r"error: Invalid requirement 'backend\.ai-common=23\.9\.6' in requirements\.txt at line 2: [^\n]+\n",
        result.stderr,
    ), result.stderr


def test_independent_distribution_keeps_its_own_version(rule_runner: RuleRunner) -> None:
    assert run(rule_runner, files={"src/ai/backend/client/VERSION": "24.09.0\n"}).exit_code == 0
    result = run(rule_runner, "--calver-independent=[]")
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            "requirements.txt:4: `backend-ai-client>=24.3` excludes the version 23.09.6",
            "src/ai/backend/client/VERSION:1: backend.ai-client has version `24.09.0`, but VERSION has "
            "`23.09.6`; write `23.09.6` or link it to VERSION",
            "src/ai/backend/web/pyproject.toml:4: `backend.ai-client>=24.3` excludes the version 23.09.6",
            "",
            "3 problems in 3 files.",
            FIX,
        ],
    )


def test_symlinked_version_file_follows_the_root(rule_runner: RuleRunner) -> None:
    result = run(rule_runner, files={"VERSION": "23.09.7\n", "src/ai/backend/agent/VERSION": "23.09.7\n"})
    # The links follow VERSION; the regular file was updated; the pins are now old.
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            "requirements.txt:3: `backend.ai-common==23.9.6` pins 23.9.6, but the version is 23.09.7; "
            "write `23.9.7`",
            "src/ai/backend/manager/BUILD:2: `backend.ai-common==23.9.6` pins 23.9.6, but the version is "
            "23.09.7; write `23.9.7`",
            "src/ai/backend/plugin/setup.cfg:5: `backend.ai-common==23.9.6` pins 23.9.6, but the version is "
            "23.09.7; write `23.9.7`",
            "",
            "3 problems in 3 files.",
            FIX,
        ],
    )


BRANCH_MISMATCH = "VERSION:1: release branch 24.03 takes only 24.03.* versions, but the version is 23.09.6"


def test_release_branch(rule_runner: RuleRunner) -> None:
    assert run(rule_runner, "--branch=23.09").exit_code == 0
    assert run(rule_runner, "--branch=23.9").exit_code == 0
    result = run(rule_runner, "--branch=24.03")
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [BRANCH_MISMATCH, "", "1 problem in 1 file."],
    )


def test_release_branch_from_git_and_from_the_option_in_detached_head(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    monorepo.commit_all(root)
    monorepo.git(root, "checkout", "-q", "-b", "24.03")
    result = rule_runner.run_goal_rule(CheckVersionSync, args=[])
    assert (result.exit_code, result.stdout.splitlines()[0]) == (1, BRANCH_MISMATCH)
    # A CI checkout in detached HEAD has no branch: nothing to hold the version to, unless named.
    monorepo.git(root, "checkout", "-q", "--detach")
    result = rule_runner.run_goal_rule(CheckVersionSync, args=[])
    assert (result.exit_code, result.stdout) == (0, IN_SYNC)
    result = rule_runner.run_goal_rule(CheckVersionSync, args=["--branch=24.03"])
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [BRANCH_MISMATCH, "", "1 problem in 1 file."],
    )


def test_padding_off(rule_runner: RuleRunner) -> None:
    result = run(rule_runner, "--calver-pad-minor=false")
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            "VERSION:1: `23.09.6` is not in display form (padding is off); write `23.9.6`",
            # agent/VERSION holds VERSION's very bytes, so it agrees with it whatever the spelling.
            "",
            "1 problem in 1 file.",
            FIX,
        ],
    )


def test_missing_version_file(rule_runner: RuleRunner) -> None:
    Path(rule_runner.build_root, "VERSION").unlink()
    result = run(rule_runner)
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            "VERSION: the version file is missing; create it with the version in display form, e.g. `23.09.0`",
            "",
            "1 problem in 1 file.",
        ],
    )


def test_github_format(rule_runner: RuleRunner) -> None:
    result = run(
        rule_runner, "--output-format=github", files={"requirements.txt": "backend.ai-common==23.09.6\n"}
    )
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            "::error file=requirements.txt,line=1,title=pin-not-normalized::"
            "`backend.ai-common==23.09.6`: `23.09.6` is not normalized, write `23.9.6`",
            FIX,
        ],
    )


def test_json_format(rule_runner: RuleRunner) -> None:
    result = run(
        rule_runner, "--output-format=json", files={"requirements.txt": "backend.ai-common==23.09.6\n"}
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "version_file": "VERSION",
        "version": "23.09.6",
        "in_sync": False,
        "problems": [
            {
                "path": "requirements.txt",
                "line": 1,
                "code": "pin-not-normalized",
                "message": "`backend.ai-common==23.09.6`: `23.09.6` is not normalized, write `23.9.6`",
                "found": "23.09.6",
                "expected": "23.9.6",
            }
        ],
    }


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


BAD_MONTHS = (
    "[calver].release_months holds [13], which are not months: give numbers from 1 to 12, "
    "or an empty list for a sequential cycle."
)


def test_an_error_is_one_json_document(rule_runner: RuleRunner) -> None:
    result = run(rule_runner, "--calver-release-months=[3, 13]", "--output-format=json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"error": {"code": "setting-invalid", "message": BAD_MONTHS}}
    assert result.stderr == ""


def test_an_error_is_a_github_annotation(rule_runner: RuleRunner) -> None:
    result = run(rule_runner, "--calver-release-months=[3, 13]", "--output-format=github")
    assert result.exit_code == 1
    assert result.stdout == f"::error title=setting-invalid::{BAD_MONTHS}\n"


@pytest.mark.parametrize(
    "option, value, why",
    [
        pytest.param("--calver-version-file", "../VERSION", "leaves the build root", id="version-file"),
        pytest.param("--calver-version-file", "/etc/passwd", "is an absolute path", id="absolute"),
        pytest.param("--calver-package-version-file", "../../VERSION", "leaves the build root", id="package"),
        pytest.param(
            "--calver-extra-requirement-globs",
            "['reqs/*.txt', '../*.txt']",
            "leaves the build root",
            id="globs",
        ),
    ],
)
def test_a_path_setting_outside_the_build_root_is_an_error(
    rule_runner: RuleRunner, option: str, value: str, why: str
) -> None:
    shown = "../*.txt" if option.endswith("globs") else value
    name = option[len("--calver-") :].replace("-", "_")
    message = f"[calver].{name}: `{shown}` {why}; give a path relative to the build root, without `..`."
    text = run(rule_runner, f"{option}={value}")
    assert (text.exit_code, text.stdout, text.stderr) == (1, "", f"error: {message}\n")
    document = run(rule_runner, f"{option}={value}", "--output-format=json")
    assert (document.exit_code, json.loads(document.stdout)) == (
        1,
        {"error": {"code": "setting-invalid", "message": message}},
    )


def test_an_unreadable_build_file_is_json_too(rule_runner: RuleRunner) -> None:
    result = run(
        rule_runner, "--output-format=json", files={"src/ai/backend/agent/BUILD": "python_distribution(\n"}
    )
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "repo-unreadable"
    assert error["message"].startswith("src/ai/backend/agent/BUILD:1: this BUILD file is not valid Python")


def snapshot(root: str) -> dict:
    return {
        str(p.relative_to(root)): (p.is_symlink(), p.read_bytes(), p.stat().st_mode)
        for p in Path(root).rglob("*")
        if p.is_file()
    }


def test_never_writes(rule_runner: RuleRunner) -> None:
    monorepo.write(
        rule_runner.build_root,
        {"VERSION": "23.9.6\n", "requirements.txt": "backend.ai-common==23.09.6\n"},
        {},
    )
    before = snapshot(rule_runner.build_root)
    for output_format in ("text", "github", "json"):
        assert run(rule_runner, f"--output-format={output_format}").exit_code == 1
    assert snapshot(rule_runner.build_root) == before


def test_includes_are_followed(rule_runner: RuleRunner) -> None:
    result = run(
        rule_runner,
        files={
            "requirements.txt": "-r reqs/base.txt\n--constraint reqs/constraints.txt\naiohttp==3.8.1\n",
            "reqs/base.txt": "-c ../reqs/more.txt\nbackend.ai-common==23.9.5\n",
            "reqs/constraints.txt": "backend.ai-common==23.09.6\n",
            "reqs/more.txt": "backend.ai-common>=24.3\n",
        },
    )
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            "reqs/base.txt:2: `backend.ai-common==23.9.5` pins 23.9.5, but the version is 23.09.6; "
            "write `23.9.6`",
            "reqs/constraints.txt:1: `backend.ai-common==23.09.6`: `23.09.6` is not normalized, write `23.9.6`",
            "reqs/more.txt:1: `backend.ai-common>=24.3` excludes the version 23.09.6",
            "",
            "3 problems in 3 files.",
            FIX,
        ],
    )


def test_extra_requirement_globs(rule_runner: RuleRunner) -> None:
    # A constraints file that no target owns is read only when a glob names it.
    files = {"constraints/server.txt": "backend.ai-common==23.9.5\n"}
    assert run(rule_runner, files=files).stdout == IN_SYNC
    result = run(rule_runner, "--calver-extra-requirement-globs=['constraints/*.txt']")
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            "constraints/server.txt:1: `backend.ai-common==23.9.5` pins 23.9.5, but the version is 23.09.6; "
            "write `23.9.6`",
            "",
            "1 problem in 1 file.",
            FIX,
        ],
    )


def test_other_version_file_names(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    for path in [
        "VERSION",
        *monorepo.SYMLINKS,
        "src/ai/backend/agent/VERSION",
        "src/ai/backend/client/VERSION",
    ]:
        Path(root, path).unlink()
    monorepo.write(
        root,
        {
            "release/VERSION.txt": "23.09.6\n",
            "src/ai/backend/agent/_version.txt": "23.09.5\n",
            "src/ai/backend/client/_version.txt": "24.03.1\n",
        },
        {"src/ai/backend/common/_version.txt": "../../../../release/VERSION.txt"},
    )
    options = ["--calver-version-file=release/VERSION.txt", "--calver-package-version-file=_version.txt"]
    result = run(rule_runner, *options)
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            "src/ai/backend/agent/_version.txt:1: backend.ai-agent has version `23.09.5`, but "
            "release/VERSION.txt has `23.09.6`; write `23.09.6` or link it to release/VERSION.txt",
            "",
            "1 problem in 1 file.",
            FIX,
        ],
    )
    result = run(rule_runner, *options, files={"src/ai/backend/agent/_version.txt": "23.09.6\n"})
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ release/VERSION.txt 23.09.6: 4 distributions, 3 version files and 6 first-party pins in sync.\n",
    )


def test_pins_on_an_independent_distribution_follow_its_own_version(rule_runner: RuleRunner) -> None:
    # The client SDK has its own version (24.03.1): an exact pin on it must name that one.
    stale = monorepo.FILES["requirements.txt"].replace("backend-ai-client>=24.3", "backend-ai-client==24.3.0")
    result = run(rule_runner, files={"requirements.txt": stale})
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            "requirements.txt:4: `backend-ai-client==24.3.0` pins 24.3.0, but the version is 24.03.1 (its own "
            "version); write `24.3.1`",
            "",
            "1 problem in 1 file.",
            FIX,
        ],
    )
    assert (
        run(rule_runner, files={"requirements.txt": stale.replace("==24.3.0", "==24.3.1")}).stdout == IN_SYNC
    )


@pytest.mark.parametrize(
    "files, expected",
    [
        pytest.param(
            {"src/ai/backend/web/pyproject.toml": "[project\ndependencies = []\n"},
            "src/ai/backend/web/pyproject.toml:1: this is not valid TOML: Key group not on a line by itself.",
            id="pyproject",
        ),
        pytest.param(
            {
                "src/ai/backend/plugin/setup.cfg": (
                    "[options]\ninstall_requires =\n    backend.ai-common==23.9.6\noops\n"
                )
            },
            "src/ai/backend/plugin/setup.cfg:4: this is not a valid setup.cfg: `oops` is no section, key or value",
            id="setup-cfg",
        ),
    ],
)
def test_a_broken_file_fails_the_check_naming_it(rule_runner: RuleRunner, files: dict, expected: str) -> None:
    result = run(rule_runner, files=files)
    assert (result.exit_code, result.stdout.splitlines()[0], result.stdout.splitlines()[-1]) == (
        1,
        expected,
        "1 problem in 1 file.",
    )


def test_a_broken_build_file_fails_the_check_naming_it(rule_runner: RuleRunner) -> None:
    result = run(rule_runner, files={"src/ai/backend/agent/BUILD": "python_distribution(name='dist'\n"})
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "error: src/ai/backend/agent/BUILD:1: this BUILD file is not valid Python: unexpected EOF while parsing\n",
    )
