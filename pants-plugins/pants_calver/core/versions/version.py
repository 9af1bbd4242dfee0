"""The version scheme of a calendar-versioned mono-repo, with no Pants import.

A version is `x.y.z`, optionally followed by one pre-release `aN`, `bN` or `rcN`, and optionally by
`.devN`. The VERSION file holds the *display form*, whose minor part may be zero-padded to two digits
(`23.09.6`); every pin in another package uses the *normalized form* that `packaging` prints
(`23.9.6`). `packaging` parses and compares; this module adds the scheme's checks, the display
spelling and the arithmetic of the next version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from packaging.version import InvalidVersion, Version

from pants_calver.core.errors import VersionError

PRE_KINDS = ("a", "b", "rc")


class NextKind(Enum):
    """What `bump-version --next` moves to."""

    patch = "patch"
    dev = "dev"
    a = "a"
    b = "b"
    rc = "rc"
    release = "release"
    cycle = "cycle"


@dataclass(frozen=True)
class Scheme:
    """The repo-wide conventions that shape a version's spelling and its next cycle.

    `release_months` lists the months of the calendar release cycle (`(3, 9)`: releases `yy.03` and
    `yy.09`); an empty tuple means a sequential cycle, where `x.y` is followed by `x.(y+1)`.
    """

    pad_minor: bool = True
    release_months: tuple[int, ...] = (3, 9)


# A whole pre-release or development tag (not the `b` of `beta1`) with no number after it: `b`,
# `rc.`, `dev`.
_TAG_WITHOUT_NUMBER = re.compile(
    r"(?<![a-z])(alpha|beta|preview|pre|rc|c|a|b|dev)(?![a-z])(?![-_.]?\d)", re.IGNORECASE
)
_RELEASE_PREFIX = re.compile(r"^\s*v?\d+(\.\d+)*", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class CalVersion:
    """A version in the scheme. Values never change: arithmetic returns a new one."""

    version: Version

    @classmethod
    def parse(cls, text: str) -> CalVersion:
        """Parse any spelling that `packaging` accepts and that stays inside the scheme.

        Raises `VersionError` saying why a text is outside the scheme.
        """
        stripped = text.strip()
        if not stripped:
            raise VersionError("the version is empty")
        try:
            version = Version(stripped)
        except InvalidVersion:
            raise VersionError(
                f"`{stripped}` is not a version; the scheme is x.y.z, then aN, bN or rcN, then .devN"
            ) from None
        if version.epoch:
            raise VersionError(
                f"`{stripped}` has an epoch (`{version.epoch}!`), which the scheme has no place for"
            )
        if version.local is not None:
            raise VersionError(
                f"`{stripped}` has a local part (`+{version.local}`), which the scheme has no place for"
            )
        if version.post is not None:
            raise VersionError(f"`{stripped}` is a post-release, which the scheme has no place for")
        if len(version.release) != 3:
            raise VersionError(f"`{stripped}` has {len(version.release)} release parts; the scheme is x.y.z")
        missing = _TAG_WITHOUT_NUMBER.search(_suffix(stripped))
        if missing:
            tag = missing.group(1).lower()
            example = "dev1" if tag == "dev" else f"{tag}1"
            raise VersionError(f"`{stripped}`: a pre-release needs a number, e.g. `{example}`")
        return cls(version)

    @property
    def release(self) -> tuple[int, int, int]:
        major, minor, patch = self.version.release
        return major, minor, patch

    @property
    def pre(self) -> tuple[str, int] | None:
        return self.version.pre

    @property
    def dev(self) -> int | None:
        return self.version.dev

    @property
    def is_final(self) -> bool:
        return self.pre is None and self.dev is None

    @property
    def branch(self) -> tuple[int, int]:
        """The `x.y` of the release branch this version belongs to."""
        return self.release[0], self.release[1]

    def normalized(self) -> str:
        """The spelling for pins in other packages: `23.9.6`, `24.3.0rc1`, `24.3.0.dev5`."""
        return str(self.version)

    def display(self, scheme: Scheme) -> str:
        """The spelling for the VERSION file: the minor part padded when the scheme says so."""
        major, minor, patch = self.release
        text = f"{major}.{minor:02d}.{patch}" if scheme.pad_minor else f"{major}.{minor}.{patch}"
        if self.pre is not None:
            text += f"{self.pre[0]}{self.pre[1]}"
        if self.dev is not None:
            text += f".dev{self.dev}"
        return text

    def _with(
        self,
        release: tuple[int, int, int] | None = None,
        pre: tuple[str, int] | None = None,
        dev: int | None = None,
    ) -> CalVersion:
        major, minor, patch = release or self.release
        text = f"{major}.{minor}.{patch}"
        if pre is not None:
            text += f"{pre[0]}{pre[1]}"
        if dev is not None:
            text += f".dev{dev}"
        return CalVersion(Version(text))

    def next(self, kind: NextKind, scheme: Scheme) -> CalVersion:
        """The version after this one for `kind`; raises `VersionError` for a move the scheme forbids."""
        major, minor, patch = self.release
        shown = self.display(scheme)
        if kind is NextKind.patch:
            if not self.is_final:
                raise VersionError(f"{shown} is a pre-release; use `release` or `rc`")
            return self._with(release=(major, minor, patch + 1))
        if kind is NextKind.dev:
            if self.dev is not None:
                return self._with(pre=self.pre, dev=self.dev + 1)
            if self.pre is not None:
                return self._with(pre=(self.pre[0], self.pre[1] + 1), dev=0)
            return self._with(release=(major, minor, patch + 1), dev=0)
        if kind is NextKind.release:
            if self.is_final:
                raise VersionError(f"{shown} is already a final release")
            return self._with()
        if kind is NextKind.cycle:
            return self._with(release=(*next_cycle(major, minor, scheme), 0), dev=0)
        return self._next_pre(kind.value, shown)

    def _next_pre(self, tag: str, shown: str) -> CalVersion:
        major, minor, patch = self.release
        if self.is_final:
            return self._with(release=(major, minor, patch + 1), pre=(tag, 1))
        if self.pre is None:
            # A development release of x.y.z moves to the first pre-release of x.y.z.
            return self._with(pre=(tag, 1))
        current, number = self.pre
        if PRE_KINDS.index(current) > PRE_KINDS.index(tag):
            raise VersionError(
                f"{shown} is a `{current}` pre-release; `{tag}` would go back from {current} to {tag}"
            )
        if current == tag:
            # `a3.dev0` is before `a3`, so its next `a` is `a3` itself.
            return self._with(pre=(tag, number if self.dev is not None else number + 1))
        return self._with(pre=(tag, 1))


def next_cycle(major: int, minor: int, scheme: Scheme) -> tuple[int, int]:
    """The `x.y` of the development cycle after release branch `major.minor`."""
    if not scheme.release_months:
        return major, minor + 1
    later = [month for month in sorted(scheme.release_months) if month > minor]
    if later:
        return major, later[0]
    return major + 1, min(scheme.release_months)


def check_display(text: str, scheme: Scheme) -> CalVersion:
    """Parse the content of a VERSION file, which must be spelled exactly in display form.

    Raises `VersionError` with `expected` set when the version is right but spelled otherwise.
    """
    version = CalVersion.parse(text)
    expected = version.display(scheme)
    if text == expected:
        return version
    found = text.strip()
    release_text = _RELEASE_PREFIX.match(found).group(0)  # type: ignore[union-attr]
    reasons = []
    if found != text:
        reasons.append("white space around it")
    if found[:1] in "vV":
        reasons.append("a `v` prefix")
    reasons += _release_reasons(
        release_text.lstrip("vV"), expected[: len(expected) - len(_suffix(expected))], scheme
    )
    if found[len(release_text) :] != _suffix(expected):
        reasons.append("suffixes are spelled `aN`, `bN`, `rcN`, `.devN`")
    why = "; ".join(reasons) or "not in display form"
    raise VersionError(f"`{found}` is not in display form ({why}); write `{expected}`", expected)


def _release_reasons(found: str, expected: str, scheme: Scheme) -> list[str]:
    """Why the release numbers are spelled otherwise, naming the part: `23.9.6` misses the minor
    part's padding, `23.09.06` has a zero too many in the patch part."""
    reasons = []
    for name, have, want in zip(("major", "minor", "patch"), found.split("."), expected.split(".")):
        if have == want:
            continue
        if name == "minor" and len(have) < len(want):
            reasons.append("the minor part is zero-padded")
        elif name == "minor" and not scheme.pad_minor:
            reasons.append("padding is off")
        else:
            reasons.append(f"the {name} part has a zero too many")
    return reasons


def _suffix(text: str) -> str:
    """What follows the release numbers (and a `v` before them): `rc1.dev2` of `24.03.0rc1.dev2`."""
    match = _RELEASE_PREFIX.match(text)
    return text[match.end() :] if match else text


def parse_branch(name: str) -> tuple[int, int] | None:
    """The `(x, y)` of a release branch name such as `23.09`, or None for any other branch.

    Digits are ASCII ones (`\\d` would take `٢٣.٠٩` too), and only ASCII white space around the
    name is ignored (`str.strip()` would also drop `\\x1c`, `\\x85` or `\\u2028`)."""
    match = re.fullmatch(r"([0-9]+)\.([0-9]+)", name.strip(" \t\n\r\f\v"))
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))


def off_release_branch(version: CalVersion, branch: str) -> bool:
    """Whether `branch` is a release branch `x.y` that `version` does not belong to (compared
    normalized: 23.09 = 23.9); False for any other branch."""
    release_branch = parse_branch(branch)
    return release_branch is not None and version.branch != release_branch


@dataclass(frozen=True)
class VersionFile:
    """The content of a version file: the version as written and the line ending after it."""

    text: str
    newline: str

    @classmethod
    def decode(cls, data: bytes) -> VersionFile:
        """Split a version file's bytes; raises `VersionError` for anything but one line of text."""
        if not data.strip():
            raise VersionError("the file is empty; it must hold the version on one line")
        try:
            content = data.decode("utf-8")
        except UnicodeDecodeError:
            raise VersionError("the file is not UTF-8 text; it must hold the version on one line") from None
        if content.startswith("\ufeff"):
            raise VersionError("the file starts with a byte-order mark; save it as UTF-8 without one")
        if "\x00" in content:
            raise VersionError("the file holds binary data; it must hold the version on one line")
        for newline in ("\r\n", "\n", "\r", ""):
            if content.endswith(newline):
                text = content[: len(content) - len(newline)]
                break
        if "\n" in text or "\r" in text:
            lines = len(re.split(r"\r\n|\r|\n", text))
            raise VersionError(f"the file holds {lines} lines; it must hold only the version, on one line")
        return cls(text, newline)

    def encode(self) -> bytes:
        return (self.text + self.newline).encode("utf-8")
