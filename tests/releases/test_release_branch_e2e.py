"""check-release-branch in a real Pants run, on a repo with a release branch, tags (annotated,
lightweight, misspelled), a fix never backported and a feature branch in disguise."""

from __future__ import annotations

import json
from pathlib import Path

import monorepo
import release_history
from e2e import init_repo, pants


def test_check_release_branch_end_to_end(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    init_repo(root)
    files = {
        **monorepo.FILES,
        "pants.toml": (root / "pants.toml").read_text(),
        ".gitignore": "/.pants.d/\n/.pids/\n",
    }
    shas = release_history.build(root, files)
    short = {name: sha[:7] for name, sha in shas.items()}
    result = pants(root, "check-release-branch", "--all-branches", home=tmp_path / "home")
    assert result.exit_code == 1, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(" ", 2)[:2] for line in lines[:-2]] == [
        ["branch", "23.09.2"],
        ["branch", "24.09"],
        ["branch", "hotfix"],
        ["tag", "23.09.1"],
        ["tag", "23.09.8.rc1"],
        ["tag", "23.09.8.rc1"],
        [short["23.09:sneaked"], "release:"],
        *(
            [short[name], "feat:" if name == "requested" else "fix:"]
            for name in ("requested", "missed", "patch", "backport-of", "pr", "picked")
        ),
    ]
    assert lines[1] == (
        "branch 24.09 is named like release branch 24.09, but its head holds version 24.03.0.dev1 in "
        "`VERSION`, not a 24.09.* version: a feature branch in disguise. Rename it so that it differs from "
        "release branches (`git branch -m`)"
    )
    assert lines[-2:] == [
        "",
        "13 problems (branch-names: 6 branches; tags: 3 tags reachable from HEAD; version-changes: 8 commits "
        "since main; missing-backports: 11 commits of main since the branch point).",
    ]
    # Every provenance form accepted: only the fixes never backported are missing.
    result = pants(
        root,
        "check-release-branch",
        "--rules=missing-backports",
        "--output-format=json",
        "--check-backports-provenance=['trailers', 'cherry-picked', 'backport-of', 'pr-number', 'patch-id']",
        home=tmp_path / "home",
    )
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    assert [
        (p["sha"], p["subject"], p["code"]) for p in document["rules"]["missing-backports"]["problems"]
    ] == [
        (short["requested"], "feat: new API (#107)", "backport-missing"),
        (short["missed"], "fix: missed one (#106)", "backport-missing"),
    ]
