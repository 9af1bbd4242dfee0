"""What git reads as the trailers of a commit message, and where, with no Pants import.

A port of what `git interpret-trailers --parse` does with git's default configuration (separator
`:`, comment character `#`, no `trailer.<key>` settings): `trailer_info_get` and its helpers in
git 2.39's `trailer.c`, and `ignore_non_trailer` of its `commit.c`. git says which trailers it
read but not where each line is, nor why a paragraph is not trailers: this module says both, and
tests/releases/test_backports_git_oracle.py holds it to git's own answer for generated messages.

The message is text decoded with `surrogateescape` (`text.decode`), so every byte that is not
UTF-8 is one non-ASCII character, as it is to git. git's character classes are ASCII-only:
white space is space, tab, `\\n` and `\\r` (not `\\v`, `\\f`, nor any non-ASCII space), and
lines end at `\\n` only: `\\r`, `\\v`, `\\f`, `\\x1c`-`\\x1e`, `\\x85`, `\\u2028` and `\\u2029`,
where `str.splitlines` also breaks, are ordinary characters to git.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Iterable

_SPACE = " \t\n\r"  # git's isspace()
_BLANK = re.compile(r"[ \t\r]*(?:\n|\Z)")
# git's find_separator: a key of ASCII letters, digits and `-`, spaces or tabs after it (not
# before), then the separator; or the separator first.
_SEPARATOR = re.compile(r"(?:[A-Za-z0-9-]+[ \t]*)?:")
_CONTINUATION = re.compile(r"\n[ \t\n\r]*")
# Lines git writes itself: one of them lets a paragraph of only 25% trailers count as trailers.
GIT_GENERATED = ("Signed-off-by: ", "(cherry picked from commit ")
SCISSORS = "# ------------------------ >8 ------------------------\n"
CONFLICTS = "Conflicts:\n"


@dataclass(frozen=True)
class Trailer:
    """A trailer as `git interpret-trailers --parse` prints it (`key: value`), and the lines of the
    message (1-based) it spans: the first, and the last of its continuation lines."""

    key: str
    value: str
    line: int
    last: int


@dataclass(frozen=True)
class Paragraph:
    """The last paragraph git looked at for trailers (lines `first` to `last`, 1-based): the lines
    in it that git counted as not trailers, whether one is a line git writes itself
    (`GIT_GENERATED`), and whether git read it as trailers (every line a trailer, or a quarter
    and one of git's)."""

    first: int
    last: int
    others: tuple[int, ...]
    generated: bool
    trailers: bool


@dataclass(frozen=True)
class Reading:
    """What git made of a message's lines (all line numbers 1-based).

    `subject_end`: the last line of the first paragraph, which is never trailers (0 when the
    message starts with a blank line). `divider`: a line starting with `---` and white space,
    where git stops reading (it takes the rest for a patch). `scissors`: a `# --- >8 ---` line,
    below which git reads nothing. `end`: the last line git looks at for trailers, after leaving
    out trailing blank lines, comments and a `Conflicts:` list. `block`: the lines git read as
    the trailer block, None when it read none.
    """

    trailers: tuple[Trailer, ...]
    subject_end: int
    paragraph: Paragraph | None
    block: tuple[int, int] | None
    divider: int | None
    scissors: int | None
    end: int


def _at(text: str, i: int) -> str:
    """The character at `i`, or NUL past the end, as a C string reads."""
    return text[i] if i < len(text) else "\0"


def _next_line(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end + 1


def _last_line(text: str, length: int) -> int:
    """The start of the last line of `text[:length]` (a final `\\n` belongs to it), or -1."""
    if length == 0:
        return -1
    if length == 1:
        return 0
    return text.rfind("\n", 0, length - 1) + 1


def _is_blank(text: str, i: int) -> bool:
    return _BLANK.match(text, i) is not None


def separator(text: str, start: int = 0) -> int:
    """Where the `:` of a `Key: value` line starting at `start` is, counted from `start`, or -1.

    The key is ASCII letters, digits and `-` (a leading `-` too), then maybe spaces and tabs;
    git's `find_separator`.
    """
    found = _SEPARATOR.match(text, start)
    return found.end() - 1 - start if found else -1


def _patch_start(text: str) -> int:
    i = 0
    while i < len(text):
        if text.startswith("---", i) and _at(text, i + 3) in _SPACE:
            return i
        i = _next_line(text, i)
    return len(text)


def _scissors(text: str, length: int) -> int:
    """Where a scissors line cuts `text[:length]`, or `length`.

    git 2.39 also takes a scissors line after `length` (after a `---` line) and then loops
    forever; git 2.45 and later ignore it there, and so does this.
    """
    if text.startswith(SCISSORS):
        return 0
    found = text.find("\n" + SCISSORS)
    return found + 1 if 0 <= found and found + 1 < length else length


def _trailer_end(text: str, length: int) -> int:
    """`length` less the trailing comments, `\\n`-only lines and `Conflicts:` list git leaves
    out, and what follows a scissors line."""
    cutoff = _scissors(text, length)
    start_of_run, bol, in_conflicts = 0, 0, False
    while bol < cutoff:
        newline = text.find("\n", bol, length)
        next_bol = length if newline < 0 else newline + 1
        if text[bol] in "#\n":
            # git marks the run's start with `if (!boc)`: a run at offset 0 is never marked.
            start_of_run = start_of_run or bol
        elif text.startswith(CONFLICTS, bol):
            in_conflicts, start_of_run = True, start_of_run or bol
        elif not (in_conflicts and text[bol] == "\t") and start_of_run:
            start_of_run, in_conflicts = 0, False
        bol = next_bol
    return start_of_run if start_of_run else cutoff


def _subject_end(text: str, length: int) -> int:
    i = 0
    while i < length and (text[i] == "#" or not _is_blank(text, i)):
        i = _next_line(text, i)
    return i


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


@dataclass
class _Count:
    """git's tally of the last paragraph, read upwards from its end (`find_trailer_start`)."""

    trailers: int = 0
    generated: bool = False
    others: list[int] = field(default_factory=list)  # offsets of the lines that are not trailers
    pending: list[int] = field(default_factory=list)  # lines starting with white space, below
    top: int = -1
    bottom: int = -1

    def add(self, text: str, bol: int) -> None:
        self.top, self.bottom = bol, bol if self.bottom < 0 else self.bottom
        if text.startswith(GIT_GENERATED, bol):
            self.trailers, self.pending, self.generated = self.trailers + 1, [], True
        elif separator(text, bol) >= 1 and text[bol] not in _SPACE:
            self.trailers, self.pending = self.trailers + 1, []
        elif text[bol] in _SPACE:
            self.pending.append(bol)
        else:
            self.others += [bol, *self.pending]
            self.pending = []

    def flush(self) -> None:
        self.others += self.pending
        self.pending = []

    def accepted(self) -> bool:
        others = len(self.others)
        return (self.generated and self.trailers * 3 >= others) or (self.trailers > 0 and not others)

    def paragraph(self, text: str) -> Paragraph:
        return Paragraph(
            first=_line_of(text, self.top),
            last=_line_of(text, self.bottom),
            others=tuple(sorted(_line_of(text, bol) for bol in self.others)),
            generated=self.generated,
            trailers=self.accepted(),
        )


def _trailer_start(text: str, length: int, subject_end: int) -> tuple[int, Paragraph | None]:
    """Where the trailer block of `text[:length]` starts (`length` when there is none), and
    the last paragraph git looked at (None when only the subject has text)."""
    count = _Count()
    bol = _last_line(text, length)
    while bol >= subject_end:
        if text[bol] == "#":
            count.flush()
        elif _is_blank(text, bol):
            if count.bottom >= 0:
                count.flush()
                start = _next_line(text, bol) if count.accepted() else length
                return start, count.paragraph(text)
        else:
            count.add(text, bol)
        bol = _last_line(text, bol)
    return length, None


def _unfold(value: str) -> str:
    """A value's continuation lines joined with one space each, as `--unfold` does: a `\\n` and
    the white space after it (more `\\n` included) become one space."""
    return _CONTINUATION.sub(" ", value).strip(_SPACE)


def _block_trailers(text: str, start: int, end: int) -> tuple[Trailer, ...]:
    """The `Key: value` entries of the block, continuation lines (starting with white space,
    after a trailer) joined to the trailer above."""
    entries: list[list] = []  # [text, offset, is a trailer]
    bol = start
    while bol < end:
        piece = text[bol : min(_next_line(text, bol), end)]
        if entries and entries[-1][2] and piece[0] in _SPACE:
            entries[-1][0] += piece
        else:
            entries.append([piece, bol, separator(piece) >= 1])
        bol += len(piece)
    trailers = []
    for entry, offset, is_trailer in entries:
        # git also skips entries that start with `#`: none has a key, so none is a trailer here.
        if is_trailer:
            colon = separator(entry)
            key, value = entry[:colon].strip(_SPACE), _unfold(entry[colon + 1 :].strip(_SPACE))
            first = _line_of(text, offset)
            trailers.append(Trailer(key, value, first, first + entry.count("\n", 0, len(entry) - 1)))
    return tuple(trailers)


def read(message: str) -> Reading:
    """What `git interpret-trailers --parse` reads in `message`, and where."""
    divider = _patch_start(message)
    end = _trailer_end(message, divider)
    subject_end = _subject_end(message, end)
    start, paragraph = _trailer_start(message, end, subject_end)
    scissors = _scissors(message, divider)
    return Reading(
        trailers=_block_trailers(message, start, end),
        subject_end=_line_of(message, subject_end - 1) if subject_end else 0,
        paragraph=paragraph,
        block=(_line_of(message, start), _line_of(message, end - 1)) if start < end else None,
        divider=_line_of(message, divider) if divider < len(message) else None,
        scissors=_line_of(message, scissors) if scissors < divider else None,
        end=_line_of(message, end - 1) if end else 0,
    )


def parse_output(trailers: Iterable[Trailer]) -> str:
    """What `git interpret-trailers --parse` prints for these trailers."""
    return "".join(f"{trailer.key}: {trailer.value}\n" for trailer in trailers)
