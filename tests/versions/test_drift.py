from __future__ import annotations

import dataclasses
from typing import Optional, Sequence

import pytest

from pants_calver.core.versions import pins
from pants_calver.core.problems import Problem, plural
from pants_calver.core.versions.drift import FIXABLE_CODES, check_repo, read_version
from pants_calver.core.versions.version import CalVersion, Scheme
from pants_calver.core.versions.versioned_repo import Distribution, PackageFile, SourceFile, VersionedRepo

SCHEME = Scheme()
FIRST_PARTY = {"backend-ai-common", "backend-ai-client"}
# backend.ai-client has its own version.
DISTRIBUTIONS = (
    Distribution("backend.ai-common", "backend-ai-common", "common", False),
    Distribution("backend.ai-client", "backend-ai-client", "client", True),
)

MISSING = Problem(
    "VERSION",
    0,
    "version-file-missing",
    "the version file is missing; create it with the version in display form, e.g. `23.09.0`",
)
NOT_DISPLAY_FORM = Problem(
    "VERSION",
    1,
    "version-not-display-form",
    "`23.9.6` is not in display form (the minor part is zero-padded); write `23.09.6`",
    "23.9.6",
    "23.09.6",
)
INVALID = Problem(
    "VERSION",
    1,
    "version-invalid",
    "`junk` is not a version; the scheme is x.y.z, then aN, bN or rcN, then .devN",
)


def scan(path: str, text: str) -> SourceFile:
    return SourceFile(path, text.encode(), pins.scan(path, text, FIRST_PARTY))


def check(
    version: Optional[bytes] = b"23.09.6\n",
    packages: Sequence[PackageFile] = (),
    scans: Sequence[SourceFile] = (),
    branch: Optional[str] = None,
):
    versioned = VersionedRepo("VERSION", version, DISTRIBUTIONS, tuple(packages), tuple(scans))
    return check_repo(versioned, SCHEME, branch)


def package(path: str, content: bytes, independent: bool = False) -> PackageFile:
    return PackageFile(path, content, "backend.ai-" + path.split("/")[0], independent)


def mismatch(path: str, found: str) -> Problem:
    distribution = "backend.ai-" + path.split("/")[0]
    return Problem(
        path,
        1,
        "package-version-mismatch",
        f"{distribution} has version `{found}`, but VERSION has `23.09.6`; "
        "write `23.09.6` or link it to VERSION",
        found,
        "23.09.6",
    )


def test_fixable_codes() -> None:
    assert FIXABLE_CODES == {
        "version-not-display-form",
        "package-version-mismatch",
        "pin-not-normalized",
        "pin-excludes-version",
    }


def test_problem_is_a_hashable_value_with_defaults() -> None:
    problem = Problem("a/BUILD", 3, "pin-invalid", "bad")
    assert (problem.found, problem.expected) == ("", "")
    assert problem == Problem("a/BUILD", 3, "pin-invalid", "bad", "", "")
    assert hash(problem) == hash(Problem("a/BUILD", 3, "pin-invalid", "bad", "", ""))
    assert {problem, Problem("a/BUILD", 3, "pin-invalid", "bad")} == {problem}
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.line = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    "line, location",
    [pytest.param(3, "a/BUILD:3", id="line"), pytest.param(0, "a/BUILD", id="whole-file")],
)
def test_location(line: int, location: str) -> None:
    assert Problem("a/BUILD", line, "code", "message").location == location


@pytest.mark.parametrize(
    "content, version, problem",
    [
        pytest.param(None, None, MISSING, id="missing"),
        pytest.param(b"23.09.6\n", "23.9.6", None, id="display-form"),
        pytest.param(b"23.9.6\n", "23.9.6", NOT_DISPLAY_FORM, id="not-display-form"),
        pytest.param(b"junk\n", None, INVALID, id="invalid"),
        pytest.param(
            b"",
            None,
            Problem(
                "VERSION", 1, "version-invalid", "the file is empty; it must hold the version on one line"
            ),
            id="empty",
        ),
    ],
)
def test_read_version(content: Optional[bytes], version: Optional[str], problem: Optional[Problem]) -> None:
    expected = CalVersion.parse(version) if version else None
    assert read_version("VERSION", content, SCHEME) == (expected, problem)


@pytest.mark.parametrize(
    "count, text",
    [
        pytest.param(0, "0 pins", id="zero"),
        pytest.param(1, "1 pin", id="one"),
        pytest.param(2, "2 pins", id="two"),
    ],
)
def test_plural(count: int, text: str) -> None:
    assert plural(count, "pin") == text


def test_branch_mismatch() -> None:
    assert check(b"24.03.0\n", branch="23.09") == (
        CalVersion.parse("24.3.0"),
        [
            Problem(
                "VERSION",
                1,
                "branch-mismatch",
                "release branch 23.09 takes only 23.09.* versions, but the version is 24.03.0",
                "24.03.0",
                "23.09.*",
            )
        ],
    )


@pytest.mark.parametrize(
    "version, branch, problems",
    [
        pytest.param(b"23.09.6\n", "23.09", [], id="on-branch"),
        pytest.param(b"23.09.6\n", "23.9", [], id="on-unpadded-branch"),
        pytest.param(b"24.03.0\n", "main", [], id="not-a-release-branch"),
        pytest.param(b"24.03.0\n", None, [], id="no-branch"),
        pytest.param(b"24.03.0\n", "", [], id="empty-branch"),
        pytest.param(b"junk\n", "23.09", [INVALID], id="unreadable-version"),
        pytest.param(None, "23.09", [MISSING], id="missing-version"),
    ],
)
def test_no_branch_mismatch(version: Optional[bytes], branch: Optional[str], problems: list) -> None:
    assert check(version, branch=branch)[1] == problems


@pytest.mark.parametrize(
    "version, packages, problems",
    [
        pytest.param(
            b"23.09.6\n",
            [
                package("client/VERSION", b"24.03.1\n", independent=True),
                package("agent/VERSION", b"23.09.5\n"),
            ],
            [mismatch("agent/VERSION", "23.09.5")],
            id="independent-skipped",
        ),
        pytest.param(
            b"junk\n",
            [package("agent/VERSION", b"23.09.5\n"), package("common/VERSION", b"\xff\n")],
            [INVALID],
            id="unreadable-version-packages-unchecked",
        ),
        pytest.param(
            None,
            [package("agent/VERSION", b"23.09.5\n")],
            [MISSING],
            id="missing-version-packages-unchecked",
        ),
        pytest.param(
            b"23.9.6\n",
            [package("agent/VERSION", b"23.9.6\n"), package("common/VERSION", b"23.09.5\n")],
            [NOT_DISPLAY_FORM, mismatch("common/VERSION", "23.09.5")],
            id="same-bytes-as-version-skipped",
        ),
        pytest.param(
            b"23.09.6\n",
            [package("agent/VERSION", b"23.09.6\r\n"), package("common/VERSION", b"23.9.6\n")],
            [mismatch("common/VERSION", "23.9.6")],
            id="same-version-other-line-ending",
        ),
        pytest.param(
            b"23.09.6\n",
            [package("agent/VERSION", b"23.09.5\n"), package("common/VERSION", b"24.03.0\n")],
            [mismatch("agent/VERSION", "23.09.5"), mismatch("common/VERSION", "24.03.0")],
            id="two-mismatches",
        ),
        pytest.param(
            b"23.09.6\n",
            [package("agent/VERSION", b"\xff\n"), package("common/VERSION", b"23.09.5\n")],
            [
                Problem(
                    "agent/VERSION",
                    1,
                    "package-version-mismatch",
                    "the file is not UTF-8 text; it must hold the version on one line; write `23.09.6`",
                    "",
                    "23.09.6",
                ),
                mismatch("common/VERSION", "23.09.5"),
            ],
            id="undecodable",
        ),
        pytest.param(
            b"23.09.6\n",
            [package("agent/VERSION", b"23.09.6\n23.09.6\n"), package("common/VERSION", b"")],
            [
                Problem(
                    "agent/VERSION",
                    1,
                    "package-version-mismatch",
                    "the file holds 2 lines; it must hold only the version, on one line; write `23.09.6`",
                    "",
                    "23.09.6",
                ),
                Problem(
                    "common/VERSION",
                    1,
                    "package-version-mismatch",
                    "the file is empty; it must hold the version on one line; write `23.09.6`",
                    "",
                    "23.09.6",
                ),
            ],
            id="two-lines-and-empty",
        ),
    ],
)
def test_package_files(
    version: Optional[bytes], packages: Sequence[PackageFile], problems: Sequence[Problem]
) -> None:
    assert check(version, packages)[1] == problems


def test_scan_errors_become_problems() -> None:
    scans = [
        scan("a/requirements.txt", "backend.ai-common=23.9.6\n"),
        scan("b/setup.cfg", "[options]\ninstall_requires =\n    backend.ai-common>=23.9.0,\n"),
    ]
    assert check(scans=scans)[1] == [
        Problem(
            "a/requirements.txt",
            1,
            "requirement-invalid",
            "cannot parse requirement `backend.ai-common=23.9.6`: Expected end or semicolon (after name and "
            "no valid version specifier) (column 18); write it as pip reads it (PEP 508, a URL or a path)",
        ),
        Problem(
            "b/setup.cfg",
            3,
            "requirement-invalid",
            "cannot parse requirement `backend.ai-common>=23.9.0,`: "
            "Parse error at \"','\": Expected string_end",
        ),
    ]


def test_pins() -> None:
    scans = [
        scan(
            "r.txt",
            "backend.ai-common==23.9.6\n"
            "backend.ai-client<23.9.0\n"
            "backend.ai-client==23.09.0\n"
            "backend.ai-common==23.9.5\n",
        ),
    ]
    assert check(scans=scans)[1] == [
        Problem(
            "r.txt",
            3,
            "pin-not-normalized",
            "`backend.ai-client==23.09.0`: `23.09.0` is not normalized, write `23.9.0`",
            "23.09.0",
            "23.9.0",
        ),
        Problem(
            "r.txt",
            4,
            "pin-excludes-version",
            "`backend.ai-common==23.9.5` pins 23.9.5, but the version is 23.09.6; write `23.9.6`",
            "==23.9.5",
            "23.9.6",
        ),
    ]


def test_pins_without_a_readable_version_are_only_spelled() -> None:
    scans = [scan("r.txt", "backend.ai-common==23.9.5\nbackend.ai-common==23.09.5\n")]
    assert check(b"junk\n", scans=scans)[1] == [
        INVALID,
        Problem(
            "r.txt",
            2,
            "pin-not-normalized",
            "`backend.ai-common==23.09.5`: `23.09.5` is not normalized, write `23.9.5`",
            "23.09.5",
            "23.9.5",
        ),
    ]


def test_problems_are_sorted_by_path_line_and_code() -> None:
    version, problems = check(
        b"23.9.6\n",
        packages=[package("z/VERSION", b"23.09.5\n")],
        scans=[
            scan("m/requirements.txt", "backend.ai-common==23.09.5\nbackend.ai-common=1\n"),
            scan("b/requirements.txt", "backend.ai-common==23.9.6\n"),
        ],
        branch="24.03",
    )
    assert version == CalVersion.parse("23.9.6")
    assert [(p.path, p.line, p.code) for p in problems] == [
        ("VERSION", 1, "branch-mismatch"),
        ("VERSION", 1, "version-not-display-form"),
        ("m/requirements.txt", 1, "pin-excludes-version"),
        ("m/requirements.txt", 1, "pin-not-normalized"),
        ("m/requirements.txt", 2, "requirement-invalid"),
        ("z/VERSION", 1, "package-version-mismatch"),
    ]
