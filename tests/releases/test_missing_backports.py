"""`core/releases/missing_backports.py` and `provenance.py`: which fixes of main a release branch
lacks, found in a history made by real git (`git cherry-pick -x`, `-e` with trailers, a squash
merge's `(#103) (#110)`, `Backport-of:`, a cherry-pick with no mark), read by the core's readers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import pytest

import release_history
from monorepo import git_bytes
from pants_calver.core.errors import SettingError
from pants_calver.core.git.log import Commit, log_args, parse_log
from pants_calver.core.releases.backports import BackportRules, check_commit
from pants_calver.core.git.patch_ids import PATCH_ID_ARGS, diff_tree_args, diff_tree_request, parse_patch_ids
from pants_calver.core.releases.missing_backports import (
    BranchIndex,
    MissingBackport,
    Wanted,
    match,
    missing_backports,
    still_missing,
)
from pants_calver.core.releases.provenance import Form, Provenance, parse_forms, pr_numbers

Sides = Tuple[Path, Dict[str, str], Tuple[Commit, ...], Tuple[Commit, ...]]
# A full commit id for commits made up here (the parser requires one; these checks never read it).
OID = "abc1234000000000000000000000000000000000"

FIXES = Wanted((re.compile("^fix"),))


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> Sides:
    root = tmp_path_factory.mktemp("backports") / "repo"
    shas = release_history.build(root)
    main, branch = shas["main:sneaked"], shas["23.09:sneaked"]
    on_main = parse_log(git_bytes(root, *log_args(main, branch, paths=False)))
    on_branch = parse_log(git_bytes(root, *log_args(branch, main, paths=True)))
    return root, shas, on_main, on_branch


def missing(sides: Sides, forms: Sequence[Form], wanted: Wanted = FIXES) -> List[str]:
    """The names (release_history's) of main's commits that 23.09 lacks, by these forms."""
    root, shas, on_main, on_branch = sides
    index = BranchIndex.of(on_branch, forms, "main")
    matching = match(on_main, index, "23.09", wanted)
    patch_ids: Dict[str, str] = {}
    request = matching.patch_id_request(index)
    if Form.patch_id in forms and request:
        patches = git_bytes(root, *diff_tree_args(), stdin=diff_tree_request(request))
        patch_ids = parse_patch_ids(git_bytes(root, *PATCH_ID_ARGS, stdin=patches))
    names = {sha: name for name, sha in shas.items()}
    return [names[commit.oid] for commit in still_missing(matching, patch_ids, index)]


ALL_UNMATCHED = ["requested", "missed", "patch", "backport-of", "pr", "trailers", "picked"]


@pytest.mark.parametrize(
    "forms, found",
    [
        pytest.param([Form.trailers], "trailers", id="trailers-and-the-same-subject"),
        pytest.param([Form.cherry_picked], "picked", id="cherry-pick-x"),
        pytest.param([Form.backport_of], "backport-of", id="backport-of"),
    ],
)
def test_each_form_finds_its_own_counterpart(sides: Sides, forms: List[Form], found: str) -> None:
    assert missing(sides, forms) == [name for name in ALL_UNMATCHED if name != found]


def test_pr_numbers_find_the_squash_merged_backport_only(sides: Sides) -> None:
    # `fix: storage quota (#103) (#110)`; a cherry-pick keeps the subject's one `(#101)`, which is
    # the commit's own number, not where it came from: check-backports does not accept it either.
    assert missing(sides, [Form.pr_number]) == [name for name in ALL_UNMATCHED if name != "pr"]


def test_the_pr_number_form_is_read_as_check_backports_reads_it(sides: Sides) -> None:
    # The branch's commits that count as a counterpart by `(#N)` are those check-backports passes.
    _, shas, _, on_branch = sides
    index = BranchIndex.of(on_branch, [Form.pr_number], "main")
    rules = BackportRules("23.09", "main", frozenset({"VERSION"}), forms=(Form.pr_number,))
    passed = {c.oid for c in on_branch if not rules.is_exempt(c) and check_commit(c, rules) is None}
    assert set(index.by_pr.values()) == passed == {shas["23.09:pr"]}
    assert index.by_pr == {103: shas["23.09:pr"]}


def test_patch_ids_find_the_unmarked_cherry_pick_and_every_same_change(sides: Sides) -> None:
    # Every cherry-pick, marked or not, and the squash-merged backport of #103, made the same change.
    assert missing(sides, [Form.patch_id]) == ["requested", "missed"]
    assert missing(sides, [Form.trailers, Form.patch_id]) == ["requested", "missed"]


def test_every_form_together_leaves_the_fixes_never_backported(sides: Sides) -> None:
    assert missing(sides, list(Form)) == ["requested", "missed"]


def test_patch_ids_are_asked_only_for_what_no_mark_matched(sides: Sides) -> None:
    root, shas, on_main, on_branch = sides
    forms = [Form.trailers, Form.cherry_picked, Form.backport_of]
    index = BranchIndex.of(on_branch, forms, "main")
    matching = match(on_main, index, "23.09", FIXES)
    unmatched = [shas[name] for name in ("requested", "missed", "patch", "pr")]
    unclaimed = [shas[f"23.09:{name}"] for name in ("sneaked", "rc", "patch", "pr", "release")]
    assert matching.patch_id_request(index) == (*unmatched, *unclaimed)
    everything = match(
        on_main, BranchIndex.of(on_branch, list(Form), "main"), "23.09", Wanted((), request_key="none")
    )
    assert everything.wanted == () and everything.patch_id_request(index) == ()


def test_a_request_trailer_decides_over_the_subject(sides: Sides) -> None:
    _, shas, on_main, _ = sides
    by_name = {name: commit for commit in on_main for name, sha in shas.items() if sha == commit.oid}
    assert FIXES.on(by_name["requested"], "23.09")  # `Backport: 23.09, 22.09`, a feature
    assert FIXES.on(by_name["requested"], "22.9")  # compared as versions
    assert not FIXES.on(by_name["requested"], "24.03")
    assert not FIXES.on(by_name["elsewhere"], "23.09")  # a fix, asked for 24.03 only
    assert FIXES.on(by_name["elsewhere"], "24.03")
    assert not FIXES.on(by_name["refactor"], "23.09")
    # With another request key, `Backport: 24.03` is no request, and the subject decides.
    assert Wanted((re.compile("^fix"),), request_key="Backport-to").on(by_name["elsewhere"], "23.09")


def test_missing_backports_one_entry_per_commit_with_its_branches(sides: Sides) -> None:
    _, shas, on_main, _ = sides
    by_oid = {commit.oid: commit for commit in on_main}
    missed, requested = by_oid[shas["missed"]], by_oid[shas["requested"]]
    assert missing_backports({"23.09": [missed, requested], "23.03": [missed]}, on_main) == [
        MissingBackport(shas["requested"][:7], shas["requested"], "feat: new API (#107)", ("23.09",)),
        MissingBackport(shas["missed"][:7], shas["missed"], "fix: missed one (#106)", ("23.09", "23.03")),
    ]


@pytest.mark.parametrize(
    "subject, numbers",
    [
        ("fix: x (#1234) (#1240)", (1234, 1240)),
        ("fix: x (#1234)", (1234,)),
        ("fix: x (#1234)  ", (1234,)),
        ("fix: (#12) in the middle", ()),
        ("fix: x (#1234)(#1240)", (1234, 1240)),
        ("fix: x (# 1234)", ()),
        ("fix: x (#١٢)", ()),
    ],
)
def test_pr_numbers(subject: str, numbers: Tuple[int, ...]) -> None:
    assert pr_numbers(subject) == numbers


def test_provenance_of_each_form() -> None:
    sha = "9c6330e1a3de50e1b1f65b418fb8c088bf43165e"
    message = (
        "fix: x (#1) (#2)\n\nBody.\n\nBackported-From: main (24.09)\nBackport-of: #7\n"
        f"Backport-of: 9c6330e1a3\nBackport-of: not-a-sha\n(cherry picked from commit {sha})\n"
    )
    said = Provenance.of(Commit.from_message(OID, "abc", "fix: x (#1) (#2)", message), "main")
    assert said == Provenance(True, (sha,), ("9c6330e1a3",), (7,), (1,))
    assert said.forms() == (Form.trailers, Form.cherry_picked, Form.backport_of, Form.pr_number)
    plain = Provenance.of(
        Commit.from_message(OID, "abc", "fix: x (#2)", "fix: x (#2)\n\nBackported-From: develop\n"), "main"
    )
    assert plain.forms() == ()  # its own pull request only, and not from main
    # A `-x` line that git did not write (an abbreviated id, text around it) is no mark.
    edited = f"fix\n\n(cherry picked from commit {sha[:12]})\nsee (cherry picked from commit {sha})\n"
    assert Provenance.of(Commit.from_message(OID, "abc", "fix", edited), "main").forms() == ()


def test_parse_forms() -> None:
    assert parse_forms("[check-backports].provenance", ["patch-id", "trailers", "patch-id"]) == (
        Form.patch_id,
        Form.trailers,
    )
    with pytest.raises(
        SettingError,
        match=r"^\[check-backports\].provenance: `-x` is not a provenance form; use any of trailers, "
        r"cherry-picked, backport-of, pr-number, patch-id.$",
    ):
        parse_forms("[check-backports].provenance", ["-x"])
    with pytest.raises(SettingError, match="no form is accepted"):
        parse_forms("[check-backports].provenance", [])


def test_cherry_pick_x_after_trailers_as_git_writes_it(tmp_path: Path) -> None:
    # git appends the `-x` line to a message's trailer block with no blank line before it, and
    # `-x` of a cherry-pick adds a second line: both name commits.
    root = tmp_path / "repo"
    root.mkdir()
    release_history.run(root, "init", "-q", "-b", "main")
    release_history.commit(root, {"a": "0\n"}, "init")
    release_history.run(root, "branch", "23.09")
    release_history.run(root, "branch", "24.03")
    fix = release_history.commit(root, {"a": "1\n"}, "fix: a\n\nSigned-off-by: t <t@example.invalid>")
    release_history.run(root, "checkout", "-q", "24.03")
    first = release_history.cherry_pick(root, fix, "-x")
    release_history.run(root, "checkout", "-q", "23.09")
    second = release_history.cherry_pick(root, first, "-x")
    message = git_bytes(root, "log", "-1", "--format=%B", second).decode()
    assert message == (
        "fix: a\n\nSigned-off-by: t <t@example.invalid>\n"
        f"(cherry picked from commit {fix})\n(cherry picked from commit {first})\n\n"
    )
    said = Provenance.of(Commit.from_message(OID, "x", "fix: a", message), "main")
    assert said.cherry_picked == (fix, first)


def test_both_goals_read_the_backported_from_value_alike() -> None:
    # `,main` is the word `main` after a comma to check-backports' trailer rule: the same commit is
    # then main's counterpart for check-release-branch's missing-backports, by its subject.
    message = "fix: x (#7)\n\nBackported-From: ,main\nBackported-To: 23.09\n"
    branch = Commit.from_message(OID, OID[:7], "fix: x (#7)", message, ("src/x.py",))
    rules = BackportRules("23.09", "main", frozenset({"VERSION"}))
    assert check_commit(branch, rules) is None
    assert Provenance.of(branch, "main").from_main
    on_main = Commit("d" * 40, "ddddddd", "fix: x (#7)", (), "fix: x (#7)\n", ("src/x.py",))
    assert BranchIndex.of([branch], [Form.trailers], "main").counterpart(on_main) == OID
