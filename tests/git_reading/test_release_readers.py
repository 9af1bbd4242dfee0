"""The readers of git's output that the release-branch checks use (`core/git/refs.py`,
`patch_ids.py`, `files_at.py`; `log.py`'s in test_git_log.py), each fed what real git printed for
a real history."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Tuple

import pytest

import release_history
from monorepo import git_bytes
from pants_calver.core.errors import GitError
from pants_calver.core.git.files_at import CAT_FILE_ARGS, files_at_request, parse_files_at
from pants_calver.core.git.patch_ids import PATCH_ID_ARGS, diff_tree_args, diff_tree_request, parse_patch_ids
from pants_calver.core.git.refs import BRANCHES, REMOTES, TAGS, Ref, parse_refs, refs_args

History = Tuple[Path, Dict[str, str]]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    root = tmp_path_factory.mktemp("history") / "repo"
    return root, release_history.build(root)


def out(root: Path, *args: str, stdin: bytes = b"") -> bytes:
    return git_bytes(root, *args, stdin=stdin)


def test_refs_as_git_lists_them(history: History) -> None:
    root, shas = history
    refs = {ref.refname: ref for ref in parse_refs(out(root, *refs_args(BRANCHES, REMOTES, TAGS)))}
    tag_object = out(root, "rev-parse", "refs/tags/23.09.0").decode().strip()
    # An annotated tag is a tag object, peeled one level to its commit.
    assert refs["refs/tags/23.09.0"] == Ref(
        "refs/tags/23.09.0", "tag", tag_object, "commit", shas["23.09:release"]
    )
    assert (refs["refs/tags/23.09.0"].annotated, refs["refs/tags/23.09.0"].commit) == (
        True,
        shas["23.09:release"],
    )
    # A lightweight tag names the commit itself.
    assert refs["refs/tags/23.09.1"] == Ref("refs/tags/23.09.1", "commit", shas["23.09:release"])
    assert (refs["refs/tags/23.09.1"].annotated, refs["refs/tags/23.09.1"].commit) == (
        False,
        shas["23.09:release"],
    )
    assert refs["refs/remotes/origin/HEAD"].symref == "refs/remotes/origin/23.09"
    assert [(r.name, r.shown) for r in (refs["refs/heads/24.09"], refs["refs/remotes/origin/23.09"])] == [
        ("24.09", "24.09"),
        ("23.09", "origin/23.09"),
    ]
    assert sorted(refs) == [
        "refs/heads/23.09",
        "refs/heads/23.09.2",
        "refs/heads/24.09",
        "refs/heads/hotfix",
        "refs/heads/main",
        "refs/remotes/origin/23.09",
        "refs/remotes/origin/HEAD",
        "refs/tags/23.09.0",
        "refs/tags/23.09.1",
        "refs/tags/23.09.8.rc1",
        "refs/tags/24.03.0dev0",
        "refs/tags/hotfix",
    ]


def test_refs_merged_into_a_commit(history: History) -> None:
    root, shas = history
    merged = parse_refs(out(root, *refs_args(TAGS, merged=shas["23.09:sneaked"])))
    assert [ref.name for ref in merged] == ["23.09.0", "23.09.1", "23.09.8.rc1"]


def test_tag_of_a_tag_and_of_a_tree(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    release_history.run(root, "init", "-q", "-b", "main")
    release_history.commit(root, {"VERSION": "1.0.0\n"}, "init")
    release_history.run(root, "tag", "-a", "-m", "a", "inner")
    release_history.run(root, "tag", "-a", "-m", "b", "outer", "inner")
    release_history.run(root, "tag", "tree", "HEAD^{tree}")
    refs = {ref.name: ref for ref in parse_refs(out(root, *refs_args(TAGS)))}
    assert (refs["outer"].points_at, refs["outer"].commit) == ("tag", None)
    assert (refs["tree"].points_at, refs["tree"].commit) == ("tree", None)


@pytest.mark.parametrize(
    "output",
    [
        pytest.param(b"refs/heads/a\0commit\0" + b"1" * 40 + b"\0\0\0\0", id="no-newline"),
        pytest.param(b"refs/heads/a\0commit\0" + b"1" * 40 + b"\0\0\0\n", id="five-fields"),
        pytest.param(b"refs/heads/a\0commit\0\0\0\0\0\n", id="no-object"),
    ],
)
def test_refs_refuse_other_output(output: bytes) -> None:
    with pytest.raises(GitError, match=r"^`git for-each-ref` printed what this cannot read"):
        parse_refs(output)


def test_refs_args_take_only_commit_ids_and_known_prefixes() -> None:
    with pytest.raises(ValueError):
        refs_args(TAGS, merged="main")
    with pytest.raises(ValueError):
        refs_args("--contains")
    assert refs_args(TAGS, merged="a" * 40)[2:] == ["--merged=" + "a" * 40, "refs/tags/"]


def test_patch_ids_match_a_cherry_pick_without_a_mark(history: History) -> None:
    root, shas = history
    wanted = [shas["patch"], shas["23.09:patch"], shas["missed"], shas["init"]]
    patches = out(root, *diff_tree_args(), stdin=diff_tree_request(wanted))
    found = parse_patch_ids(out(root, *PATCH_ID_ARGS, stdin=patches))
    assert set(found) == set(wanted)  # the root commit too (`--root`)
    assert found[shas["patch"]] == found[shas["23.09:patch"]] != found[shas["missed"]]


def test_patch_ids_need_full_commit_ids() -> None:
    # diff-tree echoes the id as given, and patch-id takes only a full one as a commit's start.
    with pytest.raises(ValueError):
        diff_tree_request(["09a4fcf"])
    with pytest.raises(GitError, match="not `<patch-id> <commit>`"):
        parse_patch_ids(b"abc def\n")


def test_files_at_commits_and_tags(history: History) -> None:
    root, shas = history
    tag = out(root, "rev-parse", "refs/tags/23.09.8.rc1").decode().strip()
    objects = [shas["23.09:release"], tag, shas["init"]]
    output = out(root, *CAT_FILE_ARGS, stdin=files_at_request(objects, "VERSION"))
    assert parse_files_at(output, 3) == (b"23.09.0\n", b"23.09.8.rc1\n", b"23.09.0rc1\n")
    output = out(root, *CAT_FILE_ARGS, stdin=files_at_request(objects[:2], "src"))
    assert parse_files_at(output, 2) == (None, None)  # a folder
    output = out(root, *CAT_FILE_ARGS, stdin=files_at_request(objects[:1], "NOPE"))
    assert parse_files_at(output, 1) == (None,)
    with pytest.raises(GitError, match="answered 1 of 2 requests"):
        parse_files_at(output, 2)
    with pytest.raises(ValueError):
        files_at_request(["HEAD"], "VERSION")
