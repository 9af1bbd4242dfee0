from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import monorepo
from monorepo import git, git_bytes

from pants_calver.core.versions.bump import BumpPlan, BumpRequest, FileChange
from pants_calver.core.errors import ReleaseError, SettingError
from pants_calver.engine.git import Git
from pants_calver.core.releases.plan import (
    Done,
    GitPlan,
    ReleaseRequest,
    TreeRestore,
    check_cut,
    commands,
    fill,
    index_restore,
    parse_index,
    parse_status,
    plan_git,
    plan_restore,
    prepare,
    push_command,
    release_branch,
    template_values,
    undo_report,
)
from pants_calver.core.versions.version import CalVersion, Scheme
from pants_calver.core.versions.versioned_repo import Links, VersionedRepo

PADDED, UNPADDED = Scheme(pad_minor=True), Scheme(pad_minor=False)
VALUES = template_values(CalVersion.parse("24.3.0rc1"), "24.03.0.dev5", PADDED)


def test_template_values() -> None:
    assert VALUES == {"version": "24.03.0rc1", "old_version": "24.03.0.dev5", "normalized": "24.3.0rc1"}


@pytest.mark.parametrize(
    "template, expected",
    [
        pytest.param("release: {version}", "release: 24.03.0rc1", id="version"),
        pytest.param("v{normalized} (from {old_version})", "v24.3.0rc1 (from 24.03.0.dev5)", id="all"),
        pytest.param("{{literal}} {version}", "{literal} 24.03.0rc1", id="escaped-braces"),
        pytest.param("no placeholder", "no placeholder", id="none"),
        pytest.param("{{{version}}}", "{24.03.0rc1}", id="braces-around"),
        pytest.param("{version:}", "24.03.0rc1", id="empty-spec-is-plain"),
    ],
)
def test_fill(template: str, expected: str) -> None:
    assert fill("[bump-version].commit_message", template, VALUES) == expected


KNOWN = "the placeholders are {version}, {old_version}, {normalized}."
PLAIN = "with no conversion or format spec."


@pytest.mark.parametrize(
    "template, message",
    [
        pytest.param("release {tag}", f"[o]: `release {{tag}}` uses {{tag}}; {KNOWN}", id="unknown"),
        pytest.param("release {0}", f"[o]: `release {{0}}` uses {{0}}; {KNOWN}", id="positional-index"),
        pytest.param("release {}", f"[o]: `release {{}}` uses {{}}; {KNOWN}", id="positional"),
        pytest.param("{version.x}", f"[o]: `{{version.x}}` uses {{version.x}}; {KNOWN}", id="attribute"),
        pytest.param("{version[0]}", f"[o]: `{{version[0]}}` uses {{version[0]}}; {KNOWN}", id="index"),
        pytest.param(
            "{version:>10}",
            f"[o]: `{{version:>10}}` uses {{version:>10}}; write the placeholder as {{version}}, {PLAIN}",
            id="format-spec",
        ),
        pytest.param(
            "{version:d}",
            f"[o]: `{{version:d}}` uses {{version:d}}; write the placeholder as {{version}}, {PLAIN}",
            id="spec-str-format-rejects",
        ),
        pytest.param(
            "v{normalized!r}",
            f"[o]: `v{{normalized!r}}` uses {{normalized!r}}; write the placeholder as {{normalized}}, {PLAIN}",
            id="conversion",
        ),
        pytest.param(
            "{version!s:>3}",
            f"[o]: `{{version!s:>3}}` uses {{version!s:>3}}; write the placeholder as {{version}}, {PLAIN}",
            id="conversion-and-spec",
        ),
        pytest.param(
            "{version:{normalized}}",
            "[o]: `{version:{normalized}}` uses {version:{normalized}}; write the placeholder as "
            f"{{version}}, {PLAIN}",
            id="nested",
        ),
        pytest.param(
            "release {version",
            "[o]: `release {version` is not a valid template (expected '}' before end of string); "
            "write a literal brace as {{ or }}.",
            id="unclosed",
        ),
        pytest.param(
            "release }",
            "[o]: `release }` is not a valid template (Single '}' encountered in format string); "
            "write a literal brace as {{ or }}.",
            id="stray-close",
        ),
        pytest.param(
            "{version!}",
            "[o]: `{version!}` is not a valid template (unmatched '{' in format spec); "
            "write a literal brace as {{ or }}.",
            id="empty-conversion",
        ),
    ],
)
def test_fill_refuses_what_is_not_a_plain_placeholder(template: str, message: str) -> None:
    # Each is one SettingError naming the option, never the ValueError, KeyError, IndexError or
    # AttributeError that str.format raises, nor text that str.format makes up.
    with pytest.raises(SettingError) as error:
        fill("[o]", template, VALUES)
    assert str(error.value) == message
    assert "\n" not in message


@pytest.mark.parametrize(
    "option, request_, message",
    [
        pytest.param(
            "[bump-version].commit_message",
            ReleaseRequest(commit=True, commit_message="release {version!r}"),
            "uses {version!r}",
            id="commit-message",
        ),
        pytest.param(
            "[bump-version].tag_name",
            ReleaseRequest(tag=True, tag_name="{version[0]}"),
            "uses {version[0]}",
            id="tag-name",
        ),
        pytest.param(
            "[bump-version].tag_message",
            ReleaseRequest(tag=True, tag_message="{version:>10}"),
            "uses {version:>10}",
            id="tag-message",
        ),
        pytest.param(
            "[bump-version].cycle_message",
            ReleaseRequest(commit=True, cycle_message="Start {cycle}"),
            "uses {cycle}",
            id="cycle-message-checked-without-a-cut",
        ),
        pytest.param(
            "[bump-version].tag_name",
            ReleaseRequest(commit=True, tag_name="{}"),
            "uses {}",
            id="tag-name-checked-without-a-tag",
        ),
        pytest.param(
            "[bump-version].before_commit",
            ReleaseRequest(commit=True, before_commit=("towncrier --version {version.major}",)),
            "uses {version.major}",
            id="before-commit",
        ),
    ],
)
def test_plan_git_checks_every_template_of_a_release(
    option: str, request_: ReleaseRequest, message: str
) -> None:
    # A release checks all its templates, also those this run does not fill: a bad cycle_message
    # is found on the first release, not on the day a branch is cut.
    with pytest.raises(SettingError) as error:
        plan_git(request_, CalVersion.parse("24.3.1"), "24.03.0", PADDED, on_release_branch=False)
    assert str(error.value).startswith(f"{option}: ")
    assert message in str(error.value)


def test_plan_git_leaves_templates_alone_without_a_release() -> None:
    request_ = ReleaseRequest(tag_name="{version!r}", cycle_message="{}")
    assert (
        plan_git(request_, CalVersion.parse("24.3.1"), "24.03.0", PADDED, on_release_branch=False)
        == GitPlan()
    )


# A repo with only its VERSION file (whose links are not read).
ONLY_VERSION = VersionedRepo("VERSION", b"24.03.0.dev3\n", (), (), ())
NO_LINKS = Links()


@pytest.mark.parametrize(
    "cycle_message, message",
    [
        pytest.param("Start the {version} cycle", "Start the 24.09.0.dev0 cycle", id="default"),
        pytest.param(
            "Open {version} after {old_version} ({normalized})",
            "Open 24.09.0.dev0 after 24.03.0 (24.9.0.dev0)",
            id="every-placeholder",
        ),
    ],
)
def test_prepare_a_cut(cycle_message: str, message: str) -> None:
    # --cut-branch on main: the release commit is tagged, the branch is named after x.y, and the
    # next cycle is planned on the bytes the release writes, its message filled with that cycle's
    # version (the release's as the old one).
    release = ReleaseRequest(commit=True, cut_branch=True, cycle_message=cycle_message)
    prepared = prepare(ONLY_VERSION, BumpRequest(to="24.03.0"), release, PADDED, "main", NO_LINKS)
    assert prepared.git_plan == GitPlan(commit_message="release: 24.03.0", tag="24.03.0", branch="24.03")
    assert prepared.cycle == BumpPlan(
        old="24.03.0",
        new=CalVersion.parse("24.9.0.dev0"),
        changes=(FileChange("VERSION", b"24.03.0\n", b"24.09.0.dev0\n", "version file"),),
        problems=(),
    )
    assert prepared.cycle_message == message


def test_prepare_without_a_cut_plans_no_cycle() -> None:
    release = ReleaseRequest(commit=True, cycle_message="Start {version}")
    prepared = prepare(ONLY_VERSION, BumpRequest(to="24.03.0"), release, PADDED, "main", NO_LINKS)
    assert (prepared.git_plan.branch, prepared.cycle, prepared.cycle_message) == (None, None, "")


def test_commands_are_split_and_filled() -> None:
    assert commands(
        "[o]", ["towncrier build --yes --version {version}", "sh -c 'echo \"{normalized}\"'"], VALUES
    ) == [
        ("towncrier", "build", "--yes", "--version", "24.03.0rc1"),
        ("sh", "-c", 'echo "24.3.0rc1"'),
    ]


@pytest.mark.parametrize(
    "line, message",
    [
        pytest.param(
            "echo 'unclosed",
            "[o]: cannot split `echo 'unclosed` into arguments (No closing quotation); quote it as a shell would.",
            id="quote",
        ),
        pytest.param("   ", "[o]: an empty command; remove it.", id="empty"),
    ],
)
def test_bad_commands(line: str, message: str) -> None:
    with pytest.raises(SettingError) as error:
        commands("[o]", [line], VALUES)
    assert str(error.value) == message


@pytest.mark.parametrize(
    "version, scheme, branch",
    [
        pytest.param("24.3.0", PADDED, "24.03", id="padded"),
        pytest.param("25.1.0", UNPADDED, "25.1", id="unpadded"),
        pytest.param("24.12.0", PADDED, "24.12", id="two-digits"),
    ],
)
def test_release_branch(version: str, scheme: Scheme, branch: str) -> None:
    assert release_branch(CalVersion.parse(version), scheme) == branch


@pytest.mark.parametrize(
    "version, on_release_branch, message",
    [
        pytest.param("24.3.0", False, None, id="x.y.0-on-main"),
        pytest.param(
            "24.3.0",
            True,
            "--cut-branch cuts a release branch from the main line, not from a release branch",
            id="on-release-branch",
        ),
        pytest.param(
            "24.3.1",
            False,
            "--cut-branch is for a final x.y.0 release, and 24.03.1 is not one: release 24.03.0 first",
            id="patch",
        ),
        pytest.param(
            "24.3.0rc1",
            False,
            "--cut-branch is for a final x.y.0 release, and 24.03.0rc1 is not one: release 24.03.0 first",
            id="rc",
        ),
        pytest.param(
            "24.3.0.dev0",
            False,
            "--cut-branch is for a final x.y.0 release, and 24.03.0.dev0 is not one: release 24.03.0 first",
            id="dev",
        ),
    ],
)
def test_check_cut(version: str, on_release_branch: bool, message: str | None) -> None:
    if message is None:
        check_cut(CalVersion.parse(version), on_release_branch, PADDED)
        return
    with pytest.raises(ReleaseError) as error:
        check_cut(CalVersion.parse(version), on_release_branch, PADDED)
    assert str(error.value) == message


def test_parse_status() -> None:
    output = b" M VERSION\0M  src/a b.py\0?? new.txt\0R  moved.txt\0old.txt\0 D gone\0A  caf\xe9\0"
    assert parse_status(output) == {
        "VERSION",
        "src/a b.py",
        "new.txt",
        "moved.txt",
        "old.txt",
        "gone",
        "caf\udce9",
    }
    assert parse_status(b"") == set()


def test_undo_report_and_push_command() -> None:
    done = [
        Done("committed abc release: 24.03.0", "git reset --keep 123"),
        Done("tagged 24.03.0", "git tag -d 24.03.0"),
    ]
    assert undo_report("`git branch 24.03 abc` failed: fatal: x", done) == (
        "`git branch 24.03 abc` failed: fatal: x\n"
        "Done before that:\n"
        "  committed abc release: 24.03.0\n"
        "  tagged 24.03.0\n"
        "To undo it:\n"
        "  git tag -d 24.03.0\n"
        "  git reset --keep 123"
    )
    assert push_command("origin", ["main", "24.03", "24.03.0"]) == "git push origin main 24.03 24.03.0"
    assert push_command("origin", ["my branch"]) == "git push origin 'my branch'"


def test_git_status_outside_git_or_without_git(tmp_path) -> None:
    # Outside a work tree, and with no git to run, there is nothing to report (and no crash).
    assert Git(str(tmp_path), {"PATH": "/usr/bin:/bin"}).status() is None
    assert Git(str(tmp_path), {"PATH": str(tmp_path / "nowhere")}).status() is None


def test_parse_index() -> None:
    output = (
        b"100644 " + b"a" * 40 + b" 0\tVERSION\0"
        b"100755 " + b"b" * 40 + b" 0\tsrc/a b.sh\0"
        b"100644 " + b"c" * 40 + b" 1\tcaf\xe9\0"
        b"100644 " + b"d" * 40 + b" 3\tcaf\xe9\0"
    )
    assert parse_index(output) == {
        "VERSION": (b"100644 " + b"a" * 40 + b" 0",),
        "src/a b.sh": (b"100755 " + b"b" * 40 + b" 0",),
        "caf\udce9": (b"100644 " + b"c" * 40 + b" 1", b"100644 " + b"d" * 40 + b" 3"),
    }
    assert parse_index(b"") == {}


def test_index_restore_records() -> None:
    a, b, c = (b"100644 " + bytes([ord(x)]) * 40 + b" 0" for x in "abc")
    before = {"kept": (a,), "changed": (b,), "removed": (c,)}
    after = {"kept": (a,), "changed": (c,), "added": (b,)}
    zero = b"0 " + b"0" * 40
    assert index_restore(before, after) == (
        zero + b"\tadded\0" + zero + b"\tchanged\0" + b + b"\tchanged\0" + c + b"\tremoved\0"
    )
    assert index_restore(before, before) == b""
    # The zero object id is as long as the repo's ids (SHA-256 here).
    long = b"100644 " + b"e" * 64 + b" 0"
    assert index_restore({}, {"x": (long,)}) == b"0 " + b"0" * 64 + b"\tx\0"


def test_index_restore_with_real_git(tmp_path) -> None:
    # Everything a command may do to the index, undone by git itself from the records: a new
    # file added, a file removed, an edit and a mode change staged, and a merge conflict resolved.
    root = tmp_path
    monorepo.write(
        root, {"a.txt": "a\n", "gone.md": "gone\n", "tool.sh": "#!/bin/sh\n", "caf\udce9.txt": "x\n"}, {}
    )
    monorepo.commit_all(root)
    git(root, "checkout", "-q", "-b", "other")
    monorepo.write(root, {"a.txt": "other\n"}, {})
    git(root, "commit", "-qam", "other")
    git(root, "checkout", "-q", "main")
    monorepo.write(root, {"a.txt": "main\n"}, {})
    git(root, "commit", "-qam", "main")
    with pytest.raises(subprocess.CalledProcessError):
        git(root, "merge", "-q", "other")
    before = git_bytes(root, "ls-files", "--stage", "-z")
    assert b" 2\ta.txt" in before  # A conflict: stages 1, 2 and 3.
    monorepo.write(root, {"new.md": "new\n", "a.txt": "resolved\n", "caf\udce9.txt": "y\n"}, {})
    Path(root, "tool.sh").chmod(0o755)
    git(root, "add", "new.md", "a.txt", "tool.sh", "caf\udce9.txt")
    git(root, "rm", "-q", "gone.md")
    after = git_bytes(root, "ls-files", "--stage", "-z")
    git_bytes(
        root,
        "update-index",
        "-z",
        "--index-info",
        stdin=index_restore(parse_index(before), parse_index(after)),
    )
    assert git_bytes(root, "ls-files", "--stage", "-z") == before


@pytest.mark.parametrize(
    "dirty_before, dirty_after, tracked, skip, expected",
    [
        pytest.param(
            {"notes.txt", "docs.md"},
            {"notes.txt", "CHANGELOG.md", "changes/1.md", "made.txt"},
            {"docs.md", "CHANGELOG.md", "changes/1.md", "VERSION"},
            set(),
            TreeRestore(("docs.md", "notes.txt"), ("CHANGELOG.md", "changes/1.md"), ("made.txt",)),
            id="each-kind",
        ),
        pytest.param(
            set(),
            {"VERSION", "CHANGELOG.md"},
            {"VERSION", "CHANGELOG.md"},
            {"VERSION"},
            TreeRestore((), ("CHANGELOG.md",), ()),
            id="the-bump's-own-files-are-put-back-otherwise",
        ),
        pytest.param(
            {"docs.md"}, set(), {"docs.md"}, set(), TreeRestore(("docs.md",), (), ()), id="dirty-before-only"
        ),
        pytest.param(set(), set(), {"VERSION"}, set(), TreeRestore((), (), ()), id="nothing"),
    ],
)
def test_plan_restore(
    dirty_before: set, dirty_after: set, tracked: set, skip: set, expected: TreeRestore
) -> None:
    assert plan_restore(dirty_before, dirty_after, tracked, skip) == expected
