"""check-backports reads a commit as git does, whatever bytes its message holds.

Commits are made by real git (`git commit-tree`, which takes the message's bytes on stdin), read
the way the goal reads them (`read_history`: its one `git log`), and each field is compared with
what git says of that commit on its own: the id `git commit-tree` printed for the full id,
`git log --format=%h%n%s` for the short sha and the subject, `git cat-file` for the message as
stored, `git interpret-trailers --parse` of that message for the trailers, and `git diff-tree`
for the changed paths.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monorepo import git_bytes
from pants_calver.core.git.log import Commit
from pants_calver.core.text import encode
from pants_calver.engine.git import Git
from pants_calver.goals.check_backports import read_history

SCISSORS = b"# ------------------------ >8 ------------------------"

# Paths that would break a reader of `git log -z --name-only`: newlines first (git puts one
# before the first path), the old log separators, a name shaped like a commit id, bytes that are
# not UTF-8.
ODD_PATHS = [b"\n\n", b"\nnewline-first", b"d/x y", b"tab\there", b"sep\x1e\x1f", b"\xff\xfe-not-utf-8"]
ODD_PATHS += [
    b"0123456789abcdef0123456789abcdef01234567",
    b"\xe2\x80\xa8line-separator",
    b"dir/\r\n",
    b"%x00",
]
# The trees commits take, as (path, which of two contents): a commit changes what differs
# between its parent's tree and its own.
TREES: Dict[str, List[Tuple[bytes, int]]] = {
    "empty": [],
    "one": [(b"a", 0)],
    "two": [(b"a", 1), (b"d/x y", 0)],
    "odd": [(path, 0) for path in ODD_PATHS],
    "odd-changed": [(path, i % 2) for i, path in enumerate(ODD_PATHS[::2])],
}


@dataclass
class Repo:
    root: Path
    base: str  # a commit with the empty tree
    trees: Dict[str, str]  # name -> tree id
    changed: Dict[Tuple[str, str], Tuple[bytes, ...]]  # what `git diff-tree` lists between two trees

    def git(self, *args: str, stdin: bytes = b"", **env: str) -> bytes:
        return git_bytes(self.root, *args, stdin=stdin, extra_env=env)

    def reader(self, **env: str) -> Git:
        """git as the goal runs it, in this repo, away from the user's configuration."""
        return Git(
            str(self.root),
            {"PATH": os.environ["PATH"], "HOME": str(self.root), "GIT_CONFIG_NOSYSTEM": "1", **env},
        )


def make_tree(repo_root: Path, name: str, files: List[Tuple[bytes, int]], blobs: List[bytes]) -> str:
    index = {"GIT_INDEX_FILE": str(repo_root / ".git" / f"index-{name}")}
    entries = b"".join(b"100644 blob %s\t%s\0" % (blobs[blob], path) for path, blob in files)
    git_bytes(repo_root, "read-tree", "--empty", extra_env=index)
    git_bytes(repo_root, "update-index", "--add", "-z", "--index-info", stdin=entries, extra_env=index)
    return git_bytes(repo_root, "write-tree", extra_env=index).decode().strip()


def changed_paths(repo_root: Path, a: str, b: str) -> Tuple[bytes, ...]:
    listed = git_bytes(repo_root, "diff-tree", "-r", "-z", "--no-renames", "--name-only", a, b)
    return tuple(listed.split(b"\0")[:-1])


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    root = tmp_path_factory.mktemp("oracle")
    git_bytes(root, "init", "-q", "-b", "main")
    blobs = [git_bytes(root, "hash-object", "-w", "--stdin", stdin=b"%d\n" % i).strip() for i in range(2)]
    trees = {name: make_tree(root, name, files, blobs) for name, files in TREES.items()}
    base = git_bytes(root, "commit-tree", trees["empty"], stdin=b"base\n").decode().strip()
    changed = {(a, b): changed_paths(root, trees[a], trees[b]) for a in trees for b in trees}
    return Repo(root, base, trees, changed)


@dataclass(frozen=True)
class Change:
    """A commit to make: its message's bytes and its tree. `raw` writes the commit object as is
    (`git hash-object`), for bytes that `git commit-tree` would re-encode (see
    `test_commit_tree_stores_no_invalid_utf8`)."""

    message: bytes
    tree: str = "one"
    raw: bool = False


def make_commit(repo: Repo, parent: str, change: Change) -> str:
    if change.raw:
        who = b"t <t@example.invalid> 1700000000 +0000"
        header = b"tree %s\nparent %s\n" % (repo.trees[change.tree].encode(), parent.encode())
        header += b"author %s\ncommitter %s\n\n" % (who, who)
        made = repo.git("hash-object", "-t", "commit", "-w", "--stdin", stdin=header + change.message)
    else:
        made = repo.git("commit-tree", repo.trees[change.tree], "-p", parent, stdin=change.message)
    return made.decode().strip()


def stored_messages(repo: Repo, shas: Sequence[str]) -> List[bytes]:
    """Each commit's message as git stores it: the object's bytes after the headers."""
    out = repo.git("cat-file", "--batch", stdin=b"".join(sha.encode() + b"\n" for sha in shas))
    messages, at = [], 0
    for _ in shas:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        messages.append(out[header_end + 1 : header_end + 1 + size].split(b"\n\n", 1)[1])
        at = header_end + 1 + size + 1
    return messages


def divider(message: bytes) -> int:
    """Where the first line starting with `---` and white space is (git takes what follows for a
    patch), or the message's length."""
    start = 0
    while start < len(message):
        after = start + 3
        if message.startswith(b"---", start) and after < len(message) and message[after] in b" \t\n\r":
            return start
        newline = message.find(b"\n", start)
        start = len(message) if newline < 0 else newline + 1
    return len(message)


def asked_of_git(message: bytes) -> bytes:
    """What to give git 2.39's `interpret-trailers`: the message, but where it would loop forever
    (a scissors line after a `---` line; fixed in git 2.45), the part before the `---` line,
    which has the same trailers when that scissors line is not looked for, as later git does."""
    scissors = message.find(b"\n" + SCISSORS + b"\n")
    if message.startswith(SCISSORS + b"\n") or scissors < 0 or scissors + 1 <= divider(message):
        return message
    return message[: divider(message)]


SEPARATOR = b"Oracle-Separator-7f3a9c: 1\n"


def interpret_trailers(repo: Repo, messages: Sequence[bytes]) -> List[bytes]:
    """`git interpret-trailers --parse` of each message: one git for them all, with a message
    whose one trailer is `SEPARATOR` between them."""
    folder = repo.root / ".git" / "oracle"
    folder.mkdir(exist_ok=True)
    (folder / "separator").write_bytes(b"separator\n\n" + SEPARATOR)
    files = []
    for i, message in enumerate(messages):
        (folder / str(i)).write_bytes(asked_of_git(message))
        files += [str(folder / str(i)), str(folder / "separator")]
    parsed = repo.git("interpret-trailers", "--parse", *files[:-1]).split(SEPARATOR)
    assert len(parsed) == len(messages)
    return parsed


Fields = Tuple[bytes, bytes, bytes, bytes, bytes, Tuple[bytes, ...]]


def git_says(repo: Repo, shas: Sequence[str], changes: Sequence[Change]) -> List[Fields]:
    """(full id, short sha, subject, message, trailers, changed paths) of each commit, from git."""
    log = repo.git("log", "--no-walk=unsorted", "--format=%h%n%s", *shas).split(b"\n")
    messages = stored_messages(repo, shas)
    trailers = interpret_trailers(repo, messages)
    parent_trees = ["empty", *(change.tree for change in changes)]
    return [
        (
            shas[i].encode(),
            log[2 * i],
            log[2 * i + 1],
            messages[i],
            trailers[i],
            repo.changed[(parent_trees[i], change.tree)],
        )
        for i, change in enumerate(changes)
    ]


def read_by_the_goal(repo: Repo, commit: Commit) -> Fields:
    return (
        commit.oid.encode(),
        commit.sha.encode(),
        encode(commit.subject),
        encode(commit.message),
        b"".join(encode(f"{key}: {value}\n") for key, value in commit.trailers),
        tuple(encode(path) for path in commit.paths),
    )


def check(repo: Repo, changes: Sequence[Change], **env: str) -> None:
    """Commit `changes` in a line on the base, read them as the goal does (with `env` for git)
    and compare every field of every commit with git's answer."""
    shas, parent = [], repo.base
    for change in changes:
        parent = make_commit(repo, parent, change)
        shas.append(parent)
    (repo.root / ".git" / "HEAD").write_text(f"{parent}\n")  # a detached HEAD at the last one
    reader = repo.reader(**env)
    read = read_history(reader, reader.commit("HEAD", "HEAD"), repo.base)
    assert [read_by_the_goal(repo, commit) for commit in reversed(read)] == git_says(repo, shas, changes)


def test_git_refuses_a_nul_byte_in_a_message(repo: Repo) -> None:
    # Why the goal's `git log` may separate fields with NUL bytes: no message can hold one.
    env = {**repo.reader().env, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid"}
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    for command in (
        ["commit-tree", repo.trees["one"], "-p", repo.base],
        ["commit", "--allow-empty", "-F", "-"],
    ):
        result = subprocess.run(
            ["git", *command], cwd=repo.root, env=env, input=b"Fix\0 it\n", capture_output=True
        )
        assert result.returncode != 0
        assert b"a NUL byte in commit log message not allowed" in result.stderr


def test_a_nul_made_by_other_means_ends_the_message(repo: Repo) -> None:
    # A commit object can hold a NUL (`git hash-object` writes one; `git fsck` warns): `git log`
    # prints its message only up to the NUL, and the fields after it stay in their places.
    odd = make_commit(repo, repo.base, Change(b"Sub\0ject\n\nBody\n\nBackported-From: main\n", raw=True))
    tip = make_commit(repo, odd, Change(b"Fix\n\nBackported-From: main\n", tree="two"))
    (repo.root / ".git" / "HEAD").write_text(f"{tip}\n")
    newest, oldest = read_history(repo.reader(), tip, repo.base)
    assert (oldest.subject, oldest.message, oldest.trailers, oldest.paths) == ("Sub", "Sub", (), ("a",))
    assert (newest.subject, newest.trailers, newest.paths) == (
        "Fix",
        (("Backported-From", "main"),),
        ("a", "d/x y"),
    )


def test_commit_tree_stores_no_invalid_utf8(repo: Repo) -> None:
    # `git commit-tree` re-encodes bytes that are not UTF-8 as if they were Latin-1, so commits
    # whose messages hold such bytes (imported ones, `git fast-import`) are made as raw objects.
    sha = make_commit(repo, repo.base, Change(b"Fix \xff\n"))
    assert stored_messages(repo, [sha]) == [b"Fix \xc3\xbf\n"]
    sha = make_commit(repo, repo.base, Change(b"Fix \xff\n", raw=True))
    assert stored_messages(repo, [sha]) == [b"Fix \xff\n"]


@pytest.mark.parametrize(
    "change",
    [
        # Line breaks git does not split at (`str.splitlines` does), inside a trailer's value.
        pytest.param(
            Change(b"Fix\n\nBackported-From: main\xc2\x85Backported-To: 23.09\n"), id="nel-in-value"
        ),
        pytest.param(
            Change(b"Fix\n\nBackported-From: main\xe2\x80\xa8Backported-To: 23.09\n"), id="u2028-in-value"
        ),
        pytest.param(
            Change(b"Fix\n\nBackported-From: main\xe2\x80\xa9Backported-To: 23.09\n"), id="u2029-in-value"
        ),
        pytest.param(Change(b"Fix\n\nBackported-To: 23.09\rBackported-From: main\n"), id="cr-in-value"),
        pytest.param(Change(b"Fix\n\nKey: a\x1cb\x1dc\x0bd\x0ce\n"), id="fs-gs-vt-ff-in-value"),
        # Values keep what git does not trim (it trims spaces, tabs, CR and LF only).
        pytest.param(
            Change(b"Fix\n\nBackported-To: \x0b23.09\x0c\nBackported-From:\t main \r\n"), id="value-edges"
        ),
        # A line starting with `\r` continues the trailer above it; at the end, so does it.
        pytest.param(Change(b"Fix\n\nBackported-To: 23.09\n\rx\n"), id="cr-continuation"),
        # Keys git takes that `[A-Za-z0-9][A-Za-z0-9-]*` does not.
        pytest.param(Change(b"Fix\n\n-Key: v\nBackported-From: main\n"), id="key-starting-with-dash"),
        # What `interpret-trailers` reads and `%(trailers)` of `git log` does not, and back.
        pytest.param(Change(b"\n\nBackported-From: main\nBackported-To: 23.09\n"), id="leading-blank-lines"),
        pytest.param(
            Change(b"Fix\n\n---\n\nBackported-From: main\nBackported-To: 23.09\n"), id="after-a-divider"
        ),
        # A paragraph with a line git writes itself is trailers when a quarter of its lines are.
        pytest.param(
            Change(b"Fix\n\nSigned-off-by: A <a@b>\nBackported-From: main\nx\ny\nz\nw\nv\nu\n"), id="quarter"
        ),
        pytest.param(
            Change(b"Fix\n\nSigned-off-by: A <a@b>\nBackported-From: main\nx\ny\nz\nw\nv\nu\nt\n"), id="under"
        ),
        pytest.param(
            Change(b"Fix\n\n(cherry picked from commit 1234abc)\nBackported-To: 23.09\n"), id="cherry-picked"
        ),
        # The old log format's separators in a subject and a body.
        pytest.param(
            Change(b"Fix\x1fa\x1eb\n\nBody \x1e\x1f\n\nBackported-From: main\n"), id="log-separators"
        ),
        pytest.param(
            Change(b"Fix \xff\xfe\n\nBody \xc3(\n\nBackported-From: m\xe9in\n", raw=True), id="not-utf8"
        ),
        pytest.param(Change(b"Fix paths\n", tree="odd"), id="odd-paths"),
    ],
)
def test_fields_are_what_git_says(repo: Repo, change: Change) -> None:
    check(repo, [change])


def test_a_log_output_encoding_changes_nothing(repo: Repo) -> None:
    # The user's `i18n.logOutputEncoding` would have `git log` re-encode messages.
    check(
        repo,
        [Change("Fix the café\n\nBackported-From: main\n".encode())],
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0="i18n.logOutputEncoding",
        GIT_CONFIG_VALUE_0="ISO-8859-1",
    )


# The pieces of generated messages. Characters git takes as ordinary and Python may not: line and
# paragraph separators, white space git does not trim, the old log separators, escapes...
TROUBLE = [b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f", b"\xc2\x85", b"\xe2\x80\xa8"]
TROUBLE += [b"\xe2\x80\xa9", b"\t", b" ", b"\xc2\xa0", b":", b"#", b"-", b"%x00", b"\x01", b"\x1b[31m"]
TROUBLE += [b"\xd9\xa2\xd9\xa3"]
# ...bytes that are not UTF-8: lone continuation and lead bytes, a surrogate, an overlong NUL.
NOT_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\x85",
    b"\xe2\x80",
    b"\xed\xa0\x80",
    b"\xc0\x80",
    b"\xf4\x90\x80\x80",
]
WORDS = st.text(alphabet="abcxyzABC0129-_.,:;()#/ ", max_size=8).map(str.encode)
PIECES = st.one_of(WORDS, st.sampled_from(TROUBLE), st.sampled_from(NOT_UTF8))
TEXT = st.lists(PIECES, max_size=5).map(b"".join)
KEYS = [b"Backported-From", b"Backported-To", b"backported-to", b"BACKPORTED-FROM", b"Signed-off-by"]
KEYS += [b"Co-authored-by", b"-Key", b"Key-", b"K", b"9", b"Bug #", b"Ke y", b"K\xc3\xa9y", b"\tKey", b" Key"]
KEYS += [b"Key\x0b", b"Key\xc2\x85"]
VALUES = [b"main", b"23.09", b"23.03, 23.09", b"main (24.09)", b"\xd9\xa2\xd9\xa3.\xd9\xa0\xd9\xa9"]
EDGES = [b"", b"", b" ", b"  ", b"\t", b"\r", b"\x0b", b"\x0c", b"\xc2\xa0"]
TRAILER = st.builds(
    lambda key, separator, before, value, after: key + separator + before + value + after,
    st.sampled_from(KEYS),
    st.sampled_from([b":", b":", b": ", b" :", b"\t: ", b"  :  ", b"\x0b:", b"::", b"="]),
    st.sampled_from(EDGES),
    st.one_of(st.sampled_from(VALUES), TEXT),
    st.sampled_from(EDGES),
)
LINES = [b"", b" ", b"\t", b"\r", b"---", b"--- x", b"---\r", b"---x", b"# comment", SCISSORS, b"Conflicts:"]
LINES += [b"\tpath", b" continued", b"\tcontinued", b"Signed-off-by: A <a@example.invalid>"]
LINES += [b"(cherry picked from commit 0123abc)", b"Backported-From: main", b"Backported-To: 23.09"]
LINES += [b"\x1e\x1f"]
BREAKS = [b"\n"] * 8 + [b"\n\n", b"\r\n", b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x85", b""]
BREAKS += [b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9"]


GIT_LINES = [b"Signed-off-by: A <a@example.invalid>", b"(cherry picked from commit 0123abc)", b" continued"]
GIT_LINES += [b"Backported-From: main", b"Backported-To: 23.09", b"Backported-To: 23.03, 23.09"]


def joined(lines: List[Tuple[bytes, bytes]]) -> bytes:
    return b"".join(line + end for line, end in lines)


def lines(line: st.SearchStrategy, ends: List[bytes], min_size: int = 0) -> st.SearchStrategy:
    return st.lists(st.tuples(line, st.sampled_from(ends)), min_size=min_size, max_size=8).map(joined)


# Any pieces at all; or the shape of a backport's message, with a last paragraph mostly of
# trailer-like lines, so that git reads trailers in many of them.
ANYTHING = lines(st.one_of(TRAILER, TEXT, st.sampled_from(LINES)), BREAKS)
TRAILERS = lines(
    st.one_of(TRAILER, st.sampled_from(GIT_LINES), st.sampled_from(LINES), TEXT), [b"\n"] * 6 + BREAKS, 1
)
MESSAGES = st.one_of(ANYTHING, st.builds(lambda head, tail: head + b"\n\n" + tail, ANYTHING, TRAILERS))
CHANGES = st.builds(Change, MESSAGES, st.sampled_from(sorted(TREES)), st.booleans())


# 500 examples of one to three commits each (about 900 commits), in one repo.
@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(changes=st.lists(CHANGES, min_size=1, max_size=3))
def test_every_field_is_what_git_says(repo: Repo, changes: List[Change]) -> None:
    check(repo, changes)
