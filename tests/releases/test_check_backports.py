"""check-backports on a temporary repo whose release branch was built by real `git cherry-pick -e`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest
from pants.testutil.rule_runner import GoalRuleResult, RuleRunner

import monorepo
from monorepo import git
from pants_calver.goals.check_backports import CheckBackports
from runners import MARKED, check_backports_rule_runner, cherry_pick, commit_file, cut_release_branch

# What each backport's editor appends to the cherry-picked message (`git cherry-pick -e`).
BACKPORTS = {
    "Fix the scheduler": "\nBackported-From: main\nBackported-To: 23.09\n",
    "Fix the agent": "\nbackported-from: main (24.09)\nbackported-to: 23.9\n",
    "Fix storage": "",
    "Fix the web UI": "\nBackported-From: main\nBackported-To: 23.09\n\nThanks to the reviewers.\n",
    "Fix a race": "\nBackported-From: main\nBackported-To: 23.03\n",
    "Fix a leak": "\nBackported-From: main\nBackported-To: 23.O9\n",
    "Fix logging": "\nBackported-From: develop\nBackported-To: 23.09\n",
}


def short(root: Path, rev: str = "HEAD") -> str:
    return git(root, "rev-parse", "--short", rev).strip()


@pytest.fixture
def rule_runner() -> RuleRunner:
    return check_backports_rule_runner()


@pytest.fixture(scope="module")
def release_repo(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, Dict[str, str]]:
    """A main branch with seven fixes, and release branch 23.09 (checked out) with each
    cherry-picked as `BACKPORTS` says, then a release commit; built once for the module. Returns
    where, and the short sha of each commit on 23.09."""
    root = tmp_path_factory.mktemp("release") / "repo"
    monorepo.write(root)
    monorepo.commit_all(root)
    git(root, "branch", "23.09")
    on_main = {
        subject: commit_file(root, f"src/ai/backend/manager/fix{i}.py", f"fix = {i}\n", subject)
        for i, subject in enumerate(BACKPORTS)
    }
    git(root, "checkout", "-q", "23.09")
    shas = {}
    for subject, append in BACKPORTS.items():
        cherry_pick(root, on_main[subject], append)
        shas[subject] = short(root)
    monorepo.write(root, {"VERSION": "23.09.7\n", "CHANGELOG.md": "## 23.09.7\n"}, {})
    for path in ("requirements.txt", "src/ai/backend/manager/BUILD", "src/ai/backend/plugin/setup.cfg"):
        monorepo.write(root, {path: (root / path).read_text().replace("23.9.6", "23.9.7")}, {})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "release: 23.09.7")
    shas["release: 23.09.7"] = short(root)
    return root, shas


@pytest.fixture
def shas(rule_runner: RuleRunner, release_repo: Tuple[Path, Dict[str, str]]) -> Dict[str, str]:
    """`release_repo`, copied into the build root (the same commits, so the same shas)."""
    template, shas = release_repo
    shutil.copytree(template, rule_runner.build_root, symlinks=True, dirs_exist_ok=True)
    return dict(shas)


def run(rule_runner: RuleRunner, *args: str) -> GoalRuleResult:
    return rule_runner.run_goal_rule(CheckBackports, args=list(args))


def expected_problems(shas: Dict[str, str]) -> list:
    wanted = "`Backported-From: main` and `Backported-To: 23.09`"
    return [
        (
            shas["Fix logging"],
            "Fix logging",
            "from-not-main",
            "says `Backported-From: develop` on line 3, but fixes come from main",
        ),
        (
            shas["Fix a leak"],
            "Fix a leak",
            "to-other-branch",
            "says `Backported-To: 23.O9` on line 4, but this is release branch 23.09",
        ),
        (
            shas["Fix a race"],
            "Fix a race",
            "to-other-branch",
            "says `Backported-To: 23.03` on line 4, but this is release branch 23.09",
        ),
        (
            shas["Fix the web UI"],
            "Fix the web UI",
            "trailers-not-final",
            "has Backported-From/Backported-To lines that git does not read as trailers: lines 3-4 are not "
            "in the last paragraph (line 6), the only one git reads trailers from. "
            f"End the message with {wanted}, after one blank line",
        ),
        (
            shas["Fix storage"],
            "Fix storage",
            "trailers-missing",
            "has no backport trailers: cherry-pick it from main with `git cherry-pick -e` and end the "
            f"message with {wanted}, after one blank line",
        ),
    ]


def test_each_broken_rule_is_reported_with_sha_and_subject(
    rule_runner: RuleRunner, shas: Dict[str, str]
) -> None:
    result = run(rule_runner)
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        *(f"{sha} {subject}: {message}" for sha, subject, _, message in expected_problems(shas)),
        "",
        "5 problems in 8 commits on 23.09 since main.",
    ]


def test_json_and_github_output(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    result = run(rule_runner, "--output-format=json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        # The keys of the first version, in their order...
        "branch": "23.09",
        "base": "main",
        "commits": 8,
        "problems": [
            {"sha": sha, "subject": subject, "code": code, "message": message}
            for sha, subject, code, message in expected_problems(shas)
        ],
        # ...then those added since.
        "base_commit": git(rule_runner.build_root, "rev-parse", "main").strip(),
        "skipped": None,
    }
    assert list(json.loads(result.stdout))[:4] == ["branch", "base", "commits", "problems"]
    result = run(rule_runner, "--output-format=github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"::error title={code}::{sha} {subject}: {message}"
        for sha, subject, code, message in expected_problems(shas)
    ]


def test_base_and_branch_in_detached_head(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    root = Path(rule_runner.build_root)
    # Only the two good backports and the release commit: everything after "Fix the agent" goes.
    git(root, "reset", "-q", "--hard", shas["Fix the agent"])
    git(root, "cherry-pick", shas["release: 23.09.7"])
    git(root, "checkout", "-q", "--detach")
    result = run(rule_runner)
    assert (result.exit_code, result.stdout) == (
        0,
        "HEAD is detached and --branch names no branch, so this is not a release branch x.y: "
        "there are no backports to check.\n",
    )
    result = run(rule_runner, "--branch=23.09")
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ 23.09: 3 commits since main, every one a marked backport or a release.\n",
    )
    result = run(rule_runner, "--branch=23.09", f"--base={shas['Fix the scheduler']}")
    assert (result.exit_code, result.stdout) == (
        0,
        f"✓ 23.09: 2 commits since {shas['Fix the scheduler']}, every one a marked backport or a release.\n",
    )


def test_release_commit_needs_release_files_only(rule_runner: RuleRunner, shas: Dict[str, str]) -> None:
    root = Path(rule_runner.build_root)
    git(root, "reset", "-q", "--hard", shas["Fix the agent"])
    # A version bump that also touches code is no release commit.
    monorepo.write(root, {"VERSION": "23.09.8\n", "src/ai/backend/manager/extra.py": "x = 1\n"}, {})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "release: 23.09.8")
    result = run(rule_runner)
    assert (result.exit_code, result.stdout.splitlines()[0]) == (
        1,
        f"{short(root)} release: 23.09.8: has no backport trailers: cherry-pick it from main with "
        "`git cherry-pick -e` and end the message with `Backported-From: main` and "
        "`Backported-To: 23.09`, after one blank line",
    )
    # Exempt by subject.
    result = run(rule_runner, "--check-backports-exempt-subjects=['^release: ']")
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ 23.09: 3 commits since main, every one a marked backport or a release.\n",
    )


NOT_RELEASE = "main is not a release branch x.y: there are no backports to check."


def test_not_a_release_branch(rule_runner: RuleRunner) -> None:
    root = Path(rule_runner.build_root)
    monorepo.write(root)
    monorepo.commit_all(root)
    result = run(rule_runner)
    assert (result.exit_code, result.stdout) == (0, f"{NOT_RELEASE}\n")
    result = run(rule_runner, "--output-format=github")
    assert (result.exit_code, result.stdout) == (0, f"{NOT_RELEASE}\n")
    result = run(rule_runner, "--output-format=json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {
        "branch": "main",
        "base": "main",
        "commits": 0,
        "problems": [],
        "base_commit": None,
        "skipped": NOT_RELEASE,
    }
    # A --branch that git takes for a branch name, but no release branch: nothing to check either.
    result = run(rule_runner, "--branch=feature/x", "--output-format=json")
    assert (result.exit_code, json.loads(result.stdout)["skipped"]) == (
        0,
        "feature/x is not a release branch x.y: there are no backports to check.",
    )


def delete_main(root: Path) -> str:
    git(root, "branch", "-q", "-D", "main")
    return (
        "--base (by default [check-backports].main_branch): git knows no branch, tag or commit `main`: "
        "check the name, or fetch it first. Where main is only a remote branch (a CI checkout), "
        "pass --base=origin/main."
    )


def break_build_file(root: Path) -> str:
    monorepo.write(root, {"src/ai/backend/agent/BUILD": "python_distribution(name='dist'\n"}, {})
    return "src/ai/backend/agent/BUILD:1: this BUILD file is not valid Python: unexpected EOF while parsing"


def unborn_release_branch(root: Path) -> str:
    # A release branch with no commit yet: the base resolves, but HEAD names no commit to walk from.
    git(root, "checkout", "-q", "--orphan", "23.10")
    return (
        "HEAD names no commit (a branch with no commit yet, or a broken repository): check out the release "
        "branch (`git log -1` shows its head) and that the repository is whole (`git fsck`)."
    )


def nothing(message: str) -> Callable[[Path], str]:
    return lambda root: message


ERRORS = [
    pytest.param(
        ["--base=no-such-ref"],
        nothing(
            "--base: git knows no branch, tag or commit `no-such-ref`: check the name, or fetch it first."
        ),
        "ref-invalid",
        id="base-names-nothing",
    ),
    pytest.param([], delete_main, "ref-invalid", id="no-main"),
    pytest.param(
        ["--branch=a..b"],
        nothing("--branch: `a..b` is not a name git takes for a branch."),
        "ref-invalid",
        id="branch-not-a-name",
    ),
    pytest.param(
        ["--check-backports-main-branch=ma in"],
        nothing("[check-backports].main_branch: `ma in` is not a name git takes for a branch."),
        "ref-invalid",
        id="main-branch-not-a-name",
    ),
    pytest.param(
        ["--check-backports-exempt-subjects=['(']"],
        nothing(
            "[check-backports].exempt_subjects: `(` is not a regular expression "
            "(missing ), unterminated subpattern at position 0)"
        ),
        "setting-invalid",
        id="bad-pattern",
    ),
    pytest.param([], break_build_file, "repo-unreadable", id="unreadable-build-file"),
    pytest.param([], unborn_release_branch, "git-failed", id="unborn-head"),
]


@pytest.mark.parametrize("args, make, code", ERRORS)
@pytest.mark.parametrize("output_format", ["text", "github", "json"])
def test_every_error_is_printed_in_the_format_asked_for(
    rule_runner: RuleRunner,
    shas: Dict[str, str],
    args: List[str],
    make: Callable[[Path], str],
    code: str,
    output_format: str,
) -> None:
    message = make(Path(rule_runner.build_root))
    result = run(rule_runner, *args, f"--output-format={output_format}")
    assert result.exit_code == 1
    if output_format == "text":
        assert (result.stdout, result.stderr) == ("", f"error: {message}\n")
    elif output_format == "github":
        assert (result.stdout, result.stderr) == (f"::error title={code}::{message}\n", "")
    else:
        assert result.stderr == ""
        assert json.loads(result.stdout) == {"error": {"code": code, "message": message}}


OPTION_LIKE = ["--output={out}", "-ccore.pager=touch {out}", "--exec=touch {out}"]
REFUSED = {
    "--base": "--base: `{value}` is not a branch, tag or commit name.",
    "--branch": "--branch: `{value}` is not a name git takes for a branch.",
    "--check-backports-main-branch": "[check-backports].main_branch: `{value}` is not a name git takes for a branch.",
}


@pytest.mark.parametrize(
    "flag, other",
    [
        pytest.param("--base", [], id="base"),
        pytest.param("--base", ["--branch=23.09"], id="base-in-detached-head"),
        pytest.param("--branch", [], id="branch"),
        pytest.param("--check-backports-main-branch", [], id="main-branch"),
        pytest.param("--check-backports-main-branch", ["--base=main"], id="main-branch-with-base"),
    ],
)
@pytest.mark.parametrize("template", OPTION_LIKE)
def test_option_like_values_are_refused_and_nothing_is_written(
    rule_runner: RuleRunner, shas: Dict[str, str], tmp_path: Path, flag: str, other: List[str], template: str
) -> None:
    root = Path(rule_runner.build_root)
    if "--branch=23.09" in other:
        git(root, "checkout", "-q", "--detach")
    value = template.format(out=tmp_path / "written")
    before = git(root, "status", "--porcelain", "--ignored")
    result = run(rule_runner, *other, f"{flag}={value}")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: {REFUSED[flag].format(value=value)}\n"
    # Neither the file git's `--output` would write (`<value>..HEAD` for the old `git log`), nor
    # anything in the work tree.
    assert list(tmp_path.iterdir()) == []
    assert git(root, "status", "--porcelain", "--ignored") == before


TWEAK = "Tweak the agent"


def open_pull_request(root: Path, on_main: Dict[str, str]) -> str:
    """Branch `pr` off 23.09 (checked out): a commit with no trailers, then a marked backport.
    Returns the short sha of the commit with no trailers."""
    git(root, "checkout", "-q", "-b", "pr", "23.09")
    commit_file(root, "src/ai/backend/agent/tweak.py", "tweak = 1\n", TWEAK)
    bad = short(root)
    cherry_pick(root, on_main["Fix the agent"], MARKED)
    return bad


def no_trailers(sha: str, subject: str) -> str:
    return (
        f"{sha} {subject}: has no backport trailers: cherry-pick it from main with `git cherry-pick -e` "
        "and end the message with `Backported-From: main` and `Backported-To: 23.09`, after one blank line"
    )


def test_github_merge_checkout_judges_the_pull_requests_commits(rule_runner: RuleRunner) -> None:
    # What actions/checkout does on a pull request: refs/pull/N/merge, a merge commit whose first
    # parent is the release branch's tip and whose second the PR's head, in detached HEAD.
    root = Path(rule_runner.build_root)
    bad = open_pull_request(root, cut_release_branch(rule_runner))
    tip, head = short(root, "23.09"), short(root, "pr")
    git(root, "checkout", "-q", "--detach", "23.09")
    git(root, "merge", "-q", "--no-ff", "-m", f"Merge {head} into {tip}", "pr")
    assert git(root, "rev-parse", "HEAD^1", "HEAD^2").split() == [
        git(root, "rev-parse", "23.09").strip(),
        git(root, "rev-parse", "pr").strip(),
    ]
    result = run(rule_runner, "--branch=23.09", "--base=main")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        no_trailers(bad, TWEAK),
        "",
        "1 problem in 3 commits on 23.09 since main.",
    ]


def test_pull_request_head_checkout(rule_runner: RuleRunner) -> None:
    root = Path(rule_runner.build_root)
    bad = open_pull_request(root, cut_release_branch(rule_runner))
    git(root, "checkout", "-q", "--detach", "pr")
    result = run(rule_runner, "--branch=23.09", "--base=main")
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [no_trailers(bad, TWEAK), "", "1 problem in 3 commits on 23.09 since main."],
    )


def test_branch_that_merges_pull_requests_with_merge_commits(rule_runner: RuleRunner) -> None:
    root = Path(rule_runner.build_root)
    on_main = cut_release_branch(rule_runner)
    bad = open_pull_request(root, on_main)
    git(root, "checkout", "-q", "23.09")
    git(root, "merge", "-q", "--no-ff", "-m", "Merge pull request #2 from pr", "pr")
    cherry_pick(root, on_main["Fix storage"], MARKED)
    result = run(rule_runner)
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [no_trailers(bad, TWEAK), "", "1 problem in 4 commits on 23.09 since main."],
    )


def test_squash_merge_is_judged_as_one_commit(rule_runner: RuleRunner) -> None:
    root = Path(rule_runner.build_root)
    open_pull_request(root, cut_release_branch(rule_runner))
    git(root, "checkout", "-q", "23.09")
    # The PR's own commits never reach the branch: only the squashed commit is judged.
    git(root, "merge", "-q", "--squash", "pr")
    git(root, "commit", "-qm", f"Fix the agent (#2)\n\n* {TWEAK}\n\n* Fix the agent\n{MARKED}")
    result = run(rule_runner)
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ 23.09: 2 commits since main, every one a marked backport or a release.\n",
    )
    git(root, "reset", "-q", "--hard", "HEAD~")
    git(root, "merge", "-q", "--squash", "pr")
    git(root, "commit", "-qm", "Fix the agent (#2)")
    result = run(rule_runner)
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [no_trailers(short(root), "Fix the agent (#2)"), "", "1 problem in 2 commits on 23.09 since main."],
    )


def test_commits_that_a_merge_of_main_brings_are_on_main(rule_runner: RuleRunner) -> None:
    root = Path(rule_runner.build_root)
    cut_release_branch(rule_runner)
    git(root, "merge", "-q", "--no-ff", "-m", "Merge main into 23.09", "main")
    result = run(rule_runner)
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ 23.09: 1 commit since main, every one a marked backport or a release.\n",
    )


def test_where_the_lines_are_and_what_git_made_of_them(rule_runner: RuleRunner) -> None:
    root = Path(rule_runner.build_root)
    cut_release_branch(rule_runner)
    wanted = "`Backported-From: main` and `Backported-To: 23.09`, after one blank line"
    messages = {
        # No blank line before the trailers: they are the subject's second and third lines.
        "Fix the agent": "Fix the agent\nBackported-From: main\nBackported-To: 23.09",
        # In the last paragraph, which git does not read as trailers: a line in it is text.
        "Fix storage": "Fix storage\n\nSee the ticket.\nBackported-From: main\nBackported-To: 23.09",
        # Two branches in one value.
        "Fix the web UI": "Fix the web UI\n\nBackported-From: main\nBackported-To: 23.03, 23.09",
        # 23.09 in Arabic-Indic digits names no branch.
        "Fix logging": "Fix logging\n\nBackported-From: main\nBackported-To: \u0662\u0663.\u0660\u0669",
        # The old log format's separators, in a subject and a body.
        "Fix a\x1fb\x1ec": "Fix a\x1fb\x1ec\n\nBody \x1e\x1f.\n\nBackported-From: main\nBackported-To: 23.09",
    }
    shas = {}
    for i, (subject, message) in enumerate(messages.items()):
        commit_file(root, f"src/ai/backend/agent/fix{i}.py", f"fix = {i}\n", message)
        shas[subject] = short(root)
    result = run(rule_runner)
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        f"{shas['Fix logging']} Fix logging: says `Backported-To: \u0662\u0663.\u0660\u0669` on line 4, but this "
        "is release branch 23.09",
        f"{shas['Fix storage']} Fix storage: has Backported-From/Backported-To lines that git does not read as "
        "trailers: lines 4-5 are in the last paragraph (lines 3-5), but git reads it as text, not trailers: line 3 "
        "in it is not a trailer, and git reads a paragraph as trailers only when every line is one (or a quarter "
        "are, one being `Signed-off-by:` or `(cherry picked from commit`). End the message with " + wanted,
        # git's subject: the first paragraph's lines, joined with spaces.
        f"{shas['Fix the agent']} Fix the agent Backported-From: main Backported-To: 23.09: has "
        "Backported-From/Backported-To lines that git does not read as trailers: lines 2-3 are in the first "
        "paragraph, which git reads as the subject, never as trailers. End the message with " + wanted,
        "",
        "3 problems in 6 commits on 23.09 since main.",
    ]


def test_a_release_commit_may_change_a_declared_version_source(rule_runner: RuleRunner) -> None:
    root = Path(rule_runner.build_root)
    monorepo.write(root, {"docker/Dockerfile": "ARG V=23.9.6\n"}, {})
    cut_release_branch(rule_runner)
    monorepo.write(root, {"VERSION": "23.09.7\n", "docker/Dockerfile": "ARG V=23.9.7\n"}, {})
    git(root, "commit", "-qam", "release: 23.09.7")
    sources = json.dumps({"docker/Dockerfile": {"pattern": "ARG V={normalized}"}})
    result = run(rule_runner, f"--calver-version-sources={sources}")
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ 23.09: 2 commits since main, every one a marked backport or a release.\n",
    )
