from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from pants_calver.core.versions.version import (
    PRE_KINDS,
    CalVersion,
    NextKind,
    Scheme,
    VersionError,
    VersionFile,
    check_display,
    next_cycle,
    parse_branch,
)

PADDED = Scheme(pad_minor=True)
UNPADDED = Scheme(pad_minor=False)
SEQUENTIAL = Scheme(pad_minor=False, release_months=())
QUARTERLY = Scheme(pad_minor=True, release_months=(1, 4, 7, 10))

Release = Tuple[int, int, int]
Pre = Optional[Tuple[str, int]]


def parts(version: CalVersion) -> Tuple[Release, Pre, Optional[int]]:
    return version.release, version.pre, version.dev


@pytest.mark.parametrize(
    "text, scheme, expected, other_spelling",
    [
        pytest.param("23.09.6", PADDED, ((23, 9, 6), None, None), "23.9.6", id="padded"),
        pytest.param("25.1.0", UNPADDED, ((25, 1, 0), None, None), "25.01.0", id="unpadded"),
        pytest.param("24.03.0rc2", PADDED, ((24, 3, 0), ("rc", 2), None), "24.03.0.rc2", id="rc"),
        pytest.param("24.03.0a1", PADDED, ((24, 3, 0), ("a", 1), None), "24.03.0A1", id="alpha"),
        pytest.param("24.03.0b3", PADDED, ((24, 3, 0), ("b", 3), None), "24.03.0-b3", id="beta"),
        pytest.param("24.03.0.dev5", PADDED, ((24, 3, 0), None, 5), "24.03.0dev5", id="dev"),
        pytest.param("24.03.0rc1.dev2", PADDED, ((24, 3, 0), ("rc", 1), 2), "24.03.0rc1-dev2", id="rc-dev"),
        pytest.param("24.12.10", PADDED, ((24, 12, 10), None, None), "v24.12.10", id="two-digit-minor"),
        pytest.param("25.15.0", SEQUENTIAL, ((25, 15, 0), None, None), "25.15.0 ", id="sequential"),
    ],
)
def test_display_form_is_accepted(text: str, scheme: Scheme, expected: tuple, other_spelling: str) -> None:
    version = check_display(text, scheme)
    assert parts(version) == expected
    assert version.display(scheme) == text
    # Only the display form: another spelling of the same version is refused, naming this one.
    with pytest.raises(VersionError) as error:
        check_display(other_spelling, scheme)
    assert error.value.expected == text


_SUFFIXES = "suffixes are spelled `aN`, `bN`, `rcN`, `.devN`"


@pytest.mark.parametrize(
    "text, scheme, expected, why",
    [
        pytest.param(
            "23.9.6", PADDED, "23.09.6", "the minor part is zero-padded", id="unpadded-when-padding"
        ),
        pytest.param("25.01.0", UNPADDED, "25.1.0", "padding is off", id="padded-when-not"),
        pytest.param("24.03.0.rc2", PADDED, "24.03.0rc2", _SUFFIXES, id="dot-rc"),
        pytest.param("24.03.0-rc2", PADDED, "24.03.0rc2", _SUFFIXES, id="dash-rc"),
        pytest.param("24.03.0rc02", PADDED, "24.03.0rc2", _SUFFIXES, id="zero-padded-rc"),
        pytest.param("24.03.0dev5", PADDED, "24.03.0.dev5", _SUFFIXES, id="dev-without-dot"),
        pytest.param("24.03.0RC1", PADDED, "24.03.0rc1", _SUFFIXES, id="upper-case"),
        pytest.param("24.03.0c1", PADDED, "24.03.0rc1", _SUFFIXES, id="c-for-rc"),
        pytest.param("24.03.0pre1", PADDED, "24.03.0rc1", _SUFFIXES, id="pre-for-rc"),
        pytest.param("24.03.0alpha1", PADDED, "24.03.0a1", _SUFFIXES, id="alpha-spelled-out"),
        pytest.param("24.03.0preview1", PADDED, "24.03.0rc1", _SUFFIXES, id="preview-for-rc"),
        pytest.param("v24.03.0", PADDED, "24.03.0", "a `v` prefix", id="v-prefix"),
        pytest.param("V24.03.0", PADDED, "24.03.0", "a `v` prefix", id="upper-case-v-prefix"),
        pytest.param("24.03.0beta1", PADDED, "24.03.0b1", _SUFFIXES, id="beta-spelled-out"),
        pytest.param("23.09.06", PADDED, "23.09.6", "the patch part has a zero too many", id="padded-patch"),
        pytest.param("023.09.6", PADDED, "23.09.6", "the major part has a zero too many", id="padded-major"),
        pytest.param("23.009.6", PADDED, "23.09.6", "the minor part has a zero too many", id="minor-twice"),
        pytest.param(" 23.09.6", PADDED, "23.09.6", "white space around it", id="leading-space"),
        pytest.param("23.09.6\n", PADDED, "23.09.6", "white space around it", id="trailing-newline"),
        pytest.param(
            " v23.9.6.rc1 ",
            PADDED,
            "23.09.6rc1",
            f"white space around it; a `v` prefix; the minor part is zero-padded; {_SUFFIXES}",
            id="everything-at-once",
        ),
    ],
)
def test_other_spellings_say_what_to_write(text: str, scheme: Scheme, expected: str, why: str) -> None:
    with pytest.raises(VersionError) as error:
        check_display(text, scheme)
    assert error.value.expected == expected
    assert error.value.message == f"`{text.strip()}` is not in display form ({why}); write `{expected}`"


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("23.09.06", "23.09.6", id="padded-patch"),
        pytest.param("023.09.6", "23.09.6", id="padded-major"),
    ],
)
def test_padding_elsewhere_says_what_to_write(text: str, expected: str) -> None:
    # The docs promise what to write; the reason for a padded major or patch part is not stated.
    with pytest.raises(VersionError) as error:
        check_display(text, PADDED)
    assert error.value.expected == expected
    assert error.value.message.startswith(f"`{text}` is not in display form (")
    assert error.value.message.endswith(f"); write `{expected}`")


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param(
            "24.03.0b", "`24.03.0b`: a pre-release needs a number, e.g. `b1`", id="beta-without-number"
        ),
        pytest.param(
            "24.03.0rc", "`24.03.0rc`: a pre-release needs a number, e.g. `rc1`", id="rc-without-number"
        ),
        pytest.param(
            "24.03.0.dev", "`24.03.0.dev`: a pre-release needs a number, e.g. `dev1`", id="dev-without-number"
        ),
        pytest.param("24.03", "`24.03` has 2 release parts; the scheme is x.y.z", id="two-parts"),
        pytest.param("24.03.0.1", "`24.03.0.1` has 4 release parts; the scheme is x.y.z", id="four-parts"),
        pytest.param(
            "24.03.0.post1", "`24.03.0.post1` is a post-release, which the scheme has no place for", id="post"
        ),
        pytest.param(
            "1!24.03.0", "`1!24.03.0` has an epoch (`1!`), which the scheme has no place for", id="epoch"
        ),
        pytest.param(
            "24.03.0+local",
            "`24.03.0+local` has a local part (`+local`), which the scheme has no place for",
            id="local",
        ),
        pytest.param("", "the version is empty", id="empty"),
        pytest.param(" \t", "the version is empty", id="blank"),
        pytest.param(
            "twenty",
            "`twenty` is not a version; the scheme is x.y.z, then aN, bN or rcN, then .devN",
            id="junk",
        ),
    ],
)
def test_versions_outside_the_scheme_say_why(text: str, message: str) -> None:
    with pytest.raises(VersionError) as error:
        check_display(text, PADDED)
    assert error.value.message == message
    assert error.value.expected is None


@pytest.mark.parametrize(
    "current, kind, scheme, expected",
    [
        # The table of docs/bump-version.md, row by row.
        pytest.param("23.09.6", "patch", PADDED, "23.09.7", id="patch"),
        pytest.param("23.09.6", "dev", PADDED, "23.09.7.dev0", id="dev-after-final"),
        pytest.param("24.03.0.dev5", "dev", PADDED, "24.03.0.dev6", id="dev-after-dev"),
        pytest.param("24.03.0a2", "dev", PADDED, "24.03.0a3.dev0", id="dev-after-alpha"),
        pytest.param("24.03.0.dev5", "a", PADDED, "24.03.0a1", id="alpha-after-dev"),
        pytest.param("24.03.0a2", "a", PADDED, "24.03.0a3", id="alpha-after-alpha"),
        pytest.param("24.03.0a2", "b", PADDED, "24.03.0b1", id="beta-after-alpha"),
        pytest.param("24.03.6", "b", PADDED, "24.03.7b1", id="beta-after-final"),
        pytest.param("24.03.0rc4", "release", PADDED, "24.03.0", id="release-rc"),
        pytest.param("23.09.0", "cycle", PADDED, "24.03.0.dev0", id="cycle-wraps-year"),
        pytest.param("24.03.2", "cycle", PADDED, "24.09.0.dev0", id="cycle-same-year"),
        pytest.param("25.15.0", "cycle", SEQUENTIAL, "25.16.0.dev0", id="sequential-cycle"),
        # And the rules the code documents beyond the table.
        pytest.param("24.03.0a3.dev1", "a", PADDED, "24.03.0a3", id="alpha-after-its-dev"),
        pytest.param("24.03.0a3.dev1", "dev", PADDED, "24.03.0a3.dev2", id="dev-after-alpha-dev"),
        pytest.param("24.03.0b2", "rc", PADDED, "24.03.0rc1", id="rc-after-beta"),
        pytest.param("24.03.0.dev3", "release", PADDED, "24.03.0", id="release-dev"),
        pytest.param("24.03.0rc1.dev2", "release", PADDED, "24.03.0", id="release-rc-dev"),
        pytest.param("24.10.1", "cycle", QUARTERLY, "25.01.0.dev0", id="quarterly-cycle"),
        pytest.param("24.05.0rc1", "cycle", QUARTERLY, "24.07.0.dev0", id="cycle-from-off-month"),
    ],
)
def test_next_version(current: str, kind: str, scheme: Scheme, expected: str) -> None:
    assert CalVersion.parse(current).next(NextKind(kind), scheme).display(scheme) == expected


@pytest.mark.parametrize(
    "current, kind, message",
    [
        pytest.param(
            "23.09.7rc1", "patch", "23.09.7rc1 is a pre-release; use `release` or `rc`", id="patch-of-rc"
        ),
        pytest.param(
            "24.03.0.dev5", "patch", "24.03.0.dev5 is a pre-release; use `release` or `rc`", id="patch-of-dev"
        ),
        pytest.param(
            "24.03.0rc1",
            "b",
            "24.03.0rc1 is a `rc` pre-release; `b` would go back from rc to b",
            id="rc-to-beta",
        ),
        pytest.param(
            "24.03.0b1",
            "a",
            "24.03.0b1 is a `b` pre-release; `a` would go back from b to a",
            id="beta-to-alpha",
        ),
        pytest.param(
            "24.03.0rc2.dev1",
            "a",
            "24.03.0rc2.dev1 is a `rc` pre-release; `a` would go back from rc to a",
            id="rc-dev-to-alpha",
        ),
        pytest.param("24.03.0", "release", "24.03.0 is already a final release", id="release-of-final"),
    ],
)
def test_forbidden_moves(current: str, kind: str, message: str) -> None:
    with pytest.raises(VersionError) as error:
        CalVersion.parse(current).next(NextKind(kind), PADDED)
    assert (error.value.message, error.value.expected) == (message, None)


@pytest.mark.parametrize(
    "months, minor, expected",
    [
        pytest.param((3, 9), 9, (25, 3), id="wrap"),
        pytest.param((3, 9), 3, (24, 9), id="next-month"),
        pytest.param((9, 3), 3, (24, 9), id="unsorted-months"),
        pytest.param((4, 10), 2, (24, 4), id="between-releases"),
        pytest.param((), 9, (24, 10), id="sequential"),
    ],
)
def test_next_cycle(months: tuple, minor: int, expected: tuple) -> None:
    assert next_cycle(24, minor, Scheme(release_months=months)) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        pytest.param("23.09", (23, 9), id="padded"),
        pytest.param("23.9", (23, 9), id="unpadded"),
        pytest.param("main", None, id="main"),
        pytest.param("feature/23.09", None, id="topic"),
        pytest.param("23.09.1", None, id="tag-like"),
    ],
)
def test_parse_branch(name: str, expected: tuple | None) -> None:
    assert parse_branch(name) == expected


@pytest.mark.parametrize(
    "data, text, newline",
    [
        pytest.param(b"23.09.6", "23.09.6", "", id="no-newline"),
        pytest.param(b"23.09.6\n", "23.09.6", "\n", id="lf"),
        pytest.param(b"23.09.6\r\n", "23.09.6", "\r\n", id="crlf"),
    ],
)
def test_version_file_keeps_its_line_ending(data: bytes, text: str, newline: str) -> None:
    content = VersionFile.decode(data)
    assert (content.text, content.newline) == (text, newline)
    assert content.encode() == data


@pytest.mark.parametrize(
    "data, message",
    [
        pytest.param(b"", "the file is empty; it must hold the version on one line", id="empty"),
        pytest.param(b"\n", "the file is empty; it must hold the version on one line", id="blank"),
        pytest.param(
            b"23.09.6\n23.09.7\n",
            "the file holds 2 lines; it must hold only the version, on one line",
            id="two-lines",
        ),
        pytest.param(
            b"\xff\xfe\x00\x01",
            "the file is not UTF-8 text; it must hold the version on one line",
            id="binary",
        ),
        pytest.param(
            b"23.09\x006", "the file holds binary data; it must hold the version on one line", id="nul"
        ),
        pytest.param(
            b"\xef\xbb\xbf23.09.6\n",
            "the file starts with a byte-order mark; save it as UTF-8 without one",
            id="bom",
        ),
        pytest.param(
            b"23.09.6\r23.09.7\r",
            "the file holds 2 lines; it must hold only the version, on one line",
            id="carriage-returns",
        ),
    ],
)
def test_bad_version_files(data: bytes, message: str) -> None:
    with pytest.raises(VersionError) as error:
        VersionFile.decode(data)
    assert (error.value.message, error.value.expected) == (message, None)


def test_a_lone_carriage_return_ends_the_line() -> None:
    content = VersionFile.decode(b"23.09.6\r")
    assert (content.text, content.newline, content.encode()) == ("23.09.6", "\r", b"23.09.6\r")


# --- Properties -----------------------------------------------------------------------------------
#
# Each version is generated as its parts, so that its display and normalized spellings, and the
# version after each `--next` kind, are computed here from the rules of docs/bump-version.md and
# docs/configuration.md, not read back from the code. These properties are cheap: 300-500 examples
# each (hypothesis' default is 100).


@dataclass(frozen=True)
class Parts:
    """A version in the scheme, as its parts: `x.y.z`, then `aN`/`bN`/`rcN`, then `.devN`."""

    release: Release
    pre: Pre = None
    dev: Optional[int] = None

    @property
    def is_final(self) -> bool:
        return self.pre is None and self.dev is None

    def suffix(self) -> str:
        pre = f"{self.pre[0]}{self.pre[1]}" if self.pre else ""
        return pre + (f".dev{self.dev}" if self.dev is not None else "")

    def normalized(self) -> str:
        major, minor, patch = self.release
        return f"{major}.{minor}.{patch}{self.suffix()}"

    def display(self, scheme: Scheme) -> str:
        major, minor, patch = self.release
        minor_text = f"{minor:02d}" if scheme.pad_minor else str(minor)
        return f"{major}.{minor_text}.{patch}{self.suffix()}"

    def parse(self, scheme: Scheme) -> CalVersion:
        """Read as bump-version reads the version file: in display form."""
        return CalVersion.parse(self.display(scheme))


_RELEASES = st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99))
# Minors below 10 are the ones padding changes; months are 1-12.
_CALENDAR_RELEASES = st.tuples(st.integers(0, 99), st.integers(1, 12), st.integers(0, 20))
_PRES = st.one_of(st.none(), st.tuples(st.sampled_from(PRE_KINDS), st.integers(0, 30)))
_DEVS = st.one_of(st.none(), st.integers(0, 30))
PARTS: Any = st.builds(Parts, st.one_of(_RELEASES, _CALENDAR_RELEASES), _PRES, _DEVS)
SCHEMES: Any = st.sampled_from(
    [PADDED, UNPADDED, SEQUENTIAL, QUARTERLY, Scheme(pad_minor=False, release_months=(6, 12))]
)


def _months_after(major: int, minor: int, scheme: Scheme) -> Tuple[int, int]:
    """The first release month after `major.minor`: the smallest (year, month) of the cycle that
    comes later; in a sequential cycle, the next minor."""
    if not scheme.release_months:
        return major, minor + 1
    return min(
        (year, month)
        for year in (major, major + 1)
        for month in scheme.release_months
        if (year, month) > (major, minor)
    )


def expected_next(version: Parts, kind: NextKind, scheme: Scheme) -> Optional[Parts]:
    """The version after `version` for `kind`, or None where the move is forbidden.

    `patch` needs a final; `release` needs a pre-release or dev release and drops both; `a`, `b`,
    `rc` never go back (rc → b, b → a); `dev` and `cycle` always move.
    """
    major, minor, patch = version.release
    if kind is NextKind.patch:
        return Parts((major, minor, patch + 1)) if version.is_final else None
    if kind is NextKind.release:
        return None if version.is_final else Parts(version.release)
    if kind is NextKind.cycle:
        return Parts((*_months_after(major, minor, scheme), 0), dev=0)
    if kind is NextKind.dev:
        if version.dev is not None:
            return Parts(version.release, version.pre, version.dev + 1)
        if version.pre is not None:
            return Parts(version.release, (version.pre[0], version.pre[1] + 1), 0)
        return Parts((major, minor, patch + 1), dev=0)
    tag = kind.value
    if version.is_final:
        return Parts((major, minor, patch + 1), (tag, 1))
    if version.pre is None:
        return Parts(version.release, (tag, 1))
    current, number = version.pre
    if PRE_KINDS.index(current) > PRE_KINDS.index(tag):
        return None
    if current != tag:
        return Parts(version.release, (tag, 1))
    # `a3.dev0` comes before `a3`, so its next `a` is `a3` itself.
    return Parts(version.release, (tag, number if version.dev is not None else number + 1))


def forbidden_message(version: Parts, kind: NextKind, scheme: Scheme) -> str:
    """What `next()` says when `expected_next` is None."""
    shown = version.display(scheme)
    if kind is NextKind.patch:
        return f"{shown} is a pre-release; use `release` or `rc`"
    if kind is NextKind.release:
        return f"{shown} is already a final release"
    assert version.pre is not None
    current, tag = version.pre[0], kind.value
    return f"{shown} is a `{current}` pre-release; `{tag}` would go back from {current} to {tag}"


@settings(max_examples=500)
@given(PARTS, SCHEMES)
def test_next_moves_exactly_as_the_docs_say(version: Parts, scheme: Scheme) -> None:
    current = version.parse(scheme)
    assert parts(current) == (version.release, version.pre, version.dev)
    for kind in NextKind:
        expected = expected_next(version, kind, scheme)
        if expected is None:
            with pytest.raises(VersionError) as error:
                current.next(kind, scheme)
            assert (error.value.message, error.value.expected) == (
                forbidden_message(version, kind, scheme),
                None,
            )
            continue
        following = current.next(kind, scheme)
        assert parts(following) == (expected.release, expected.pre, expected.dev), kind
        assert following.display(scheme) == expected.display(scheme)
        assert following > current, kind
        assert check_display(following.display(scheme), scheme) == following


@settings(max_examples=300)
@given(st.integers(0, 99), st.integers(0, 99), st.lists(st.integers(1, 12), unique=True, max_size=4))
def test_next_cycle_is_the_next_release_month(major: int, minor: int, months: List[int]) -> None:
    scheme = Scheme(release_months=tuple(months))
    assert next_cycle(major, minor, scheme) == _months_after(major, minor, scheme)


@settings(max_examples=300)
@given(PARTS, SCHEMES)
def test_display_and_normalized_round_trip(version: Parts, scheme: Scheme) -> None:
    current = version.parse(scheme)
    shown = version.display(scheme)
    assert current.display(scheme) == shown
    assert current.normalized() == version.normalized() == str(Version(shown))
    assert parts(check_display(shown, scheme)) == (version.release, version.pre, version.dev)
    assert CalVersion.parse(version.normalized()) == current
    if version.normalized() != shown:
        # The normalized form is a version file's most likely misspelling (`23.9.6` for `23.09.6`).
        with pytest.raises(VersionError) as error:
            check_display(version.normalized(), scheme)
        assert error.value.expected == shown


# Spellings packaging reads for each pre-release tag, and for `dev`.
_TAG_SPELLINGS = {
    "a": ("a", "A", "alpha", "Alpha"),
    "b": ("b", "B", "beta"),
    "rc": ("rc", "RC", "c", "C", "pre", "preview"),
}
_SEPARATORS = ("", ".", "-", "_")


@dataclass(frozen=True)
class Misspelling:
    """Another spelling of a version, and the reasons check_display must give, in its order."""

    text: str
    reasons: Tuple[str, ...]


def _suffix_spellings(version: Parts) -> Any:
    """Every spelling packaging reads of the version's suffixes, the display one included."""
    pre: Any = st.just("")
    if version.pre is not None:
        tag, number = version.pre
        pre = st.builds(
            lambda *pieces: "".join(pieces),
            st.sampled_from(_SEPARATORS),
            st.sampled_from(_TAG_SPELLINGS[tag]),
            st.sampled_from(_SEPARATORS),
            st.sampled_from([str(number), f"0{number}"]),
        )
    dev: Any = st.just("")
    if version.dev is not None:
        dev = st.builds(
            lambda *pieces: "".join(pieces),
            st.sampled_from(_SEPARATORS),
            st.sampled_from(["dev", "DEV", "Dev"]),
            st.sampled_from([str(version.dev), f"0{version.dev}"]),
        )
    return st.builds(lambda a, b: a + b, pre, dev)


@st.composite
def misspellings(draw: Callable[..., Any], version: Parts, scheme: Scheme) -> Misspelling:
    """The display form changed in one or more of the ways the docs name: white space around it,
    a `v`, the minor part's padding, the spelling of the suffixes."""
    major, minor, patch = version.release
    ways = ["space", "v", "padding"] + ([] if version.is_final else ["suffix"])
    chosen = draw(st.sets(st.sampled_from(ways), min_size=1))
    reasons: List[str] = []
    before, after = "", ""
    if "space" in chosen:
        before, after = draw(
            st.sampled_from([(" ", ""), ("\t", ""), ("", " "), ("", "\n"), ("", "\r\n"), (" ", " ")])
        )
        reasons.append("white space around it")
    prefix = ""
    if "v" in chosen:
        prefix = draw(st.sampled_from(["v", "V"]))
        reasons.append("a `v` prefix")
    minor_text = f"{minor:02d}" if scheme.pad_minor else str(minor)
    if "padding" in chosen:
        if minor < 10:
            # The other padding: `9` where the scheme pads, `09` where it does not.
            minor_text = str(minor) if scheme.pad_minor else f"{minor:02d}"
        else:
            minor_text = f"0{minor}"  # a zero too many, either way
        if not scheme.pad_minor:
            reasons.append("padding is off")
        elif minor < 10:
            reasons.append("the minor part is zero-padded")
        else:
            reasons.append("the minor part has a zero too many")
    suffix = version.suffix()
    if "suffix" in chosen:
        suffix = draw(_suffix_spellings(version).filter(lambda spelled: spelled != version.suffix()))
        reasons.append(_SUFFIXES)
    text = f"{before}{prefix}{major}.{minor_text}.{patch}{suffix}{after}"
    return Misspelling(text, tuple(reasons))


@settings(max_examples=500)
@given(st.data(), PARTS, SCHEMES)
def test_only_the_display_form_is_accepted(data: Any, version: Parts, scheme: Scheme) -> None:
    shown = version.display(scheme)
    assert parts(check_display(shown, scheme)) == (version.release, version.pre, version.dev)
    other = data.draw(misspellings(version, scheme))
    with pytest.raises(VersionError) as error:
        check_display(other.text, scheme)
    assert error.value.expected == shown
    assert error.value.message == (
        f"`{other.text.strip()}` is not in display form ({'; '.join(other.reasons)}); write `{shown}`"
    )


ARABIC_INDIC_23_09 = "\u0662\u0663.\u0660\u0669"


@pytest.mark.parametrize(
    "name, expected",
    [
        pytest.param("23.09", (23, 9), id="release"),
        pytest.param(" 23.9\n", (23, 9), id="ascii-white-space"),
        pytest.param(ARABIC_INDIC_23_09, None, id="arabic-indic-digits"),
        pytest.param("\uff12\uff13.\uff10\uff19", None, id="fullwidth-digits"),
        pytest.param("23.09\u2028", None, id="line-separator"),
        pytest.param("\x1c23.09", None, id="file-separator"),
    ],
)
def test_parse_branch_takes_ascii_only(name: str, expected: Optional[tuple]) -> None:
    assert parse_branch(name) == expected
