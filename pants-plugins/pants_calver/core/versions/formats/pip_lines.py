"""The lines of a pip requirements file as pip 24.2 reads them (`pip._internal.req.req_file`), with
no Pants import and no pip import, every character tied to where it stands in the text.

pip's steps, followed here in its order:

1. `str.splitlines`, which also breaks at `\\v`, `\\f`, `\\x1c`-`\\x1e`, `\\x85`, `\\u2028` and
   `\\u2029` (an editor breaks only at `\\n`, `\\r\\n` and `\\r`): these give pip's line numbers.
2. `join_lines`: a line ending in `\\` is joined with the next one, with backslashes stripped from
   both of its ends, before comments are stripped, so a comment ending in `\\` swallows the next
   line; a comment line (`COMMENT_RE.match`) never continues. A joined line has the number of its
   first line.
3. `ignore_comments`: cut from the first `(^|\\s+)#` (Python's Unicode `\\s`), strip white space,
   drop empty lines.
4. `break_args_options`: split at the space character only; the options begin at the first token
   that starts with `-`; the tokens before are the requirement.
5. The options are split as a shell does (`shlex.split`) and parsed with optparse and pip's option
   table; an error refuses the whole file.

`${VAR}` is left as written, as pip leaves it when the variable is not set.
"""

from __future__ import annotations

import optparse
import re
import shlex
from dataclasses import dataclass
from collections.abc import Iterator

COMMENT_RE = re.compile(r"(^|\s+)#.*$")
ENV_VAR_RE = re.compile(r"\$\{[A-Z0-9_]+\}")

# A character pip reads that is not in the file: the space pip puts before a comment line that ends
# a continuation. It always falls inside the comment that is cut, so no requirement holds one.
NOWHERE = -1


@dataclass(frozen=True)
class PipLine:
    """One logical line as pip reads it.

    `number` is pip's line number. A requirement line has `requirement` (and the file offset of each
    of its characters); an editable line has `editable` (from `-e`); an option line may include a
    file (`-r`, `-c`; `include` is None when it does not). `error` says why pip refuses the line.
    """

    number: int
    requirement: str = ""
    offsets: tuple[int, ...] = ()
    editable: str = ""
    include: str | None = None
    hashed: bool = False
    options: str = ""
    error: str = ""


def pip_lines(text: str) -> Iterator[PipLine]:
    """Every line pip reads from `text`, in order."""
    for number, line, offsets in _uncommented(text):
        yield _parsed(number, line, offsets)


def _physical(text: str) -> Iterator[tuple[int, str, int]]:
    """(pip's line number, the line without its line break, its offset in `text`)."""
    start = 0
    for number, (line, with_end) in enumerate(zip(text.splitlines(), text.splitlines(True)), start=1):
        yield number, line, start
        start += len(with_end)


def _joined(text: str) -> Iterator[tuple[int, str, list[int]]]:
    """pip's `join_lines`, each character with its offset."""
    primary = 0
    chars: list[str] = []
    offsets: list[int] = []
    pending = False  # pip tests its list of parts, which may hold empty strings
    for number, line, start in _physical(text):
        comment = COMMENT_RE.match(line)
        if not line.endswith("\\") or comment:
            if comment:
                chars.append(" ")
                offsets.append(NOWHERE)
            chars.append(line)
            offsets.extend(range(start, start + len(line)))
            yield (primary if pending else number), "".join(chars), offsets
            chars, offsets, pending = [], [], False
            continue
        if not pending:
            primary, pending = number, True
        kept = line.strip("\\")
        lead = len(line) - len(line.lstrip("\\"))
        chars.append(kept)
        offsets.extend(range(start + lead, start + lead + len(kept)))
    if pending:
        yield primary, "".join(chars), offsets


def _uncommented(text: str) -> Iterator[tuple[int, str, list[int]]]:
    """pip's `ignore_comments`: the comment cut, white space stripped, empty lines dropped."""
    for number, line, offsets in _joined(text):
        comment = COMMENT_RE.search(line)
        end = comment.start() if comment else len(line)
        kept = line[:end].strip()
        if kept:
            lead = len(line[:end]) - len(line[:end].lstrip())
            yield number, kept, offsets[lead : lead + len(kept)]


def _parsed(number: int, line: str, offsets: list[int]) -> PipLine:
    """pip's `break_args_options` and option parsing, and what the line is."""
    start = _options_start(line)
    args = line if start is None else line[: max(start - 1, 0)]
    options = "" if start is None else line[start:]
    try:
        values = _option_values(options)
    except _Refused as e:
        return PipLine(number, options=options, error=str(e))
    hashed = bool(getattr(values, "hashes", None))
    if args:
        return PipLine(number, args, tuple(offsets[: len(args)]), hashed=hashed, options=options)
    editables = getattr(values, "editables", None) or []
    if editables:
        return PipLine(number, editable=editables[0], options=options)
    # pip follows the first `-r`, else the first `-c`, of an option line.
    includes = getattr(values, "requirements", None) or getattr(values, "constraints", None) or []
    return PipLine(number, include=includes[0] if includes else None, options=options)


def _options_start(line: str) -> int | None:
    """Where the first space-separated token starting with `-` begins, if one does."""
    position = 0
    for token in line.split(" "):
        if token.startswith("-"):
            return position
        position += len(token) + 1
    return None


class _Refused(Exception):
    """An option line pip refuses (pip raises for the whole file)."""


class _Parser(optparse.OptionParser):
    def error(self, msg: str) -> None:  # type: ignore[override]
        # optparse would print the usage and exit; pip raises instead.
        raise _Refused(msg)


def _option_values(options: str) -> optparse.Values:
    try:
        words = shlex.split(options)
    except ValueError as e:
        raise _Refused(f"cannot split the options `{options}`: {e}") from None
    values, _ = _parser().parse_args(words, optparse.Values())
    return values


_STRONG_HASHES = ("sha256", "sha384", "sha512")
# pip 24.2's `--use-feature` choices.
_FEATURES = ("fast-deps", "truststore", "no-binary-enable-wheel-cache")


def _hash(option: optparse.Option, opt: str, value: str, parser: optparse.OptionParser) -> None:
    algorithm, colon, digest = value.partition(":")
    if not colon:
        parser.error(
            f"Arguments to {opt} must be a hash name followed by a value, like --hash=sha256:abcde..."
        )
    if algorithm not in _STRONG_HASHES:
        parser.error(f"Allowed hash algorithms for {opt} are {', '.join(_STRONG_HASHES)}.")
    hashes = getattr(parser.values, "hashes", None) or {}
    hashes.setdefault(algorithm, []).append(digest)
    setattr(parser.values, "hashes", hashes)


def _config_setting(option: optparse.Option, opt: str, value: str, parser: optparse.OptionParser) -> None:
    if "=" not in value:
        parser.error(f"Arguments to {opt} must be of the form KEY=VAL")


def _binary(option: optparse.Option, opt: str, value: str, parser: optparse.OptionParser) -> None:
    if value.startswith("-"):
        parser.error("--no-binary / --only-binary option requires 1 argument.")


def _parser() -> optparse.OptionParser:
    """pip 24.2's requirements-file options (`SUPPORTED_OPTIONS` and `SUPPORTED_OPTIONS_REQ`): the
    same names, so that optparse accepts the same abbreviations, attached values and errors."""
    parser = _Parser(add_help_option=False)
    for names, dest in (
        (("-i", "--index-url", "--pypi-url"), "index_url"),
        (("--extra-index-url",), "extra_index_urls"),
        (("-c", "--constraint"), "constraints"),
        (("-r", "--requirement"), "requirements"),
        (("-e", "--editable"), "editables"),
        (("-f", "--find-links"), "find_links"),
        (("--trusted-host",), "trusted_hosts"),
        (("--global-option",), "global_options"),
    ):
        parser.add_option(*names, dest=dest, action="append")
    for flag in ("--no-index", "--prefer-binary", "--require-hashes", "--pre"):
        parser.add_option(flag, action="store_true")
    parser.add_option("--use-feature", dest="features_enabled", action="append", choices=_FEATURES)
    for names, callback in (
        (("--no-binary",), _binary),
        (("--only-binary",), _binary),
        (("--hash",), _hash),
        (("-C", "--config-settings"), _config_setting),
    ):
        parser.add_option(*names, action="callback", callback=callback, type="string")
    return parser
