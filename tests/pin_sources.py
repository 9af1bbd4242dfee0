"""Generated requirement sources, built from tagged pieces, and what a bump must make of them.

A generated file is a tuple of pieces: plain text, line breaks, `\\` continuations and requirements,
whose version literals are tagged with their operator. Because every piece says what it is, the
pins a scan must find, the problems a plan must report and the bytes a bump must write follow from
the rules in docs/bump-version.md alone, without asking the code under test where anything is:

- an exact pin (`==`, `===`, not ending in `.*`) on a first-party distribution that shares VERSION
  gets the new version, `str(version)`;
- every other first-party literal is only normalized (`23.09.*` → `23.9.*`, `>=23.09` → `>=23.9`);
- third-party literals, and text that only looks like a pin outside the places the docs list
  (comments, URLs, other tables, other keys, other targets), never change;
- a first-party pin whose new specifier would not admit the version, or that would change on a
  line carrying `--hash` options, is a problem and keeps its bytes.

The generators stay inside the syntax the docs promise. The forms that are read exactly or
reported, rather than pinned, have their own tests: placeholders in specifiers, BUILD tuples or a
`[` on the next line, pyproject inline tables or dotted keys, a `\\` inside a version literal, blank
or comment lines inside a setup.cfg value, `install-requires` with a dash, and a first-party
`name @ url` (tests/versions/test_pins_reported.py); requirements files with every construct and line break
pip reads, pip itself as the oracle (tests/versions/test_requirements_oracle.py, which uses `requirements`).
"""

from __future__ import annotations

import ast
import configparser
import itertools
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple, Union

from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version


class Party(Enum):
    """Whose distribution a requirement names: this decides what a bump does to its literals."""

    shared = "shared"  # first party, on the repo's VERSION
    independent = "independent"  # first party, keeps its own version (`[calver].independent`)
    third = "third"  # anyone else's: never touched


FIRST_PARTY = frozenset({"backend-ai-common", "backend-ai-manager", "backend-ai-client"})
INDEPENDENT = frozenset({"backend-ai-client"})

# (as written, canonical name, party). The spellings are the ones PEP 503 makes equal.
NAMES: Tuple[Tuple[str, str, Party], ...] = (
    ("backend.ai-common", "backend-ai-common", Party.shared),
    ("Backend.AI_Common", "backend-ai-common", Party.shared),
    ("backend_ai_common", "backend-ai-common", Party.shared),
    ("BACKEND--AI..COMMON", "backend-ai-common", Party.shared),
    ("backend.ai-manager", "backend-ai-manager", Party.shared),
    ("backend.ai-client", "backend-ai-client", Party.independent),
    ("Backend.AI_Client", "backend-ai-client", Party.independent),
    ("backend_ai_client", "backend-ai-client", Party.independent),
    ("aiohttp", "aiohttp", Party.third),
    ("six", "six", Party.third),
    # Starts like a first-party name, but is another distribution.
    ("backend.ai-common-extras", "backend-ai-common-extras", Party.third),
)
OPERATORS = ("==", "===", "!=", "<=", ">=", "<", ">", "~=")


# --- Pieces ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lit:
    """One `operator version` clause of a specifier; a rewrite may change `text` and nothing else."""

    operator: str
    space: str
    text: str


@dataclass(frozen=True)
class Newline:
    """A line break of the file: LF or CRLF."""

    text: str


@dataclass(frozen=True)
class Continuation:
    """A requirements-file `\\` continuation: `\\` and a line break in the file, nothing in the
    logical line pip reads."""

    newline: str


Part = Union[str, Lit, Continuation]


@dataclass(frozen=True)
class Req:
    """A requirement as written in the file. `name` is the canonical name a scan must report."""

    name: str
    party: Party
    parts: Tuple[Part, ...]
    hashed: bool = False

    @property
    def literals(self) -> Tuple[Lit, ...]:
        return tuple(part for part in self.parts if isinstance(part, Lit))

    @property
    def text(self) -> str:
        """The requirement as its format's parser reads it: continuations joined."""
        return "".join(_render(part, joined=True) for part in self.parts)


Piece = Union[str, Newline, Continuation, Req]


@dataclass(frozen=True)
class Source:
    """A generated file: its path (which decides its format), its pieces and the files it includes."""

    path: str
    pieces: Tuple[Piece, ...]
    includes: Tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "".join(_render(piece) for piece in self.pieces)

    def requirements(self) -> List[Req]:
        return [piece for piece in self.pieces if isinstance(piece, Req)]


def _render(piece: Union[Piece, Part], joined: bool = False) -> str:
    if isinstance(piece, str):
        # A line break hidden in plain text would put every later line number off.
        assert "\n" not in piece and "\r" not in piece, f"a line break in plain text: {piece!r}"
        return piece
    if isinstance(piece, Lit):
        return f"{piece.operator}{piece.space}{piece.text}"
    if isinstance(piece, Newline):
        return piece.text
    if isinstance(piece, Continuation):
        return "" if joined else "\\" + piece.newline
    return "".join(_render(part, joined) for part in piece.parts)


def _walk(source: Source) -> Iterator[Tuple[int, Piece]]:
    """Each piece with the (1-based) line it starts on."""
    line = 1
    for piece in source.pieces:
        yield line, piece
        if isinstance(piece, Req):
            line += sum(isinstance(part, Continuation) for part in piece.parts)
        elif isinstance(piece, (Newline, Continuation)):
            line += 1


def _placed(source: Source) -> Iterator[Tuple[int, Req]]:
    """Each requirement with the line it starts on."""
    for line, piece in _walk(source):
        if isinstance(piece, Req):
            yield line, piece


# --- The oracle: the rules of docs/bump-version.md, applied to the pieces --------------------------


def normalized(literal: str) -> str:
    """A version literal as `packaging` prints it; a wildcard keeps its `.*`."""
    if literal.endswith(".*"):
        return str(Version(literal[:-2])) + ".*"
    return str(Version(literal))


def wanted(req: Req, lit: Lit, version: Version) -> str:
    """The literal after bumping to `version`, if the pin has no problem."""
    if req.party is Party.third:
        return lit.text
    exact = lit.operator in ("==", "===") and not lit.text.endswith(".*")
    if req.party is Party.shared and exact:
        return str(version)
    return normalized(lit.text)


def problem(req: Req, version: Version) -> Optional[str]:
    """Why bumping `req` to `version` needs a person, or None.

    The order of the two reasons is plan_pin's documented one: admission first, then `--hash`.
    """
    if req.party is Party.third:
        return None
    literals = req.literals
    new = [wanted(req, lit, version) for lit in literals]
    if req.party is Party.shared and literals:
        specifier = SpecifierSet(",".join(f"{lit.operator}{text}" for lit, text in zip(literals, new)))
        if not specifier.contains(version, prereleases=True):
            return f"`{req.text}` would not admit {version}; change it by hand"
    if req.hashed and any(text != lit.text for lit, text in zip(literals, new)):
        return f"`{req.text}` carries `--hash` options, which cannot follow a new version"
    return None


Refusal = Tuple[int, str, str]  # (line, requirement as read, message)


def bumped(source: Source, version: Version) -> Tuple[Source, List[Refusal]]:
    """The file after bumping to `version`, and the pins that must be reported instead of edited."""
    pieces: List[Piece] = []
    problems: List[Refusal] = []
    for line, piece in _walk(source):
        if isinstance(piece, Req):
            why = problem(piece, version)
            if why is not None:
                problems.append((line, piece.text, why))
            else:
                piece = replace(
                    piece,
                    parts=tuple(
                        replace(part, text=wanted(piece, part, version)) if isinstance(part, Lit) else part
                        for part in piece.parts
                    ),
                )
        pieces.append(piece)
    return replace(source, pieces=tuple(pieces)), problems


PinRow = Tuple[int, str, str, bool, Tuple[Tuple[str, str], ...]]


def expected_pins(source: Source) -> List[PinRow]:
    """What a scan must find: (line, canonical name, requirement, hashed, (operator, literal)...)."""
    return [
        (line, req.name, req.text, req.hashed, tuple((lit.operator, lit.text) for lit in req.literals))
        for line, req in _placed(source)
        if req.party is not Party.third
    ]


CheckRow = Tuple[str, Optional[str], str, str]  # (code, message or None if unstated, found, expected)


def expected_check(req: Req, version: Version) -> List[CheckRow]:
    """What check-version-sync reports for one first-party pin (docs/check-version-sync.md): each
    literal not normalized, then a specifier that excludes the version (unless independent)."""
    rows: List[CheckRow] = [
        (
            "pin-not-normalized",
            f"`{req.text}`: `{lit.text}` is not normalized, write `{normalized(lit.text)}`",
            lit.text,
            normalized(lit.text),
        )
        for lit in req.literals
        if normalized(lit.text) != lit.text
    ]
    if req.party is not Party.shared or not req.literals:
        return rows
    specifier = SpecifierSet(",".join(f"{lit.operator}{normalized(lit.text)}" for lit in req.literals))
    if specifier.contains(version, prereleases=True):
        return rows
    message: Optional[str] = f"`{req.text}` excludes the version {version}"
    if len(req.literals) == 1 and req.literals[0].operator in ("==", "==="):
        only = req.literals[0]
        if only.text.endswith(".*"):
            # The docs do not say how a lone `==x.y.*` that excludes the version is worded.
            message = None
        else:
            message = (
                f"`{req.text}` pins {normalized(only.text)}, but the version is {version}; write `{version}`"
            )
    rows.append(("pin-excludes-version", message, str(specifier), str(version)))
    return rows


# --- What the formats' own parsers read, to prove a generated file means what its pieces say ------


def means_what_its_pieces_say(req: Req) -> bool:
    """Whether PEP 508's parser (packaging) reads the requirement's name and exactly its clauses."""
    requirement = Requirement(req.text)
    clauses = SpecifierSet(",".join(f"{lit.operator}{lit.text}" for lit in req.literals))
    return canonicalize_name(requirement.name) == req.name and requirement.specifier == clauses


def read_with_format_parser(source: Source) -> Optional[List[str]]:
    """The requirement strings the format's own parser reads from the places the docs list, in file
    order; None for requirements files, whose parser (pip) is not importable here."""
    text = source.text
    if source.path.endswith("BUILD"):
        found: List[str] = []
        for statement in ast.parse(text).body:
            call = statement.value if isinstance(statement, ast.Expr) else None
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "python_requirement":
                for keyword in call.keywords:
                    if keyword.arg == "requirements":
                        found.extend(element.value for element in keyword.value.elts)  # type: ignore
        return found
    if source.path.endswith("setup.cfg"):
        # As setuptools reads it: case-sensitive keys, a multi-line value split into lines, a
        # one-line value split at `;`, comments after ` #` dropped.
        parser = configparser.ConfigParser(interpolation=None)
        parser.optionxform = str  # type: ignore[assignment, method-assign]
        parser.read_string(text)
        values = []
        for section in parser.sections():
            if section == "options" and parser.has_option(section, "install_requires"):
                values.append(parser.get(section, "install_requires"))
            elif section == "options.extras_require":
                values.extend(parser.get(section, key) for key in parser.options(section))
        found = []
        for value in values:
            items = value.splitlines() if "\n" in value else value.split(";")
            found.extend(item.partition(" #")[0].strip() for item in items)
        return [item for item in found if item]
    return None


# --- Strategies ------------------------------------------------------------------------------------

Draw = Callable[..., Any]

_MARKERS = ('python_version >= "3.9"', "sys_platform == 'linux'", 'extra == "redis"')
_HASH = "--hash=sha256:" + "0123456789abcdef" * 4


def _version(
    major: int, minor: int, patch: int, pre: Optional[Tuple[str, int]], dev: Optional[int]
) -> Version:
    text = f"{major}.{minor}.{patch}"
    if pre is not None:
        text += f"{pre[0]}{pre[1]}"
    if dev is not None:
        text += f".dev{dev}"
    return Version(text)


# A few releases close together, so that ranges in the pins sometimes admit the new version and
# sometimes not, and exact pins sometimes already hold it.
_MAJORS = st.sampled_from([23, 24])
_MINORS = st.sampled_from([3, 9])
_PATCHES = st.sampled_from([0, 6, 7])

#: The version a bump moves to: finals, pre-releases and development releases.
VERSIONS: Any = st.builds(
    _version,
    _MAJORS,
    _MINORS,
    _PATCHES,
    st.one_of(st.none(), st.tuples(st.sampled_from(["a", "b", "rc"]), st.integers(0, 2))),
    st.one_of(st.none(), st.integers(0, 2)),
)


def _release_spellings(operator: str) -> Tuple[str, ...]:
    """Release numbers as people write them: normalized (most often), padded, short, long, `v`."""
    spelled: List[str] = []
    for major, minor, patch in itertools.product((23, 24), (3, 9), (0, 6, 7)):
        spelled.extend([f"{major}.{minor}.{patch}"] * 4)
        spelled.extend(
            [f"{major}.{minor:02d}.{patch}", f"{major}.{minor}.0{patch}", f"v{major}.{minor}.{patch}"]
        )
        spelled.extend([f"{major}.{minor}.{patch}.0", f"{major}.{minor}", f"{major}.{minor:02d}"])
        if operator != "~=":  # `~=` needs two release parts
            spelled.append(str(major))
    return tuple(spelled)


_PRE = tuple(f"{tag}{number}" for tag in ("a", "b", "rc") for number in range(3))
_DEV = tuple(f".dev{number}" for number in range(3))
# Every spelling packaging reads in a specifier (not `alpha`, `beta`, `preview`: packaging 21.3's
# specifier grammar stops at their first letter).
_PRE_SPELLED = tuple(
    f"{separator}{tag}{number}"
    for tag in ("a", "A", "b", "B", "rc", "RC", "c", "pre")
    for separator in ("", ".", "-", "_")
    for number in ("0", "1", "2", "01")
)
_DEV_SPELLED = tuple(
    f"{separator}{dev}{number}"
    for separator in ("", "-", "_", ".")
    for dev in ("dev", "DEV")
    for number in ("0", "1", "01")
)
_SUFFIXES = {
    "final": ("",),
    "pre": _PRE,
    "dev": _DEV,
    "pre-dev": tuple(pre + dev for pre in _PRE for dev in _DEV),
    "spelled": tuple(pre + dev for pre in _PRE_SPELLED for dev in ("", ".dev1")) + _DEV_SPELLED,
}
# Wildcards get short releases, so that they sometimes admit the new version.
_WILDCARDS = st.sampled_from(
    [
        wildcard
        for major, minor, patch in itertools.product((23, 24), (3, 9), (0, 6, 7))
        for wildcard in (
            f"{major}.{minor}.*",
            f"{major}.{minor:02d}.*",
            f"{major}.*",
            f"{major}.{minor}.{patch}.*",
        )
    ]
)
_RELEASES = {operator: st.sampled_from(_release_spellings(operator)) for operator in OPERATORS}
_SUFFIX_KINDS = {
    operator: st.sampled_from(
        ["final"] * 4
        + ["pre", "dev", "pre-dev", "spelled"]
        + (["wildcard"] * 3 if operator in ("==", "!=") else [])
    )
    for operator in OPERATORS
}


@st.composite
def _literal(draw: Draw, operator: str) -> str:
    """A version literal as people write it: padded, short, pre/dev parts in any spelling packaging
    reads in a specifier, a `v`, a wildcard where the operator allows one. Drawn from tables, so
    that a file costs few draws."""
    kind = draw(_SUFFIX_KINDS[operator])
    if kind == "wildcard":
        return draw(_WILDCARDS)
    return draw(_RELEASES[operator]) + draw(st.sampled_from(_SUFFIXES[kind]))


@st.composite
def requirements(draw: Draw, newlines: Optional[Any] = None, markers: bool = True) -> Req:
    """One PEP 508 requirement. With `newlines`, `\\` continuations may split it where pip allows
    (never inside a version literal); with `markers` false, it has no `;` (a one-line setup.cfg
    value, which setuptools splits at `;`)."""
    written, name, party = draw(st.sampled_from(NAMES))
    parts: List[Part] = [written + draw(st.sampled_from(["", "", "[redis]", "[redis,s3]", " [redis]"]))]

    def gap(default: Sequence[str]) -> List[Part]:
        if newlines is not None and draw(st.integers(0, 4)) == 0:
            return [" ", Continuation(draw(newlines)), "    "]
        return [draw(st.sampled_from(default))]

    forms = ["bare", "specifier", "specifier", "specifier", "parenthesized"]
    # A first-party `name @ url` is reported (pin-unsyncable), not pinned: tests/versions/test_pins_reported.py.
    form = draw(st.sampled_from(forms + ["url"] if party is Party.third else forms))
    if form == "url":
        # The version in the URL is no literal: it must not change.
        parts.append(f" @ https://example.invalid/wheels/{name}-23.09.6-py3-none-any.whl")
    elif form != "bare":
        operators = draw(st.lists(st.sampled_from(OPERATORS), min_size=1, max_size=3))
        if "===" in operators:
            # packaging reads the rest of a `===` clause up to white space, commas and `;` included,
            # and not inside parentheses: write it alone, with a space before a marker.
            operators = [operator for operator in operators if operator != "==="] or ["==="]
            form = "specifier" if operators == ["==="] else form
        parts.extend(gap(["", " "]))
        if form == "parenthesized":
            parts.append("(")
        for i, operator in enumerate(operators):
            if i:
                parts.append(",")
                parts.extend(gap(["", " "]))
            parts.append(Lit(operator, draw(st.sampled_from(["", "", " "])), draw(_literal(operator))))
        if form == "parenthesized":
            parts.append(")")
    if markers and draw(st.integers(0, 3)) == 0:
        spaced = form == "url" or any(isinstance(part, Lit) and part.operator == "===" for part in parts)
        parts.extend(gap([" "] if spaced else ["", " "]))
        parts.append("; " + draw(st.sampled_from(_MARKERS)))
    return Req(name, party, tuple(parts))


_REQUIREMENTS: Any = requirements()


def _newlines(draw: Draw) -> Any:
    """The line breaks of one file: all LF, all CRLF, or mixed."""
    style = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    return st.sampled_from(["\n", "\r\n"]) if style == "mixed" else st.just(style)


def _end(draw: Draw, pieces: List[Piece]) -> None:
    """A final newline, or none."""
    final = draw(st.sampled_from(["", "\n", "\r\n"]))
    if pieces and final:
        pieces.append(Newline(final))


def _joined(draw: Draw, newlines: Any, lines: Sequence[Sequence[Piece]]) -> List[Piece]:
    pieces: List[Piece] = []
    for i, line in enumerate(lines):
        if i:
            pieces.append(Newline(draw(newlines)))
        pieces.extend(line)
    _end(draw, pieces)
    return pieces


# (the line, the file it includes or None)
_PIP_OPTIONS: Tuple[Tuple[str, Optional[str]], ...] = (
    ("-r base.txt", "base.txt"),
    ("-c constraints.txt", "constraints.txt"),
    ("--requirement ../common/requirements.txt", "../common/requirements.txt"),
    ("--requirement=other.txt", "other.txt"),
    ("--constraint=constraints.txt", "constraints.txt"),
    ("-r  base.txt  # the shared pins", "base.txt"),
    ("--index-url https://example.invalid/simple", None),
    ("--extra-index-url https://example.invalid/backend.ai-common==23.09.6/simple", None),
    ("-i https://example.invalid/simple", None),
    ("--find-links ./wheels", None),
    ("--pre", None),
    ("--no-binary :all:", None),
    ("-e ./src/ai/backend/common", None),
)
_COMMENTS = (
    "# pinned together: backend.ai-common==23.09.6",
    "#backend.ai-common>=23.09",
    "# café",
    "# caf\udce9",
)


@st.composite
def requirements_files(draw: Draw) -> Source:
    """A pip requirements file: requirements (with `\\` continuations, `--hash` options and comments),
    pip options and includes, comments, blank lines; a BOM or not; LF, CRLF or mixed."""
    newlines = _newlines(draw)
    lines: List[List[Piece]] = []
    includes: List[str] = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["requirement"] * 4 + ["comment", "blank", "option"]))
        if kind == "comment":
            lines.append([draw(st.sampled_from(_COMMENTS))])
        elif kind == "blank":
            lines.append([draw(st.sampled_from(["", "   "]))])
        elif kind == "option":
            option, include = draw(st.sampled_from(_PIP_OPTIONS))
            lines.append([option])
            if include is not None:
                includes.append(include)
        else:
            req = draw(requirements(newlines=newlines))
            line: List[Piece] = [draw(st.sampled_from(["", "", "  "]))]
            hashes = draw(st.sampled_from(["", "", "", "inline", "continued"]))
            line.append(replace(req, hashed=bool(hashes)))
            if hashes == "inline":
                line.append(f" {_HASH}")
            elif hashes == "continued":
                for _ in range(draw(st.integers(1, 2))):
                    line.extend([" ", Continuation(draw(newlines)), f"    {_HASH}"])
            line.append(draw(st.sampled_from(["", "", "  # pinned", " # backend.ai-common==23.09.6", "  "])))
            lines.append(line)
    pieces = _joined(draw, newlines, lines)
    if draw(st.booleans()):
        pieces.insert(0, "\ufeff")
    path = draw(st.sampled_from(["requirements.txt", "src/ai/backend/web/requirements-dev.txt"]))
    return Source(path, tuple(pieces), tuple(includes))


def _quoted(draw: Draw, req: Union[Req, str]) -> List[Piece]:
    """A requirement as a one-line string literal, in a quote it does not contain."""
    text = req if isinstance(req, str) else req.text
    quotes = [quote for quote in ('"', "'") if quote not in text]
    quote = draw(st.sampled_from(quotes))
    return [quote, req, quote]


def _decoy(draw: Draw) -> str:
    """A requirement written where no pin is read: plain text, it must never change."""
    return draw(_REQUIREMENTS.filter(lambda req: req.party is not Party.third)).text


@st.composite
def build_files(draw: Draw) -> Source:
    """A BUILD file: several `python_requirement` calls (one line or many, kwargs in any order,
    comments in the list), other targets whose strings look like pins, comments."""
    newlines = _newlines(draw)
    lines: List[List[Piece]] = []
    for index in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["requirement"] * 3 + ["other", "comment", "blank"]))
        if kind == "comment":
            lines.append(["# backend.ai-common==23.09.6 is the shared library"])
        elif kind == "blank":
            lines.append([""])
        elif kind == "other":
            lines.extend(
                draw(
                    st.sampled_from(
                        [
                            [["python_sources()"]],
                            [['python_sources(name="lib", dependencies=["backend.ai-common==1"])']],
                            [['python_requirements(name="reqs", source="requirements.txt")']],
                            [["python_tests("], ['    tags=["backend.ai-common==23.09.6"],'], [")"]],
                        ]
                    )
                )
            )
        else:
            lines.extend(_python_requirement(draw, index))
    return Source(
        draw(st.sampled_from(["BUILD", "src/ai/backend/web/BUILD"])), tuple(_joined(draw, newlines, lines))
    )


def _python_requirement(draw: Draw, index: int) -> List[List[Piece]]:
    reqs = draw(st.lists(_REQUIREMENTS, max_size=3))
    elements = [_quoted(draw, req) for req in reqs]
    equals = draw(st.sampled_from(["=", " = "]))
    others = [f'name="r{index}"']
    if draw(st.booleans()):
        others.append(f"tags=[{_quoted_text(draw, _decoy(draw))}]")
    if draw(st.booleans()):
        others.append('resolve="python-default"')
    position = draw(st.integers(0, len(others)))
    if draw(st.booleans()):
        # One line: python_requirement(name="r0", requirements=["a", "b"])
        flat: List[Piece] = [f"requirements{equals}["]
        for i, element in enumerate(elements):
            flat.extend(([", "] if i else []) + element)
        flat.append("]")
        kwargs: List[List[Piece]] = [[other] for other in others]
        kwargs.insert(position, flat)
        line: List[Piece] = ["python_requirement("]
        for i, kwarg in enumerate(kwargs):
            line.extend(([", "] if i else []) + kwarg)
        return [line + [")"]]
    # Many lines, one kwarg per line, the list on one line or one element per line.
    if elements and draw(st.booleans()):
        rows: List[List[Piece]] = [[f"    requirements{equals}["]]
        for i, element in enumerate(elements):
            last = i == len(elements) - 1
            comma = draw(st.sampled_from([",", ""])) if last else ","
            comment = draw(st.sampled_from(["", "", "  # the shared library"]))
            rows.append(["        "] + element + [comma + comment])
            if draw(st.integers(0, 4)) == 0:
                rows.append(["        # backend.ai-common==23.09.6"])
        rows.append(["    ],"])
    else:
        single: List[Piece] = [f"    requirements{equals}["]
        for i, element in enumerate(elements):
            single.extend(([", "] if i else []) + element)
        rows = [single + ["],"]]
    before: List[List[Piece]] = [[f"    {other},"] for other in others[:position]]
    after: List[List[Piece]] = [[f"    {other},"] for other in others[position:]]
    return [["python_requirement("], *before, *rows, *after, [")"]]


def _quoted_text(draw: Draw, text: str) -> str:
    return "".join(str(piece) for piece in _quoted(draw, text))


def _toml_array(draw: Draw, key: str, items: Sequence[Union[Req, str]]) -> List[List[Piece]]:
    """`key = [...]` on one line or many, with comments and an optional trailing comma."""
    elements = [_quoted(draw, item) for item in items]
    head = f"{key}{draw(st.sampled_from([' = ', '=']))}["
    if draw(st.booleans()):
        line: List[Piece] = [head]
        for i, element in enumerate(elements):
            line.extend(([", "] if i else []) + element)
        return [line + ["]" + draw(st.sampled_from(["", "  # pinned [see docs]"]))]]
    indent = draw(st.sampled_from(["  ", "    "]))
    lines: List[List[Piece]] = [[head + draw(st.sampled_from(["", "  # runtime"]))]]
    for i, element in enumerate(elements):
        last = i == len(elements) - 1
        comma = draw(st.sampled_from([",", ""])) if last else ","
        lines.append([indent] + element + [comma + draw(st.sampled_from(["", "", "  # why ]"]))])
        if draw(st.integers(0, 4)) == 0:
            lines.append([indent + "# backend.ai-common==23.09.6"])
    lines.append(["]"])
    return lines


@st.composite
def pyproject_files(draw: Draw) -> Source:
    """A pyproject.toml: `[project]` dependencies and `[project.optional-dependencies]` with several
    keys, and tables and keys that hold requirement-like strings that must be left alone."""
    newlines = _newlines(draw)
    lines: List[List[Piece]] = []
    tables = draw(
        st.lists(
            st.sampled_from(["build-system", "project", "optional", "tool", "tool-array"]),
            unique=True,
            min_size=1,
        )
    )
    for table in tables:
        if lines and draw(st.booleans()):
            lines.append([""])
        if table == "build-system":
            lines.append(["[build-system]"])
            lines.extend(_toml_array(draw, "requires", ["setuptools>=61", _decoy(draw)]))
            lines.append(['build-backend = "setuptools.build_meta"'])
        elif table == "project":
            lines.append([draw(st.sampled_from(["[project]", "[ project ]", "[project]  # metadata"]))])
            keys = draw(st.permutations(["name", "version", "dependencies", "classifiers"]))
            for key in keys[: draw(st.integers(1, 4))]:
                if key == "name":
                    lines.append(['name = "backend.ai-web"'])
                elif key == "version":
                    lines.append(['version = "23.09.6"'])
                elif key == "classifiers":
                    lines.extend(_toml_array(draw, "classifiers", ["Programming Language :: Python"]))
                else:
                    key_spelling = draw(st.sampled_from(["dependencies", '"dependencies"']))
                    lines.extend(_toml_array(draw, key_spelling, draw(st.lists(_REQUIREMENTS, max_size=3))))
        elif table == "optional":
            header = draw(
                st.sampled_from(["[project.optional-dependencies]", '[project."optional-dependencies"]'])
            )
            lines.append([header])
            for key in draw(st.lists(st.sampled_from(["redis", "with-dash", '"s3"', "all"]), unique=True)):
                lines.extend(_toml_array(draw, key, draw(st.lists(_REQUIREMENTS, max_size=2))))
        elif table == "tool":
            lines.append(["[tool.other]"])
            lines.extend(_toml_array(draw, "dependencies", [_decoy(draw)]))
        else:
            lines.append(["[[tool.plugins.entry]]"])
            lines.extend(_toml_array(draw, "dependencies", [_decoy(draw)]))
    path = draw(st.sampled_from(["pyproject.toml", "src/ai/backend/web/pyproject.toml"]))
    return Source(path, tuple(_joined(draw, newlines, lines)))


def _cfg_value(draw: Draw, key: str, reqs: Sequence[Union[Req, str]]) -> List[List[Piece]]:
    """`key = value`: one requirement on the key line (no `;`), or continuation lines, each one
    requirement with an optional comment."""
    delimiter = draw(st.sampled_from([" = ", "=", " : "]))
    text = [req if isinstance(req, str) else req.text for req in reqs]
    if len(reqs) == 1 and ";" not in text[0] and draw(st.booleans()):
        return [[f"{key}{delimiter}", reqs[0]]]
    indent = draw(st.sampled_from(["    ", "  ", "\t"]))
    lines: List[List[Piece]] = [[f"{key}{delimiter}".rstrip()]]
    lines.extend([indent, req, draw(st.sampled_from(["", "", "  # why"]))] for req in reqs)
    return lines


@st.composite
def setup_cfg_files(draw: Draw) -> Source:
    """A setup.cfg: `[options] install_requires` with continuation lines, `[options.extras_require]`
    keys, and other sections and keys whose values look like pins."""
    newlines = _newlines(draw)
    lines: List[List[Piece]] = []
    one_line: Any = requirements(markers=False)
    sections = draw(
        st.lists(
            st.sampled_from(["metadata", "options", "extras", "find", "flake8"]), unique=True, min_size=1
        )
    )
    for section in sections:
        if lines and draw(st.booleans()):
            lines.append([""])
            if draw(st.booleans()):
                lines.append([draw(st.sampled_from(["# backend.ai-common==23.09.6", "; a comment"]))])
        if section == "metadata":
            lines.extend([["[metadata]"], ["name = backend.ai-web"], ["version = 23.09.6"]])
        elif section == "options":
            lines.append(["[options]"])
            keys = draw(
                st.permutations(["packages", "install_requires", "setup_requires", "python_requires"])
            )
            for key in keys[: draw(st.integers(1, 4))]:
                if key == "install_requires":
                    if draw(st.booleans()):
                        reqs = [draw(one_line)]
                    else:
                        reqs = draw(st.lists(_REQUIREMENTS, min_size=1, max_size=3))
                    lines.extend(_cfg_value(draw, "install_requires", reqs))
                elif key == "setup_requires":
                    lines.extend(_cfg_value(draw, "setup_requires", [_decoy(draw), "setuptools>=61"]))
                elif key == "packages":
                    lines.append(["packages = find:"])
                else:
                    lines.append(["python_requires = >=3.9"])
        elif section == "extras":
            lines.append(["[options.extras_require]"])
            for key in draw(st.lists(st.sampled_from(["redis", "with-dash", "s3", "all"]), unique=True)):
                if draw(st.booleans()):
                    reqs = [draw(one_line)]
                else:
                    reqs = draw(st.lists(_REQUIREMENTS, min_size=2, max_size=3))
                lines.extend(_cfg_value(draw, key, reqs))
        elif section == "find":
            lines.extend([["[options.packages.find]"], ["where = src"]])
        else:
            lines.extend([["[flake8]"], [f"install_requires = {_decoy(draw)}"]])
    path = draw(st.sampled_from(["setup.cfg", "src/ai/backend/plugin/setup.cfg"]))
    return Source(path, tuple(_joined(draw, newlines, lines)))


SOURCES: Any = st.one_of(requirements_files(), build_files(), pyproject_files(), setup_cfg_files())
