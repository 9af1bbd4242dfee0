from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Union

import pytest
from pants.engine.fs import Digest, Workspace
from pants.testutil.rule_runner import RuleRunner

import monorepo
from monorepo import git
from pants_calver.goals import bump_version, check_version_sync
from pants_calver.engine import files
from pants_calver.engine.releases import git_steps
from pants_calver.goals.bump_version import BumpVersion
from pants_calver.goals.check_version_sync import CheckVersionSync
from runners import version_goals_rule_runner

# Files whose bytes must survive a bump: CRLF, a BOM, Latin-1, an executable bit, and a link.
# Pants itself reads `python_requirements` sources as UTF-8 without a BOM; these two are read only
# by the plugin.
BOM_CRLF_PYPROJECT = b'\xef\xbb\xbf[project]\r\ndependencies = ["backend.ai-common==23.9.6"]\r\n'
LATIN1_SETUP_CFG = (
    b"# caf\xe9\n[options]\ninstall_requires =\n    backend.ai-common == 23.9.6 ; python_version >= '3.9'\n"
)
EXTRA_FILES: Dict[str, Union[str, bytes]] = {
    "src/ai/backend/storage/pyproject.toml": BOM_CRLF_PYPROJECT,
    "src/ai/backend/kernel/setup.cfg": LATIN1_SETUP_CFG,
    "shared/requirements.txt": "backend.ai-common==23.9.6\n",
    "src/ai/backend/linked/BUILD": 'python_requirements(name="reqs")\n',
}
EXTRA_LINKS = {"src/ai/backend/linked/requirements.txt": "../../../../shared/requirements.txt"}


@pytest.fixture
def rule_runner(monkeypatch: pytest.MonkeyPatch) -> RuleRunner:
    runner = version_goals_rule_runner(*bump_version.rules(), *check_version_sync.rules())
    monorepo.write(runner.build_root)
    monorepo.write(runner.build_root, EXTRA_FILES, EXTRA_LINKS)
    os.chmod(Path(runner.build_root, "shared/requirements.txt"), 0o755)
    # Git looks at the working directory.
    monkeypatch.chdir(runner.build_root)
    monorepo.commit_all(runner.build_root)
    return runner


# What `--next=patch` rewrites in the fixture repo, in the order the goal reports them.
CHANGED_BY_PATCH_IN_PLAN_ORDER = (
    "VERSION",
    "src/ai/backend/agent/VERSION",
    "requirements.txt",
    "shared/requirements.txt",
    "src/ai/backend/kernel/setup.cfg",
    "src/ai/backend/manager/BUILD",
    "src/ai/backend/plugin/setup.cfg",
    "src/ai/backend/storage/pyproject.toml",
)
CHANGED_BY_PATCH = tuple(sorted(CHANGED_BY_PATCH_IN_PLAN_ORDER))

# Pins that `--sync` normalizes, in three files.
PADDED_PINS = {
    path: monorepo.FILES[path].replace("23.9.6", "23.09.6")
    for path in ("requirements.txt", "src/ai/backend/manager/BUILD", "src/ai/backend/plugin/setup.cfg")
}


def read(rule_runner: RuleRunner, path: str) -> bytes:
    return Path(rule_runner.build_root, path).read_bytes()


def snapshot(rule_runner: RuleRunner) -> dict:
    root = Path(rule_runner.build_root)
    return {
        str(p.relative_to(root)): (p.is_symlink(), p.read_bytes(), p.stat().st_mode)
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }


def bump(rule_runner: RuleRunner, *args: str):
    return rule_runner.run_goal_rule(BumpVersion, args=list(args))


def test_next_patch(rule_runner: RuleRunner) -> None:
    result = bump(rule_runner, "--next=patch")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "VERSION: 23.09.6 → 23.09.7",
        "  VERSION: version file",
        "  src/ai/backend/agent/VERSION: version file",
        "  requirements.txt: 1 pin",
        "  shared/requirements.txt: 1 pin",
        "  src/ai/backend/kernel/setup.cfg: 1 pin",
        "  src/ai/backend/manager/BUILD: 1 pin",
        "  src/ai/backend/plugin/setup.cfg: 1 pin",
        "  src/ai/backend/storage/pyproject.toml: 1 pin",
    ]
    assert read(rule_runner, "VERSION") == b"23.09.7\n"
    assert read(rule_runner, "src/ai/backend/agent/VERSION") == b"23.09.7\n"
    assert read(rule_runner, "src/ai/backend/client/VERSION") == b"24.03.1\n"
    assert (
        read(rule_runner, "requirements.txt")
        == monorepo.FILES["requirements.txt"].replace("23.9.6", "23.9.7").encode()
    )
    # Bytes around the literal are kept: BOM and CRLF, Latin-1, spacing and markers.
    assert read(rule_runner, "src/ai/backend/storage/pyproject.toml") == BOM_CRLF_PYPROJECT.replace(
        b"23.9.6", b"23.9.7"
    )
    assert read(rule_runner, "src/ai/backend/kernel/setup.cfg") == LATIN1_SETUP_CFG.replace(
        b"23.9.6", b"23.9.7"
    )
    # Links stay links; the linked requirements file was edited at its target, keeping its mode.
    root = Path(rule_runner.build_root)
    assert (root / "src/ai/backend/common/VERSION").is_symlink()
    assert (root / "src/ai/backend/linked/requirements.txt").is_symlink()
    assert read(rule_runner, "shared/requirements.txt") == b"backend.ai-common==23.9.7\n"
    assert (root / "shared/requirements.txt").stat().st_mode & 0o777 == 0o755


DRY_RUN_RC = (
    "--- a/VERSION\n+++ b/VERSION\n@@ -1 +1 @@\n-23.09.6\n+23.09.7rc1\n"
    "--- a/src/ai/backend/agent/VERSION\n+++ b/src/ai/backend/agent/VERSION\n"
    "@@ -1 +1 @@\n-23.09.6\n+23.09.7rc1\n"
    "--- a/requirements.txt\n+++ b/requirements.txt\n@@ -1,4 +1,4 @@\n"
    " # Third-party and first-party requirements of the repo.\n"
    " aiohttp==3.8.1\n"
    "-backend.ai-common==23.9.6\n"
    "+backend.ai-common==23.9.7rc1\n"
    " backend-ai-client>=24.3  # the SDK has its own version\n"
    "--- a/shared/requirements.txt\n+++ b/shared/requirements.txt\n@@ -1 +1 @@\n"
    "-backend.ai-common==23.9.6\n+backend.ai-common==23.9.7rc1\n"
    "--- a/src/ai/backend/kernel/setup.cfg\n+++ b/src/ai/backend/kernel/setup.cfg\n@@ -1,4 +1,4 @@\n"
    # The Latin-1 byte is shown escaped, so that the diff prints on any console.
    " # caf\\xe9\n [options]\n install_requires =\n"
    "-    backend.ai-common == 23.9.6 ; python_version >= '3.9'\n"
    "+    backend.ai-common == 23.9.7rc1 ; python_version >= '3.9'\n"
    "--- a/src/ai/backend/manager/BUILD\n+++ b/src/ai/backend/manager/BUILD\n@@ -1,2 +1,2 @@\n"
    ' python_distribution(name="dist", provides=python_artifact(name="backend.ai-manager"))\n'
    '-python_requirement(name="common", requirements=["backend.ai-common==23.9.6"])\n'
    '+python_requirement(name="common", requirements=["backend.ai-common==23.9.7rc1"])\n'
    "--- a/src/ai/backend/plugin/setup.cfg\n+++ b/src/ai/backend/plugin/setup.cfg\n@@ -2,4 +2,4 @@\n"
    " name = backend.ai-plugin\n [options]\n install_requires =\n"
    "-    backend.ai-common==23.9.6\n+    backend.ai-common==23.9.7rc1\n"
    "--- a/src/ai/backend/storage/pyproject.toml\n+++ b/src/ai/backend/storage/pyproject.toml\n"
    "@@ -1,2 +1,2 @@\n"
    " \ufeff[project]\r\n"
    '-dependencies = ["backend.ai-common==23.9.6"]\r\n'
    '+dependencies = ["backend.ai-common==23.9.7rc1"]\r\n'
    "VERSION: 23.09.6 → 23.09.7rc1\n"
    "  VERSION: version file\n"
    "  src/ai/backend/agent/VERSION: version file\n"
    "  requirements.txt: 1 pin\n"
    "  shared/requirements.txt: 1 pin\n"
    "  src/ai/backend/kernel/setup.cfg: 1 pin\n"
    "  src/ai/backend/manager/BUILD: 1 pin\n"
    "  src/ai/backend/plugin/setup.cfg: 1 pin\n"
    "  src/ai/backend/storage/pyproject.toml: 1 pin\n"
)


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["run", "dry-run"])
def test_a_version_file_outside_the_build_root_is_refused(rule_runner: RuleRunner, dry_run: list) -> None:
    before = snapshot(rule_runner)
    result = bump(rule_runner, "--next=patch", "--calver-version-file=../VERSION", *dry_run)
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "error: [calver].version_file: `../VERSION` leaves the build root; give a path relative to the "
        "build root, without `..`.\n",
    )
    assert snapshot(rule_runner) == before


def test_dry_run_writes_nothing(rule_runner: RuleRunner) -> None:
    before = snapshot(rule_runner)
    result = bump(rule_runner, "--next=rc", "--dry-run")
    assert (result.exit_code, result.stdout, result.stderr) == (0, DRY_RUN_RC, "")
    assert snapshot(rule_runner) == before


def test_to_accepts_any_spelling(rule_runner: RuleRunner) -> None:
    result = bump(rule_runner, "--to=v23.9.8rc2")
    assert (result.exit_code, result.stdout.splitlines()[0]) == (0, "VERSION: 23.09.6 → 23.09.8rc2")
    assert read(rule_runner, "VERSION") == b"23.09.8rc2\n"
    assert read(rule_runner, "requirements.txt") == (
        monorepo.FILES["requirements.txt"].replace("==23.9.6", "==23.9.8rc2").encode()
    )


def test_sync_fixes_drift_and_then_changes_nothing(rule_runner: RuleRunner) -> None:
    monorepo.write(
        rule_runner.build_root,
        {
            "VERSION": "23.9.6\r\n",
            "requirements.txt": "backend.ai-common==23.09.6\nbackend.ai-client>=24.03\n",
        },
        {},
    )
    git(rule_runner.build_root, "commit", "-qam", "drift")
    result = bump(rule_runner, "--sync")
    assert result.exit_code == 0, result.stderr
    assert read(rule_runner, "VERSION") == b"23.09.6\r\n"
    assert read(rule_runner, "requirements.txt") == b"backend.ai-common==23.9.6\nbackend.ai-client>=24.3\n"
    # What --sync leaves passes the check.
    check = rule_runner.run_goal_rule(CheckVersionSync, args=["--branch=main"])
    assert (check.exit_code, check.stdout) == (
        0,
        "✓ VERSION 23.09.6: 4 distributions, 4 version files and 9 first-party pins in sync.\n",
    )
    git(rule_runner.build_root, "commit", "-qam", "sync")
    before = snapshot(rule_runner)
    result = bump(rule_runner, "--sync")
    assert result.stdout == "VERSION: 23.09.6, and everything already agrees with it.\n"
    # The dry run says the same.
    dry = bump(rule_runner, "--sync", "--dry-run")
    assert (dry.exit_code, dry.stdout, dry.stderr) == (0, result.stdout, "")
    assert snapshot(rule_runner) == before


def test_release_branch_refuses_other_versions(rule_runner: RuleRunner) -> None:
    before = snapshot(rule_runner)
    result = bump(rule_runner, "--next=cycle", "--branch=23.09")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "error: release branch 23.09 takes only 23.09.* versions, not 24.03.0.dev0; bump on main instead.\n"
    )
    assert snapshot(rule_runner) == before
    assert bump(rule_runner, "--next=patch", "--branch=23.09").exit_code == 0


def test_release_branch_from_git_and_from_the_option_in_detached_head(rule_runner: RuleRunner) -> None:
    refused = "error: release branch 24.03 takes only 24.03.* versions, not 23.09.7; bump on main instead.\n"
    git(rule_runner.build_root, "checkout", "-q", "-b", "24.03")
    before = snapshot(rule_runner)
    result = bump(rule_runner, "--next=patch")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", refused)
    # A detached HEAD has no branch: only --branch names one.
    git(rule_runner.build_root, "checkout", "-q", "--detach")
    result = bump(rule_runner, "--next=patch", "--branch=24.03")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", refused)
    assert snapshot(rule_runner) == before
    result = bump(rule_runner, "--next=patch")
    assert (result.exit_code, result.stdout.splitlines()[0]) == (0, "VERSION: 23.09.6 → 23.09.7")


def test_untracked_file_refuses(rule_runner: RuleRunner) -> None:
    monorepo.write(
        rule_runner.build_root,
        {"src/ai/backend/new/pyproject.toml": '[project]\ndependencies = ["backend.ai-common==23.9.6"]\n'},
        {},
    )
    before = snapshot(rule_runner)
    result = bump(rule_runner, "--next=patch")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "error: these files have uncommitted changes, and the bump would rewrite them: "
        "src/ai/backend/new/pyproject.toml. Commit or stash them, or pass --allow-dirty.\n",
    )
    assert snapshot(rule_runner) == before


def test_files_changed_after_planning_are_not_written(
    rule_runner: RuleRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An edit that lands after the plan was made (here: while the goal asks git for dirty files)
    # is found by reading every file again just before the write.
    edited = b"backend.ai-common==23.9.6\n# edited meanwhile\n"

    def edit_meanwhile(git: object, paths: List[str]) -> List[str]:
        Path(rule_runner.build_root, "shared/requirements.txt").write_bytes(edited)
        return []

    monkeypatch.setattr(git_steps, "dirty_files", edit_meanwhile)
    before = snapshot(rule_runner)
    result = bump(rule_runner, "--next=patch")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "error: these files changed while the bump was planned: shared/requirements.txt. Run it again.\n",
    )
    # Only the edit is on disk (seen through the link to it, too).
    assert snapshot(rule_runner) == {
        **before,
        "shared/requirements.txt": (False, edited, 0o100755),
        "src/ai/backend/linked/requirements.txt": (True, edited, 0o100755),
    }


def test_every_rewritten_file_keeps_its_mode(rule_runner: RuleRunner) -> None:
    root = Path(rule_runner.build_root)
    for mode, path in zip((0o600, 0o640, 0o664, 0o700, 0o755, 0o444, 0o604, 0o650), CHANGED_BY_PATCH):
        os.chmod(root / path, mode)
    modes = {path: mode for path, (_, _, mode) in snapshot(rule_runner).items()}
    assert bump(rule_runner, "--next=patch", "--allow-dirty").exit_code == 0
    assert {path: mode for path, (_, _, mode) in snapshot(rule_runner).items()} == modes
    assert read(rule_runner, "VERSION") == b"23.09.7\n"


def test_generate_lockfiles_hint(rule_runner: RuleRunner) -> None:
    result = rule_runner.run_goal_rule(
        BumpVersion,
        global_args=["--python-enable-resolves", "--no-python-enable-lockfile-targets"],
        args=["--next=patch"],
    )
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (
        0,
        "Changed requirements feed the resolve python-default: "
        "run `pants generate-lockfiles --resolve=python-default`.",
    )
    # Without resolves there is no lockfile to regenerate.
    result = bump(rule_runner, "--next=patch", "--allow-dirty")
    assert result.stdout.splitlines()[-1] == "  src/ai/backend/storage/pyproject.toml: 1 pin"


def test_dirty_file_refuses(rule_runner: RuleRunner) -> None:
    monorepo.write(
        rule_runner.build_root, {"requirements.txt": "backend.ai-common==23.9.6\n# local edit\n"}, {}
    )
    before = snapshot(rule_runner)
    result = bump(rule_runner, "--next=patch")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: these files have uncommitted changes, and the bump would rewrite them: requirements.txt. "
        "Commit or stash them, or pass --allow-dirty.\n"
    )
    assert snapshot(rule_runner) == before
    assert bump(rule_runner, "--next=patch", "--allow-dirty").exit_code == 0
    assert read(rule_runner, "requirements.txt") == b"backend.ai-common==23.9.7\n# local edit\n"


def test_pin_that_cannot_follow_stops_everything(rule_runner: RuleRunner) -> None:
    monorepo.write(
        rule_runner.build_root, {"shared/requirements.txt": "backend.ai-common>=23.9,<23.9.7\n"}, {}
    )
    git(rule_runner.build_root, "commit", "-qam", "range")
    before = snapshot(rule_runner)
    result = bump(rule_runner, "--next=patch")
    assert result.exit_code == 1
    # shared/ has no BUILD file: the file is found through the link that a target owns.
    assert result.stderr.splitlines() == [
        "src/ai/backend/linked/requirements.txt:1: `backend.ai-common>=23.9,<23.9.7` would not admit 23.9.7; "
        "change it by hand",
        "error: nothing was written: 1 problem above.",
    ]
    assert snapshot(rule_runner) == before


@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param([], "give exactly one of --to=VERSION, --next=KIND or --sync (got none).", id="no-mode"),
        pytest.param(
            ["--next=patch", "--sync"],
            "give exactly one of --to=VERSION, --next=KIND or --sync (got --next and --sync).",
            id="two-modes",
        ),
        pytest.param(["--to=24.03"], "`24.03` has 2 release parts; the scheme is x.y.z.", id="bad-to"),
        pytest.param(["--next=release"], "23.09.6 is already a final release.", id="bad-move"),
    ],
)
def test_bad_commands(rule_runner: RuleRunner, args: list, message: str) -> None:
    before = snapshot(rule_runner)
    result = bump(rule_runner, *args)
    assert result.exit_code == 1
    assert result.stderr == f"error: {message}\n"
    assert snapshot(rule_runner) == before


def test_unknown_next_kind_is_an_option_error(rule_runner: RuleRunner) -> None:
    with pytest.raises(Exception, match="Invalid choice 'major'"):
        bump(rule_runner, "--next=major")


def test_bad_version_file(rule_runner: RuleRunner) -> None:
    monorepo.write(rule_runner.build_root, {"VERSION": "23.09.6\n23.09.7\n"}, {})
    result = bump(rule_runner, "--next=patch")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: VERSION:1: the file holds 2 lines; it must hold only the version, on one line; "
        "fix it, or give --to=VERSION.\n"
    )


def test_to_repairs_an_unreadable_version_file(rule_runner: RuleRunner) -> None:
    monorepo.write(rule_runner.build_root, {"VERSION": "24.03\n"}, {})
    git(rule_runner.build_root, "commit", "-qam", "broken")
    result = bump(rule_runner, "--to=23.9.6", "--sync")
    assert (
        result.stderr
        == "error: give exactly one of --to=VERSION, --next=KIND or --sync (got --to and --sync).\n"
    )
    result = bump(rule_runner, "--to=23.9.6")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "VERSION: (unreadable) → 23.09.6\n  VERSION: version file\n"
    assert read(rule_runner, "VERSION") == b"23.09.6\n"


def test_failed_write_leaves_every_byte_as_it_was(rule_runner: RuleRunner) -> None:
    # A running program's file cannot be opened for writing, not even by root (ETXTBSY): the write
    # of agent/VERSION fails. The engine writes files concurrently, so which of the others had
    # been written by then varies; the test below makes that part deterministic.
    root = Path(rule_runner.build_root)
    agent_version = root / "src/ai/backend/agent/VERSION"
    shutil.copy(shutil.which("sleep") or "/bin/sleep", agent_version)
    monorepo.write(root, PADDED_PINS, {})
    git(root, "commit", "-qam", "an unreadable package version file, padded pins")
    before = snapshot(rule_runner)
    running = subprocess.Popen([str(agent_version), "30"])
    try:
        result = bump(rule_runner, "--sync")
    finally:
        running.kill()
        running.wait()
    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(
        r"error: writing failed: .*Text file busy.*\. Every file was put back; the tree is as it was\.\n",
        result.stderr,
        re.DOTALL,
    ), result.stderr
    assert snapshot(rule_runner) == before


def _failing_writes(rule_runner: RuleRunner, monkeypatch: pytest.MonkeyPatch, later: str) -> List[dict]:
    """Make the goal's first write write the digest and then raise, as the engine does when one
    file of a digest fails after others were written. Later writes (the goal's restore) succeed
    (`later="ok"`) or raise without writing (`later="nothing"`). Returns what each write left in
    the files that `--next=patch` changes."""
    real_write = Workspace.write_digest
    writes: List[dict] = []

    def write_digest(self: Workspace, digest: Digest, **kwargs: Any) -> None:
        step = later if writes else "written"
        if step != "nothing":
            real_write(self, digest, **kwargs)
        writes.append({path: read(rule_runner, path) for path in CHANGED_BY_PATCH})
        if step != "ok":
            raise Exception("Failed to write file: disk full")

    monkeypatch.setattr(Workspace, "write_digest", write_digest)
    return writes


def test_failed_write_puts_back_what_was_written(
    rule_runner: RuleRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(rule_runner)
    writes = _failing_writes(rule_runner, monkeypatch, later="ok")
    result = bump(rule_runner, "--next=patch")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "error: writing failed: Failed to write file: disk full. "
        "Every file was put back; the tree is as it was.\n",
    )
    # Every file had been written with the new version; every one was written back.
    old = {path: read_bytes for path, (_, read_bytes, _) in before.items() if path in CHANGED_BY_PATCH}
    assert [path for path in CHANGED_BY_PATCH if writes[0][path] == old[path]] == []
    assert writes[0]["VERSION"] == b"23.09.7\n"
    assert writes[1] == old
    assert snapshot(rule_runner) == before


def test_failed_restore_names_what_is_left(rule_runner: RuleRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    writes = _failing_writes(rule_runner, monkeypatch, later="nothing")
    result = bump(rule_runner, "--next=patch")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "error: writing failed: Failed to write file: disk full. These files could not be put back: "
        f"{', '.join(CHANGED_BY_PATCH_IN_PLAN_ORDER)}; restore them with `git checkout -- <file>`.\n"
    )
    # Each round of the restore tried, and changed nothing.
    assert len(writes) == 1 + len(files._SETTLE_DELAYS)
    assert all(state == writes[0] for state in writes)
    assert read(rule_runner, "VERSION") == b"23.09.7\n"


def test_pins_on_an_independent_distribution_move_only_with_sync(rule_runner: RuleRunner) -> None:
    stale = monorepo.FILES["requirements.txt"].replace("backend-ai-client>=24.3", "backend-ai-client==24.3.0")
    monorepo.write(rule_runner.build_root, {"requirements.txt": stale}, {})
    git(rule_runner.build_root, "commit", "-qam", "a stale pin on the client")
    # A bump of the repo's version leaves it alone...
    assert bump(rule_runner, "--next=patch").exit_code == 0
    assert read(rule_runner, "requirements.txt") == stale.replace("==23.9.6", "==23.9.7").encode()
    git(rule_runner.build_root, "commit", "-qam", "bumped")
    # ...and --sync moves it to the client's own version.
    result = bump(rule_runner, "--sync")
    assert (result.exit_code, result.stdout.splitlines()[1:]) == (0, ["  requirements.txt: 1 pin"])
    assert read(rule_runner, "requirements.txt") == (
        stale.replace("==23.9.6", "==23.9.7").replace("==24.3.0", "==24.3.1").encode()
    )
