"""Every requirement source is read exactly or reported: never skipped, never misedited, no crash."""

from __future__ import annotations

from typing import Tuple

import pytest
from packaging.version import Version

from pants_calver.pins import apply_edits, check_pin, plan_pin, scan, split_lines

FIRST_PARTY = {"backend-ai-common"}


def read(path: str, text: str) -> Tuple[list, list, tuple]:
    """(line, requirement, literal places) of each pin, (line, message) of each error, includes."""
    result = scan(path, text, FIRST_PARTY)
    pins = [
        (p.line, p.requirement, [(lit.line, lit.start, lit.text) for lit in p.literals]) for p in result.pins
    ]
    return pins, [(e.line, e.message) for e in result.errors], result.includes


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
            [(1, "`-r` names no file")],
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
            [(1, "`--requirement=` names no file")],
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
                    "cannot parse requirement `backend.ai-common @ https://exa[mple.com/x.whl`: Invalid IPv6 URL",
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
                    "`backend.ai-common==${BACKEND_AI_VERSION}`: `${BACKEND_AI_VERSION}` is not a version, so "
                    "this pin can be neither checked nor rewritten; write the version, or edit the pin by hand",
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


def test_a_wildcard_that_excludes_the_version_is_a_range() -> None:
    [pin] = scan("requirements.txt", "backend.ai-common==23.3.*\n", FIRST_PARTY).pins
    assert [p.message for p in check_pin(pin, Version("23.9.7"), False, "23.09.7")] == [
        "`backend.ai-common==23.3.*` excludes the version 23.09.7"
    ]
