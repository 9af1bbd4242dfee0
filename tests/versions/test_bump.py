from __future__ import annotations

import dataclasses
from typing import List, Mapping, Optional

import pytest

from pants_calver.core.versions import artifact_versions, pins, repo_sources, source_specs
from pants_calver.core.versions.artifact_versions import Declared
from pants_calver.core.versions.bump import (
    BumpPlan,
    BumpRequest,
    FileChange,
    make_plan,
    plan_bump,
    plan_cycle,
    stale,
)
from pants_calver.core.problems import Problem
from pants_calver.core.versions.version import CalVersion, NextKind, Scheme
from pants_calver.core.versions.versioned_repo import (
    Distribution,
    Links,
    PackageFile,
    SourceFile,
    VersionedRepo,
)

SCHEME = Scheme()
FIRST_PARTY = {"backend-ai-common", "backend-ai-client"}
DISTRIBUTIONS = (
    Distribution("backend.ai-common", "backend-ai-common", "common", False),
    Distribution("backend.ai-client", "backend-ai-client", "client", True),
)


def source(path: str, text: str) -> SourceFile:
    return SourceFile(path, text.encode(), pins.scan(path, text, FIRST_PARTY))


def plan(
    new: str,
    *,
    version: bytes = b"23.09.6\n",
    packages=(),
    sources=(),
    sync: bool = False,
    real_paths: Mapping[str, Optional[str]] = {},
    links=frozenset(),
):
    """The plan on a repo whose files hold their own bytes, but those in `real_paths`; `links`:
    the paths that are links."""
    versioned = VersionedRepo("VERSION", version, DISTRIBUTIONS, tuple(packages), tuple(sources))
    read = {path: real_paths.get(path, path) for path in versioned.linkable_paths()}
    return plan_bump(versioned, CalVersion.parse(new), "23.09.6", Links(read, frozenset(links)), SCHEME, sync)


def test_version_file_keeps_its_line_ending() -> None:
    for ending in (b"", b"\n", b"\r\n"):
        [change] = plan("23.09.7", version=b"23.09.6" + ending).changes
        assert change.new == b"23.09.7" + ending


def test_package_version_files() -> None:
    packages = [
        PackageFile("common/VERSION", b"23.09.6\n", "backend.ai-common", False),
        PackageFile("agent/VERSION", b"23.09.6\r\n", "backend.ai-agent", False),
        PackageFile("client/VERSION", b"24.03.1\n", "backend.ai-client", True),
    ]
    result = plan("23.09.7", packages=packages, links={"common/VERSION"})
    assert [(c.path, c.new) for c in result.changes] == [
        ("VERSION", b"23.09.7\n"),
        ("agent/VERSION", b"23.09.7\r\n"),
    ]


def test_drifted_package_file_stops_the_bump_unless_syncing() -> None:
    packages = [PackageFile("agent/VERSION", b"23.09.5\n", "backend.ai-agent", False)]
    result = plan("23.09.7", packages=packages)
    assert result.problems == (
        Problem(
            "agent/VERSION",
            1,
            "package-version-mismatch",
            "backend.ai-agent has version `23.09.5`, not VERSION's `23.09.6`; "
            "fix it by hand or run with --sync first",
            "23.09.5",
            "23.09.6",
        ),
    )
    result = plan("23.09.6", packages=packages, sync=True)
    assert not result.problems
    assert [(c.path, c.new) for c in result.changes] == [("agent/VERSION", b"23.09.6\n")]


DRIFT_MESSAGE = (
    "backend.ai-agent has version `23.09.5`, not VERSION's `23.09.6`; fix it by hand or run with --sync first"
)
LINK_OUTSIDE = Problem(
    "linked.txt", 0, "link-outside-repo", "is a link to a file outside the repo; edit it by hand"
)


def agent(content: bytes) -> PackageFile:
    return PackageFile("agent/VERSION", content, "backend.ai-agent", False)


@pytest.mark.parametrize(
    "content, new",
    [
        pytest.param(b"", b"23.09.7\n", id="empty"),
        pytest.param(b"  \r\n", b"23.09.7\n", id="blank-crlf"),
        pytest.param(b"23.09.6\n23.09.6\n", b"23.09.7\n", id="two-lines"),
        pytest.param(b"\xff\n", b"23.09.7\n", id="not-utf-8"),
        pytest.param(b"\xff\r\n", b"23.09.7\n", id="not-utf-8-crlf"),
        pytest.param(b"23.09.5\r\n", b"23.09.7\r\n", id="drifted-crlf"),
    ],
)
def test_sync_rewrites_any_package_version_file(content: bytes, new: bytes) -> None:
    result = plan("23.09.7", packages=[agent(content)], sync=True)
    assert result.problems == ()
    assert result.changes == (
        FileChange("VERSION", b"23.09.6\n", b"23.09.7\n", "version file"),
        FileChange("agent/VERSION", content, new, "version file"),
    )


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"23.09.6\n23.09.6\n", id="two-lines"),
        pytest.param(b"\xff\n", id="not-utf-8"),
    ],
)
def test_unreadable_package_version_file_stops_the_bump_unless_syncing(content: bytes) -> None:
    result = plan("23.09.7", packages=[agent(content)])
    [problem] = result.problems
    # The message is left out: it says `None` for the version found (being fixed elsewhere).
    assert (problem.path, problem.line, problem.code, problem.found, problem.expected) == (
        "agent/VERSION",
        1,
        "package-version-mismatch",
        "",
        "23.09.6",
    )
    assert result.changes == (FileChange("VERSION", b"23.09.6\n", b"23.09.7\n", "version file"),)


@pytest.mark.parametrize(
    "content, changes",
    [
        pytest.param(None, (), id="missing"),
        pytest.param(b"", (FileChange("VERSION", b"", b"23.09.7\n", "version file"),), id="empty"),
        pytest.param(
            b"\xff\r\n", (FileChange("VERSION", b"\xff\r\n", b"23.09.7\n", "version file"),), id="not-utf-8"
        ),
        pytest.param(
            b"a\nb\r\n", (FileChange("VERSION", b"a\nb\r\n", b"23.09.7\n", "version file"),), id="two-lines"
        ),
        pytest.param(
            b"junk\r\n",
            (FileChange("VERSION", b"junk\r\n", b"23.09.7\r\n", "version file"),),
            id="not-a-version-keeps-crlf",
        ),
    ],
)
def test_unreadable_version_file_is_rewritten(content: Optional[bytes], changes: tuple) -> None:
    versioned = VersionedRepo("VERSION", content, (), (), ())
    result = plan_bump(versioned, CalVersion.parse("23.09.7"), None, Links(), SCHEME, sync=False)
    assert result == BumpPlan(None, CalVersion.parse("23.09.7"), changes, ())


def test_drifted_package_problem_is_exact() -> None:
    result = plan("23.09.7", packages=[agent(b"23.09.5\n")])
    assert result.problems == (
        Problem("agent/VERSION", 1, "package-version-mismatch", DRIFT_MESSAGE, "23.09.5", "23.09.6"),
    )


def test_later_packages_are_handled_after_skipped_ones() -> None:
    packages = [
        PackageFile("client/VERSION", b"24.03.1\n", "backend.ai-client", True),
        PackageFile("storage/VERSION", b"23.09.5\n", "backend.ai-storage", False),
        PackageFile("agent/VERSION", b"23.09.7\n", "backend.ai-agent", False),
        PackageFile("common/VERSION", b"23.09.6\n", "backend.ai-common", False),
    ]
    result = plan("23.09.7", packages=packages, links={"storage/VERSION"})
    assert result.problems == ()
    assert result.changes == (
        FileChange("VERSION", b"23.09.6\n", b"23.09.7\n", "version file"),
        FileChange("common/VERSION", b"23.09.6\n", b"23.09.7\n", "version file"),
    )


def test_later_packages_and_sources_are_handled_after_a_drifted_package() -> None:
    packages = [
        agent(b"23.09.5\n"),
        PackageFile("manager/VERSION", b"23.09.4\n", "backend.ai-manager", False),
        PackageFile("common/VERSION", b"23.09.6\n", "backend.ai-common", False),
    ]
    result = plan("23.09.7", packages=packages, sources=[source("r.txt", "backend.ai-common==23.9.6\n")])
    assert result.problems == (
        Problem("agent/VERSION", 1, "package-version-mismatch", DRIFT_MESSAGE, "23.09.5", "23.09.6"),
        Problem(
            "manager/VERSION",
            1,
            "package-version-mismatch",
            "backend.ai-manager has version `23.09.4`, not VERSION's `23.09.6`; "
            "fix it by hand or run with --sync first",
            "23.09.4",
            "23.09.6",
        ),
    )
    assert result.changes == (
        FileChange("VERSION", b"23.09.6\n", b"23.09.7\n", "version file"),
        FileChange("common/VERSION", b"23.09.6\n", b"23.09.7\n", "version file"),
        FileChange("r.txt", b"backend.ai-common==23.9.6\n", b"backend.ai-common==23.9.7\n", "1 pin"),
    )


def test_sources_after_a_link_outside_the_repo_are_still_edited() -> None:
    result = plan(
        "23.09.7",
        sources=[
            source("linked.txt", ""),
            source("other.txt", ""),
            source("r.txt", "backend.ai-common==23.9.6\n"),
        ],
        real_paths={"linked.txt": None, "other.txt": None},
    )
    assert result.problems == (
        LINK_OUTSIDE,
        Problem("other.txt", 0, "link-outside-repo", "is a link to a file outside the repo; edit it by hand"),
    )
    assert result.changes == (
        FileChange("VERSION", b"23.09.6\n", b"23.09.7\n", "version file"),
        FileChange("r.txt", b"backend.ai-common==23.9.6\n", b"backend.ai-common==23.9.7\n", "1 pin"),
    )


def test_pins_are_rewritten_once_through_links() -> None:
    text = "aiohttp==3.8.1\nbackend.ai-common==23.9.6  # keep\nbackend.ai-client==24.03.1\n"
    result = plan(
        "23.09.7",
        sources=[
            source("a/requirements.txt", text),
            source("b/requirements.txt", text),
        ],
        real_paths={"b/requirements.txt": "a/requirements.txt"},
    )
    assert [(c.path, c.what) for c in result.changes] == [
        ("VERSION", "version file"),
        ("a/requirements.txt", "2 pins"),
    ]
    assert (
        result.changes[1].new
        == b"aiohttp==3.8.1\nbackend.ai-common==23.9.7  # keep\nbackend.ai-client==24.3.1\n"
    )


def test_problems_stop_the_bump() -> None:
    result = plan(
        "23.09.7",
        sources=[
            source(
                "requirements.txt", "backend.ai-common<23.9.7\nbackend.ai-common==23.9.6 --hash=sha256:00\n"
            ),
            source("setup.cfg", "[options]\ninstall_requires =\n    backend.ai-common=23.9.6\n"),
            source("linked.txt", ""),
        ],
        real_paths={"linked.txt": None},
    )
    assert [(p.path, p.line, p.code, p.message) for p in result.problems] == [
        ("linked.txt", 0, "link-outside-repo", "is a link to a file outside the repo; edit it by hand"),
        (
            "requirements.txt",
            1,
            "pin-cannot-follow",
            "`backend.ai-common<23.9.7` would not admit 23.9.7; change it by hand",
        ),
        (
            "requirements.txt",
            2,
            "pin-cannot-follow",
            "`backend.ai-common==23.9.6` carries `--hash` options, which cannot follow a new version",
        ),
        (
            "setup.cfg",
            3,
            "requirement-invalid",
            "cannot parse requirement `backend.ai-common=23.9.6`: "
            "Parse error at \"'=23.9.6'\": Expected string_end",
        ),
    ]


def test_sync_changes_nothing_in_a_repo_in_sync() -> None:
    result = plan("23.09.6", sources=[source("r.txt", "backend.ai-common==23.9.6\n")], sync=True)
    assert result.changes == () and result.problems == ()


def test_diff() -> None:
    change = FileChange("r.txt", b"a\nb==1\n", b"a\nb==2\n", "1 pin")
    assert change.diff() == "--- a/r.txt\n+++ b/r.txt\n@@ -1,2 +1,2 @@\n a\n-b==1\n+b==2\n"


def test_diff_marks_a_last_line_without_a_line_end_as_git_does() -> None:
    change = FileChange("p.json", b'{"v": "1"\n}', b'{"v": "2"\n}', "1 version source")
    assert change.diff().endswith('+{"v": "2"\n }\n\\ No newline at end of file\n')
    change = FileChange("p.txt", b"v=1", b"v=2", "1 version source")
    assert change.diff().endswith("-v=1\n\\ No newline at end of file\n+v=2\n\\ No newline at end of file\n")


@pytest.mark.parametrize(
    "old, new, shown",
    [
        pytest.param(b"caf\xe9==1\n", b"caf\xe9==2\n", ["-caf\\xe9==1", "+caf\\xe9==2"], id="latin-1"),
        pytest.param(
            "x==1\n".encode("utf-16"),
            "x==2\n".encode("utf-16"),
            [
                "-\\xff\\xfex\x00=\x00=\x001\x00",
                "+\\xff\\xfex\x00=\x00=\x002\x00",
                " \x00",
                "\\ No newline at end of file",
            ],
            id="utf-16",
        ),
        pytest.param(
            b"\xef\xbb\xbfa==1\r\n", b"\xef\xbb\xbfa==2\r\n", ["-\ufeffa==1", "+\ufeffa==2"], id="bom-crlf"
        ),
    ],
)
def test_diff_of_any_encoding_prints(old: bytes, new: bytes, shown: List[str]) -> None:
    # Undecodable bytes are shown escaped, so the diff can be printed whatever the file holds.
    diff = FileChange("r.txt", old, new, "1 pin").diff()
    diff.encode("utf-8")  # no lone surrogates left
    assert [line.rstrip("\r\n") for line in diff.splitlines(keepends=True)[3:]] == shown


def _changes() -> List[FileChange]:
    return [FileChange(f"f{i}", b"old", b"new", "x") for i in range(4)]


def test_stale() -> None:
    changes = _changes()[:2]
    assert stale(changes, {"f0": b"old", "f1": b"edited"}) == ["f1"]
    assert stale(changes, {"f0": b"old"}) == ["f1"]


def test_unreadable_package_file_says_so() -> None:
    packages = [PackageFile("agent/VERSION", b"\xff\xfe", "backend.ai-agent", False)]
    assert plan("23.09.7", packages=packages).problems == (
        Problem(
            "agent/VERSION",
            1,
            "package-version-mismatch",
            "backend.ai-agent has a version file that cannot be read (it should hold VERSION's `23.09.6`); "
            "fix it by hand or run with --sync first",
            "",
            "23.09.6",
        ),
    )


# How files are linked reaches the planner as data, read by the engine before planning: these
# plans go through links with no file on disk.
AGENT_BUILD = 'python_distribution(provides=python_artifact(name="backend.ai-agent", version="23.9.6"))\n'
AGENT = Declared("backend.ai-agent", "backend-ai-agent", False, "23.9.6")
LINKED = VersionedRepo(
    "VERSION",
    b"23.09.6\n",
    DISTRIBUTIONS,
    (PackageFile("common/VERSION", b"23.09.6\n", "backend.ai-common", False),),
    (
        source("linked/requirements.txt", "backend.ai-common==23.9.6\n"),
        source("shared/requirements.txt", "backend.ai-common==23.9.6\n"),
        source("via-dir/requirements.txt", "backend.ai-common==23.9.6\n"),
    ),
    # A BUILD file that sets its distribution's version and holds no pin.
    (artifact_versions.read("agent/BUILD", AGENT_BUILD.encode(), artifact_versions.PROVIDES, [AGENT]),),
)
# common/VERSION links to VERSION, linked/requirements.txt to shared/requirements.txt, and via-dir
# is a linked directory: its file is no link, but its bytes are in shared/ too.
LINKED_LINKS = Links(
    {
        "agent/BUILD": "agent/BUILD",
        "common/VERSION": "VERSION",
        "linked/requirements.txt": "shared/requirements.txt",
        "shared/requirements.txt": "shared/requirements.txt",
        "via-dir/requirements.txt": "shared/requirements.txt",
    },
    frozenset({"common/VERSION", "linked/requirements.txt"}),
)


def test_make_plan_edits_linked_files_once_at_their_target() -> None:
    result = make_plan(LINKED, BumpRequest(next=NextKind.patch), SCHEME, LINKED_LINKS)
    assert result.problems == ()
    assert result.changes == (
        FileChange("VERSION", b"23.09.6\n", b"23.09.7\n", "version file"),
        FileChange(
            "agent/BUILD",
            AGENT_BUILD.encode(),
            AGENT_BUILD.replace("23.9.6", "23.9.7").encode(),
            "1 provides version",
        ),
        FileChange(
            "shared/requirements.txt", b"backend.ai-common==23.9.6\n", b"backend.ai-common==23.9.7\n", "1 pin"
        ),
    )


def test_make_plan_reads_a_link_as_a_regular_file_only_when_told() -> None:
    # The same repo with no link: each file is its own, and the version file of common is rewritten.
    unlinked = Links({path: path for path in LINKED.linkable_paths()})
    result = make_plan(LINKED, BumpRequest(next=NextKind.patch), SCHEME, unlinked)
    assert [c.path for c in result.changes] == [
        "VERSION",
        "common/VERSION",
        "agent/BUILD",
        "linked/requirements.txt",
        "shared/requirements.txt",
        "via-dir/requirements.txt",
    ]


def test_the_next_cycle_reads_through_links_what_the_release_wrote() -> None:
    released = make_plan(LINKED, BumpRequest(to="24.03.0"), SCHEME, LINKED_LINKS)
    cycle = plan_cycle(LINKED, released, SCHEME, LINKED_LINKS)
    assert cycle.problems == ()
    assert cycle.changes == (
        FileChange("VERSION", b"24.03.0\n", b"24.09.0.dev0\n", "version file"),
        FileChange(
            "agent/BUILD",
            AGENT_BUILD.replace("23.9.6", "24.3.0").encode(),
            AGENT_BUILD.replace("23.9.6", "24.9.0.dev0").encode(),
            "1 provides version",
        ),
        FileChange(
            "shared/requirements.txt",
            b"backend.ai-common==24.3.0\n",
            b"backend.ai-common==24.9.0.dev0\n",
            "1 pin",
        ),
    )


def test_a_path_whose_links_were_not_read_is_a_mistake_not_a_guess() -> None:
    with pytest.raises(KeyError, match="linked/requirements.txt"):
        make_plan(LINKED, BumpRequest(next=NextKind.patch), SCHEME, Links({}, frozenset({"common/VERSION"})))


def test_linkable_paths_are_the_files_a_bump_may_rewrite_but_the_version_file() -> None:
    assert LINKED.linkable_paths() == (
        "agent/BUILD",
        "common/VERSION",
        "linked/requirements.txt",
        "shared/requirements.txt",
        "via-dir/requirements.txt",
    )


def test_written_paths_are_the_files_a_bump_writes_declared_sources_too() -> None:
    specs = source_specs.parse(
        {
            "Dockerfile": {"pattern": "ARG V={normalized}"},
            "README.md": {"pattern": "v{display}"},
            "missing.json": {"key": "v"},
        }
    )
    extra = repo_sources.read_all(specs, {"Dockerfile": b"ARG V=23.9.6\n", "README.md": b"no version\n"})
    versioned = dataclasses.replace(
        LINKED, sources=(*LINKED.sources, source("docs/requirements.txt", "pytest\n")), extra_files=extra
    )
    assert sorted(versioned.written_paths()) == [
        "Dockerfile",
        "VERSION",
        "agent/BUILD",
        "common/VERSION",
        "linked/requirements.txt",
        "shared/requirements.txt",
        "via-dir/requirements.txt",
    ]
    assert "README.md" in versioned.linkable_paths() and "docs/requirements.txt" in versioned.linkable_paths()
