"""Reading another branch's files from git objects: the parsers, checked against real git."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monorepo import git_bytes as git
from pants_calver.core.errors import GitError, MissingObjectsError
from pants_calver.core.git.objects import (
    TreeEntry,
    blob_id,
    cat_file_request,
    followed,
    link_oids,
    matching,
    parse_cat_file_batch,
    parse_ls_tree,
)

VERSIONS = "src/ai/backend/manager/models/alembic/versions"
MIGRATION_GLOBS = (f"{VERSIONS}/*.py",)
CONFIG_GLOBS = ("configs/**/*.toml",)
EMPTY_SHA1 = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"

# ---------------------------------------------------------------------------------------------
# Git objects


@pytest.mark.parametrize(
    "output, expected",
    [
        pytest.param(
            b"100644 blob " + b"1" * 40 + b"\tconfigs/a.toml\0",
            {"configs/a.toml": TreeEntry("100644", "1" * 40)},
            id="one-blob",
        ),
        pytest.param(
            b"100755 blob "
            + b"1" * 40
            + b"\trun.sh\x00120000 blob "
            + b"2" * 40
            + b"\tlink\x00160000 commit "
            + b"3" * 40
            + b"\tvendor/sub\0",
            {"run.sh": TreeEntry("100755", "1" * 40), "link": TreeEntry("120000", "2" * 40)},
            id="submodule-left-out",
        ),
        pytest.param(
            b"100644 blob "
            + b"1" * 40
            + b"\ta\tb\nc d.toml\x00100644 blob "
            + b"2" * 40
            + b"\tcaf\xe9.toml\0",
            {
                "a\tb\nc d.toml": TreeEntry("100644", "1" * 40),
                "caf\udce9.toml": TreeEntry("100644", "2" * 40),
            },
            id="tab-newline-and-non-utf8-in-paths",
        ),
        pytest.param(b"", {}, id="empty-tree"),
    ],
)
def test_parse_ls_tree(output: bytes, expected: dict[str, TreeEntry]) -> None:
    assert parse_ls_tree(output) == expected


@pytest.mark.parametrize(
    "output",
    [
        pytest.param(b"100644 blob " + b"1" * 40 + b" configs/a.toml\0", id="no-tab"),
        pytest.param(b"100644 " + b"1" * 40 + b"\tconfigs/a.toml\0", id="no-type"),
    ],
)
def test_parse_ls_tree_rejects_other_output(output: bytes) -> None:
    with pytest.raises(
        GitError, match=r"^`git ls-tree -z` printed .*, not `<mode> <type> <oid>\\t<path>`\.$"
    ):
        parse_ls_tree(output)


@pytest.mark.parametrize(
    "content, object_format, oid",
    [
        # The empty blob's ids, as git has them built in.
        pytest.param(b"", "sha1", EMPTY_SHA1, id="empty-sha1"),
        pytest.param(
            b"",
            "sha256",
            "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813",
            id="empty-sha256",
        ),
        # printf 'hello\n' | git hash-object --stdin
        pytest.param(b"hello\n", "sha1", "ce013625030ba8dba906f756967f9e9ca394464a", id="hello-sha1"),
    ],
)
def test_blob_id_known_values(content: bytes, object_format: str, oid: str) -> None:
    assert blob_id(content, object_format) == oid


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"[manager]\nnum-proc = 4\n", id="toml"),
        pytest.param(b"no newline at the end", id="no-final-newline"),
        pytest.param(b"\x00\xff\r\n\x00binary", id="binary"),
    ],
)
def test_blob_id_agrees_with_git(tmp_path: Path, content: bytes, object_format: str) -> None:
    git(tmp_path, "init", "-q", f"--object-format={object_format}")
    expected = git(tmp_path, "hash-object", "--stdin", stdin=content).decode().strip()
    assert blob_id(content, object_format) == expected


def test_blob_id_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match=r"^git has no object format 'md5': it is sha1 or sha256\.$"):
        blob_id(b"", "md5")


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_parse_ls_tree_reads_real_git(tmp_path: Path, object_format: str) -> None:
    git(tmp_path, "init", "-q", f"--object-format={object_format}")
    (tmp_path / "configs" / "manager").mkdir(parents=True)
    (tmp_path / "configs" / "manager" / "sample.toml").write_bytes(b"[manager]\n")
    (tmp_path / "run.sh").write_bytes(b"#!/bin/sh\n")
    (tmp_path / "run.sh").chmod(0o755)
    (tmp_path / "link").symlink_to("run.sh")
    (tmp_path / "a\tb c.toml").write_bytes(b"")
    (tmp_path / os.fsdecode(b"caf\xe9.toml")).write_bytes(b"x")
    git(tmp_path, "add", "-A")
    # A submodule's entry, without cloning one: ls-tree lists it as a `commit`.
    git(
        tmp_path,
        "update-index",
        "--add",
        "--cacheinfo",
        f"160000,{blob_id(b'sub', object_format)},vendor/sub",
    )
    git(tmp_path, "commit", "-qm", "init")
    # From a subdirectory: --full-tree still lists every path from the top.
    output = git(tmp_path / "configs", "ls-tree", "-r", "-z", "--full-tree", "HEAD")

    def entry(mode: str, content: bytes) -> TreeEntry:
        return TreeEntry(mode, blob_id(content, object_format))

    assert parse_ls_tree(output) == {
        "a\tb c.toml": entry("100644", b""),
        "caf\udce9.toml": entry("100644", b"x"),
        "configs/manager/sample.toml": entry("100644", b"[manager]\n"),
        "link": entry("120000", b"run.sh"),
        "run.sh": entry("100755", b"#!/bin/sh\n"),
    }


@pytest.mark.parametrize(
    "oids, request_bytes",
    [
        pytest.param(["b" * 40, "a" * 40], b"b" * 40 + b"\n" + b"a" * 40 + b"\n", id="in-order"),
        pytest.param(["a" * 40, "b" * 64, "a" * 40], b"a" * 40 + b"\n" + b"b" * 64 + b"\n", id="each-once"),
        pytest.param([], b"", id="none"),
    ],
)
def test_cat_file_request(oids: list[str], request_bytes: bytes) -> None:
    assert cat_file_request(oids) == request_bytes


@pytest.mark.parametrize(
    "oid",
    [
        pytest.param("a" * 39, id="short"),
        pytest.param("HEAD:configs/a.toml", id="revision-syntax"),
        pytest.param("a" * 40 + "\n" + "b" * 40, id="newline"),
        pytest.param("A" * 40, id="upper-case"),
    ],
)
def test_cat_file_request_takes_only_full_object_ids(oid: str) -> None:
    with pytest.raises(ValueError, match=r"is not a full object id\.$"):
        cat_file_request([oid])


CONTENTS = (b"", b"[manager]\n", b"no newline", b"\x00\n\nbinary\n\n")


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_parse_cat_file_batch_reads_real_git(tmp_path: Path, object_format: str) -> None:
    git(tmp_path, "init", "-q", f"--object-format={object_format}")
    oids = [git(tmp_path, "hash-object", "-w", "--stdin", stdin=c).decode().strip() for c in CONTENTS]
    output = git(tmp_path, "cat-file", "--batch", stdin=cat_file_request([*oids, oids[1]]))
    assert parse_cat_file_batch(output) == dict(zip(oids, CONTENTS))


def test_parse_cat_file_batch_reports_missing_objects(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    present = git(tmp_path, "hash-object", "-w", "--stdin", stdin=b"[agent]\n").decode().strip()
    output = git(tmp_path, "cat-file", "--batch", stdin=cat_file_request(["0" * 40, present, "1" * 40]))
    with pytest.raises(MissingObjectsError) as caught:
        parse_cat_file_batch(output)
    assert caught.value.missing == ("0" * 40, "1" * 40)
    assert str(caught.value) == (
        f"git has no object {'0' * 40}, {'1' * 40}, which the branch's tree names. Fetch the branch "
        "again (`git fetch`), or see what else is missing with `git fsck`."
    )


@pytest.mark.parametrize(
    "output",
    [
        pytest.param(f"{EMPTY_SHA1} blob 5\nabc\n".encode(), id="content-cut-short"),
        pytest.param(f"{EMPTY_SHA1} blob 3\nabcd\n".encode(), id="content-longer-than-said"),
        pytest.param(f"{EMPTY_SHA1} blob 0".encode(), id="header-without-newline"),
        pytest.param(f"{EMPTY_SHA1} blob many\n\n".encode(), id="size-not-a-number"),
        pytest.param(b"fatal: not a git repository\n", id="not-batch-output"),
    ],
)
def test_parse_cat_file_batch_rejects_other_output(output: bytes) -> None:
    with pytest.raises(GitError, match=r"^`git cat-file --batch` printed .*, not its format\.$"):
        parse_cat_file_batch(output)


@pytest.mark.parametrize(
    "globs, expected",
    [
        pytest.param(MIGRATION_GLOBS, (f"{VERSIONS}/a1_x.py", f"{VERSIONS}/b2_y.py"), id="star-stays-in-dir"),
        pytest.param(
            CONFIG_GLOBS,
            ("configs/agent/deep/c.toml", "configs/legacy/old.toml", "configs/top.toml"),
            id="double-star-crosses-dirs",
        ),
        pytest.param(
            (*CONFIG_GLOBS, "!configs/legacy/**"),
            ("configs/agent/deep/c.toml", "configs/top.toml"),
            id="bang-leaves-out",
        ),
        pytest.param(("configs/?op.toml",), ("configs/top.toml",), id="question-mark"),
        pytest.param(("!configs/**",), (), id="only-exclusions"),
        pytest.param((), (), id="no-globs"),
    ],
)
def test_matching(globs: tuple[str, ...], expected: tuple[str, ...]) -> None:
    paths = [
        "configs/top.toml",
        "configs/top.toml.bak",
        "configs/legacy/old.toml",
        "configs/agent/deep/c.toml",
        "other/configs/x.toml",
        f"{VERSIONS}/b2_y.py",
        f"{VERSIONS}/a1_x.py",
        f"{VERSIONS}/a1_x.pyc",
        f"{VERSIONS}/sub/c3_z.py",
    ]
    assert matching(paths, globs) == expected


def test_links_are_followed_to_the_file_they_name() -> None:
    link, sample, folder_link, outside, chain = "1" * 40, "2" * 40, "3" * 40, "4" * 40, "5" * 40
    tree = {
        "configs/linked.toml": TreeEntry("120000", link),
        "configs/sample.toml": TreeEntry("100644", sample),
        "configs/folder": TreeEntry("120000", folder_link),
        "configs/outside.toml": TreeEntry("120000", outside),
        "configs/chain.toml": TreeEntry("120000", chain),
    }
    texts = {link: b"sample.toml", folder_link: b"sub", outside: b"../../etc/x.toml", chain: b"linked.toml"}
    assert link_oids(tree, ["configs/linked.toml", "configs/sample.toml", "configs/gone.toml"]) == (link,)
    assert followed(tree, "configs/linked.toml", texts) == sample
    assert followed(tree, "configs/sample.toml", texts) == sample
    # A link to a folder, out of the tree, or to another link: no file to compare.
    assert followed(tree, "configs/folder", texts) is None
    assert followed(tree, "configs/outside.toml", texts) is None
    assert followed(tree, "configs/chain.toml", texts) is None
    assert followed(tree, "configs/gone.toml", texts) is None
