from __future__ import annotations

from typing import Any, Callable, List

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import Version

from pants_calver.pins import (
    Edit,
    Pin,
    PinProblem,
    SourceError,
    SourceKind,
    VersionLiteral,
    apply_edits,
    check_pin,
    decode,
    encode,
    plan_pin,
    scan,
)

FIRST_PARTY = {"backend-ai-common", "backend-ai-client"}
VERSION = Version("23.9.6")


def only_pin(path: str, text: str) -> Pin:
    result = scan(path, text, FIRST_PARTY)
    assert result.errors == ()
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
        PinProblem(
            "pin-not-normalized",
            "`backend.ai-common==23.09.6`: `23.09.6` is not normalized, write `23.9.6`",
            "23.09.6",
            "23.9.6",
        )
    ]
    pin = only_pin("requirements.txt", "backend.ai-common==23.9.5\n")
    assert check_pin(pin, VERSION, independent=False, shown="23.09.6") == [
        PinProblem(
            "pin-excludes-version",
            "`backend.ai-common==23.9.5` pins 23.9.5, but the version is 23.09.6; write `23.9.6`",
            "==23.9.5",
            "23.9.6",
        )
    ]
    pin = only_pin("requirements.txt", "backend.ai-common>=24.3\n")
    assert check_pin(pin, VERSION, independent=False, shown="23.09.6") == [
        PinProblem(
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


def _parse_error(requirement: str) -> str:
    """packaging's own message for a line it cannot read, so the expected error is exact."""
    with pytest.raises(InvalidRequirement) as error:
        Requirement(requirement)
    return str(error.value)


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
    message = _parse_error("not a requirement!!")
    assert result.errors == (
        SourceError(
            "reqs/requirements.txt", 11, f"cannot parse requirement `not a requirement!!`: {message}"
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
    assert (plan.edits, plan.problem) == ((), message)


def test_bytes_survive_decoding() -> None:
    data = b"\xef\xbb\xbfbackend.ai-common==23.9.6\r\n# caf\xe9\r\n"
    text = decode(data)
    assert encode(text) == data
    pin = only_pin("requirements.txt", text)
    edited = apply_edits(text, plan_pin(pin, Version("23.9.7"), False).edits)
    assert encode(edited) == data.replace(b"23.9.6", b"23.9.7")


# --- Properties over generated requirement sources ------------------------------------------------

_versions = st.builds(
    lambda a, b, c: f"{a}.{b}.{c}", st.integers(0, 40), st.integers(0, 12), st.integers(0, 20)
)
_names = st.sampled_from(["backend.ai-common", "Backend.AI_Common", "backend-ai-client", "aiohttp", "six"])
_newlines = st.sampled_from(["\n", "\r\n"])


@st.composite
def _requirement(draw: Callable[..., Any]) -> str:
    name = draw(_names)
    extras = draw(st.sampled_from(["", "[redis]", "[a,b]"]))
    op = draw(st.sampled_from(["==", " == ", ">=", "~="]))
    marker = draw(st.sampled_from(["", '; python_version>="3.9"', " ; sys_platform == 'linux'"]))
    return f"{name}{extras}{op}{draw(_versions)}{marker}"


# Typed as Any: the hypothesis stubs confuse the mypy that Pants 2.17 runs.
_REQUIREMENT: Any = _requirement()


def _with_comment(requirement: str) -> str:
    return requirement + "  # note"


def _has_no_double_quote(requirement: str) -> bool:
    return '"' not in requirement


@st.composite
def _requirements_file(draw: Callable[..., Any]) -> tuple:
    newline = draw(_newlines)
    lines: List[str] = draw(
        st.lists(
            st.one_of(
                _REQUIREMENT,
                _REQUIREMENT.map(_with_comment),
                st.just("# comment"),
                st.just(""),
                st.just("-r other.txt"),
            ),
            max_size=12,
        )
    )
    return "requirements.txt", newline.join(lines) + newline


@st.composite
def _build_file(draw: Callable[..., Any]) -> tuple:
    newline = draw(_newlines)
    requirements: List[str] = draw(st.lists(_REQUIREMENT.filter(_has_no_double_quote), max_size=5))
    body = ", ".join(f'"{r}"' for r in requirements)
    return "BUILD", f'python_requirement(name="r", requirements=[{body}]){newline}python_sources(){newline}'


@st.composite
def _pyproject(draw: Callable[..., Any]) -> tuple:
    newline = draw(_newlines)
    deps: List[str] = draw(st.lists(_REQUIREMENT.filter(_has_no_double_quote), max_size=5))
    lines = ["[project]", 'name = "x"', "dependencies = ["] + [f'  "{d}",' for d in deps] + ["]"]
    return "pyproject.toml", newline.join(lines) + newline


_sources = st.one_of(_requirements_file(), _build_file(), _pyproject())
_FIRST_PARTY = {"backend-ai-common", "backend-ai-client"}


def _rewrite(path: str, text: str, version: Version) -> str:
    result = scan(path, text, _FIRST_PARTY)
    edits: List[Edit] = []
    for pin in result.pins:
        plan = plan_pin(pin, version, independent=pin.name == "backend-ai-client")
        edits.extend(plan.edits)
    return apply_edits(text, edits)


@given(_sources, _versions)
def test_rewrite_changes_only_first_party_version_literals(source: tuple, new: str) -> None:
    path, text = source
    rewritten = _rewrite(path, text, Version(new))
    before, after = scan(path, text, _FIRST_PARTY), scan(path, rewritten, _FIRST_PARTY)
    assert len(before.pins) == len(after.pins)

    # Blank out every literal: what remains must be byte-identical.
    def blanked(text: str, result) -> str:
        return apply_edits(text, [_blank(lit) for pin in result.pins for lit in pin.literals])

    assert blanked(text, before) == blanked(rewritten, after)
    assert rewritten.count("\r\n") == text.count("\r\n")


def _blank(literal: VersionLiteral) -> Edit:
    return Edit(literal.line, literal.start, literal.end, "<v>")


@given(_sources, _versions)
def test_second_rewrite_changes_nothing(source: tuple, new: str) -> None:
    path, text = source
    once = _rewrite(path, text, Version(new))
    assert _rewrite(path, once, Version(new)) == once


@given(_sources, _versions, _versions)
def test_rewriting_back_restores_the_original(source: tuple, old: str, new: str) -> None:
    path, text = source
    # Start from a file whose exact pins already hold `old`, so going back is exact.
    original = _rewrite(path, text, Version(old))
    there = _rewrite(path, original, Version(new))
    assert _rewrite(path, there, Version(old)) == original
