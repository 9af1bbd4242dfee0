from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from monorepo import git
from pants_calver.core.git.head import Head, parse_head
from pants_calver.engine.git_head import head_file, read_head


@pytest.mark.parametrize(
    "text, head",
    [
        pytest.param("ref: refs/heads/main\n", Head("main"), id="branch"),
        pytest.param("ref: refs/heads/23.09\n", Head("23.09"), id="release-branch"),
        pytest.param("ref: refs/heads/feature/x\n", Head("feature/x"), id="slash"),
        pytest.param("0123456789abcdef0123456789abcdef01234567\n", Head(None), id="detached-sha1"),
        pytest.param("ab" * 32 + "\n", Head(None), id="detached-sha256"),
        pytest.param("ref: refs/remotes/origin/main\n", None, id="not-a-branch"),
        pytest.param("", None, id="empty"),
    ],
)
def test_parse_head(text: str, head: Optional[Head]) -> None:
    assert parse_head(text) == head


def test_head_file_walks_up_and_follows_gitdir(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "sub").mkdir()
    assert head_file(tmp_path / "repo" / "sub") == tmp_path / "repo" / ".git" / "HEAD"

    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / ".git").write_text("gitdir: ../repo/.git/worktrees/linked\n")
    assert head_file(tmp_path / "linked") == tmp_path / "linked" / "../repo/.git/worktrees/linked/HEAD"


def test_read_head_agrees_with_git(tmp_path: Path) -> None:
    main = tmp_path / "main"
    main.mkdir()
    git(main, "init", "-q", "-b", "main")
    git(main, "commit", "-q", "--allow-empty", "-m", "init")
    assert (
        read_head(str(main)) == Head(git(main, "rev-parse", "--abbrev-ref", "HEAD").strip()) == Head("main")
    )

    git(main, "worktree", "add", "-q", "-b", "23.09", str(tmp_path / "release"))
    assert read_head(str(tmp_path / "release")) == Head("23.09")

    git(main, "checkout", "-q", "--detach")
    assert read_head(str(main)) == Head(None)
    assert read_head(str(tmp_path / "nowhere")) is None
