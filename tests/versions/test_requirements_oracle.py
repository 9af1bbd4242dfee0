"""pip is the oracle of requirements files: what pip 24.2's own parser reads (`parse_requirements`,
then `install_req_from_parsed_requirement`) is what the plugin must find, or report.

For every file pip accepts: pip's first-party requirements are exactly the plugin's pins (at the
line pip gives them, with the specifier pip reads) plus the lines it reports as `pin-unsyncable`
(a first-party requirement installed from a URL or a path), nothing else is reported, and a rewrite
to a new version changes nothing pip reads but the first-party versions. For a file pip refuses,
the plugin raises nothing.

pip resolves local paths against the working directory, so pip runs in a directory that holds the
paths the files name (`_ROOT_FILES`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version
from pip._internal.req.constructors import install_req_from_parsed_requirement
from pip._internal.req.req_file import parse_requirements

from pants_calver.core.versions.pins import PIN_UNSYNCABLE, ScanResult, plan_pin, scan
from pants_calver.core.text import Edit, apply_edits
from pin_sources import Source, requirements

FIRST_PARTY = frozenset({"backend-ai-common", "backend-ai-agent", "backend-ai-manager"})
NEW = Version("24.3.0")
UNSET = "CALVER_ORACLE_UNSET"  # a variable pip leaves as written, as the plugin reads every one

# The paths the generated files name, made in pip's working directory.
_ROOT_FILES = {
    "setup.py": "from setuptools import setup\nsetup()\n",
    "pkg/setup.py": "from setuptools import setup\nsetup()\n",
    "tool/pyproject.toml": "[project]\nname = 'tool'\n",
    "dist/backend.ai_common-23.9.6-py3-none-any.whl": "",
    "dist/six-1.16.0-py2.py3-none-any.whl": "",
    "dist/aiohttp-3.9.0.tar.gz": "",
    "base.txt": "backend.ai-agent==23.9.6\nsix==1.16.0  # pinned\n",
    "constraints.txt": "backend.ai-common>=23.9,<24.4\n-e ./pkg\n",
    "with space.txt": "git+https://github.com/lablup/backend.ai@main#egg=backend.ai-manager\n",
}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert UNSET not in os.environ
    root = tmp_path_factory.mktemp("pip-oracle")
    for path, content in _ROOT_FILES.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(content)
    return root


@contextlib.contextmanager
def _in(directory: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


@dataclass(frozen=True)
class PipRead:
    """One requirement pip reads: where (file, pip's line), what it names, and the rest of what pip
    reads from it (text, options, link, extras, markers), to compare before and after a rewrite."""

    path: str
    line: int
    name: Optional[str]
    direct: bool
    specifier: str
    text: str
    rest: Tuple[Any, ...]

    @property
    def first_party(self) -> bool:
        return self.name in FIRST_PARTY


def pip_reads(root: Path, path: str) -> List[PipRead]:
    """What pip reads from `root/path` and the files it includes; raises what pip raises."""
    found: Dict[Tuple[str, int], PipRead] = {}  # a file included twice is read twice
    limit = sys.getrecursionlimit()
    with _in(root), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pip's deprecation of some `#egg=` names
        logging.disable(logging.WARNING)  # "looks like a filename, but the file does not exist"
        # Python's default limit, as pip runs (hypothesis raises it while it runs a test): pip's
        # marker parser recurses, and how deep a marker it reads depends on it.
        sys.setrecursionlimit(1000)
        try:
            for parsed in parse_requirements(path, session=None):  # type: ignore[arg-type]
                ireq = install_req_from_parsed_requirement(parsed)
                assert parsed.line_source is not None
                _, line, _, source = parsed.line_source.split(" ", 3)
                req = ireq.req
                found.setdefault(
                    (source, int(line)),
                    PipRead(
                        source,
                        int(line),
                        canonicalize_name(ireq.name) if ireq.name else None,
                        ireq.link is not None,
                        str(req.specifier) if req else "",
                        parsed.requirement,
                        (
                            parsed.is_editable,
                            parsed.constraint,
                            repr(parsed.options),
                            str(ireq.link),
                            sorted(ireq.extras),
                            str(ireq.markers),
                            req and req.url,
                        ),
                    ),
                )
        finally:
            sys.setrecursionlimit(limit)
            logging.disable(logging.NOTSET)
    return list(found.values())


def read(root: Path, path: str) -> Tuple[str, ScanResult]:
    text = (root / path).read_bytes().decode("utf-8", "surrogateescape")
    return text, scan(path, text, FIRST_PARTY)


def assert_agrees_with_pip(root: Path, path: str) -> List[PipRead]:
    """pip's first-party requirements of each file it reads are the plugin's pins and
    `pin-unsyncable` lines, with nothing else reported; returns what pip read."""
    pip = pip_reads(root, path)
    files = [path] + sorted({r.path for r in pip} - {path})
    includes = read(root, path)[1].includes
    assert set(files[1:]) <= set(includes), "pip read a file the plugin does not follow"
    for file in files:
        _, result = read(root, file)
        firsts = [r for r in pip if r.path == file and r.first_party]
        assert [p.code for p in result.problems] == [PIN_UNSYNCABLE] * len(result.problems), result.problems
        assert sorted(p.line for p in result.problems) == sorted(r.line for r in firsts if r.direct)
        assert sorted((p.line, p.name) for p in result.pins) == sorted(
            (r.line, r.name) for r in firsts if not r.direct
        )
        for pin in result.pins:
            [same] = [r for r in firsts if (r.line, r.name) == (pin.line, pin.name)]
            written = SpecifierSet(",".join(f"{lit.operator}{lit.text}" for lit in pin.literals))
            assert str(written) == same.specifier, pin
    return pip


def rewrite(root: Path, path: str) -> Dict[Tuple[str, int], str]:
    """Move every pin of `path` that can follow to NEW, on disk; the specifier pip must read after,
    for each pin by (file, line)."""
    text, result = read(root, path)
    edits: List[Edit] = []
    expected = {}
    for pin in result.pins:
        plan = plan_pin(pin, NEW, independent=False)
        new = {(e.line, e.start): e.new for e in plan.edits}
        edits.extend(plan.edits)
        clauses = [f"{lit.operator}{new.get((lit.line, lit.start), lit.text)}" for lit in pin.literals]
        expected[(path, pin.line)] = str(SpecifierSet(",".join(clauses)))
    (root / path).write_bytes(apply_edits(text, edits).encode("utf-8", "surrogateescape"))
    return expected


def assert_rewrite_changes_only_versions(root: Path, path: str, before: List[PipRead]) -> None:
    expected = rewrite(root, path)
    after = pip_reads(root, path)
    assert len(after) == len(before)
    for old, new in zip(before, after):
        pinned = (old.path, old.line) in expected
        assert (new.path, new.line, new.name, new.direct, new.rest) == (
            old.path,
            old.line,
            old.name,
            old.direct,
            old.rest,
        )
        assert new.specifier == (expected[(old.path, old.line)] if pinned else old.specifier)
        if not pinned:
            assert new.text == old.text


# --- Examples: each one a way the plugin once read a requirements file otherwise than pip -------


def _scan(text: str) -> Tuple[list, list, tuple]:
    result = scan("requirements.txt", text, FIRST_PARTY)
    return (
        [(p.line, p.name, p.requirement) for p in result.pins],
        [(p.line, p.code) for p in result.problems],
        result.includes,
    )


DEEP = "x; " + "(" * 1000 + 'python_version>"3"' + ")" * 1000
ACCEPTED_DEEP = "x; " + "(" * 200 + 'python_version>"3"' + ")" * 200


@pytest.mark.parametrize(
    "text, pins, problems, includes",
    [
        pytest.param(
            "backend.ai-common==23.9.6 # the shared library \\\nbackend.ai-agent==23.9.6\n",
            [(1, "backend-ai-common", "backend.ai-common==23.9.6")],
            [],
            (),
            id="a-comment-ending-in-a-backslash-swallows-the-next-line",
        ),
        pytest.param(
            "git+https://github.com/aio-libs/aiohttp@v3.9.0#egg=aiohttp\n"
            "https://example.invalid/wheels/six-1.16.0-py2.py3-none-any.whl\n"
            "./pkg\n.\n./dist/aiohttp-3.9.0.tar.gz\n-e ./pkg\n-e .\n"
            "six @ https://example.invalid/six-1.16.0.tar.gz\n"
            "dist/six-1.16.0-py2.py3-none-any.whl\n",
            [],
            [],
            (),
            id="third-party-urls-and-paths-are-no-problem",
        ),
        pytest.param(
            "git+https://github.com/lablup/backend.ai@main#egg=backend.ai-common&subdirectory=src\n"
            "https://example.invalid/wheels/backend.ai_agent-23.9.6-py3-none-any.whl\n"
            "backend.ai-manager @ https://example.invalid/backend.ai-manager-23.9.6.tar.gz\n"
            "-e git+https://github.com/lablup/backend.ai#egg=backend.ai-agent\n"
            "./dist/backend.ai_common-23.9.6-py3-none-any.whl\n",
            [],
            [
                (1, PIN_UNSYNCABLE),
                (2, PIN_UNSYNCABLE),
                (3, PIN_UNSYNCABLE),
                (4, PIN_UNSYNCABLE),
                (5, PIN_UNSYNCABLE),
            ],
            (),
            id="first-party-urls-and-wheels-cannot-be-kept-in-sync",
        ),
        pytest.param(
            "backend.ai-common==23.9.5\x0cbackend.ai-agent==23.9.5\n# a\u2028b\x85c\nbackend.ai-manager==23.9.5\n",
            [
                (1, "backend-ai-common", "backend.ai-common==23.9.5"),
                (2, "backend-ai-agent", "backend.ai-agent==23.9.5"),
                (6, "backend-ai-manager", "backend.ai-manager==23.9.5"),
            ],
            [],
            (),
            id="pip-breaks-lines-at-form-feeds-and-unicode-separators",
        ),
        pytest.param(
            "\\backend.ai-common==23.9.6 \\\n    --hash=sha256:" + "0" * 64 + "\n",
            [(1, "backend-ai-common", "backend.ai-common==23.9.6")],
            [],
            (),
            id="a-continued-line-loses-backslashes-at-both-ends",
        ),
        pytest.param(
            "backend.ai-common==23.9.6 -\n",
            [(1, "backend-ai-common", "backend.ai-common==23.9.6")],
            [],
            (),
            id="options-begin-at-any-token-starting-with-a-dash",
        ),
        pytest.param(
            "backend.ai-common==23.9.6\t--hash=sha256:" + "0" * 64 + "\n",
            [],
            [(1, "requirement-invalid")],
            (),
            id="options-are-split-at-spaces-only",
        ),
        pytest.param(
            '-r "with space.txt"\n--requirement=base.txt -r other.txt\n',
            [],
            [],
            ("with space.txt", "base.txt"),
            id="option-values-are-split-as-a-shell-does",
        ),
        pytest.param(DEEP + "\n", [], [(1, "requirement-invalid")], (), id="a-marker-nested-1000-deep"),
        pytest.param(ACCEPTED_DEEP + "\n", [], [], (), id="a-marker-nested-200-deep"),
    ],
)
def test_read_as_pip_reads(root: Path, text: str, pins: list, problems: list, includes: tuple) -> None:
    assert _scan(text) == (pins, problems, includes)
    (root / "example.txt").write_bytes(text.encode())
    if problems and problems[0][1] != PIN_UNSYNCABLE:
        with pytest.raises(Exception):
            pip_reads(root, "example.txt")  # pip refuses it as well
    else:
        assert_agrees_with_pip(root, "example.txt")


def test_an_environment_variable_is_read_as_written() -> None:
    assert _scan("backend.ai-common==${BACKEND_AI_VERSION}\n") == (
        [],
        [(1, "requirement-invalid")],
        (),
    )
    [problem] = scan("r.txt", "backend.ai-common==${BACKEND_AI_VERSION}\n", FIRST_PARTY).problems
    assert problem.message == (
        "`backend.ai-common==${BACKEND_AI_VERSION}`: pip reads `${BACKEND_AI_VERSION}` from the environment, "
        "so this requirement can be neither checked nor rewritten; write its value, or edit it by hand"
    )


def test_a_rewrite_lands_where_pip_reads_the_version(root: Path) -> None:
    # pip reads three lines where an editor shows one: the version is still rewritten in place.
    text = "backend.ai-common==23.9.5\x0bbackend.ai-agent==23.9.5\x1cbackend.ai-manager>=23.09\r\n"
    (root / "example.txt").write_bytes(text.encode())
    before = assert_agrees_with_pip(root, "example.txt")
    assert_rewrite_changes_only_versions(root, "example.txt", before)
    assert (root / "example.txt").read_bytes().decode() == (
        "backend.ai-common==24.3.0\x0bbackend.ai-agent==24.3.0\x1cbackend.ai-manager>=23.9\r\n"
    )


# --- The property: generated files, pip as the oracle ---------------------------------------------

_BREAKS = (
    ("\n",) * 6 + ("\r\n",) * 3 + ("\r", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
)
_HASH = "--hash=sha256:" + "0123456789abcdef" * 4
_DIRECT = (
    "git+https://github.com/lablup/backend.ai@main#egg=backend.ai-common&subdirectory=src/ai/backend/common",
    "git+https://github.com/aio-libs/aiohttp@v3.9.0#egg=aiohttp",
    "hg+https://hg.example.invalid/repo#egg=Backend.AI_Agent",
    "https://example.invalid/wheels/backend.ai_common-23.9.6-py3-none-any.whl",
    "https://example.invalid/wheels/six-1.16.0-py2.py3-none-any.whl",
    "https://example.invalid/sdists/backend.ai-agent-23.9.6.tar.gz",
    "https://example.invalid/sdists/x.tar.gz#egg=backend.ai-agent",
    "https://${" + UNSET + "}@example.invalid/wheels/aiohttp-3.9.0-py3-none-any.whl",
    "file://{root}/dist/backend.ai_common-23.9.6-py3-none-any.whl",
    "./dist/backend.ai_common-23.9.6-py3-none-any.whl",
    "dist/six-1.16.0-py2.py3-none-any.whl",
    "./dist/aiohttp-3.9.0.tar.gz",
    "./pkg",
    "./pkg[extra]",
    "pkg/",
    ".",
    "./tool",
    "backend.ai-common @ https://example.invalid/backend.ai-common.tar.gz",
    "Backend.AI_Agent[redis] @ file://{root}/dist/backend.ai_common-23.9.6-py3-none-any.whl",
    "six @ git+https://github.com/benjaminp/six@1.16.0",
    "-e ./pkg",
    "-e .",
    "--editable=./tool",
    "-e git+https://github.com/lablup/backend.ai#egg=backend.ai-agent",
    "-e git+https://github.com/benjaminp/six#egg=six",
    "-e file://{root}/pkg#egg=backend.ai-manager",
)
_OPTIONS = (
    "-r base.txt",
    "-rbase.txt",
    "--requirement=base.txt",
    "-c constraints.txt",
    '-r "with space.txt"',
    "--constraint 'with space.txt'",
    "--index-url https://example.invalid/simple",
    "-i https://example.invalid/backend.ai-common==23.9.6/simple",
    "--extra-index-url https://${" + UNSET + "}@example.invalid/simple",
    "--pre",
    "--no-binary :all:",
    "--only-binary=:none:",
    "-f ./dist",
    "--find-links=./dist",
    "--trusted-host example.invalid",
    "--prefer-binary",
    "--no-index",
)
_COMMENTS = (
    "# backend.ai-common==23.9.6",
    "   #backend.ai-agent==1",
    "# a comment line ending in a backslash never continues \\",
    "#",
)
_TRAILING = (
    "",
    "",
    "",
    "  # pinned",
    " # backend.ai-common==23.09.6",
    " # swallows the next line \\",
    "\t# tab",
    " -",
)
# Lines pip refuses now and then: the plugin must not raise on them.
_REFUSED = (
    "--no-such-option",
    "-r",
    "not a requirement!!",
    "backend.ai-common==23.9.6\t" + _HASH,
    "x; " + "(" * 600 + "extra=='a'" + ")" * 600,
)


@st.composite
def _line(draw: Any, breaks: Any) -> str:
    kind = draw(
        st.sampled_from(
            ["requirement"] * 6 + ["direct"] * 3 + ["option"] * 2 + ["comment", "blank", "refused"]
        )
    )
    if kind == "requirement":
        req = draw(requirements(newlines=breaks))
        line = Source("requirements.txt", (draw(st.sampled_from(["", "", "  "])), req)).text
        if draw(st.integers(0, 3)) == 0:
            line += draw(st.sampled_from([" ", "  "])) + _HASH
        elif draw(st.integers(0, 5)) == 0:
            # pip strips backslashes at both ends of a continued line.
            line = draw(st.sampled_from(["", "\\"])) + line + " \\" + draw(breaks) + "    " + _HASH
    elif kind == "direct":
        line = draw(st.sampled_from(_DIRECT))
        if not line.startswith("-") and draw(st.integers(0, 4)) == 0:
            line += draw(st.sampled_from([" ; ", "; "])) + "python_version >= '3.9'"
    elif kind == "option":
        line = draw(st.sampled_from(_OPTIONS))
    elif kind == "comment":
        return draw(st.sampled_from(_COMMENTS))
    elif kind == "blank":
        return draw(st.sampled_from(["", "  ", "\t"]))
    else:
        return draw(st.sampled_from(_REFUSED))
    return line + draw(st.sampled_from(_TRAILING))


@st.composite
def pip_files(draw: Any) -> str:
    """A requirements file mixing every construct pip accepts, with pip's line breaks."""
    odd = draw(st.booleans())
    breaks = st.sampled_from(_BREAKS if odd else ("\n", "\r\n"))
    text = ""
    for _ in range(draw(st.integers(1, 10))):
        text += draw(_line(breaks)) + draw(breaks)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text


@settings(max_examples=500, deadline=None)
@given(pip_files())
def test_pip_is_the_oracle(root: Path, text: str) -> None:
    text = text.replace("{root}", str(root))
    (root / "requirements.txt").write_bytes(text.encode("utf-8", "surrogateescape"))
    try:
        before = pip_reads(root, "requirements.txt")
    except Exception as e:  # pip refuses the file (InstallationError, InvalidMarker, ValueError...)
        event(f"pip refuses the file ({type(e).__name__})")
        scan("requirements.txt", text, FIRST_PARTY)  # never raises
        return
    event(f"pip accepts the file, {'with' if any(r.first_party for r in before) else 'without'} first-party")
    assert_agrees_with_pip(root, "requirements.txt")
    assert_rewrite_changes_only_versions(root, "requirements.txt", before)


# --- The PEP 508 grammar pip 24.2 parses with (its vendored packaging 24.1) ------------------------


def _pick(valid: Tuple[str, ...], invalid: Tuple[str, ...] = ()) -> Any:
    """Mostly what packaging reads, sometimes what it refuses."""
    return st.sampled_from(valid * 6 + invalid)


_WS = _pick(("", "", "", " ", "  ", "\t"), ("\xa0",))
_MARKER_ATOM = st.tuples(
    _pick(("python_version", "os.name", "extra", "'3'", '"linux"', "sys_platform"), ("python",)),
    _WS,
    _pick(("==", "<", "~=", "===", "in", "not in"), ("not  in", "=", "")),
    _WS,
    _pick(("'3.9'", '"3"', "extra", "'a b'"), ("'\\x'", "3")),
).map("".join)
_MARKERS = st.recursive(
    _MARKER_ATOM,
    lambda inner: st.one_of(
        st.tuples(_pick(("(", "( ")), inner, _pick((")", " )"), ("",))).map("".join),
        st.tuples(inner, _pick((" and ", " or ", ") or ("), (" nor ", "and")), inner).map("".join),
    ),
    max_leaves=4,
)
_CLAUSE = _pick(
    (
        "==1.0",
        "==1.0.*",
        "===abc",
        "~=1.0",
        "==1.0+local",
        "!=1.*",
        "<2",
        ">1.0a1",
        "==v1.0.post1.dev2",
        "== 1.0",
    ),
    (">=1.0.*", "===1,0", "~=1", ">=1.0+l", "==1.0abc", ""),
)
_SPECIFIERS = st.lists(_CLAUSE, max_size=3).flatmap(
    lambda clauses: _pick((",".join(clauses), ", ".join(clauses)), (",".join(clauses) + ",",))
)
_REQUIREMENT_TEXTS = st.tuples(
    _WS,
    _pick(("foo", "foo_", "Foo.Bar-baz", "x1"), ("-x", "foo.", "_foo")),
    _WS,
    _pick(("", "", "[a]", "[a,b]", "[ a , b ]"), ("[a,]", "[]", "[a b]", "[a")),
    _WS,
    st.one_of(
        st.tuples(
            _pick(("@", "@ ")),
            _pick(("https://x/y", "./p", "file:../x", "git+https://g/r@v1#egg=foo"), ("",)),
        ).map("".join),
        _SPECIFIERS,
        st.tuples(_pick(("(", "( ")), _SPECIFIERS, _pick((")", " )"), ("",))).map("".join),
    ),
    _pick(("", " "), ("\t",)),
    st.one_of(st.just(""), st.tuples(_pick((" ; ", "; ", ";")), _MARKERS).map("".join)),
    _pick(("", " "), ("!",)),
).map("".join)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(_REQUIREMENT_TEXTS, _MARKERS))
def test_pep508_reads_requirements_as_pips_packaging(text: str) -> None:
    from pip._vendor.packaging.markers import Marker as PipMarker
    from pip._vendor.packaging.requirements import Requirement as PipRead
    from pip._vendor.packaging.specifiers import SpecifierSet as PipSpecifierSet

    from pants_calver.core.versions.formats import pep508

    def pips(parse: Any) -> Any:
        try:
            return parse()
        except Exception as e:  # InvalidRequirement, InvalidSpecifier, SyntaxError from a bad string
            return type(e)

    theirs = pips(lambda: PipRead(text))
    mine = pips(lambda: pep508.parse(text))
    if isinstance(theirs, type):
        event("refused")
        assert mine is pep508.InvalidRequirement
    else:
        event("read")
        assert not isinstance(mine, type), theirs
        assert (mine.name, set(mine.extras), mine.url or None) == (theirs.name, theirs.extras, theirs.url)
        assert PipSpecifierSet(mine.specifier) == theirs.specifier
        assert PipSpecifierSet(text[mine.span[0] : mine.span[1]].strip(" \t()")) == theirs.specifier
    marker_theirs = pips(lambda: PipMarker(text))
    marker_mine = pips(lambda: pep508.check_marker(text))
    assert isinstance(marker_theirs, type) == isinstance(marker_mine, type)
