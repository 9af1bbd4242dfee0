"""`core/releases/refs_rules.py`: branch and tag names, judged on the refs and version files of a
history made by real git (annotated and lightweight tags, two misspelled as Backend.AI's were)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import release_history
from monorepo import git_bytes
from pants_calver.core.git.files_at import CAT_FILE_ARGS, files_at_request, parse_files_at
from pants_calver.core.git.refs import BRANCHES, REMOTES, TAGS, Ref, parse_refs, refs_args
from pants_calver.core.problems import Problem
from pants_calver.core.releases.refs_rules import (
    check_branch,
    check_tag,
    release_numbers,
    tags_to_check,
    version_like_tags,
)
from pants_calver.core.versions.version import Scheme

PADDED = Scheme()
Refs = Tuple[Path, Dict[str, str], Dict[str, Ref], Dict[str, bytes]]


@pytest.fixture(scope="module")
def refs(tmp_path_factory: pytest.TempPathFactory) -> Refs:
    """Every ref by its full name, and the VERSION each names (absent where it has none)."""
    root = tmp_path_factory.mktemp("refs") / "repo"
    shas = release_history.build(root)
    found = {r.refname: r for r in parse_refs(git_bytes(root, *refs_args(BRANCHES, REMOTES, TAGS)))}
    names = list(found)
    output = git_bytes(root, *CAT_FILE_ARGS, stdin=files_at_request([found[n].oid for n in names], "VERSION"))
    files = {n: data for n, data in zip(names, parse_files_at(output, len(names))) if data is not None}
    return root, shas, found, files


def branch_findings(refs: Refs, name: str) -> List[Problem]:
    _, _, found, files = refs
    tags = {ref.name for ref in found.values() if ref.refname.startswith(TAGS)}
    return check_branch(found[name], tags, files.get(name), "VERSION", PADDED)


RENAME = "(`git branch -m`)"


@pytest.mark.parametrize("name", ["refs/heads/main", "refs/heads/23.09", "refs/remotes/origin/23.09"])
def test_good_branches(refs: Refs, name: str) -> None:
    assert branch_findings(refs, name) == []


def test_branch_named_like_a_release_tag(refs: Refs) -> None:
    assert branch_findings(refs, "refs/heads/23.09.2") == [
        Problem(
            "",
            0,
            "branch-named-like-tag",
            "branch 23.09.2 is named like a release tag (x.y.z): rename the branch so that it differs from "
            "release tags and "
            f"release branches {RENAME}",
        )
    ]


def test_branch_named_like_an_existing_tag(refs: Refs) -> None:
    assert branch_findings(refs, "refs/heads/hotfix") == [
        Problem(
            "",
            0,
            "branch-named-like-tag",
            f"branch hotfix has the name of tag hotfix: git reads `hotfix` as either, and warns that it is ambiguous. "
            f"Rename the branch {RENAME}",
        )
    ]


def test_feature_branch_in_disguise(refs: Refs) -> None:
    assert branch_findings(refs, "refs/heads/24.09") == [
        Problem(
            "",
            0,
            "branch-disguised",
            "branch 24.09 is named like release branch 24.09, but its head holds version 24.03.0.dev1 in "
            "`VERSION`, not a "
            "24.09.* version: a feature branch in disguise. Rename it so that it differs from release "
            f"branches {RENAME}",
        )
    ]
    ref = Ref("refs/remotes/upstream/24.09", "commit", "a" * 40)
    assert [f.message.split(", ")[1] for f in check_branch(ref, set(), None, "VERSION", PADDED)] == [
        "but its head has no version file in `VERSION`"
    ]
    assert check_branch(ref, set(), b"24.9.0\n", "VERSION", PADDED) == []  # compared as versions
    assert check_branch(ref, set(), b"x\n", "VERSION", PADDED)[0].message.startswith(
        "branch upstream/24.09 is named like release branch 24.09, but its head has a version file that "
        "holds no version "
        "(`x` is not a version"
    )


def tag_findings(
    refs: Refs, name: str, scheme: Scheme = PADDED, template: str = "{version}"
) -> List[Problem]:
    _, _, found, files = refs
    ref = found[f"refs/tags/{name}"]
    matched = version_like_tags(template).fullmatch(name)
    assert matched
    return check_tag(ref, matched.group(1), template, files.get(ref.refname), "VERSION", scheme)


def test_good_tag_annotated(refs: Refs) -> None:
    assert tag_findings(refs, "23.09.0") == []


def test_lightweight_tag_on_a_commit_of_another_version(refs: Refs) -> None:
    _, shas, _, _ = refs
    assert tag_findings(refs, "23.09.1") == [
        Problem(
            "",
            0,
            "tag-version-mismatch",
            f"tag 23.09.1 points at {shas['23.09:release'][:12]}, whose `VERSION` holds 23.09.0, not 23.09.1: "
            "move the tag "
            "to the release commit of 23.09.1",
            found="23.09.0",
            expected="23.09.1",
        )
    ]


def test_backend_ai_misspellings_with_the_spelling_meant(refs: Refs) -> None:
    _, shas, _, _ = refs
    # The tag and the VERSION it points at are both `23.09.8.rc1`: both are reported.
    assert tag_findings(refs, "23.09.8.rc1") == [
        Problem(
            "",
            0,
            "tag-misspelled",
            "tag 23.09.8.rc1 is not spelled as the version 23.09.8rc1 is: write `23.09.8rc1` "
            "(`git tag 23.09.8rc1 "
            "23.09.8.rc1^{}`, then delete `23.09.8.rc1`)",
            found="23.09.8.rc1",
            expected="23.09.8rc1",
        ),
        Problem(
            "",
            0,
            "tag-version-misspelled",
            f"tag 23.09.8.rc1 points at {shas['23.09:rc'][:12]}, whose `VERSION` spells 23.09.8rc1 as "
            "`23.09.8.rc1`: the "
            "release was made with a misspelled version file; spell it `23.09.8rc1` from now on",
            found="23.09.8.rc1",
            expected="23.09.8rc1",
        ),
    ]
    # The VERSION says `24.03.0.dev0`, well spelled; the tag is not.
    assert [(f.code, f.expected) for f in tag_findings(refs, "24.03.0dev0")] == [
        ("tag-misspelled", "24.03.0.dev0")
    ]


def test_tag_name_template_and_scheme(refs: Refs) -> None:
    # Unpadded, the padded tags are misspelled.
    assert [(f.code, f.expected) for f in tag_findings(refs, "23.09.0", Scheme(pad_minor=False))] == [
        ("tag-misspelled", "23.9.0"),
        ("tag-version-misspelled", "23.9.0"),
    ]
    assert version_like_tags("v{version}").fullmatch("23.09.0") is None
    prefixed = version_like_tags("v{version}").fullmatch("v23.09.0")
    assert prefixed is not None and prefixed.group(1) == "23.09.0"
    assert version_like_tags("release-{old_version}").pattern == "(?!)"
    assert version_like_tags("{version}-{normalized}").pattern == "(?!)"
    ref = Ref("refs/tags/23.09.x", "commit", "a" * 40)
    assert [f.code for f in check_tag(ref, "23.09.x", "{version}", b"23.09.0\n", "VERSION", PADDED)] == [
        "tag-not-a-version"
    ]
    tree = Ref("refs/tags/23.09.0", "tag", "b" * 40, "tree", "c" * 40)
    assert [f.message for f in check_tag(tree, "23.09.0", "{version}", None, "VERSION", PADDED)] == [
        "tag 23.09.0 points at a tree, not a commit: delete it"
    ]


def test_tags_since_a_scheme_change(refs: Refs) -> None:
    tags = tuple(
        Ref(f"refs/tags/{name}", "commit", "a" * 40)
        for name in ("23.09.6", "24.09.1", "25.1.0", "25.3.0rc1", "x")
    )
    pattern = version_like_tags("{version}")
    checked, older = tags_to_check(tags, pattern, release_numbers("25.1.0"))
    assert ([ref.name for ref, _ in checked], older) == (["25.1.0", "25.3.0rc1"], 2)
    checked, older = tags_to_check(tags, pattern, None)
    assert ([text for _, text in checked], older) == (["23.09.6", "24.09.1", "25.1.0", "25.3.0rc1"], 0)
    assert release_numbers("24.03") == (24, 3, 0) and release_numbers("main") is None


def test_tag_on_a_commit_without_a_version_file() -> None:
    ref = Ref("refs/tags/23.09.0", "commit", "d" * 40)
    assert check_tag(ref, "23.09.0", "{version}", None, "VERSION", PADDED) == [
        Problem(
            "",
            0,
            "tag-version-mismatch",
            f"tag 23.09.0 points at {'d' * 12}, which has no version file (`VERSION`): tag the release commit instead",
            expected="23.09.0",
        )
    ]
    assert check_tag(ref, "23.09.0", "{version}", b"23.09.0\n", "VERSION", PADDED) == []


def _classify_in_child(names: Tuple[str, ...], queue) -> None:  # type: ignore[no-untyped-def]
    tags = tuple(Ref(f"refs/tags/{name}", "commit", "a" * 40) for name in names)
    checked, older = tags_to_check(tags, version_like_tags("{version}"), None)
    queue.put(([text for _, text in checked], older))


def test_a_long_tag_that_almost_reads_as_a_version_is_classified_promptly() -> None:
    # A name git accepts; with a separator both optional and inside a repeated group, the
    # pattern tried every way of splitting the letters (26 s for 22 of them). `re` holds the GIL
    # while it matches, so the match runs in a child process that is killed after 5 s.
    names = ("23.09.1-hotfix" + "a" * 40 + "/x", "23.09.1-hotfix" + "a" * 40, "24.03.0rc1")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_classify_in_child, args=(names, queue), daemon=True)
    child.start()
    child.join(5)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail("classifying the tag names took more than 5 s")
    assert queue.get(timeout=5) == (["23.09.1-hotfix" + "a" * 40, "24.03.0rc1"], 0)
