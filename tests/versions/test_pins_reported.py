"""Every requirement source is read exactly or reported: never skipped, never misedited, no crash."""

from __future__ import annotations

import ast
import configparser
import io
from typing import Any, Callable, List, Optional, Tuple

import pytest
import toml
from hypothesis import event, given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from pants_calver.core.versions.pins import ScanResult, check_pin, plan_pin, scan
from pants_calver.core.text import apply_edits, split_lines

FIRST_PARTY = {"backend-ai-common"}


def read(path: str, text: str) -> Tuple[list, list, tuple]:
    """(line, requirement, literal places) of each pin, (line, message) of each error, includes."""
    result = scan(path, text, FIRST_PARTY)
    pins = [
        (p.line, p.requirement, [(lit.line, lit.start, lit.text) for lit in p.literals]) for p in result.pins
    ]
    return pins, [(e.line, e.message) for e in result.problems], result.includes


NOT_PLAIN = (
    "a requirement here is not a plain string, so its version can be neither checked nor rewritten; "
    "write it as one string literal"
)


@pytest.mark.parametrize(
    "path, text, pins, errors, includes",
    [
        pytest.param(
            "requirements.txt",
            "-r\nbackend.ai-common==23.9.6\n",
            [(2, "backend.ai-common==23.9.6", [(2, 19, "23.9.6")])],
            [(1, "pip cannot read `-r`: -r option requires 1 argument; fix or remove it")],
            (),
            id="bare-r",
        ),
        pytest.param(
            "requirements.txt", "-rbase.txt\n-cc.txt\n", [], [], ("base.txt", "c.txt"), id="attached-path"
        ),
        pytest.param(
            "requirements.txt",
            "--requirement=\n",
            [],
            [(1, "`--requirement=` names no file; name one")],
            (),
            id="empty-long-option",
        ),
        pytest.param(
            "requirements.txt",
            "backend.ai-common @ https://exa[mple.com/x.whl\n",
            [],
            [
                (
                    1,
                    "cannot parse requirement `backend.ai-common @ https://exa[mple.com/x.whl`: Invalid IPv6 URL; "
                    "write it as pip reads it (PEP 508, a URL or a path)",
                )
            ],
            (),
            id="url-with-a-stray-bracket",
        ),
        pytest.param(
            "requirements.txt",
            "backend.ai-common==23.9.5 \\",
            [(1, "backend.ai-common==23.9.5", [(1, 19, "23.9.5")])],
            [],
            (),
            id="continuation-on-the-last-line",
        ),
        pytest.param(
            "requirements.txt",
            "backend.ai-common==23.\\\n9.6\n",
            [],
            [
                (
                    1,
                    "`backend.ai-common==23.9.6`: cannot place every version of this requirement in the file, "
                    "so it cannot be rewritten; write it on one line, or edit it by hand",
                )
            ],
            (),
            id="literal-split-by-a-continuation",
        ),
        pytest.param(
            "requirements.txt",
            "backend.ai-common==${BACKEND_AI_VERSION}\n",
            [],
            [
                (
                    1,
                    "`backend.ai-common==${BACKEND_AI_VERSION}`: pip reads `${BACKEND_AI_VERSION}` from the "
                    "environment, so this requirement can be neither checked nor rewritten; write its value, or "
                    "edit it by hand",
                )
            ],
            (),
            id="pip-variable",
        ),
        pytest.param(
            "requirements.txt",
            "aiohttp\rbackend.ai-common==23.9.5\r",
            [(2, "backend.ai-common==23.9.5", [(2, 19, "23.9.5")])],
            [],
            (),
            id="carriage-returns-only",
        ),
        pytest.param(
            "BUILD",
            "python_requirement(name='a', requirements=('backend.ai-common==23.9.5',))\n",
            [(1, "backend.ai-common==23.9.5", [(1, 63, "23.9.5")])],
            [],
            (),
            id="build-tuple",
        ),
        pytest.param(
            "BUILD",
            "python_requirement(\n    name='a',\n    requirements=\n    ['backend.ai-common==23.9.5'],\n)\n",
            [(4, "backend.ai-common==23.9.5", [(4, 25, "23.9.5")])],
            [],
            (),
            id="build-bracket-on-the-next-line",
        ),
        pytest.param(
            "BUILD",
            "python_requirement(name='a', requirements=['backend.ai-common==%s' % V, 'six'])\n",
            [],
            [(1, NOT_PLAIN)],
            (),
            id="build-placeholder",
        ),
        pytest.param(
            "BUILD",
            "# one\x0c two\npython_requirement(name='a', requirements=['backend.ai-common==23.9.5'])\n",
            [(2, "backend.ai-common==23.9.5", [(2, 63, "23.9.5")])],
            [],
            (),
            id="build-form-feed-in-a-comment",
        ),
        pytest.param(
            "pyproject.toml",
            '[project\ndependencies = ["backend.ai-common==23.9.5"]\n',
            [],
            [(1, "this is not valid TOML: Key group not on a line by itself.")],
            (),
            id="broken-pyproject",
        ),
        pytest.param(
            "pyproject.toml",
            '[project]\nname = "x"\noptional-dependencies = { redis = ["backend.ai-common==23.9.5"] }\n',
            [],
            [
                (
                    3,
                    "`backend.ai-common==23.9.5` cannot be placed in the file to be checked or rewritten; write "
                    "it as one string in a `dependencies = [...]` array, or edit it by hand",
                )
            ],
            (),
            id="pyproject-inline-table",
        ),
        pytest.param(
            "pyproject.toml",
            '[project]\noptional-dependencies.redis = ["backend.ai-common==23.9.5"]\n',
            [],
            [
                (
                    2,
                    "`backend.ai-common==23.9.5` cannot be placed in the file to be checked or rewritten; write "
                    "it as one string in a `dependencies = [...]` array, or edit it by hand",
                )
            ],
            (),
            id="pyproject-dotted-keys",
        ),
        pytest.param(
            "pyproject.toml",
            '[project]\ndescription = """\ndependencies = ["backend.ai-common==23.09.6"]\n"""\n'
            'dependencies = ["backend.ai-common==23.9.6"]\n',
            [(5, "backend.ai-common==23.9.6", [(5, 36, "23.9.6")])],
            [],
            (),
            id="pyproject-look-alike-inside-a-string",
        ),
        pytest.param(
            "pyproject.toml",
            '[project . optional-dependencies]\nredis = ["backend.ai-common==23.9.6"]\n',
            [(2, "backend.ai-common==23.9.6", [(2, 29, "23.9.6")])],
            [],
            (),
            id="pyproject-spaced-table-header",
        ),
        pytest.param(
            "BUILD",
            'python_requirement(name="a", requirements=["backend.ai-common" "==23.09.6"])\n',
            [],
            [(1, NOT_PLAIN)],
            (),
            id="build-implicit-concatenation",
        ),
        pytest.param(
            "setup.cfg",
            "[options]\ninstall_requires =\n    backend.ai-common==23.9.5\nnot a key line\n",
            [(3, "backend.ai-common==23.9.5", [(3, 23, "23.9.5")])],
            [(4, "this is not a valid setup.cfg: `not a key line` is no section, key or value")],
            (),
            id="broken-setup-cfg",
        ),
        pytest.param(
            "setup.cfg",
            "[options]\na = 1\na = 2\n",
            [],
            [
                (
                    3,
                    "this is not a valid setup.cfg: While reading from 'setup.cfg' [line  3]: option 'a' in "
                    "section 'options' already exists",
                )
            ],
            (),
            id="setup-cfg-duplicate-key",
        ),
        pytest.param(
            "setup.cfg",
            "[ options ]\ninstall_requires =\n    backend.ai-common==23.9.5\n",
            [],
            [],
            (),
            id="setup-cfg-section-other-than-options",
        ),
        pytest.param(
            "setup.cfg",
            "[options]\ninstall_requires = file: requirements.txt, more.txt\n",
            [],
            [],
            ("requirements.txt", "more.txt"),
            id="setup-cfg-file-directive",
        ),
        pytest.param(
            "setup.cfg",
            "[options]\ninstall_requires =\n    aiohttp\n\n    # a comment\n    backend.ai-common==23.9.5\n",
            [(6, "backend.ai-common==23.9.5", [(6, 23, "23.9.5")])],
            [],
            (),
            id="setup-cfg-blank-and-comment-lines",
        ),
        pytest.param(
            "setup.cfg",
            "[options]\ninstall-requires =\n    backend.ai-common==23.9.5\n",
            [(3, "backend.ai-common==23.9.5", [(3, 23, "23.9.5")])],
            [],
            (),
            id="setup-cfg-dashed-key",
        ),
    ],
)
def test_read_exactly_or_reported(path: str, text: str, pins: list, errors: list, includes: tuple) -> None:
    assert read(path, text) == (pins, errors, includes)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "# a\x0cb\npython_requirement(name='a', requirements=['backend.ai-common==23.9.5'])\n", id="ff"
        ),
        pytest.param(
            "# a\x0bb\npython_requirement(name='a', requirements=['backend.ai-common==23.9.5'])\n", id="vt"
        ),
        pytest.param(
            "# a\u2028b\npython_requirement(name='a', requirements=['backend.ai-common==23.9.5'])\n", id="ls"
        ),
        pytest.param(
            "# a\x85b\npython_requirement(name='a', requirements=['backend.ai-common==23.9.5'])\n", id="nel"
        ),
    ],
)
def test_edits_land_on_the_line_the_scanner_read(text: str) -> None:
    [pin] = scan("BUILD", text, FIRST_PARTY).pins
    edited = apply_edits(text, plan_pin(pin, Version("23.9.7"), independent=False).edits)
    assert edited == text.replace("23.9.5", "23.9.7")


def test_split_lines() -> None:
    assert split_lines("a\r\nb\rc\nd\x0ce\u2028f") == ["a", "b", "c", "d\x0ce\u2028f"]
    assert split_lines("a\r\nb\r", keepends=True) == ["a\r\n", "b\r"]
    assert split_lines("") == []


URL_PIN = "backend.ai-common @ https://example.invalid/backend.ai_common-23.9.6-py3-none-any.whl"
UNSYNCABLE = (
    f"`{URL_PIN}` installs backend.ai-common from a URL or a path, so its version can be neither checked "
    "nor rewritten; require it by version instead (`backend.ai-common==...`)"
)


@pytest.mark.parametrize(
    "path, text, line",
    [
        pytest.param("requirements.txt", f"six\n{URL_PIN}\n", 2, id="requirements"),
        pytest.param("BUILD", f"python_requirement(name='a', requirements=['{URL_PIN}'])\n", 1, id="build"),
        pytest.param(
            "pyproject.toml", f'[project]\nname = "x"\ndependencies = ["{URL_PIN}"]\n', 3, id="pyproject"
        ),
        pytest.param("setup.cfg", f"[options]\ninstall_requires =\n    {URL_PIN}\n", 3, id="setup-cfg"),
    ],
)
def test_a_first_party_url_pin_cannot_be_kept_in_sync(path: str, text: str, line: int) -> None:
    # Every format alike: the version is in the URL, where no bump can follow it.
    result = scan(path, text, FIRST_PARTY)
    assert result.pins == ()
    assert [(p.line, p.code, p.message, p.found) for p in result.problems] == [
        (line, "pin-unsyncable", UNSYNCABLE, URL_PIN)
    ]
    assert scan(path, text.replace("backend.ai-common @", "aiohttp @"), FIRST_PARTY) == ScanResult()


DEEP_MARKER = "x; " + "(" * 1000 + "python_version>'3'" + ")" * 1000


@pytest.mark.parametrize(
    "path, text",
    [
        pytest.param("requirements.txt", f"{DEEP_MARKER}\n", id="requirements"),
        pytest.param("BUILD", f'python_requirement(name="a", requirements=["{DEEP_MARKER}"])\n', id="build"),
        pytest.param(
            "pyproject.toml", f'[project]\nname = "x"\ndependencies = ["{DEEP_MARKER}"]\n', id="pyproject"
        ),
        pytest.param("setup.cfg", f"[options]\ninstall_requires =\n    {DEEP_MARKER}\n", id="setup-cfg"),
    ],
)
def test_a_deeply_nested_marker_is_reported(path: str, text: str) -> None:
    [problem] = scan(path, text, FIRST_PARTY).problems
    assert problem.code == "requirement-invalid"
    assert problem.message.endswith(
        "(PEP 508, a URL or a path)" if path == "requirements.txt" else ": nested too deeply"
    )


def test_a_version_split_where_only_pip_breaks_a_line_is_reported() -> None:
    # pip joins `23.` and `9.6` across a form feed, which an editor shows on one line: the version's
    # characters are not side by side in the file, so no edit can replace it.
    result = scan("requirements.txt", "backend.ai-common==23.\\\x0c9.6\n", FIRST_PARTY)
    assert (result.pins, [p.line for p in result.problems]) == ((), [1])
    assert result.problems[0].message.startswith("`backend.ai-common==23.9.6`: cannot place every version")


def test_a_wildcard_that_excludes_the_version_is_a_range() -> None:
    [pin] = scan("requirements.txt", "backend.ai-common==23.3.*\n", FIRST_PARTY).pins
    assert [p.message for p in check_pin(pin, Version("23.9.7"), False, "23.09.7")] == [
        "`backend.ai-common==23.3.*` excludes the version 23.09.7"
    ]


# --- Read exactly or reported: a property over files with the adversarial forms mixed in ---------
#
# Each generated file mixes ordinary lines with the forms an adversarial review found: every line
# break Python knows, a byte-order mark, tuples, brackets on the next line, placeholders, implicit
# concatenation, inline tables, dotted keys, look-alikes inside strings, blank and comment lines
# inside values, dashed keys, lines the format's parser refuses. The oracle is the format's own
# parser (ast for BUILD, toml for pyproject.toml, configparser for setup.cfg). For every file, one
# of the two holds, never neither: the scanner reports it, or it found exactly the first-party
# requirements the parser reads, and a rewrite changes nothing the parser reads but their versions.

NEW = Version("24.3.0")
_BREAKS = ("\n", "\n", "\n", "\r\n", "\r\n", "\r")  # a lone \r now and then: TOML refuses it
_ODD_BREAKS = ("\x0c", "\x0b", "\x1c", "\x85", "\u2028", "\u2029")
_REQS = (
    "backend.ai-common==23.9.6",
    "backend-ai-common>=23.9",
    "Backend.AI_Common[redis]==23.09.6 ; python_version >= '3.9'",
    "backend.ai-common~=23.9.0",
    "aiohttp==3.8.1",
    "six",
)

_BUILD_PIECES = (
    *(f'python_requirement(name="r", requirements=["{r}"])' for r in _REQS),
    *(f"python_requirement(name='t', requirements=('{r}',))" for r in _REQS[:3]),
    'python_requirement(\n    name="n",\n    requirements=\n    ["backend.ai-common==23.9.6", "six"],\n)',
    'python_requirement(name="p", requirements=["backend.ai-common==%s" % V])',
    'python_requirement(name="c", requirements=["backend.ai-common" "==23.9.6"])',
    'python_requirement(name="f", requirements=[f"backend.ai-common=={V}"])',
    'python_sources(dependencies=["backend.ai-common==1"])',
    '"""python_requirement(requirements=["backend.ai-common==23.9.6"])"""',
    "# a comment{odd}with an odd break",
    "",
)


def _array(draw: Callable[..., Any], multiline: bool) -> str:
    requirements: List[str] = draw(st.lists(st.sampled_from(_REQS), min_size=1, max_size=3))
    quoted = [f'"{r}"' if '"' not in r else f"'{r}'" for r in requirements]
    if multiline:
        return "[\n" + "".join(f"  {q},  # note\n" for q in quoted) + "]"
    return "[" + ", ".join(quoted) + "]"


@st.composite
def _pyproject(draw: Callable[..., Any]) -> List[str]:
    """A `[project]` table with dependencies, and some of the forms a reader could miss."""
    lines = ["[project]", 'name = "x"']
    if draw(st.booleans()):
        lines.append('description = """\ndependencies = ["backend.ai-common==23.09.6"]\n"""')
    lines.append("dependencies = " + _array(draw, draw(st.booleans())))
    extras = draw(st.sampled_from(["none", "table", "spaced-table", "inline", "dotted"]))
    if extras == "inline":
        lines.append(f"optional-dependencies = {{ redis = {_array(draw, False)} }}")
    elif extras == "dotted":
        lines.append(f"optional-dependencies.redis = {_array(draw, False)}")
    elif extras != "none":
        header = (
            "[project.optional-dependencies]" if extras == "table" else "[project . optional-dependencies]"
        )
        lines += [header, f"redis = {_array(draw, draw(st.booleans()))}"]
    if draw(st.booleans()):
        lines += ["[tool.other]", f"dependencies = {_array(draw, False)}"]
    if draw(st.integers(0, 9)) == 0:
        lines.append("[project")
    return lines


@st.composite
def _setup_cfg(draw: Callable[..., Any]) -> List[str]:
    """`[options]` with install_requires, and some of the forms a reader could miss."""
    lines = ["[metadata]", "name = x"] if draw(st.booleans()) else []
    lines.append(draw(st.sampled_from(["[options]", "[options]", "[options]", "[ options ]"])))
    lines.append(draw(st.sampled_from(["install_requires =", "install-requires =", "  install_requires ="])))
    for requirement in draw(st.lists(st.sampled_from(_REQS), min_size=1, max_size=4)):
        lines += draw(st.sampled_from([[], [""], ["    # a comment inside the value"]]))
        lines.append(f"    {requirement}")
    if draw(st.booleans()):
        lines += ["[options.extras_require]", f"redis = {draw(st.sampled_from(_REQS))}"]
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(st.sampled_from(["not a key line", "[options]", "    Backend.AI_Common==23.9.6"])))
    return lines


@st.composite
def _adversarial(draw: Callable[..., Any]) -> Tuple[str, str]:
    path = draw(st.sampled_from(["BUILD", "pyproject.toml", "setup.cfg"]))
    if path == "BUILD":
        chosen: List[str] = draw(st.lists(st.sampled_from(_BUILD_PIECES), min_size=1, max_size=8))
        odd = draw(st.sampled_from(_ODD_BREAKS))
        lines = [piece.replace("{odd}", odd) for piece in chosen]
    else:
        lines = draw(_pyproject() if path == "pyproject.toml" else _setup_cfg())
    text = ""
    for line in lines:
        text += line.replace("\n", draw(st.sampled_from(_BREAKS))) + draw(st.sampled_from(_BREAKS))
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # no final line break
    return path, ("\ufeff" if draw(st.booleans()) else "") + text


def _first_party(requirement: str) -> bool:
    return canonicalize_name(Requirement(requirement).name) in FIRST_PARTY


def _parsed(path: str, text: str) -> Optional[Tuple[List[str], List[str]]]:
    """What the format's own parser reads: (the first-party requirements, everything else it reads,
    with first-party versions blanked), or None when it refuses the file."""
    text = text[1:] if text.startswith("\ufeff") else text
    try:
        if path == "BUILD":
            tree = ast.parse(text)
            nodes = [
                node
                for call in ast.walk(tree)
                if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "python_requirement"
                for keyword in call.keywords
                if keyword.arg == "requirements" and isinstance(keyword.value, (ast.List, ast.Tuple))
                for node in keyword.value.elts
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
            ]
            strings = [node.value for node in nodes]
            for node in nodes:  # the rest of the file, with first-party requirements blanked
                node.value = Requirement(node.value).name if _first_party(node.value) else node.value
            rest = ast.dump(tree)
        elif path == "pyproject.toml":
            project = toml.loads(text).get("project", {})
            extras = project.get("optional-dependencies", {})
            strings = [*project.get("dependencies", []), *(d for deps in extras.values() for d in deps)]
            rest = repr(
                {k: v for k, v in project.items() if k not in ("dependencies", "optional-dependencies")}
            )
        else:
            config = configparser.ConfigParser(interpolation=None)
            config.read_file(io.StringIO(text, newline=None))  # text mode, as setuptools reads it
            values = [
                config.get("options", key)
                for key in ("install_requires", "install-requires")
                if config.has_option("options", key)
            ]
            if config.has_section("options.extras_require"):
                values += [value for _, value in config.items("options.extras_require")]
            strings = [
                line.strip()
                for value in values
                for line in value.splitlines()
                if line.strip() and not line.strip().startswith(("#", "file:"))
            ]
            rest = repr(
                {
                    s: dict(config.items(s))
                    for s in config.sections()
                    if s not in ("options", "options.extras_require")
                }
            )
        first = [s for s in strings if _first_party(s)]
    except (SyntaxError, ValueError, TypeError, IndexError, configparser.Error, InvalidRequirement):
        return None  # The format's parser, or the tool reading the requirements, refuses the file.
    return first, [rest, *(s for s in strings if not _first_party(s))]


@settings(max_examples=1500, deadline=None)
@given(_adversarial())
def test_every_file_is_read_exactly_or_reported(source: Tuple[str, str]) -> None:
    path, text = source
    result = scan(path, text, FIRST_PARTY)
    if result.problems:
        event(f"{path}: reported")
        return  # Reported: check-version-sync exits 1 and bump-version writes nothing.
    parsed = _parsed(path, text)
    assert parsed is not None, "the parser refuses a file the scanner passed silently"
    first, rest = parsed
    assert sorted(pin.requirement for pin in result.pins) == sorted(first)
    plans = [plan_pin(pin, NEW, independent=False) for pin in result.pins]
    if any(plan.problem for plan in plans):
        event(f"{path}: a pin that cannot follow")
        return  # Reported by bump-version, which then writes nothing.
    event(f"{path}: read exactly, {'with' if result.pins else 'without'} first-party pins")
    rewritten = apply_edits(text, [edit for plan in plans for edit in plan.edits])
    after = _parsed(path, rewritten)
    assert after is not None
    assert after[1] == rest  # nothing but first-party versions changed
    for requirement in after[0]:
        specifier = Requirement(requirement).specifier
        assert specifier.contains(NEW, prereleases=True), requirement
        assert all(
            spec.version == str(NEW) for spec in specifier if spec.operator in ("==", "===")
        ), requirement
