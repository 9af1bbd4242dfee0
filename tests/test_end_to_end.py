"""Real Pants runs of the goals on temporary repos (about 15 s each)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import monorepo
from e2e import init_repo, pants
from monorepo import git


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One Pants cache for the module's runs.
    return tmp_path_factory.mktemp("home")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    init_repo(tmp_path)
    monorepo.write(tmp_path)
    monorepo.commit_all(tmp_path)
    return tmp_path


def test_check_version_sync(repo: Path, home: Path) -> None:
    result = pants(repo, "check-version-sync", home=home)
    assert result.exit_code == 0, result.stderr
    assert "4 distributions, 4 version files and 6 first-party pins in sync." in result.stdout

    (repo / "requirements.txt").write_text("backend.ai-common==23.09.6\n")
    git(repo, "checkout", "-q", "-b", "23.09")
    result = pants(repo, "check-version-sync", "--output-format=github", home=home)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=requirements.txt,line=1,title=pin-not-normalized::"
        "`backend.ai-common==23.09.6`: `23.09.6` is not normalized, write `23.9.6`",
        "Run `pants bump-version --sync` to fix what can be fixed.",
    ]

    # The release branch comes from git.
    git(repo, "checkout", "-q", "-b", "24.03")
    result = pants(repo, "check-version-sync", home=home)
    assert "release branch 24.03 takes only 24.03.* versions, but the version is 23.09.6" in result.stdout


def snapshot(root: Path) -> dict:
    return {
        str(p.relative_to(root)): (p.is_symlink(), p.read_bytes())
        for p in root.rglob("*")
        if p.is_file() and not {".git", ".pants.d", ".pids"} & set(p.relative_to(root).parts)
    }


def test_bump_version(repo: Path, home: Path) -> None:
    result = pants(repo, "bump-version", "--next=rc", home=home)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "VERSION: 23.09.6 → 23.09.7rc1"
    assert (repo / "VERSION").read_text() == "23.09.7rc1\n"
    assert (repo / "src/ai/backend/common/VERSION").is_symlink()
    assert "backend.ai-common==23.9.7rc1" in (repo / "src/ai/backend/manager/BUILD").read_text()
    result = pants(repo, "check-version-sync", home=home)
    assert result.exit_code == 0, result.stdout


def test_failed_write_leaves_the_tree_as_it_was(repo: Path, home: Path) -> None:
    # One of the files the bump writes cannot be written, even by root.
    last = repo / "src/ai/backend/plugin/setup.cfg"
    if subprocess.run(["chattr", "+i", str(last)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        before = snapshot(repo)
        result = pants(repo, "bump-version", "--next=patch", home=home)
        after = snapshot(repo)
    finally:
        subprocess.run(["chattr", "-i", str(last)], check=True)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: writing failed: ")
    assert "src/ai/backend/plugin/setup.cfg" in result.stderr
    assert result.stderr.endswith("Every file was put back; the tree is as it was.\n")
    assert after == before
