"""`git for-each-ref` output, read: branches, remote-tracking branches and tags, with no Pants import.

The format ends every field with a NUL, which no ref name holds (git refuses one), so no name can
move a field. An annotated tag is a tag object: `*objecttype`/`*objectname` are what it points at,
one level down (git 2.39 peels one level there: a tag of a tag shows `tag`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pants_calver.core.errors import GitError
from pants_calver.core.git.objects import COMMIT_ID

REF_FORMAT = "%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(symref)%00"
_FIELDS = 6
BRANCHES, REMOTES, TAGS = "refs/heads/", "refs/remotes/", "refs/tags/"


def refs_args(*prefixes: str, merged: str | None = None) -> list[str]:
    """The arguments of `git for-each-ref` for the refs under `prefixes` (`refs/tags/`...), and
    with `merged` (a full commit id, never a user's ref) only those reachable from it."""
    if merged is not None and not COMMIT_ID.fullmatch(merged):
        raise ValueError(f"not a full commit id: {merged!r}")
    for prefix in prefixes:
        if prefix not in (BRANCHES, REMOTES, TAGS):
            raise ValueError(f"not a ref prefix this reads: {prefix!r}")
    return [
        "for-each-ref",
        f"--format={REF_FORMAT}",
        *([f"--merged={merged}"] if merged else []),
        *prefixes,
    ]


@dataclass(frozen=True)
class Ref:
    """A ref as `git for-each-ref` shows it: `kind` and `oid` are the object it names (`commit`, or
    `tag` for an annotated tag), `target_kind`/`target_oid` what a tag object points at ("" for
    anything else), `symref` the ref a symbolic ref (`refs/remotes/origin/HEAD`) stands for."""

    refname: str
    kind: str
    oid: str
    target_kind: str = ""
    target_oid: str = ""
    symref: str = ""

    @property
    def name(self) -> str:
        """The name a person uses: `23.09` for `refs/heads/23.09` and `refs/remotes/origin/23.09`
        (the remote is the first part after `refs/remotes/`), `23.09.1` for `refs/tags/23.09.1`."""
        if self.refname.startswith(REMOTES):
            return self.refname[len(REMOTES) :].partition("/")[2]
        for prefix in (BRANCHES, TAGS):
            if self.refname.startswith(prefix):
                return self.refname[len(prefix) :]
        return self.refname

    @property
    def shown(self) -> str:
        """The short name git prints: `23.09`, `origin/23.09`, `23.09.1`."""
        for prefix in (BRANCHES, REMOTES, TAGS):
            if self.refname.startswith(prefix):
                return self.refname[len(prefix) :]
        return self.refname

    @property
    def annotated(self) -> bool:
        return self.kind == "tag"

    @property
    def commit(self) -> str | None:
        """The commit the ref names, through one annotated tag; None for a tag of a tree, a blob
        or another tag."""
        if self.kind == "commit":
            return self.oid
        return self.target_oid if self.kind == "tag" and self.target_kind == "commit" else None

    @property
    def points_at(self) -> str:
        """What the ref names after one tag object: `commit`, `tree`, `blob` or `tag`."""
        return self.target_kind if self.kind == "tag" else self.kind


def parse_refs(output: bytes) -> tuple[Ref, ...]:
    """The refs in the output of `git <refs_args(...)>`, in git's order (by name); raises GitError
    for output that is not in that shape."""
    text = output.decode("utf-8", "surrogateescape")
    records = text.split("\0\n")
    if records[-1]:
        raise GitError(f"`git for-each-ref` printed what this cannot read: {records[-1][:80]!r}.")
    refs = []
    for record in records[:-1]:
        fields = record.split("\0")
        if len(fields) != _FIELDS or not fields[0] or not fields[2]:
            raise GitError(f"`git for-each-ref` printed what this cannot read: {record[:80]!r}.")
        refs.append(Ref(*fields))
    return tuple(refs)
