from __future__ import annotations

from typing import List, Tuple

import pytest
from hypothesis import given, settings
from packaging.version import Version

from pants_calver.core.versions.formats import SourceKind
from pants_calver.core.versions.pins import Pin, check_pin, plan_pin, scan
from pants_calver.core.problems import Problem
from pants_calver.core.text import Edit, apply_edits, decode, encode
from pin_sources import (
    FIRST_PARTY,
    INDEPENDENT,
    SOURCES,
    VERSIONS,
    Party,
    Refusal,
    Source,
    bumped,
    expected_check,
    expected_pins,
    means_what_its_pieces_say,
    read_with_format_parser,
)

VERSION = Version("23.9.6")


def only_pin(path: str, text: str) -> Pin:
    result = scan(path, text, FIRST_PARTY)
    assert result.problems == ()
    [pin] = result.pins
    return pin


@pytest.mark.parametrize(
    "line, problems",
    [
        pytest.param("backend.ai-common==23.9.6", [], id="exact"),
        pytest.param("backend-ai-common == 23.9.6  # comment", [], id="spaced-with-comment"),
        pytest.param("backend.ai-common~=23.9.0", [], id="compatible"),
        pytest.param("Backend.AI_Common>=23.9,<23.10", [], id="range-any-spelling-of-name"),
        pytest.param("backend.ai-common", [], id="no-specifier"),
        pytest.param("backend.ai-common==23.09.6", ["pin-not-normalized"], id="padded"),
        pytest.param(
            'backend.ai-common[redis]==23.9.5; python_version>="3.11"',
            ["pin-excludes-version"],
            id="old-pin-with-extras-and-marker",
        ),
        pytest.param("backend.ai-common>=24.3", ["pin-excludes-version"], id="excludes"),
        pytest.param("backend.ai-common>=23.09", ["pin-not-normalized"], id="padded-range"),
        pytest.param("backend.ai-common==23.9.6rc1", ["pin-excludes-version"], id="pre-release-pin"),
        pytest.param(
            "backend.ai-common>=23.09,<23.9.6",
            ["pin-not-normalized", "pin-excludes-version"],
            id="padded-and-excluding",
        ),
    ],
)
def test_check_pin(line: str, problems: List[str]) -> None:
    pin = only_pin("requirements.txt", line + "\n")
    assert [p.code for p in check_pin(pin, VERSION, independent=False)] == problems


def test_message_says_what_to_write() -> None:
    pin = only_pin("requirements.txt", "backend.ai-common==23.09.6\n")
    assert check_pin(pin, VERSION, independent=False) == [
        Problem(
            "requirements.txt",
            1,
            "pin-not-normalized",
            "`backend.ai-common==23.09.6`: `23.09.6` is not normalized, write `23.9.6`",
            "23.09.6",
            "23.9.6",
        )
    ]
    pin = only_pin("requirements.txt", "backend.ai-common==23.9.5\n")
    assert check_pin(pin, VERSION, independent=False, shown="23.09.6") == [
        Problem(
            "requirements.txt",
            1,
            "pin-excludes-version",
            "`backend.ai-common==23.9.5` pins 23.9.5, but the version is 23.09.6; write `23.9.6`",
            "==23.9.5",
            "23.9.6",
        )
    ]
    pin = only_pin("requirements.txt", "backend.ai-common>=24.3\n")
    assert check_pin(pin, VERSION, independent=False, shown="23.09.6") == [
        Problem(
            "requirements.txt",
            1,
            "pin-excludes-version",
            "`backend.ai-common>=24.3` excludes the version 23.09.6",
            ">=24.3",
            "23.9.6",
        )
    ]


def test_independent_pins_are_only_checked_for_spelling() -> None:
    pin = only_pin("requirements.txt", "backend.ai-client==24.3.1\n")
    assert check_pin(pin, VERSION, independent=True) == []
    pin = only_pin("requirements.txt", "backend.ai-client==24.03.1\n")
    assert [p.code for p in check_pin(pin, VERSION, independent=True)] == ["pin-not-normalized"]


def test_third_party_requirements_are_ignored() -> None:
    assert scan("requirements.txt", "aiohttp==3.8.01\n", FIRST_PARTY).pins == ()


def test_requirements_file_syntax() -> None:
    text = (
        "# a comment\n"
        "-r base.txt\n"
        "--constraint=constraints.txt\n"
        "--index-url https://example.invalid/simple\n"
        "aiohttp==3.8.1 \\\n"
        "    --hash=sha256:0000\n"
        "backend.ai-common \\\n"
        "    ==23.9.6\n"
        "backend.ai-client==24.3.1 --hash=sha256:abcd\n"
        "\n"
        "not a requirement!!\n"
    )
    result = scan("reqs/requirements.txt", text, FIRST_PARTY)
    assert result.includes == ("base.txt", "constraints.txt")
    assert [(p.line, p.name, p.requirement, p.hashed) for p in result.pins] == [
        (7, "backend-ai-common", "backend.ai-common     ==23.9.6", False),
        (9, "backend-ai-client", "backend.ai-client==24.3.1", True),
    ]
    literal = result.pins[0].literals[0]
    assert (literal.operator, literal.line, literal.start, literal.end, literal.text) == (
        "==",
        8,
        6,
        12,
        "23.9.6",
    )
    # pip's own reason (packaging 24's grammar, which pip 24.2 reads requirements with).
    assert result.problems == (
        Problem(
            "reqs/requirements.txt",
            11,
            "requirement-invalid",
            "cannot parse requirement `not a requirement!!`: Expected end or semicolon (after name and no "
            "valid version specifier) (column 5); write it as pip reads it (PEP 508, a URL or a path)",
        ),
    )


def test_build_file_requirements() -> None:
    text = (
        'python_requirement(name="a", requirements=["backend.ai-common==23.09.6", "aiohttp"])\n'
        'python_sources(dependencies=["backend.ai-common==1"])\n'
        "python_requirement(\n"
        "    name='b',\n"
        "    requirements=[\n"
        "        'backend.ai-client >= 24.3',  # the SDK\n"
        "    ],\n"
        ")\n"
    )
    result = scan("src/BUILD", text, FIRST_PARTY)
    assert [(p.line, p.requirement) for p in result.pins] == [
        (1, "backend.ai-common==23.09.6"),
        (6, "backend.ai-client >= 24.3"),
    ]
    edits = [e for p in result.pins for e in plan_pin(p, Version("23.9.7"), independent=False).edits]
    assert apply_edits(text, edits) == text.replace("23.09.6", "23.9.7")


def test_pyproject_dependencies() -> None:
    text = (
        "[project]\n"
        'name = "x"\n'
        "dependencies = [\n"
        '  "backend.ai-common==23.9.6",  # pinned\n'
        "  'backend.ai-client>=24.3',\n"
        "]\n"
        "[project.optional-dependencies]\n"
        'redis = ["backend.ai-common[redis]==23.09.6"]\n'
        "[tool.other]\n"
        'dependencies = ["backend.ai-common==1"]\n'
    )
    result = scan("pyproject.toml", text, FIRST_PARTY)
    assert [(p.line, p.requirement) for p in result.pins] == [
        (4, "backend.ai-common==23.9.6"),
        (5, "backend.ai-client>=24.3"),
        (8, "backend.ai-common[redis]==23.09.6"),
    ]


def test_setup_cfg_requirements() -> None:
    text = (
        "[metadata]\n"
        "name = x\n"
        "[options]\n"
        "install_requires =\n"
        "    backend.ai-common==23.09.6\n"
        "    aiohttp>=3  # web\n"
        "python_requires = >=3.9\n"
        "[options.extras_require]\n"
        "client = backend.ai-client==24.3.1\n"
    )
    result = scan("setup.cfg", text, FIRST_PARTY)
    assert [(p.line, p.requirement) for p in result.pins] == [
        (5, "backend.ai-common==23.09.6"),
        (9, "backend.ai-client==24.3.1"),
    ]


@pytest.mark.parametrize(
    "path, kind",
    [
        pytest.param("a/requirements.txt", SourceKind.requirements, id="requirements"),
        pytest.param("a/BUILD", SourceKind.build, id="build"),
        pytest.param("a/BUILD.pants", SourceKind.build, id="build-suffix"),
        pytest.param("a/pyproject.toml", SourceKind.pyproject, id="pyproject"),
        pytest.param("setup.cfg", SourceKind.setup_cfg, id="setup-cfg"),
    ],
)
def test_source_kind(path: str, kind: SourceKind) -> None:
    assert SourceKind.for_path(path) is kind


@pytest.mark.parametrize(
    "line, independent, expected",
    [
        pytest.param("backend.ai-common==23.9.6", False, "backend.ai-common==23.9.7", id="exact"),
        pytest.param("backend.ai-common===23.9.6", False, "backend.ai-common===23.9.7", id="arbitrary"),
        pytest.param("backend.ai-common==23.09.6", False, "backend.ai-common==23.9.7", id="padded-exact"),
        pytest.param(
            "backend.ai-common==23.9.7rc1", False, "backend.ai-common==23.9.7", id="pre-release-exact"
        ),
        pytest.param(
            "backend.ai-common>=23.09,<24", False, "backend.ai-common>=23.9,<24", id="range-normalized"
        ),
        pytest.param("backend.ai-common~=23.9.0", False, "backend.ai-common~=23.9.0", id="compatible-kept"),
        pytest.param(
            "backend.ai-common==23.09.*", False, "backend.ai-common==23.9.*", id="wildcard-normalized"
        ),
        pytest.param(
            "backend.ai-common (==23.9.6, !=23.09.5)",
            False,
            "backend.ai-common (==23.9.7, !=23.9.5)",
            id="parenthesized",
        ),
        pytest.param(
            "backend.ai-common==23.9.7 --hash=sha256:00",
            False,
            "backend.ai-common==23.9.7 --hash=sha256:00",
            id="hash-already-right",
        ),
        pytest.param("backend.ai-client==24.03.1", True, "backend.ai-client==24.3.1", id="independent"),
        pytest.param("backend.ai-client<=22.09", True, "backend.ai-client<=22.9", id="independent-range"),
    ],
)
def test_plan_pin(line: str, independent: bool, expected: str) -> None:
    pin = only_pin("requirements.txt", line)
    plan = plan_pin(pin, Version("23.9.7"), independent)
    assert plan.problem is None
    assert apply_edits(line, plan.edits) == expected


@pytest.mark.parametrize(
    "line, message",
    [
        pytest.param(
            "backend.ai-common>=24.3",
            "`backend.ai-common>=24.3` would not admit 23.9.7; change it by hand",
            id="range-excludes",
        ),
        pytest.param(
            "backend.ai-common<23.9.7",
            "`backend.ai-common<23.9.7` would not admit 23.9.7; change it by hand",
            id="upper-bound",
        ),
        pytest.param(
            "backend.ai-common==23.3.*",
            "`backend.ai-common==23.3.*` would not admit 23.9.7; change it by hand",
            id="wildcard-excludes",
        ),
        pytest.param(
            "backend.ai-common==23.9.6 --hash=sha256:00",
            "`backend.ai-common==23.9.6` carries `--hash` options, which cannot follow a new version",
            id="hash",
        ),
    ],
)
def test_plan_pin_refuses(line: str, message: str) -> None:
    plan = plan_pin(only_pin("requirements.txt", line), Version("23.9.7"), independent=False)
    assert (plan.edits, plan.problem and plan.problem.message) == ((), message)


def test_bytes_survive_decoding() -> None:
    data = b"\xef\xbb\xbfbackend.ai-common==23.9.6\r\n# caf\xe9\r\n"
    text = decode(data)
    assert encode(text) == data
    pin = only_pin("requirements.txt", text)
    edited = apply_edits(text, plan_pin(pin, Version("23.9.7"), False).edits)
    assert encode(edited) == data.replace(b"23.9.6", b"23.9.7")


# --- Properties over generated requirement sources ------------------------------------------------
#
# Each generated file comes with its oracle (pin_sources.py): the pins a scan must find, the pins a
# bump must refuse, and the exact bytes it must write. The cheap pure properties run 300-500
# examples each (hypothesis' default is 100), which keeps both files well under a minute.


def data_of(source: Source) -> bytes:
    return encode(source.text)


def rewrite(path: str, data: bytes, version: Version) -> Tuple[bytes, List[Refusal]]:
    """Bump one file's bytes as bump-version does: plan every pin, apply the edits of the pins that
    can follow, and collect the problems of those that cannot."""
    text = decode(data)
    result = scan(path, text, FIRST_PARTY)
    assert result.problems == ()
    edits: List[Edit] = []
    problems: List[Refusal] = []
    for pin in result.pins:
        plan = plan_pin(pin, version, independent=pin.name in INDEPENDENT)
        if plan.problem is None:
            edits.extend(plan.edits)
        else:
            # A pin that cannot follow is reported and left alone, never half-edited.
            assert plan.edits == ()
            problems.append((pin.line, pin.requirement, plan.problem.message))
    return encode(apply_edits(text, edits)), problems


def expected_rewrite(source: Source, version: Version) -> Tuple[bytes, List[Refusal]]:
    after, problems = bumped(source, version)
    return data_of(after), problems


@settings(max_examples=100, deadline=None)
@given(SOURCES)
def test_generated_sources_mean_what_their_pieces_say(source: Source) -> None:
    # A check of the generators, not of the plugin: the real parsers (packaging for PEP 508, ast for
    # BUILD files, configparser for setup.cfg) read exactly the requirements the pieces describe.
    for req in source.requirements():
        assert means_what_its_pieces_say(req), req.text
    read = read_with_format_parser(source)
    if read is not None:
        assert read == [req.text for req in source.requirements()]


@settings(max_examples=300, deadline=None)
@given(SOURCES)
def test_scan_finds_exactly_the_first_party_pins(source: Source) -> None:
    result = scan(source.path, decode(data_of(source)), FIRST_PARTY)
    assert result.problems == ()
    assert result.includes == source.includes
    found = [
        (
            pin.line,
            pin.name,
            pin.requirement,
            pin.hashed,
            tuple((lit.operator, lit.text) for lit in pin.literals),
        )
        for pin in result.pins
    ]
    assert found == expected_pins(source)


@settings(max_examples=500, deadline=None)
@given(SOURCES, VERSIONS)
def test_rewrite_writes_exactly_the_expected_bytes(source: Source, version: Version) -> None:
    assert rewrite(source.path, data_of(source), version) == expected_rewrite(source, version)


@settings(max_examples=200, deadline=None)
@given(SOURCES, VERSIONS)
def test_second_rewrite_changes_nothing(source: Source, version: Version) -> None:
    once, problems = rewrite(source.path, data_of(source), version)
    assert (once, problems) == expected_rewrite(source, version)
    # The pins that could follow hold the version now; those that could not are refused again.
    assert rewrite(source.path, once, version) == (once, problems)


@settings(max_examples=200, deadline=None)
@given(SOURCES, VERSIONS, VERSIONS)
def test_rewriting_back_restores_the_original(source: Source, old: Version, new: Version) -> None:
    # Start from a file whose pins already hold `old` wherever they can.
    original, _ = bumped(source, old)
    there, there_problems = expected_rewrite(original, new)
    back, back_problems = expected_rewrite(bumped(original, new)[0], old)
    assert rewrite(original.path, data_of(original), new) == (there, there_problems)
    assert rewrite(original.path, there, old) == (back, back_problems)
    if not there_problems and not back_problems:
        assert back == data_of(original)


@settings(max_examples=200, deadline=None)
@given(SOURCES, VERSIONS)
def test_check_pin_reports_exactly(source: Source, version: Version) -> None:
    first_party = [req for req in source.requirements() if req.party is not Party.third]
    pins = scan(source.path, decode(data_of(source)), FIRST_PARTY).pins
    assert len(pins) == len(first_party)
    for pin, req in zip(pins, first_party):
        problems = check_pin(pin, version, independent=req.party is Party.independent)
        expected = expected_check(req, version)
        assert [(p.code, p.found, p.expected) for p in problems] == [(c, f, e) for c, _, f, e in expected]
        stated = [(p.message, row[1]) for p, row in zip(problems, expected) if row[1] is not None]
        assert [got for got, _ in stated] == [want for _, want in stated]
