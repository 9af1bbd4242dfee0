"""Distribution versions written the standard Pants way (`provides=python_artifact(version=...)`,
`[project] version`): placed, checked, planned and rewritten byte for byte, with no Pants."""

from __future__ import annotations

import dataclasses
from typing import Optional, Sequence

import pytest

from pants_calver.core.versions import artifact_versions
from pants_calver.core.versions.artifact_versions import (
    PROVIDES,
    PYPROJECT,
    ArtifactFile,
    Declared,
    Literal,
    check,
    plan,
    read,
    rewritten,
    twice,
)
from pants_calver.core.versions.bump import BumpRequest, make_plan, plan_bump
from pants_calver.core.versions.formats.build_file import ArtifactCall, find_artifacts
from pants_calver.core.versions.formats.found import located
from pants_calver.core.versions.formats.pyproject import ProjectVersion, find_version
from pants_calver.core.versions import pins
from pants_calver.core.problems import Problem
from pants_calver.core.text import Edit
from pants_calver.core.versions.drift import check_repo
from pants_calver.core.versions.version import CalVersion, NextKind, Scheme
from pants_calver.core.versions.versioned_repo import (
    Distribution,
    Links,
    PackageFile,
    SourceFile,
    VersionedRepo,
)

SCHEME = Scheme()
VERSION = CalVersion.parse("23.09.6")
COMMON = Declared("backend.ai-common", "backend-ai-common", False, "23.9.6")
CLIENT = Declared("backend.ai-client", "backend-ai-client", True, "24.3.1")
CALL = (
    'python_distribution(name="dist", provides=python_artifact(name="backend.ai-common", version="23.9.6"))\n'
)


def build(text: str | bytes, *declared: Declared, path: str = "common/BUILD") -> ArtifactFile:
    content = text.encode() if isinstance(text, str) else text
    return read(path, content, PROVIDES, declared or (COMMON,))


def project(text: str | bytes, *declared: Declared, path: str = "web/pyproject.toml") -> ArtifactFile:
    content = text.encode() if isinstance(text, str) else text
    web = Declared("backend.ai-webserver", "backend-ai-webserver", False)
    return read(path, content, PYPROJECT, declared or (web,))


def literal(line: int, start: int, text: str, declared: Declared = COMMON, **kw) -> Literal:
    kind = kw.pop("kind", PROVIDES)
    path = kw.pop("path", "common/BUILD" if kind == PROVIDES else "web/pyproject.toml")
    return Literal(
        path, line, start, start + len(text), text, declared.name, declared.key, declared.independent, kind
    )


def unreadable(
    line: int, why: str, fix: str = 'write it as version="23.9.6"', read_as: str = "`23.9.6`"
) -> Problem:
    return Problem(
        "common/BUILD",
        line,
        "distribution-version-unreadable",
        f"backend.ai-common: Pants reads the version {read_as} from `provides`, but {why}, so it can be "
        f"neither checked nor rewritten; {fix}",
    )


NOT_PLAIN = "the version there is not one plain string literal"
NO_CALL = 'no `python_artifact(name="backend.ai-common", ...)` with a plain string name stands in this file'
WRITE_CALL = 'write `python_artifact(name="backend.ai-common", version="23.9.6")` here'


# --- Locating `python_artifact(...)` in a BUILD file with tokenize ---------------------------------


def test_find_artifacts_places_the_version_body() -> None:
    [call] = find_artifacts(CALL)
    column = CALL.index("23.9.6")
    assert call == ArtifactCall(1, "backend.ai-common", 1, located("23.9.6", 1, column))


@pytest.mark.parametrize(
    "text, name, version",
    [
        pytest.param("python_artifact(name='a', version='1.0')", "a", "1.0", id="single-quotes"),
        pytest.param('python_artifact(name="a", version="""1.0""")', "a", "1.0", id="triple-quotes"),
        pytest.param("python_artifact(name='a', version='''1.0''')", "a", "1.0", id="single-triple-quotes"),
        pytest.param('setup_py(name="a", version="1.0")', "a", "1.0", id="setup-py-alias"),
        pytest.param(
            'python_artifact(\n  name="a",  # n\n  version="1.0",  # v\n)', "a", "1.0", id="comments"
        ),
        pytest.param('python_artifact(name="a", version=V)', "a", None, id="variable"),
        pytest.param('python_artifact(name="a", version=read("VERSION"))', "a", None, id="call"),
        pytest.param('python_artifact(name="a", version=f"{V}")', "a", None, id="f-string"),
        pytest.param('python_artifact(name="a", version="1." "0")', "a", None, id="implicit-concatenation"),
        pytest.param('python_artifact(name="a", version="1." + "0")', "a", None, id="concatenation"),
        pytest.param('python_artifact(name="a", version=("1.0"))', "a", None, id="parenthesized"),
        pytest.param('python_artifact(name="a", version=r"1.0")', "a", None, id="raw-prefix"),
        pytest.param('python_artifact(name="a", version="1.\\x30")', "a", None, id="escape"),
        pytest.param('python_artifact(name="a", version="""1.0\n""")', "a", None, id="two-lines"),
        pytest.param('python_artifact(name=NAME, version="1.0")', None, "1.0", id="name-variable"),
    ],
)
def test_find_artifacts_reads_only_plain_strings(
    text: str, name: Optional[str], version: Optional[str]
) -> None:
    [call] = find_artifacts(text)
    assert (call.name, call.version.text if call.version else None) == (name, version)
    assert call.version_line == (3 if "# v" in text else 1)


def test_find_artifacts_keyword_line_and_calls_without_version() -> None:
    text = (
        'python_artifact(name="a")\n'
        'python_artifact(\n  name="b",\n  version=\n    V,\n)\n'
        'x = artifact(version="9")\n'
    )
    assert find_artifacts(text) == (ArtifactCall(1, "a"), ArtifactCall(2, "b", 5, None))


def test_find_artifacts_keeps_nested_arguments_apart() -> None:
    text = 'python_artifact(name="a", classifiers=["x", "y"], entry_points={"k": {"v": "w"}}, version="1.0")'
    [call] = find_artifacts(text)
    assert (call.name, call.version.text if call.version else None) == ("a", "1.0")


# --- Reading a BUILD file, held to what Pants read -------------------------------------------------


def test_an_exact_literal_is_a_source() -> None:
    file = build(CALL)
    assert (file.literals, file.problems) == ((literal(1, CALL.index("23.9.6"), "23.9.6"),), ())


@pytest.mark.parametrize(
    "text, problem",
    [
        pytest.param(
            'python_distribution(provides=python_artifact(name="backend.ai-common", version=V))\n',
            unreadable(1, NOT_PLAIN),
            id="variable",
        ),
        pytest.param(
            'python_distribution(provides=python_artifact(name="backend.ai-common", version=v()))\n',
            unreadable(1, NOT_PLAIN),
            id="call",
        ),
        pytest.param(
            'python_distribution(\n  provides=python_artifact(\n    name="backend.ai-common",\n'
            '    version=f"{V}",\n  ),\n)\n',
            unreadable(4, NOT_PLAIN),
            id="f-string",
        ),
        pytest.param(
            'python_distribution(provides=python_artifact(name="backend.ai-common", version="23." + "9.6"))\n',
            unreadable(1, NOT_PLAIN),
            id="concatenation",
        ),
        pytest.param(
            'python_distribution(provides=python_artifact(name="backend.ai-common", version=""))\n',
            unreadable(1, NOT_PLAIN),
            id="empty",
        ),
        pytest.param(
            'python_distribution(provides=python_artifact(name="backend.ai-common", **KW))\n',
            unreadable(1, NOT_PLAIN),
            id="keywords-spread",
        ),
        pytest.param(
            'python_distribution(provides=python_artifact(name="backend.ai-common", version="23.9.5"))\n',
            unreadable(1, "the string literal there reads `23.9.5`"),
            id="pants-reads-another-value",
        ),
        pytest.param(
            'python_distribution(provides=python_artifact(name=NAME, version="23.9.6"))\n',
            unreadable(0, NO_CALL, WRITE_CALL),
            id="name-variable",
        ),
        pytest.param(
            "python_distribution(provides=ARTIFACT)\n",
            unreadable(0, NO_CALL, WRITE_CALL),
            id="artifact-elsewhere",
        ),
        pytest.param(
            CALL + CALL.replace("dist", "dist2"),
            unreadable(
                1, '`python_artifact(name="backend.ai-common", ...)` stands 2 times in this file', "keep one"
            ),
            id="two-calls",
        ),
    ],
)
def test_what_cannot_be_read_exactly_is_reported(text: str, problem: Problem) -> None:
    file = build(text)
    assert (file.literals, file.problems) == ((), (problem,))


def test_a_version_that_is_not_a_string_is_reported() -> None:
    file = build(CALL.replace('"23.9.6"', "23.9"), Declared(COMMON.name, COMMON.key, False, "23.9", False))
    assert file.problems == (
        unreadable(1, NOT_PLAIN, 'write it as version="x.y.z"', read_as="23.9, which is not a string"),
    )


def test_distributions_without_a_provides_version_are_not_read() -> None:
    file = build(
        "python_artifact(name='backend.ai-common', version=V)", Declared(COMMON.name, COMMON.key, False)
    )
    assert (file.literals, file.problems) == ((), ())


def test_a_file_that_does_not_tokenize_is_reported() -> None:
    file = build('python_artifact(name="backend.ai-common", version="23.9.6"\n')
    assert [(p.line, p.code) for p in file.problems] == [(1, "distribution-version-unreadable")]
    assert file.problems[0].message.startswith("cannot read this BUILD file: ")


def test_two_distributions_in_one_build_file() -> None:
    agent = Declared("backend.ai-agent", "backend-ai-agent", False, "23.9.6")
    text = CALL + CALL.replace("dist", "agent").replace("backend.ai-common", "backend.ai-agent")
    file = build(text, COMMON, agent)
    assert [(x.distribution, x.line) for x in file.literals] == [
        ("backend.ai-common", 1),
        ("backend.ai-agent", 2),
    ]


def test_a_byte_order_mark_moves_the_column_on_line_one_only() -> None:
    text = CALL + CALL.replace("backend.ai-common", "backend.ai-agent")
    agent = Declared("backend.ai-agent", "backend-ai-agent", False, "23.9.6")
    plain, marked = build(text, COMMON, agent), build(b"\xef\xbb\xbf" + text.encode(), COMMON, agent)
    assert [x.start for x in marked.literals] == [plain.literals[0].start + 1, plain.literals[1].start]


# --- Reading `[project] version` of a distribution's pyproject.toml -------------------------------

WEB = Declared("backend.ai-webserver", "backend-ai-webserver", False)


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(
            '[project]\nname = "w"\nversion = "23.9.6"  # the release\n',
            ProjectVersion("23.9.6", name="w", literal=located("23.9.6", 3, 11), line=3),
            id="double-quotes",
        ),
        pytest.param(
            "[project]\r\nversion='23.9.6'\r\n",
            ProjectVersion("23.9.6", literal=located("23.9.6", 2, 9), line=2),
            id="single-quotes-crlf",
        ),
        pytest.param('[project]\ndynamic = ["version"]\n', ProjectVersion(dynamic=True), id="dynamic"),
        pytest.param('[tool.poetry]\nversion = "1.0"\n', ProjectVersion(), id="other-table"),
        pytest.param("[project\n", ProjectVersion(toml=False), id="not-toml"),
        pytest.param('project.version = "1.0"\n', ProjectVersion("1.0", line=1), id="dotted-key"),
        pytest.param(
            '[project]\nversion = """1.0"""\n', ProjectVersion("1.0", line=2), id="multi-line-string"
        ),
        pytest.param('[project]\nversion = "1.\\u0030"\n', ProjectVersion("1.0", line=2), id="escape"),
        pytest.param(
            "[project]\nversion = 1.0\n", ProjectVersion("1.0", is_text=False, line=2), id="not-a-string"
        ),
        pytest.param(
            '[project]\ndescription = """\nversion = "1.0"\n"""\nversion = "1.0"\n',
            ProjectVersion("1.0", line=3),
            id="look-alike-in-a-string",
        ),
        pytest.param(
            '[project]\ndescription = """\nversion = "2.0"\n"""\nversion = "1.0"\n',
            ProjectVersion("1.0", literal=located("1.0", 5, 11), line=3),
            id="look-alike-with-another-value",
        ),
    ],
)
def test_find_version(text: str, expected: ProjectVersion) -> None:
    assert find_version(text) == expected


def test_a_project_version_is_a_source() -> None:
    file = project('[project]\nname = "backend.ai-webserver"\nversion = "23.9.6"\n')
    assert file.literals == (literal(3, 11, "23.9.6", WEB, kind=PYPROJECT),)
    assert file.problems == ()


CANNOT_PLACE = (
    "it cannot be placed, so it can be neither checked nor rewritten; "
    'write `version = "x.y.z"` on one line under `[project]`'
)


@pytest.mark.parametrize(
    "text, line, read_as, why",
    [
        pytest.param(
            '[project]\nversion = "23.9.6"\ndynamic = ["version"]\n',
            2,
            "`23.9.6`",
            "`dynamic` lists it too, which PEP 621 forbids; remove one of them",
            id="version-and-dynamic",
        ),
        pytest.param(
            "[project]\nversion = 23.9\n", 2, "23.9, which is not a string", CANNOT_PLACE, id="float"
        ),
        pytest.param('project = {version = "23.9.6"}\n', 1, "`23.9.6`", CANNOT_PLACE, id="inline-table"),
    ],
)
def test_a_project_version_that_cannot_be_read_exactly_is_reported(
    text: str, line: int, read_as: str, why: str
) -> None:
    message = f"`[project] version` reads {read_as}, but {why}"
    assert project(text).problems == (
        Problem("web/pyproject.toml", line, "distribution-version-unreadable", message),
    )


def test_no_project_version_and_not_toml_are_not_reported_here() -> None:
    # A file that is not TOML is reported by the pin scan, which reads every pyproject.toml.
    for text in ('[project]\ndynamic = ["version"]\n', "[project\n", "[tool.black]\n"):
        assert (project(text).literals, project(text).problems) == ((), ())


def test_two_distributions_in_one_directory_are_told_apart_by_project_name() -> None:
    text = '[project]\nname = "Backend.AI_Webserver"\nversion = "23.9.6"\n'
    file = project(text, COMMON, WEB)
    assert [x.distribution for x in file.literals] == ["backend.ai-webserver"]
    file = project(text.replace("Webserver", "Other"), COMMON, WEB)
    assert [p.message for p in file.problems] == [
        "`[project] version` reads `23.9.6`, but it cannot be told whose it is "
        "(backend.ai-common or backend.ai-webserver); set `[project] name` to one of them"
    ]


# --- Checking ---------------------------------------------------------------------------------------


def checked(text: str, *declared: Declared, version: Optional[CalVersion] = VERSION, own=None) -> list:
    return check(
        [build(text, *declared)], version, "VERSION", version.display(SCHEME) if version else None, own or {}
    )


def drift(code: str, message: str, written: str) -> list:
    return [Problem("common/BUILD", 1, code, message, written, "23.9.6")]


@pytest.mark.parametrize(
    "written, problems",
    [
        pytest.param("23.9.6", [], id="in-sync"),
        pytest.param(
            "23.09.6",
            drift(
                "distribution-version-not-normalized",
                "backend.ai-common's provides version `23.09.6` is not normalized, write `23.9.6`",
                "23.09.6",
            ),
            id="padded",
        ),
        pytest.param(
            "23.9.5",
            drift(
                "distribution-version-mismatch",
                "backend.ai-common's provides version is `23.9.5`, but VERSION has `23.09.6`; write `23.9.6`",
                "23.9.5",
            ),
            id="other-version",
        ),
        pytest.param(
            "junk",
            drift(
                "distribution-version-mismatch",
                "backend.ai-common's provides version is `junk`, but VERSION has `23.09.6`; write `23.9.6`",
                "junk",
            ),
            id="not-a-version",
        ),
    ],
)
def test_check_holds_a_shared_distribution_to_the_root_version(written: str, problems: list) -> None:
    text = CALL.replace("23.9.6", written)
    assert checked(text, Declared(COMMON.name, COMMON.key, False, written)) == problems


@pytest.mark.parametrize(
    "written, own, problems",
    [
        pytest.param("24.3.1", None, [], id="no-version-file-normalized"),
        pytest.param(
            "24.03.1",
            None,
            [
                Problem(
                    "client/BUILD",
                    1,
                    "distribution-version-not-normalized",
                    "backend.ai-client's provides version `24.03.1` is not normalized, write `24.3.1`",
                    "24.03.1",
                    "24.3.1",
                )
            ],
            id="no-version-file-padded",
        ),
        pytest.param(
            "x",
            None,
            [
                Problem(
                    "client/BUILD",
                    1,
                    "distribution-version-invalid",
                    "backend.ai-client's provides version `x` is not a version; write the version, e.g. `24.3.1`",
                    "x",
                )
            ],
            id="no-version-file-not-a-version",
        ),
        pytest.param(
            "24.3.0",
            {"backend-ai-client": (CalVersion.parse("24.3.1"), "24.03.1")},
            [
                Problem(
                    "client/BUILD",
                    1,
                    "distribution-version-mismatch",
                    "backend.ai-client's provides version is `24.3.0`, but its own version is `24.03.1`; "
                    "write `24.3.1`",
                    "24.3.0",
                    "24.3.1",
                )
            ],
            id="own-version-file",
        ),
    ],
)
def test_check_holds_an_independent_distribution_to_its_own_version(
    written: str, own, problems: list
) -> None:
    text = CALL.replace("backend.ai-common", "backend.ai-client").replace("23.9.6", written)
    file = read("client/BUILD", text.encode(), PROVIDES, [Declared(CLIENT.name, CLIENT.key, True, written)])
    assert check([file], VERSION, "VERSION", "23.09.6", own or {}) == problems


def test_check_without_a_root_version_checks_only_the_spelling() -> None:
    problems = checked(
        CALL.replace("23.9.6", "23.09.5"), Declared(COMMON.name, COMMON.key, False, "23.09.5"), version=None
    )
    assert [p.code for p in problems] == ["distribution-version-not-normalized"]
    assert (
        checked(
            CALL.replace("23.9.6", "23.9.5"), Declared(COMMON.name, COMMON.key, False, "23.9.5"), version=None
        )
        == []
    )


def test_check_repo_reports_them_in_file_order_with_the_rest() -> None:
    files = [
        build(CALL.replace("23.9.6", "23.9.5"), Declared(COMMON.name, COMMON.key, False, "23.9.5")),
        build(
            "python_artifact(name='backend.ai-agent', version=V)\n",
            Declared("backend.ai-agent", "backend-ai-agent", False, "1"),
            path="agent/BUILD",
        ),
    ]
    version, problems = check_repo(setting_versions(*files, version=b"23.9.6\n"), SCHEME)
    assert [(p.path, p.code) for p in problems] == [
        ("VERSION", "version-not-display-form"),
        ("agent/BUILD", "distribution-version-unreadable"),
        ("common/BUILD", "distribution-version-mismatch"),
    ]


def test_fixable_codes() -> None:
    assert artifact_versions.FIXABLE_CODES == {
        "distribution-version-mismatch",
        "distribution-version-not-normalized",
    }


# --- Set twice ----------------------------------------------------------------------------------------

PROJECT_COMMON = '[project]\nname = "backend.ai-common"\nversion = "23.9.6"\n'


def test_provides_and_a_version_file_is_twice() -> None:
    assert twice([build(CALL)], [("backend.ai-common", "common/VERSION")]) == [
        Problem(
            "common/BUILD",
            1,
            "distribution-version-twice",
            "backend.ai-common's version is set in 2 places: its provides version (common/BUILD:1), "
            "its version file (common/VERSION); keep only one of them",
        )
    ]


def test_provides_and_project_version_is_twice() -> None:
    files = [project(PROJECT_COMMON, COMMON, path="common/pyproject.toml"), build(CALL)]
    [problem] = twice(files, [])
    assert (problem.location, problem.message) == (
        "common/BUILD:1",
        "backend.ai-common's version is set in 2 places: its provides version (common/BUILD:1), "
        "its [project] version (common/pyproject.toml:3); keep only one of them",
    )


def test_an_unplaced_provides_version_and_a_version_file_is_twice() -> None:
    text = "python_artifact(name='backend.ai-common', version=V)"
    [problem] = twice([build(text)], [("Backend.AI_Common", "common/VERSION")])
    assert (problem.location, problem.code) == ("common/BUILD", "distribution-version-twice")
    assert "its provides version (common/BUILD), its version file (common/VERSION)" in problem.message


@pytest.mark.parametrize(
    "files, version_files",
    [
        pytest.param(
            [build(CALL)], [("backend.ai-agent", "agent/VERSION")], id="another-distribution-s-file"
        ),
        pytest.param(
            [build(CALL, Declared(COMMON.name, COMMON.key, False))],
            [("backend.ai-common", "common/VERSION")],
            id="setupgen-style",
        ),
        pytest.param(
            [project('[project]\ndynamic = ["version"]\n', COMMON, path="common/pyproject.toml")],
            [("backend.ai-common", "common/VERSION")],
            id="dynamic-version",
        ),
    ],
)
def test_once_is_not_twice(files: list, version_files: list) -> None:
    assert twice(files, version_files) == []


# --- Planning and rewriting ----------------------------------------------------------------------


def setting_versions(*files: ArtifactFile, version: Optional[bytes] = None, packages=()) -> VersionedRepo:
    """A repo of no distribution and no pin source, with `files` setting distribution versions."""
    return VersionedRepo("VERSION", version, (), tuple(packages), (), artifact_files=tuple(files))


def unlinked(versioned: VersionedRepo) -> Links:
    """No file of `versioned` is a link."""
    return Links({path: path for path in versioned.linkable_paths()})


def planned(file: ArtifactFile, new: str = "23.9.7", old: Optional[str] = "23.09.6", sync: bool = False):
    return plan(file, CalVersion.parse(new), old, "VERSION", sync)


def bumped(
    content: bytes, declared: Sequence[Declared] = (COMMON,), kind: str = PROVIDES, new: str = "23.09.7"
) -> bytes:
    """The bytes `plan_bump` writes for one file that sets a version (and holds no pins)."""
    path = "common/BUILD" if kind == PROVIDES else "common/pyproject.toml"
    file = read(path, content, kind, declared)
    versioned = setting_versions(file)
    result = plan_bump(versioned, CalVersion.parse(new), "23.09.6", unlinked(versioned), SCHEME, sync=False)
    assert result.problems == ()
    [change] = result.changes
    return change.new


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(CALL.encode(), id="double-quotes"),
        pytest.param(CALL.replace('"', "'").encode(), id="single-quotes"),
        pytest.param(CALL.replace('"23.9.6"', '"""23.9.6"""').encode(), id="triple-quotes"),
        pytest.param(CALL.replace('"23.9.6"', "'''23.9.6'''").encode(), id="single-triple-quotes"),
        pytest.param(
            b'# v "23.9.6"\r\npython_distribution(\r\n  provides=python_artifact(\r\n'
            b'    name="backend.ai-common",  # 23.9.6\r\n    version="23.9.6",  # 23.9.6\r\n  ),\r\n)\r\n',
            id="crlf-and-comments",
        ),
        pytest.param(b"\xef\xbb\xbf" + CALL.encode(), id="bom"),
        pytest.param(
            b"\xef\xbb\xbf" + CALL.replace("\n", "\r\n").encode() + b"# caf\xe9\r\n", id="bom-crlf-latin1"
        ),
        pytest.param(b"x = 1\rpython_artifact(name='backend.ai-common', version='23.9.6')\r", id="lone-cr"),
    ],
)
def test_a_bump_changes_only_the_version_characters(content: bytes) -> None:
    new = bumped(content)
    # The version literal (the last `23.9.6` on its line) is the only change.
    at = content.rindex(b'23.9.6"' if b'version="' in content else b"23.9.6'")
    assert new == content[:at] + b"23.9.7" + content[at + len(b"23.9.6") :]


def test_a_bump_rewrites_a_project_version_byte_for_byte() -> None:
    content = b"\xef\xbb\xbf[project]\r\nname = \"backend.ai-common\"\r\nversion = '23.9.6'  # 23.9.6\r\n"
    assert bumped(content, kind=PYPROJECT, new="24.03.0rc1") == content.replace(b"'23.9.6'", b"'24.3.0rc1'")


def test_plan_moves_a_literal_that_holds_the_old_version_in_any_spelling() -> None:
    padded = CALL.replace("23.9.6", "23.09.6")
    file = build(padded, Declared(COMMON.name, COMMON.key, False, "23.09.6"))
    column = padded.index("23.09.6")
    assert planned(file) == ([Edit(1, column, column + 7, "23.9.7")], [])


def test_plan_refuses_a_literal_holding_another_version_unless_syncing() -> None:
    file = build(CALL.replace("23.9.6", "23.9.5"), Declared(COMMON.name, COMMON.key, False, "23.9.5"))
    column = CALL.index("23.9.6")
    assert planned(file) == (
        [],
        [
            Problem(
                "common/BUILD",
                1,
                "distribution-version-mismatch",
                "backend.ai-common's provides version is `23.9.5`, not VERSION's `23.09.6`; "
                "fix it by hand or run with --sync first",
                "23.9.5",
                "23.09.6",
            )
        ],
    )
    assert planned(file, new="23.9.6", sync=True) == (
        [Edit(1, column, column + 6, "23.9.6")],
        [],
    )


def test_plan_with_an_unreadable_root_version_needs_sync() -> None:
    assert planned(build(CALL), new="24.3.0", old=None)[1] == [
        Problem(
            "common/BUILD",
            1,
            "distribution-version-mismatch",
            "backend.ai-common's provides version is `23.9.6`, and VERSION cannot be read; run with --sync first",
            "23.9.6",
            "",
        )
    ]
    assert planned(build(CALL), new="24.3.0", old=None, sync=True)[0][0].new == "24.3.0"


def test_plan_only_normalizes_an_independent_distribution() -> None:
    text = CALL.replace("backend.ai-common", "backend.ai-client")
    padded = Declared(CLIENT.name, CLIENT.key, True, "24.03.1")
    file = read("client/BUILD", text.replace("23.9.6", "24.03.1").encode(), PROVIDES, [padded])
    [edit] = planned(file)[0]
    assert edit.new == "24.3.1"
    in_sync = read("client/BUILD", text.replace("23.9.6", "24.3.1").encode(), PROVIDES, [CLIENT])
    assert planned(in_sync) == ([], [])
    assert planned(in_sync, new="23.9.6", sync=True) == ([], [])
    invalid = read(
        "client/BUILD",
        text.replace("23.9.6", "x").encode(),
        PROVIDES,
        [Declared(CLIENT.name, CLIENT.key, True, "x")],
    )
    assert planned(invalid)[1] == [
        Problem(
            "client/BUILD",
            1,
            "distribution-version-invalid",
            "backend.ai-client's provides version `x` is not a version; write the version, e.g. `24.3.1`",
            "x",
        )
    ]


def test_what_cannot_be_read_or_is_set_twice_stops_the_bump() -> None:
    unplaced = setting_versions(
        build("python_artifact(name='backend.ai-common', version=V)"), version=b"23.09.6\n"
    )
    result = plan_bump(unplaced, VERSION, "23.09.6", unlinked(unplaced), SCHEME, sync=True)
    assert [p.code for p in result.problems] == ["distribution-version-unreadable"]
    package = PackageFile("common/VERSION", b"23.09.6\n", "backend.ai-common", False)
    exact = setting_versions(build(CALL), version=b"23.09.6\n", packages=[package])
    links = Links(unlinked(exact).real_paths, frozenset({"common/VERSION"}))
    result = plan_bump(exact, VERSION, "23.09.6", links, SCHEME, sync=True)
    assert [p.code for p in result.problems] == ["distribution-version-twice"]


def repo(*files: ArtifactFile, sources=()) -> VersionedRepo:
    return VersionedRepo(
        "VERSION",
        b"23.09.6\n",
        (Distribution("backend.ai-common", "backend-ai-common", "common", False),),
        (),
        tuple(sources),
        artifact_files=tuple(files),
    )


def test_make_plan_merges_pins_and_the_version_of_one_file() -> None:
    text = CALL + 'python_requirement(name="r", requirements=["backend.ai-common==23.9.6"])\n'
    scan = pins.scan("common/BUILD", text, {"backend-ai-common"})
    versioned = repo(build(text), sources=[SourceFile("common/BUILD", text.encode(), scan)])
    plan_ = make_plan(versioned, BumpRequest(next=NextKind.patch), SCHEME, unlinked(versioned))
    assert [(c.path, c.what) for c in plan_.changes] == [
        ("VERSION", "version file"),
        ("common/BUILD", "1 pin, 1 provides version"),
    ]
    assert plan_.changes[1].new == text.replace("23.9.6", "23.9.7").encode()


def test_rewritten_places_the_literals_again_after_a_write() -> None:
    file = build(CALL)
    written = CALL.replace("23.9.6", "23.9.7rc1").encode()
    again = rewritten(file, written)
    assert again.literals == (literal(1, CALL.index("23.9.6"), "23.9.7rc1"),)
    assert again.declared[0].provides == "23.9.7rc1"
    web = project('[project]\nversion = "23.9.6"\n')
    assert rewritten(web, b'[project]\nversion = "24.3.0.dev0"\n').literals[0].text == "24.3.0.dev0"


def test_rewritten_reads_past_a_byte_order_mark() -> None:
    file = build(b"\xef\xbb\xbf" + CALL.encode())
    again = rewritten(file, b"\xef\xbb\xbf" + CALL.replace("23.9.6", "23.9.7").encode())
    assert (again.literals, again.problems) == ((literal(1, CALL.index("23.9.6") + 1, "23.9.7"),), ())


def test_values_are_hashable_and_frozen_as_the_engine_keeps_them() -> None:
    file = ArtifactFile("common/BUILD", b"", PROVIDES, (COMMON,))
    assert (file.literals, file.problems) == ((), ())
    held = build(CALL)
    assert hash(held) == hash(build(CALL))
    assert hash(held.literals[0]) == hash(literal(1, CALL.index("23.9.6"), "23.9.6"))
    assert hash(COMMON) == hash(Declared("backend.ai-common", "backend-ai-common", False, "23.9.6"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        held.literals[0].text = "1"  # type: ignore[misc]


def test_a_distribution_without_a_provides_version_does_not_hide_the_next_one() -> None:
    agent = Declared("backend.ai-agent", "backend-ai-agent", False)
    file = build(CALL, agent, COMMON)
    assert [x.distribution for x in file.literals] == ["backend.ai-common"]


# --- The in-sync line ------------------------------------------------------------------------------


def test_summary_counts_the_kinds_of_literal_the_repo_has() -> None:
    assert repo().summary() == "1 distribution, 0 version files and 0 first-party pins"
    files = [
        build(CALL),
        project('[project]\nversion = "23.9.6"\n'),
        project('[project]\nversion = "1"\n', path="x/pyproject.toml"),
    ]
    assert repo(*files).summary() == (
        "1 distribution, 0 version files, 1 provides version, 2 [project] versions and 0 first-party pins"
    )
    assert repo(build("python_artifact(name='backend.ai-common', version=V)")).summary() == (
        "1 distribution, 0 version files and 0 first-party pins"
    )


def test_the_report_counts_only_the_literals_a_bump_edits() -> None:
    client = CALL.replace("backend.ai-common", "backend.ai-client").replace("23.9.6", "24.3.1")
    file = build(CALL + client, COMMON, CLIENT)
    versioned = setting_versions(file)
    new = CalVersion.parse("23.9.7")
    result = plan_bump(versioned, new, "23.09.6", unlinked(versioned), SCHEME, sync=False)
    assert [(c.path, c.what) for c in result.changes] == [("common/BUILD", "1 provides version")]
    assert result.changes[0].new == (CALL.replace("23.9.6", "23.9.7") + client).encode()
