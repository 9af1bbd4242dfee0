from __future__ import annotations

from typing import List, Optional


from pants_calver import pins
from pants_calver.bump import FileChange, PackageFile, Source, plan_bump, stale
from pants_calver.sync import Problem
from pants_calver.version import CalVersion, Scheme

SCHEME = Scheme()
FIRST_PARTY = {"backend-ai-common", "backend-ai-client"}


def source(path: str, text: str, real_path: Optional[str] = None) -> Source:
    return Source(path, pins.scan(path, text, FIRST_PARTY), text.encode(), real_path or path)


def plan(new: str, *, version: bytes = b"23.09.6\n", packages=(), sources=(), sync: bool = False):
    return plan_bump(
        CalVersion.parse(new),
        "23.09.6",
        "VERSION",
        version,
        list(packages),
        list(sources),
        frozenset({"backend-ai-client"}),
        SCHEME,
        sync=sync,
    )


def test_version_file_keeps_its_line_ending() -> None:
    for ending in (b"", b"\n", b"\r\n"):
        [change] = plan("23.09.7", version=b"23.09.6" + ending).changes
        assert change.new == b"23.09.7" + ending


def test_package_version_files() -> None:
    packages = [
        PackageFile("common/VERSION", b"23.09.6\n", "backend.ai-common", False, is_link=True),
        PackageFile("agent/VERSION", b"23.09.6\r\n", "backend.ai-agent", False, is_link=False),
        PackageFile("client/VERSION", b"24.03.1\n", "backend.ai-client", True, is_link=False),
    ]
    result = plan("23.09.7", packages=packages)
    assert [(c.path, c.new) for c in result.changes] == [
        ("VERSION", b"23.09.7\n"),
        ("agent/VERSION", b"23.09.7\r\n"),
    ]


def test_drifted_package_file_stops_the_bump_unless_syncing() -> None:
    packages = [PackageFile("agent/VERSION", b"23.09.5\n", "backend.ai-agent", False, is_link=False)]
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


def test_pins_are_rewritten_once_through_links() -> None:
    text = "aiohttp==3.8.1\nbackend.ai-common==23.9.6  # keep\nbackend.ai-client==24.03.1\n"
    result = plan(
        "23.09.7",
        sources=[
            source("a/requirements.txt", text),
            source("b/requirements.txt", text, "a/requirements.txt"),
        ],
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
            Source("linked.txt", pins.scan("linked.txt", "", FIRST_PARTY), b"", None),
        ],
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


def _changes() -> List[FileChange]:
    return [FileChange(f"f{i}", b"old", b"new", "x") for i in range(4)]


def test_stale() -> None:
    changes = _changes()[:2]
    assert stale(changes, {"f0": b"old", "f1": b"edited"}) == ["f1"]
    assert stale(changes, {"f0": b"old"}) == ["f1"]


def test_unreadable_package_file_says_so() -> None:
    packages = [PackageFile("agent/VERSION", b"\xff\xfe", "backend.ai-agent", False, is_link=False)]
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
