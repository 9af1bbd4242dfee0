"""The files `export-dev` compares across a switch: Alembic migrations, configuration samples and
lockfiles, read from the work tree through the engine, or from another branch's git objects with
one `git ls-tree` and one `git cat-file --batch` (no checkout)."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterable, Mapping, Sequence

from pants.engine.fs import DigestContents, PathGlobs
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.util.frozendict import FrozenDict

from pants_calver.core.devenv.alembic import Migration, read_migrations
from pants_calver.core.errors import GitError
from pants_calver.core.problems import Problem
from pants_calver.core.devenv.export_record import sha256_hex
from pants_calver.core.git.objects import (
    SYMLINK,
    TreeEntry,
    blob_id,
    cat_file_request,
    followed,
    link_oids,
    matching,
    parse_cat_file_batch,
    parse_ls_tree,
)
from pants_calver.engine.git import Git


@dataclass(frozen=True)
class MigrationsRequest:
    globs: tuple[str, ...]


@dataclass(frozen=True)
class CurrentMigrations:
    """The work tree's migrations by revision, or None and why they cannot be read."""

    migrations: FrozenDict[str, Migration] | None
    problems: tuple[Problem, ...]


@rule
async def current_migrations(request: MigrationsRequest) -> CurrentMigrations:
    contents = await Get(DigestContents, PathGlobs(request.globs)) if request.globs else ()
    migrations, problems = read_migrations((fc.path, fc.content) for fc in contents)
    return CurrentMigrations(FrozenDict(migrations) if migrations is not None else None, problems)


@dataclass(frozen=True)
class ConfigSamplesRequest:
    globs: tuple[str, ...]


@dataclass(frozen=True)
class CurrentConfigSamples:
    hashes: tuple[tuple[str, str], ...]


@rule
async def current_config_samples(request: ConfigSamplesRequest) -> CurrentConfigSamples:
    contents = await Get(DigestContents, PathGlobs(request.globs)) if request.globs else ()
    return CurrentConfigSamples(tuple((fc.path, sha256_hex(fc.content)) for fc in contents))


@dataclass(frozen=True)
class BranchSide:
    """One side of a switch: migrations (None when they cannot be read, with `problems`), and the
    blob ids of configuration samples and of the other files compared (lockfiles, the version
    file) by path; a file the side lacks is left out."""

    migrations: Mapping[str, Migration] | None
    problems: tuple[Problem, ...]
    config_samples: Mapping[str, str]
    files: Mapping[str, str]


def object_format(tree: Mapping[str, TreeEntry]) -> str:
    """The hash of the repo's objects, told by the length of their ids."""
    return "sha256" if any(len(entry.oid) == 64 for entry in tree.values()) else "sha1"


async def work_tree_side(
    migration_globs: Sequence[str], config_globs: Sequence[str], files: Iterable[str], object_format: str
) -> BranchSide:
    """This checkout's side, read through the engine (blob ids computed from the bytes)."""
    migrations, configs, compared = await MultiGet(
        Get(CurrentMigrations, MigrationsRequest(tuple(migration_globs))),
        Get(DigestContents, PathGlobs(config_globs)),
        Get(DigestContents, PathGlobs(sorted(set(files)))),
    )
    return BranchSide(
        migrations.migrations,
        migrations.problems,
        {fc.path: blob_id(fc.content, object_format) for fc in configs},
        {fc.path: blob_id(fc.content, object_format) for fc in compared},
    )


def read_tree(git: Git, ref: str, what: str) -> dict[str, TreeEntry]:
    """Every blob of the tree of the commit that `ref` (the value of the flag `what`) names, by
    path. The ref goes through `Git.commit`, the one door for user values to git, and only the
    resulting id reaches `git ls-tree`; raises RefError when it names no commit (or looks like an
    option), GitError when git cannot list the tree."""
    commit = git.commit(ref, what)
    result = git.run("ls-tree", "-r", "-z", "--full-tree", commit, "--")
    if result.returncode != 0:
        said = result.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(
            f"`git ls-tree {commit}` failed ({said[-1] if said else 'no message'}): "
            "check the repository with `git fsck`."
        )
    return parse_ls_tree(result.stdout)


def _read_blobs(git: Git, oids: Iterable[str]) -> dict[str, bytes]:
    """The content of blobs by object id, from one `git cat-file --batch` (none for no ids)."""
    request = cat_file_request(oids)
    if not request:
        return {}
    result = git.run("cat-file", "--batch", stdin=request)
    if result.returncode != 0:
        said = result.stderr.decode(errors="replace").strip()
        raise GitError(f"`git cat-file --batch` failed: {said}. Check the repository with `git fsck`.")
    return parse_cat_file_batch(result.stdout)


def branch_side(
    git: Git,
    tree: Mapping[str, TreeEntry],
    migration_globs: Sequence[str],
    config_globs: Sequence[str],
    files: Iterable[str],
) -> BranchSide:
    """The other branch's side, read from git objects: only the migrations' blobs (and the text of
    links) are read, with `git cat-file --batch`; the rest is compared by blob id. A link is
    followed to the file it names, as a checkout would read it."""
    migration_paths, config_paths = matching(tree, migration_globs), matching(tree, config_globs)
    paths = {*migration_paths, *config_paths, *(f for f in files if f in tree)}
    blobs = _read_blobs(
        git, [*link_oids(tree, paths), *(tree[p].oid for p in migration_paths if tree[p].mode != SYMLINK)]
    )
    oid_of = {path: followed(tree, path, blobs) for path in paths}
    # A migration reached through a link: its target's content, in a second read.
    targets = {oid for p in migration_paths for oid in [oid_of[p]] if oid and oid not in blobs}
    blobs.update(_read_blobs(git, targets))
    migrations, problems = read_migrations(
        (path, blobs[oid]) for path in migration_paths for oid in [oid_of[path]] if oid
    )
    return BranchSide(
        migrations,
        problems,
        {path: oid for path in config_paths for oid in [oid_of[path]] if oid},
        {path: oid for path in files for oid in [oid_of.get(path)] if oid},
    )


def rules():
    return collect_rules()
