"""Real Pants runs of the goals on temporary repos (about 15 s each)."""

from __future__ import annotations

from pathlib import Path

import pytest

import monorepo
from e2e import git, init_repo, pants


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One Pants cache for the module's runs.
    return tmp_path_factory.mktemp("home")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    init_repo(tmp_path)
    monorepo.write(tmp_path)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "init")
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
