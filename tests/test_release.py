from __future__ import annotations

import pytest

from pants_calver.engine.git import Git
from pants_calver.core.release import (
    Done,
    ReleaseError,
    check_cut,
    commands,
    fill,
    parse_status,
    push_command,
    release_branch,
    template_values,
    undo_report,
)
from pants_calver.core.version import CalVersion, Scheme

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
    ],
)
def test_fill(template: str, expected: str) -> None:
    assert fill("[bump-version].commit_message", template, VALUES) == expected


@pytest.mark.parametrize(
    "template, message",
    [
        pytest.param(
            "release {tag}",
            "[o]: `release {tag}` uses {tag}; the placeholders are {version}, {old_version}, {normalized}",
            id="unknown",
        ),
        pytest.param(
            "release {0}",
            "[o]: `release {0}` uses {0}; the placeholders are {version}, {old_version}, {normalized}",
            id="positional",
        ),
        pytest.param(
            "release {version",
            "[o]: `release {version` is not a valid template (expected '}' before end of string); "
            "write braces as {{ }}",
            id="unclosed",
        ),
    ],
)
def test_fill_names_the_option(template: str, message: str) -> None:
    with pytest.raises(ReleaseError) as error:
        fill("[o]", template, VALUES)
    assert str(error.value) == message


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
            "[o]: cannot split `echo 'unclosed` into arguments (No closing quotation)",
            id="quote",
        ),
        pytest.param("   ", "[o]: an empty command; remove it", id="empty"),
    ],
)
def test_bad_commands(line: str, message: str) -> None:
    with pytest.raises(ReleaseError) as error:
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
