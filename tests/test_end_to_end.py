"""Real Pants runs of the goals on temporary repos (about 15 s each)."""

from __future__ import annotations

import re
import shutil
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
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ VERSION 23.09.6: 4 distributions, 4 version files and 6 first-party pins in sync.\n",
    ), result.stderr

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
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            "VERSION:1: release branch 24.03 takes only 24.03.* versions, but the version is 23.09.6",
            "requirements.txt:1: `backend.ai-common==23.09.6`: `23.09.6` is not normalized, write `23.9.6`",
            "",
            "2 problems in 2 files.",
            "Run `pants bump-version --sync` to fix what can be fixed.",
        ],
    )


def snapshot(root: Path) -> dict:
    return {
        str(p.relative_to(root)): (p.is_symlink(), p.read_bytes())
        for p in root.rglob("*")
        if p.is_file() and not {".git", ".pants.d", ".pids"} & set(p.relative_to(root).parts)
    }


def test_bump_version(repo: Path, home: Path) -> None:
    before = snapshot(repo)
    result = pants(repo, "bump-version", "--next=rc", home=home)
    assert (result.exit_code, result.stdout.splitlines()) == (
        0,
        monorepo.NEXT_RC_REPORT,
    ), result.stderr
    # Exactly the version literals changed; links stay links.
    expected = {
        path: (link, content.replace(b"23.09.6", b"23.09.7rc1").replace(b"==23.9.6", b"==23.9.7rc1"))
        for path, (link, content) in before.items()
    }
    assert snapshot(repo) == expected
    assert (repo / "src/ai/backend/common/VERSION").is_symlink()
    result = pants(repo, "check-version-sync", home=home)
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ VERSION 23.09.7rc1: 4 distributions, 4 version files and 6 first-party pins in sync.\n",
    ), result.stderr


def test_failed_write_leaves_the_tree_as_it_was(repo: Path, home: Path) -> None:
    # A running program's file cannot be opened for writing, not even by root (ETXTBSY): make the
    # regular agent/VERSION such a file, holding something the bump replaces under --sync.
    agent_version = repo / "src/ai/backend/agent/VERSION"
    shutil.copy(shutil.which("sleep") or "/bin/sleep", agent_version)
    (repo / "requirements.txt").write_text(monorepo.FILES["requirements.txt"].replace("23.9.6", "23.09.6"))
    git(repo, "commit", "-qam", "an unreadable package version file, a padded pin")
    before = snapshot(repo)
    # Long enough to outlast a Pants run on a loaded machine; killed as soon as the run ends.
    running = subprocess.Popen([str(agent_version), "3600"])
    try:
        result = pants(repo, "bump-version", "--sync", home=home)
    finally:
        running.kill()
        running.wait()
    assert (result.exit_code, result.stdout) == (1, "")
    assert re.fullmatch(
        r"error: writing failed: Error opening file \S+/src/ai/backend/agent/VERSION for writing: .*"
        r"Text file busy.*\. Every file was put back; the tree is as it was\.\n",
        result.stderr,
    ), result.stderr
    assert snapshot(repo) == before


def test_release_with_a_cut_branch(repo: Path, home: Path) -> None:
    monorepo.write(
        repo, {**monorepo.at_version("24.03.0rc2", "24.3.0rc2"), ".gitignore": "/.pants.d/\n/.pids/\n"}, {}
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "24.03.0rc2")
    # git's identity comes from the environment of the `pants` command.
    identity = {
        f"GIT_{who}_{what}": value
        for who in ("AUTHOR", "COMMITTER")
        for what, value in (("NAME", "r"), ("EMAIL", "r@example.invalid"))
    }
    result = pants(
        repo, "bump-version", "--next=release", "--tag-release", "--cut-branch", home=home, **identity
    )
    assert (result.exit_code, result.stdout.splitlines()[-1:]) == (
        0,
        ["Nothing was pushed. To publish: git push origin main 24.03 24.03.0"],
    ), result.stderr
    assert (
        git(repo, "rev-parse", "24.03", "24.03.0^{commit}", "main~1").split()[1:]
        == [git(repo, "rev-parse", "24.03").strip()] * 2
    )
    assert git(repo, "log", "--format=%s", "-2", "main").splitlines() == [
        "Start the 24.09.0.dev0 cycle",
        "release: 24.03.0",
    ]
    assert (repo / "VERSION").read_text() == "24.09.0.dev0\n"
    assert git(repo, "status", "--porcelain") == ""
    for branch, version in (("main", "24.09.0.dev0"), ("24.03", "24.03.0")):
        git(repo, "checkout", "-q", branch)
        check = pants(repo, "check-version-sync", home=home)
        assert (check.exit_code, check.stdout) == (
            0,
            f"✓ VERSION {version}: 4 distributions, 4 version files and 6 first-party pins in sync.\n",
        ), check.stderr
