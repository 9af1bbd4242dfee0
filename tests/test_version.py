from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from pants_calver.version import (
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


@pytest.mark.parametrize(
    "text, scheme",
    [
        pytest.param("23.09.6", PADDED, id="padded"),
        pytest.param("25.1.0", UNPADDED, id="unpadded"),
        pytest.param("24.03.0rc2", PADDED, id="rc"),
        pytest.param("24.03.0a1", PADDED, id="alpha"),
        pytest.param("24.03.0b3", PADDED, id="beta"),
        pytest.param("24.03.0.dev5", PADDED, id="dev"),
        pytest.param("24.03.0rc1.dev2", PADDED, id="rc-dev"),
        pytest.param("24.12.10", PADDED, id="two-digit-minor"),
    ],
)
def test_display_form_is_accepted(text: str, scheme: Scheme) -> None:
    assert check_display(text, scheme).display(scheme) == text


@pytest.mark.parametrize(
    "text, scheme, expected",
    [
        pytest.param("23.9.6", PADDED, "23.09.6", id="unpadded-when-padding"),
        pytest.param("25.01.0", UNPADDED, "25.1.0", id="padded-when-not"),
        pytest.param("24.03.0.rc2", PADDED, "24.03.0rc2", id="dot-rc"),
        pytest.param("24.03.0-rc2", PADDED, "24.03.0rc2", id="dash-rc"),
        pytest.param("24.03.0rc02", PADDED, "24.03.0rc2", id="zero-padded-rc"),
        pytest.param("24.03.0dev5", PADDED, "24.03.0.dev5", id="dev-without-dot"),
        pytest.param("24.03.0RC1", PADDED, "24.03.0rc1", id="upper-case"),
        pytest.param("24.03.0c1", PADDED, "24.03.0rc1", id="c-for-rc"),
        pytest.param("v24.03.0", PADDED, "24.03.0", id="v-prefix"),
        pytest.param(" 23.09.6", PADDED, "23.09.6", id="leading-space"),
    ],
)
def test_other_spellings_say_what_to_write(text: str, scheme: Scheme, expected: str) -> None:
    with pytest.raises(VersionError) as error:
        check_display(text, scheme)
    assert error.value.expected == expected
    assert f"write `{expected}`" in error.value.message


@pytest.mark.parametrize(
    "text, reason",
    [
        pytest.param("24.03.0b", "a pre-release needs a number, e.g. `b1`", id="beta-without-number"),
        pytest.param("24.03.0rc", "a pre-release needs a number, e.g. `rc1`", id="rc-without-number"),
        pytest.param("24.03.0.dev", "needs a number, e.g. `dev1`", id="dev-without-number"),
        pytest.param("24.03", "has 2 release parts", id="two-parts"),
        pytest.param("24.03.0.1", "has 4 release parts", id="four-parts"),
        pytest.param("24.03.0.post1", "post-release", id="post"),
        pytest.param("1!24.03.0", "epoch", id="epoch"),
        pytest.param("24.03.0+local", "local part", id="local"),
        pytest.param("", "empty", id="empty"),
        pytest.param("twenty", "is not a version", id="junk"),
    ],
)
def test_versions_outside_the_scheme_say_why(text: str, reason: str) -> None:
    with pytest.raises(VersionError) as error:
        check_display(text, PADDED)
    assert reason in error.value.message
    assert error.value.expected is None


@pytest.mark.parametrize(
    "current, kind, expected",
    [
        pytest.param("23.09.6", "patch", "23.09.7", id="patch"),
        pytest.param("23.09.6", "dev", "23.09.7.dev0", id="dev-after-final"),
        pytest.param("24.03.0.dev5", "dev", "24.03.0.dev6", id="dev-after-dev"),
        pytest.param("24.03.0a2", "dev", "24.03.0a3.dev0", id="dev-after-alpha"),
        pytest.param("24.03.0.dev5", "a", "24.03.0a1", id="alpha-after-dev"),
        pytest.param("24.03.0a2", "a", "24.03.0a3", id="alpha-after-alpha"),
        pytest.param("24.03.0a3.dev1", "a", "24.03.0a3", id="alpha-after-its-dev"),
        pytest.param("24.03.0a2", "b", "24.03.0b1", id="beta-after-alpha"),
        pytest.param("24.03.6", "b", "24.03.7b1", id="beta-after-final"),
        pytest.param("24.03.0b2", "rc", "24.03.0rc1", id="rc-after-beta"),
        pytest.param("24.03.0rc4", "release", "24.03.0", id="release-rc"),
        pytest.param("24.03.0.dev3", "release", "24.03.0", id="release-dev"),
        pytest.param("23.09.0", "cycle", "24.03.0.dev0", id="cycle-wraps-year"),
        pytest.param("24.03.2", "cycle", "24.09.0.dev0", id="cycle-same-year"),
    ],
)
def test_next_version(current: str, kind: str, expected: str) -> None:
    assert CalVersion.parse(current).next(NextKind(kind), PADDED).display(PADDED) == expected


def test_sequential_cycle() -> None:
    assert CalVersion.parse("25.15.0").next(NextKind.cycle, SEQUENTIAL).display(SEQUENTIAL) == "25.16.0.dev0"


@pytest.mark.parametrize(
    "current, kind, message",
    [
        pytest.param("23.09.7rc1", "patch", "a pre-release; use `release` or `rc`", id="patch-of-rc"),
        pytest.param("24.03.0rc1", "b", "would go back from rc to b", id="rc-to-beta"),
        pytest.param("24.03.0b1", "a", "would go back from b to a", id="beta-to-alpha"),
        pytest.param("24.03.0", "release", "already a final release", id="release-of-final"),
    ],
)
def test_forbidden_moves(current: str, kind: str, message: str) -> None:
    with pytest.raises(VersionError, match=message.replace("(", r"\(")):
        CalVersion.parse(current).next(NextKind(kind), PADDED)


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
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"\n", "empty", id="blank"),
        pytest.param(b"23.09.6\n23.09.7\n", "2 lines", id="two-lines"),
        pytest.param(b"\xff\xfe\x00\x01", "not UTF-8", id="binary"),
        pytest.param(b"23.09\x006", "binary", id="nul"),
    ],
)
def test_bad_version_files(data: bytes, message: str) -> None:
    with pytest.raises(VersionError, match=message):
        VersionFile.decode(data)


def _versions() -> st.SearchStrategy:
    pre = st.one_of(st.none(), st.tuples(st.sampled_from(["a", "b", "rc"]), st.integers(0, 30)))
    dev = st.one_of(st.none(), st.integers(0, 30))
    return st.builds(
        lambda major, minor, patch, pre, dev: CalVersion.parse(
            f"{major}.{minor}.{patch}{''.join(map(str, pre)) if pre else ''}{f'.dev{dev}' if dev is not None else ''}"
        ),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
        pre,
        dev,
    )


@given(_versions(), st.booleans())
def test_display_and_normalized_round_trip(version: CalVersion, pad: bool) -> None:
    scheme = Scheme(pad_minor=pad)
    shown = version.display(scheme)
    assert check_display(shown, scheme) == version
    assert CalVersion.parse(version.normalized()) == version
    assert version.normalized() == str(Version(shown))


@given(_versions(), st.sampled_from(list(NextKind)))
def test_next_always_moves_forward(version: CalVersion, kind: NextKind) -> None:
    try:
        following = version.next(kind, PADDED)
    except VersionError:
        return
    assert following > version
    assert check_display(following.display(PADDED), PADDED) == following
