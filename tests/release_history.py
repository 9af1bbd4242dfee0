"""A release history made by real git: main with fixes, release branch 23.09 with their backports
in every provenance form, tags annotated and lightweight (two misspelled as Backend.AI's were),
a feature branch in disguise and a branch named like a tag. Shared by the tests of the
release-branch checks; no Pants import, so the pure tests can use it.

Dates are fixed, so the same history has the same commit ids on every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Mapping

from monorepo import git, git_bytes

DATE = "1700000000 +0000"
FIXED = {"GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": DATE}


def run(root: Path, *args: str, **env: str) -> str:
    """git in `root` with a fixed identity and date (monorepo.git, away from the user's config)."""
    return git(root, *args, **{**FIXED, **env})


def commit(root: Path, files: Mapping[str, str], message: str) -> str:
    """Write `files` and commit them with `message`; the new commit's full id."""
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    run(root, "add", "-A")
    git_bytes(root, "commit", "-q", "-F", "-", stdin=message.encode(), extra_env=FIXED)
    return run(root, "rev-parse", "HEAD").strip()


def cherry_pick(root: Path, sha: str, *flags: str, append: str = "") -> str:
    """`git cherry-pick` (with `flags`, such as `-x`), its editor appending `append` to the
    message (`-e`) when there is one; the new commit's full id."""
    if append:
        editor = root.parent / "append-to-message"
        editor.write_text('#!/bin/sh\nprintf "%s" "$APPEND" >> "$1"\n')
        editor.chmod(0o755)
        run(root, "cherry-pick", "-e", *flags, sha, GIT_EDITOR=str(editor), APPEND=append)
    else:
        run(root, "cherry-pick", *flags, sha)
    return run(root, "rev-parse", "HEAD").strip()


# The fixes on main, by name: subject and body. `(#N)` is the pull request GitHub squash-merged.
FIXES = {
    "picked": "fix: scheduler race (#101)",
    "trailers": "fix: agent leak (#102)",
    "pr": "fix: storage quota (#103)",
    "backport-of": "fix: web UI crash (#104)",
    "patch": "fix: logging (#105)",
    "missed": "fix: missed one (#106)",
    "requested": "feat: new API (#107)\n\nBackport: 23.09, 22.09",
    "elsewhere": "fix: only for 24.03 (#108)\n\nBackport: 24.03",
    "refactor": "refactor: tidy (#109)",
}


def build(root: Path, files: Mapping[str, str] = {}) -> Dict[str, str]:
    """The history in `root` (a new directory), checked out on 23.09, its first commit holding
    `files` too (a repo Pants reads, such as monorepo.FILES); the full id of each named commit
    (`FIXES`' names, `main:*` and `23.09:*` for the others)."""
    root.mkdir(parents=True, exist_ok=True)
    run(root, "init", "-q", "-b", "main")
    first = {**files, "VERSION": "23.09.0rc1\n", "src/app.py": "app = 0\n"}
    shas = {"init": commit(root, first, "Start")}
    run(root, "branch", "23.09")
    shas["main:cycle"] = commit(root, {"VERSION": "24.03.0.dev0\n"}, "Start the 24.03.0.dev0 cycle")
    run(root, "tag", "24.03.0dev0")  # Backend.AI's misspelling: meant 24.03.0.dev0
    for i, (name, message) in enumerate(FIXES.items()):
        shas[name] = commit(root, {f"src/fix_{name}.py": f"fix = {i}\n"}, message)
    shas["main:sneaked"] = commit(
        root, {"VERSION": "24.03.0.dev1\n", "src/app.py": "app = 1\n"}, "Bump things"
    )
    run(root, "checkout", "-q", "23.09")
    shas["23.09:release"] = commit(root, {"VERSION": "23.09.0\n"}, "release: 23.09.0")
    run(root, "tag", "-a", "-m", "Release 23.09.0", "23.09.0")
    run(root, "tag", "23.09.1")  # on a commit whose VERSION holds 23.09.0
    shas["23.09:picked"] = cherry_pick(root, shas["picked"], "-x")
    shas["23.09:trailers"] = cherry_pick(
        root, shas["trailers"], append="\nBackported-From: main\nBackported-To: 23.09\n"
    )
    shas["23.09:pr"] = commit(root, {"src/fix_pr.py": "fix = 2\n"}, "fix: storage quota (#103) (#110)")
    shas["23.09:backport-of"] = cherry_pick(
        root, shas["backport-of"], append=f"\nBackport-of: {shas['backport-of'][:10]}\n"
    )
    shas["23.09:patch"] = cherry_pick(root, shas["patch"])
    shas["23.09:rc"] = commit(root, {"VERSION": "23.09.8.rc1\n"}, "release: 23.09.8.rc1")
    run(root, "tag", "-a", "-m", "23.09.8.rc1", "23.09.8.rc1")  # meant 23.09.8rc1
    shas["23.09:sneaked"] = commit(
        root, {"VERSION": "23.09.8\n", "src/app.py": "app = 2\n"}, "release: 23.09.8"
    )
    run(root, "branch", "24.09", "main")  # holds 24.03.0.dev1: a feature branch in disguise
    run(root, "branch", "23.09.2", "main")  # named like a tag
    run(root, "tag", "hotfix", "main")
    run(root, "branch", "hotfix", "main")  # named like an existing tag
    run(root, "update-ref", "refs/remotes/origin/23.09", "23.09")
    run(root, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/23.09")
    return shas
