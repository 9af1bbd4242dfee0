"""bump-version's git steps (--commit, --tag, --cut-branch, before_commit) on a real git repo."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Dict, Tuple

import pytest
from pants.testutil.rule_runner import GoalRuleResult, RuleRunner

import monorepo
from monorepo import git
from pants_calver.goals import bump_version, check_version_sync
from pants_calver.goals.check_version_sync import CheckVersionSync
from runners import IDENTITY, bump, commit_sample_repo, version_goals_rule_runner


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = version_goals_rule_runner(*bump_version.rules(), *check_version_sync.rules())
    commit_sample_repo(runner)
    return runner


def snapshot(root: str) -> Dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in Path(root).rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def state(root: str) -> Tuple[Dict[str, tuple], str, str, str, str]:
    """All that a refused or failed run must leave as it found: every file and directory of the
    work tree (kind, bytes or link target, mode), the index, the refs, HEAD, and git's status."""
    tree: Dict[str, tuple] = {}
    for p in Path(root).rglob("*"):
        relative = p.relative_to(root)
        if relative.parts[0] in (".git", ".pants.d", ".pids"):
            continue
        if p.is_symlink():
            tree[str(relative)] = ("link", os.readlink(p))
        elif p.is_dir():
            tree[str(relative)] = ("dir",)
        else:
            tree[str(relative)] = ("file", p.read_bytes(), p.stat().st_mode)
    return (
        tree,
        git(root, "ls-files", "--stage"),
        git(root, "for-each-ref", "--format=%(refname) %(objectname)"),
        git(root, "rev-parse", "--symbolic-full-name", "HEAD", "HEAD"),
        git(root, "status", "--porcelain", "--untracked-files=all"),
    )


def head(root: str, rev: str = "HEAD") -> str:
    return git(root, "rev-parse", "--short", rev).strip()


BUMPED = [
    "VERSION",
    "requirements.txt",
    "src/ai/backend/agent/VERSION",
    "src/ai/backend/manager/BUILD",
    "src/ai/backend/plugin/setup.cfg",
]


def test_commit_and_tag_take_only_the_bumped_files(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    # Unrelated work in progress: staged, unstaged and untracked. None of it joins the release.
    monorepo.write(root, {"src/ai/backend/web/pyproject.toml": "# staged\n", "notes.txt": "todo\n"}, {})
    git(root, "add", "src/ai/backend/web/pyproject.toml")
    monorepo.write(root, {"BUILD": 'python_requirements(name="reqs")\n# unstaged\n'}, {})
    old_head = head(root)
    result = bump(rule_runner, "--next=rc", "--commit", "--tag-release")
    assert (result.exit_code, result.stderr) == (0, "")
    sha = head(root)
    assert result.stdout.splitlines()[-3:] == [
        f"Committed {sha} release: 23.09.7rc1.",
        "Tagged 23.09.7rc1.",
        "Nothing was pushed. To publish: git push origin main 23.09.7rc1",
    ]
    assert git(root, "show", "--name-only", "--format=%s%n%P", "HEAD").split() == [
        "release:",
        "23.09.7rc1",
        git(root, "rev-parse", old_head).strip(),
        *BUMPED,
    ]
    assert git(root, "tag", "--points-at", "HEAD").split() == ["23.09.7rc1"]
    assert git(root, "cat-file", "-t", "23.09.7rc1").strip() == "commit"  # a lightweight tag
    assert sorted(git(root, "status", "--porcelain").splitlines()) == [
        " M BUILD",
        "?? notes.txt",
        "M  src/ai/backend/web/pyproject.toml",
    ]


def test_annotated_tag_and_message_templates(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    result = bump(
        rule_runner,
        "--next=patch",
        "--tag-release",
        "--bump-version-commit-message=Release {version} (was {old_version}, pins {normalized})",
        "--bump-version-tag-name=v{normalized}",
        "--bump-version-tag-message=Backend.AI {version}",
    )
    assert result.exit_code == 0, result.stderr
    assert git(root, "log", "-1", "--format=%s").strip() == "Release 23.09.7 (was 23.09.6, pins 23.9.7)"
    assert git(root, "cat-file", "-t", "v23.9.7").strip() == "tag"
    assert git(root, "tag", "-l", "--format=%(contents:subject)", "v23.9.7").strip() == "Backend.AI 23.09.7"


def test_failing_before_commit_leaves_tree_and_history(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    before, old_head = snapshot(root), head(root)
    result = bump(
        rule_runner,
        "--next=patch",
        "--commit",
        "--bump-version-before-commit=['sh -c \"echo broken changelog >&2; exit 3\"']",
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "error: `sh -c echo broken changelog >&2; exit 3` failed with exit code 3:\nbroken changelog\n"
        "The release stopped; the work tree and the index are as they were.\n"
    )
    assert (snapshot(root), head(root)) == (before, old_head)


@pytest.mark.parametrize(
    "remove",
    [
        pytest.param("rm", id="removed"),
        # As towncrier does: the deletion is staged, and the file is in neither the index nor the tree.
        pytest.param("git rm -q", id="removed-with-git-rm"),
    ],
)
def test_before_commit_changes_join_the_release_commit(rule_runner: RuleRunner, remove: str) -> None:
    root = rule_runner.build_root
    monorepo.write(root, {"changes/123.fix.md": "Fix the scheduler\n"}, {})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a news fragment")
    build_changelog = f"sh -c 'printf \"## {{version}}\\n\" > CHANGELOG.md && {remove} changes/123.fix.md'"
    result = bump(
        rule_runner, "--next=patch", "--commit", f"--bump-version-before-commit=[{build_changelog!r}]"
    )
    assert result.exit_code == 0, result.stderr
    assert (Path(root) / "CHANGELOG.md").read_text() == "## 23.09.7\n"
    assert git(root, "show", "--name-status", "--format=", "HEAD").splitlines() == [
        "A\tCHANGELOG.md",
        "M\tVERSION",
        "D\tchanges/123.fix.md",
        "M\trequirements.txt",
        "M\tsrc/ai/backend/agent/VERSION",
        "M\tsrc/ai/backend/manager/BUILD",
        "M\tsrc/ai/backend/plugin/setup.cfg",
    ]
    assert git(root, "status", "--porcelain") == ""


def test_dry_run_lists_the_git_steps(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    monorepo.write(root, monorepo.at_version("24.03.0rc2", "24.3.0rc2"), {})
    git(root, "commit", "-qam", "24.03.0rc2")
    before, old_head = snapshot(root), head(root)
    result = bump(rule_runner, "--next=release", "--cut-branch", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split("Then, in git:\n")[1].splitlines() == [
        "  commit VERSION, src/ai/backend/agent/VERSION, requirements.txt, src/ai/backend/manager/BUILD, "
        "src/ai/backend/plugin/setup.cfg: release: 24.03.0",
        "  tag 24.03.0",
        "  branch 24.03 at the release commit",
        "  then 24.09.0.dev0 in VERSION, src/ai/backend/agent/VERSION, requirements.txt, "
        "src/ai/backend/manager/BUILD, src/ai/backend/plugin/setup.cfg, and commit them: "
        "Start the 24.09.0.dev0 cycle",
    ]
    assert (snapshot(root), head(root)) == (before, old_head)


def test_cut_branch_releases_and_starts_the_next_cycle(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    monorepo.write(root, monorepo.at_version("24.03.0rc2", "24.3.0rc2"), {})
    git(root, "commit", "-qam", "24.03.0rc2")
    result = bump(rule_runner, "--next=release", "--tag-release", "--cut-branch")
    assert (result.exit_code, result.stderr) == (0, "")
    release, cycle = head(root, "HEAD~1"), head(root)
    assert result.stdout.splitlines()[-6:] == [
        "VERSION: 24.03.0 → 24.09.0.dev0 on main",
        f"Committed {release} release: 24.03.0.",
        "Tagged 24.03.0.",
        f"Created branch 24.03 at {release}.",
        f"Committed {cycle} Start the 24.09.0.dev0 cycle.",
        "Nothing was pushed. To publish: git push origin main 24.03 24.03.0",
    ]
    assert head(root, "24.03") == head(root, "24.03.0") == release
    assert git(root, "show", "24.03:VERSION") == "24.03.0\n"
    assert (Path(root) / "VERSION").read_text() == "24.09.0.dev0\n"
    assert "backend.ai-common==24.9.0.dev0" in (Path(root) / "requirements.txt").read_text()
    assert git(root, "status", "--porcelain") == ""

    def check(branch: str) -> GoalRuleResult:
        return rule_runner.run_goal_rule(CheckVersionSync, args=[f"--branch={branch}"])

    assert check("main").exit_code == 0
    git(root, "checkout", "-q", "24.03")
    assert check("24.03").exit_code == 0


def test_a_step_failing_after_the_commit_says_what_was_done_and_how_to_undo_it(
    rule_runner: RuleRunner,
) -> None:
    root = rule_runner.build_root
    old_head = head(root)
    # A hook that refuses new tags: the failure comes after the release commit.
    hook = Path(root, ".git/hooks/reference-transaction")
    hook.write_text('#!/bin/sh\n[ "$1" = prepared ] && grep -q " refs/tags/" && exit 1\nexit 0\n')
    hook.chmod(0o755)
    result = bump(rule_runner, "--next=patch", "--tag-release")
    sha = head(root)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "Done before that:",
        f"  committed {sha} release: 23.09.7",
        "To undo it:",
        f"  git reset --keep {old_head}",
    ]
    assert result.stderr.startswith(f"error: `git tag -- 23.09.7 {sha}` failed: ")
    hook.unlink()
    git(root, "reset", "-q", "--keep", old_head)
    assert (Path(root) / "VERSION").read_text() == "23.09.6\n"


def test_the_push_command_names_the_branch_git_is_on(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    git(root, "checkout", "-q", "-b", "release-prep")
    # --branch names the line the version belongs to; the commit lands on the checked-out branch.
    result = bump(rule_runner, "--next=patch", "--commit", "--branch=main")
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (
        0,
        "Nothing was pushed. To publish: git push origin release-prep",
    )
    assert git(root, "log", "-1", "--format=%s", "release-prep").strip() == "release: 23.09.7"


# Each refusal of the real run, and the same refusal of the dry run: the same guards run before
# the dry run prints and before the real run writes.


def _dirty_padded_pin(root: str) -> None:
    # An uncommitted edit that `--sync` would rewrite.
    monorepo.write(root, {"requirements.txt": "backend.ai-common==23.09.6\n"}, {})


def _dirty_pin(root: str) -> None:
    monorepo.write(root, {"requirements.txt": monorepo.FILES["requirements.txt"] + "# local\n"}, {})


def _at_24_03_0rc2(root: str) -> None:
    monorepo.write(root, monorepo.at_version("24.03.0rc2", "24.3.0rc2"), {})
    git(root, "commit", "-qam", "24.03.0rc2")


def _branch_24_03_exists(root: str) -> None:
    _at_24_03_0rc2(root)
    git(root, "branch", "24.03")


def _no_identity(root: str) -> None:
    pass  # The environment does it: see `_environment`.


def _environment(root: str, setup: Callable[[str], None], home: Path) -> Dict[str, str]:
    if setup is not _no_identity:
        return {**IDENTITY, "HOME": root}
    # No identity anywhere: no user.name or user.email in an empty HOME, no system configuration,
    # no EMAIL. On a host with a domain git would make up an email from the host name; the empty
    # names make it give up there too (here it gives up on the email first).
    return {"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "", "GIT_COMMITTER_NAME": ""}


NO_IDENTITY = (
    r"git has no identity to commit with \(fatal: (unable to auto-detect email address \(got '.*'\)"
    r"|empty ident name \(for <.*>\) not allowed)\): set it with `git config user\.name NAME` and "
    r"`git config user\.email EMAIL`\."
)

REFUSALS = [
    pytest.param(
        _dirty_padded_pin,
        ["--sync"],
        "these files have uncommitted changes, and the bump would rewrite them: requirements.txt. "
        "Commit or stash them, or pass --allow-dirty.",
        id="dirty-file",
    ),
    pytest.param(
        _dirty_pin,
        ["--next=patch", "--commit"],
        "these files have uncommitted changes, and the release commit would take them: requirements.txt. "
        "Commit or stash them first.",
        id="dirty-file-commit",
    ),
    pytest.param(_no_identity, ["--next=patch", "--tag-release"], NO_IDENTITY, id="no-identity"),
    pytest.param(
        lambda root: git(root, "tag", "23.09.7"),
        ["--next=patch", "--tag-release"],
        "the tag 23.09.7 exists already; nothing was written.",
        id="existing-tag",
    ),
    pytest.param(
        _branch_24_03_exists,
        ["--next=release", "--cut-branch"],
        "the branch 24.03 exists already; nothing was written.",
        id="existing-branch",
    ),
    pytest.param(
        lambda root: git(root, "checkout", "-q", "--detach"),
        ["--next=patch", "--commit"],
        "HEAD is detached: check out the branch to release on.",
        id="detached-head",
    ),
    pytest.param(
        lambda root: None,
        ["--next=cycle", "--commit", "--branch=23.09"],
        "release branch 23.09 takes only 23.09.* versions, not 24.03.0.dev0; bump on main instead.",
        id="release-branch-rule",
    ),
    pytest.param(
        lambda root: None,
        ["--sync", "--commit"],
        "VERSION is 23.09.6 already: there is nothing to release.",
        id="nothing-to-release",
    ),
    pytest.param(
        lambda root: None,
        ["--next=rc", "--cut-branch"],
        "--cut-branch is for a final x.y.0 release, and 23.09.7rc1 is not one: release 23.09.0 first.",
        id="cut-not-x.y.0",
    ),
    pytest.param(
        lambda root: None,
        ["--to=23.09.0", "--cut-branch", "--branch=23.09"],
        "--cut-branch cuts a release branch from the main line, not from a release branch.",
        id="cut-on-a-release-branch",
    ),
    pytest.param(
        _dirty_pin,
        ["--next=patch", "--commit", "--allow-dirty"],
        "--allow-dirty cannot be used with --commit: these files have uncommitted changes, and the "
        "release commit would take them: requirements.txt. Commit or stash them first.",
        id="allow-dirty-with-commit",
    ),
    pytest.param(
        lambda root: None,
        ["--next=patch", "--commit", "--bump-version-commit-message=release {tag}"],
        "[bump-version].commit_message: `release {tag}` uses {tag}; the placeholders are "
        "{version}, {old_version}, {normalized}.",
        id="unknown-placeholder",
    ),
    pytest.param(
        lambda root: None,
        ["--next=patch", "--commit", "--bump-version-commit-message=release {version!r}"],
        "[bump-version].commit_message: `release {version!r}` uses {version!r}; write the placeholder "
        "as {version}, with no conversion or format spec.",
        id="bad-template",
    ),
    pytest.param(
        lambda root: None,
        ["--next=patch", "--commit", "--bump-version-cycle-message=Start {version:{normalized}}"],
        "[bump-version].cycle_message: `Start {version:{normalized}}` uses {version:{normalized}}; write "
        "the placeholder as {version}, with no conversion or format spec.",
        id="bad-template-not-used-by-this-run",
    ),
    pytest.param(
        lambda root: None,
        ["--next=patch", "--tag-release", "--bump-version-tag-name=release..{version}"],
        "[bump-version].tag_name: `release..23.09.7` is not a name git takes for a tag.",
        id="bad-tag-name",
    ),
    # Values that git would read as options, if they reached it as they are.
    pytest.param(
        lambda root: None,
        ["--next=patch", "--tag-release", "--bump-version-tag-name=--output={tmp}/x{version}"],
        "[bump-version].tag_name: `--output={tmp}/x23.09.7` is not a name git takes for a tag.",
        id="tag-name-output",
    ),
    pytest.param(
        lambda root: None,
        ["--next=patch", "--tag-release", "--bump-version-tag-name=-ccore.hooksPath={tmp}{version}"],
        "[bump-version].tag_name: `-ccore.hooksPath={tmp}23.09.7` is not a name git takes for a tag.",
        id="tag-name-c",
    ),
    pytest.param(
        lambda root: None,
        ["--next=patch", "--tag-release", "--bump-version-tag-name=--exec=touch{version}"],
        "[bump-version].tag_name: `--exec=touch23.09.7` is not a name git takes for a tag.",
        id="tag-name-exec",
    ),
    pytest.param(
        lambda root: None,
        ["--next=patch", "--branch=--output={tmp}/y"],
        "--branch: `--output={tmp}/y` is not a name git takes for a branch.",
        id="branch-output",
    ),
    pytest.param(
        lambda root: git(root, "checkout", "-q", "--detach"),
        ["--next=patch", "--commit", "--branch=-cuser.name=x"],
        "--branch: `-cuser.name=x` is not a name git takes for a branch.",
        id="branch-c",
    ),
]


@pytest.mark.parametrize("setup, args, message", REFUSALS)
def test_a_dry_run_refuses_what_the_real_run_refuses(
    rule_runner: RuleRunner, tmp_path: Path, setup: Callable[[str], None], args: list, message: str
) -> None:
    root = rule_runner.build_root
    setup(root)
    out = tmp_path / "out"
    out.mkdir()
    args = [arg.replace("{tmp}", str(out)) for arg in args]
    message = message.replace("{tmp}", str(out))
    home = tmp_path / "home"
    home.mkdir()
    env = _environment(root, setup, home)
    before = state(root)
    real = bump(rule_runner, *args, env=env)
    assert (real.exit_code, real.stdout) == (1, "")
    if setup is _no_identity:
        assert re.fullmatch(f"error: {NO_IDENTITY}\n", real.stderr), real.stderr
    else:
        assert real.stderr == f"error: {message}\n"
    assert state(root) == before
    dry = bump(rule_runner, *args, "--dry-run", env=env)
    assert (dry.exit_code, dry.stdout, dry.stderr) == (real.exit_code, real.stdout, real.stderr)
    assert state(root) == before
    # Nothing reached git as an option, which would have written there (or under HOME).
    assert list(out.iterdir()) == [] and list(home.iterdir()) == []


# What a changelog tool does in `before_commit`, then fails: every kind of change to the work
# tree and the index, to committed files and to the user's own unfinished work.
HOOK = """\
set -e
printf '\\n## 23.09.7\\n- Fix the scheduler\\n' >> CHANGELOG.md
git add CHANGELOG.md
git rm -q changes/123.fix.md
rm changes/124.feature.md
mkdir -p changes/new
printf 'made by the hook\\n' > changes/new/125.md
printf 'new\\n' > towncrier-made.txt
git add towncrier-made.txt
printf 'hook\\n' >> notes.txt
printf 'hook\\n' >> docs.md
git add docs.md
printf 'hook\\n' > staged.md
printf 'back\\n' > gone.md
rm link.txt
printf 'not a link\\n' > link.txt
chmod +x tool.sh
git add -f local.log
printf '/.pants.d/\\n/.pids/\\n' > .gitignore
"""


def _work_in_progress(root: str) -> None:
    """Committed news fragments and a changelog, and the user's unfinished work beside them: an
    unstaged edit, a staged edit with an unstaged one on top, a deleted file, an untracked file, an
    untracked link, and a file git ignores."""
    monorepo.write(
        root,
        {
            ".gitignore": "/.pants.d/\n/.pids/\n*.log\n",
            "CHANGELOG.md": "# Changelog\n",
            "changes/123.fix.md": "Fix the scheduler\n",
            "changes/124.feature.md": "Add a feature\n",
            "docs.md": "docs\n",
            "staged.md": "staged\n",
            "gone.md": "gone\n",
            "tool.sh": "#!/bin/sh\n",
        },
        {},
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "news fragments")
    monorepo.write(root, {"docs.md": "docs, edited\n", "staged.md": "staged, edited\n"}, {})
    git(root, "add", "staged.md")
    monorepo.write(
        root, {"staged.md": "staged, edited twice\n", "notes.txt": "todo\n"}, {"link.txt": "notes.txt"}
    )
    os.remove(Path(root, "gone.md"))
    Path(root, "local.log").write_text("ignored, and never removed\n")


@pytest.mark.parametrize("fails", ["before_commit", "commit"])
def test_a_failed_release_leaves_tree_and_index_as_they_were(
    rule_runner: RuleRunner, tmp_path: Path, fails: str
) -> None:
    root = rule_runner.build_root
    _work_in_progress(root)
    hook = tmp_path / "hook.sh"
    hook.write_text(HOOK + ("echo 'towncrier: broken' >&2; exit 1\n" if fails == "before_commit" else ""))
    if fails == "commit":
        pre_commit = Path(root, ".git/hooks/pre-commit")
        pre_commit.write_text("#!/bin/sh\necho 'pre-commit: refused' >&2\nexit 1\n")
        pre_commit.chmod(0o755)
    before = state(root)
    assert before[4].splitlines() == [
        " M docs.md",
        " D gone.md",
        "MM staged.md",
        "?? link.txt",
        "?? notes.txt",
    ]
    result = bump(rule_runner, "--next=patch", "--commit", f"--bump-version-before-commit=['sh {hook}']")
    assert result.exit_code == 1
    if fails == "before_commit":
        assert result.stderr.startswith(f"error: `sh {hook}` failed with exit code 1:\ntowncrier: broken\n")
    else:
        assert result.stderr.startswith(
            "error: `git --literal-pathspecs commit -q -m release: 23.09.7 --only"
        )
        assert "pre-commit: refused" in result.stderr
    assert result.stderr.endswith("\nThe release stopped; the work tree and the index are as they were.\n")
    assert state(root) == before


def test_a_command_that_commits_is_named_not_undone(rule_runner: RuleRunner) -> None:
    root = rule_runner.build_root
    old_head = git(root, "rev-parse", "HEAD").strip()
    commits = "sh -c 'git commit -q --allow-empty -m made-by-the-command && exit 1'"
    result = bump(rule_runner, "--next=patch", "--commit", f"--bump-version-before-commit=[{commits!r}]")
    new_head = git(root, "rev-parse", "HEAD").strip()
    assert new_head != old_head
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"\nThe release stopped; these could not be put back as they were: HEAD (was {old_head[:12]}, "
        f"is {new_head[:12]} now). Check them with `git status`.\n"
    )
    # The work tree and the index are back as they were all the same.
    assert git(root, "status", "--porcelain") == ""
    assert (Path(root) / "VERSION").read_text() == "23.09.6\n"
