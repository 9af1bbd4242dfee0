"""check-backports' rule with `[check-backports].provenance`: a commit passes with one accepted
form, judged on messages that real git wrote (`cherry-pick -x`, `-e` with trailers)."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import pytest

import release_history
from monorepo import git_bytes
from pants_calver.core.git.log import Commit, log_args, parse_log
from pants_calver.core.releases.backports import BackportRules, check_commit
from pants_calver.core.releases.provenance import Form

Branch = Tuple[Dict[str, str], Dict[str, Commit]]


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> Branch:
    root = tmp_path_factory.mktemp("forms") / "repo"
    shas = release_history.build(root)
    on_branch = parse_log(git_bytes(root, *log_args(shas["23.09:sneaked"], shas["main:sneaked"], paths=True)))
    names = {sha: name for name, sha in shas.items()}
    return shas, {names[commit.oid]: commit for commit in on_branch}


def codes(branch: Branch, forms: List[Form]) -> Dict[str, Optional[str]]:
    rules = BackportRules("23.09", "main", frozenset({"VERSION"}), forms=tuple(forms))
    return {
        name: problem.code if problem else None
        for name, commit in branch[1].items()
        for problem in [check_commit(commit, rules)]
    }


def test_the_default_is_the_spec_trailers(branch: Branch) -> None:
    assert codes(branch, [Form.trailers]) == {
        "23.09:sneaked": "trailers-missing",
        "23.09:rc": None,  # a release commit
        "23.09:patch": "trailers-missing",
        "23.09:backport-of": "trailers-missing",
        "23.09:pr": "trailers-missing",
        "23.09:trailers": None,
        "23.09:picked": "trailers-missing",
        "23.09:release": None,
    }


def test_each_accepted_form_passes_its_commit(branch: Branch) -> None:
    assert codes(branch, [Form.cherry_picked])["23.09:picked"] is None
    assert codes(branch, [Form.backport_of])["23.09:backport-of"] is None
    assert codes(branch, [Form.pr_number])["23.09:pr"] is None
    # The trailers alone are no mark when only `-x` lines are accepted.
    assert codes(branch, [Form.cherry_picked])["23.09:trailers"] == "provenance-missing"
    every = codes(branch, [Form.trailers, Form.cherry_picked, Form.backport_of, Form.pr_number])
    assert [name for name, code in every.items() if code] == ["23.09:sneaked", "23.09:patch"]
    # With trailers accepted too, what is reported is what the trailer rule says.
    assert every["23.09:patch"] == "trailers-missing"


def test_a_commit_with_no_accepted_form(branch: Branch) -> None:
    rules = BackportRules("23.09", "main", frozenset(), forms=(Form.cherry_picked, Form.patch_id))
    problem = check_commit(branch[1]["23.09:patch"], rules)
    assert problem is not None
    assert (problem.code, problem.message) == (
        "provenance-missing",
        "carries no accepted provenance (`cherry-picked`, `patch-id`). Backport the commit of main it comes "
        "from: on 23.09, `git cherry-pick -x <sha>`",
    )


def test_the_pr_number_advice_is_a_squash_merged_pull_request(branch: Branch) -> None:
    # A plain cherry-pick keeps one `(#105)`, the commit's own: no `pr-number` mark, so the advice
    # is not to cherry-pick alone but to squash-merge a pull request that does.
    rules = BackportRules("23.09", "main", frozenset(), forms=(Form.pr_number,))
    problem = check_commit(branch[1]["23.09:patch"], rules)
    assert problem is not None
    assert (problem.code, problem.message) == (
        "provenance-missing",
        "carries no accepted provenance (`pr-number`). Backport the commit of main it comes from: in a pull "
        "request into 23.09, `git cherry-pick <sha>`, then squash-merge the pull request, so that the subject "
        "ends with both pull requests' `(#N)`",
    )
