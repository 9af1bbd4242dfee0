"""Configuration files read as dotted keys, each with its value and line, with no Pants import.

Each format is read by its own parser, the oracle of what the file holds: TOML with the `toml`
that Pants ships (0.10.2; Backend.AI's `.conf` files are TOML too), JSON with the standard
library, INI with `configparser` as Alembic reads `alembic.ini`. The parsers give no positions, so
a small scanner per format (`config_lines`) only finds the line of each key the parser read; a key
the scanner cannot place gets its nearest placed ancestor's line (0: none).
"""

from __future__ import annotations

import configparser
import datetime
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import toml

from pants_calver.core.devenv.config_lines import ini_lines, json_lines, toml_lines
from pants_calver.core.problems import Problem

# The code of the problem of a configuration file its parser refuses (or that cannot be read).
CONFIG_UNREADABLE = "config-unreadable"


class _Unreadable(Exception):
    """Stops reading a configuration file inside `read_keys`, which returns `problem`."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(path, line or 0, CONFIG_UNREADABLE, message)


# The formats by file suffix: the web server's `.conf` is TOML; `.cfg` is read as INI.
FORMATS = {".toml": "toml", ".conf": "toml", ".json": "json", ".ini": "ini", ".cfg": "ini"}

_BARE = re.compile(r"[A-Za-z0-9_-]+\Z")


def config_format(path: str) -> str | None:
    """`toml`, `json` or `ini` by the file's suffix, or None for another file."""
    return next((fmt for suffix, fmt in FORMATS.items() if path.endswith(suffix)), None)


def spell(parts: tuple[str, ...]) -> str:
    """A dotted path, as TOML writes it: a part that is not bare (letters, digits, `_`, `-`) is
    quoted, so that `alembic."sqlalchemy.url"` is one INI option and not two levels."""
    return ".".join(part if _BARE.match(part) else json.dumps(part, ensure_ascii=False) for part in parts)


# A word of the key's last part that marks its value as a secret (see `is_secret`). Not the
# plurals: `keys` lists logger names in every `alembic.ini` (`[loggers] keys = root,sqlalchemy`).
SECRET_WORDS = frozenset(("password", "passwd", "secret", "token", "key"))
# The password of a URL (`postgresql://postgres:develove@localhost/backend`), not shown either.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/:@\s]*:)[^/@\s]*(?P<at>@)")
_WORDS = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def is_secret(parts: tuple[str, ...], lower_cased: bool = False) -> bool:
    """Whether a key's value is not to be printed: its last part, split into words at anything but
    letters and digits and where a lower-case letter or digit meets an upper-case one
    (`secret_key`, `api-token`, `dbPassword`, `redis.password`), has a word that is, in any case,
    `password`, `passwd`, `secret`, `token` or `key`. `keys`, `keyfile`, `passphrase` or
    `monkey` are not: only these whole words count. A `lower_cased` name (an INI option: Alembic
    writes `dbPassword` as `dbpassword`) has lost where its words meet, so there a word also counts
    when it ends with one of them (`dbpassword`, `apikey`; `monkey` too) or holds `password`,
    `passwd`, `secret` or `token` (`passwordfile`): a wrong guess only hides a value."""
    words = [w.lower() for w in _WORDS.split(parts[-1])] if parts else []
    if lower_cased:
        return any(w.endswith(tuple(SECRET_WORDS)) or any(s in w for s in _LONG_WORDS) for w in words)
    return any(w in SECRET_WORDS for w in words)


_LONG_WORDS = tuple(SECRET_WORDS - {"key"})


SECRET_SHOWN = "(a secret: not shown)"
# What a secret inside a value (a list of tables, an object) is shown as: `[{"password": "***"}]`.
SECRET_MASK = "***"


@dataclass(frozen=True)
class ConfigKey:
    """A leaf of a configuration file: a value that is not a table (a list is a leaf, compared
    whole). `value` is plain JSON data (TOML dates as ISO text, INI values as their raw text);
    `line` is 1-based, 0 when unknown; `lower_cased`: its name was lower-cased (INI)."""

    parts: tuple[str, ...]
    value: Any
    line: int
    lower_cased: bool = False

    @property
    def key(self) -> str:
        return spell(self.parts)

    @property
    def secret(self) -> bool:
        return is_secret(self.parts, self.lower_cased)

    def fingerprint(self) -> str:
        """The value, canonical, to compare with another file's: its JSON text, or for a secret
        (or a value holding one) the SHA-256 of that text, so that the record of a sample holds no
        secret in clear."""
        text = json.dumps(self.value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        hidden = self.secret or _holds_secret(self.value)
        return f"sha256:{hashlib.sha256(text.encode()).hexdigest()}" if hidden else text

    @property
    def public(self) -> Any:
        """The value as it may be printed: None for a secret; in a value, the password of a URL in
        a text (`postgresql://postgres:***@localhost/backend`) and what a secret key of a table
        holds (`[{"name": "root", "password": "***"}]`) masked."""
        return None if self.secret else _masked(self.value)

    def shown(self, fmt: str) -> str:
        """The value as printed: `public` as JSON text (an INI value as it is written)."""
        if self.secret:
            return SECRET_SHOWN
        return self.public if fmt == "ini" else json.dumps(self.public, ensure_ascii=False)


def _walk(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """`leaf` applied to each value that is not a list or a table; lists and tables rebuilt."""
    if isinstance(value, dict):
        return {str(k): _walk(v, leaf) for k, v in value.items()}
    return [_walk(v, leaf) for v in value] if isinstance(value, list) else leaf(value)


def _masked(value: Any) -> Any:
    """The password of every URL in a text masked, and whatever a secret key of a table holds."""
    if isinstance(value, dict):
        return {str(k): SECRET_MASK if is_secret((str(k),)) else _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return _URL_PASSWORD.sub(r"\g<head>***\g<at>", value) if isinstance(value, str) else value


def _holds_secret(value: Any) -> bool:
    """Whether a table inside the value has a secret key."""
    if isinstance(value, dict):
        return any(is_secret((str(k),)) or _holds_secret(v) for k, v in value.items())
    return isinstance(value, list) and any(_holds_secret(v) for v in value)


def _plain(value: Any) -> Any:
    """TOML's values as JSON data: dates and times as ISO text."""
    return _walk(value, lambda v: v.isoformat() if isinstance(v, (datetime.date, datetime.time)) else v)


def _leaves(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every leaf of nested tables, in file order; an empty table is a leaf too (`{}`)."""
    found: list[tuple[tuple[str, ...], Any]] = []
    for name, value in data.items():
        if isinstance(value, dict) and value:
            found += _leaves(value, (*prefix, name))
        else:
            found.append(((*prefix, name), value))
    return found


def read_keys(path: str, content: bytes, fmt: str, fix: str) -> dict[str, ConfigKey] | Problem:
    """The leaves of a configuration file by dotted path, in file order; or a `CONFIG_UNREADABLE`
    problem naming `path` and the line when the file is not valid UTF-8 or its parser refuses it,
    whose message ends with `fix`."""
    try:
        return _read_keys(path, content, fmt, fix)
    except _Unreadable as e:
        return e.problem


def _read_keys(path: str, content: bytes, fmt: str, fix: str) -> dict[str, ConfigKey]:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as e:
        line = content[: e.start].count(b"\n") + 1
        raise _Unreadable(path, line, f"is not UTF-8 text ({e.reason}): {fix}")
    if fmt == "ini":
        data, where = _read_ini(path, text, fix), ini_lines(text)
    elif fmt == "json":
        data, where = _read_json(path, text, fix), json_lines(text)
    else:
        data, where = _read_toml(path, text, fix), toml_lines(text)
    return {
        spell(parts): ConfigKey(parts, value, _line(where, parts), lower_cased=fmt == "ini")
        for parts, value in _leaves(data)
    }


def _line(where: Mapping[tuple[str, ...], int], parts: tuple[str, ...]) -> int:
    """The line of a key, or of its nearest placed ancestor (an inline table's key), or 0."""
    for end in range(len(parts), 0, -1):
        if parts[:end] in where:
            return where[parts[:end]]
    return 0


def _read_toml(path: str, text: str, fix: str) -> dict[str, Any]:
    try:
        return _plain(toml.loads(text))
    except toml.TomlDecodeError as e:
        raise _Unreadable(path, e.lineno, f"is not valid TOML ({e.msg}): {fix}")
    except (ValueError, TypeError, IndexError) as e:
        # toml 0.10.2 lets a few malformed values escape as plain errors, without a line.
        raise _Unreadable(path, None, f"is not valid TOML ({e}): {fix}")


def _read_json(path: str, text: str, fix: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise _Unreadable(path, e.lineno, f"is not valid JSON ({e.msg}): {fix}")
    if not isinstance(data, dict):
        raise _Unreadable(path, 1, f"holds a JSON {type(data).__name__}, not an object: {fix}")
    return data


def _parser(defaults: Mapping[str, str] | None = None) -> configparser.ConfigParser:
    """Alembic's parser (`alembic.config.Config.file_config`, 1.12): `ConfigParser(config_args)`,
    strict, lower-cased option names, `BasicInterpolation`; `defaults` are its `config_args`."""
    return configparser.ConfigParser(defaults)


def _read_ini(path: str, text: str, fix: str) -> dict[str, Any]:
    """Each section's own options, raw (a `%(here)s` as written). `[DEFAULT]` is a section here:
    its options are not repeated in every other one. Whatever Alembic cannot read (a bad
    interpolation included) is refused, naming the line."""
    alembic = _parser({"here": "."})
    try:
        alembic.read_string(text, path)
        for section in alembic.sections():
            for option in alembic.options(section):
                alembic.get(section, option)
    except configparser.InterpolationError as e:
        line = ini_lines(text).get((e.section, e.option), 0)
        raise _Unreadable(path, line or None, f"is not valid INI ({_interpolation_reason(e)}): {fix}")
    except configparser.Error as e:
        raise _Unreadable(path, _ini_error_line(e), f"is not valid INI ({_ini_reason(e)}): {fix}")
    # Not strict: Alembic's parser above was; only `[DEFAULT]` twice, which it allows, is left.
    own = configparser.ConfigParser(interpolation=None, default_section="\0", strict=False)
    own.read_string(text, path)
    return {section: dict(own.items(section)) for section in own.sections()}


def _ini_error_line(error: configparser.Error) -> int | None:
    if isinstance(error, configparser.MissingSectionHeaderError):
        return error.lineno
    if isinstance(error, configparser.ParsingError) and error.errors:
        return int(error.errors[0][0])
    return getattr(error, "lineno", None)


def _ini_reason(error: configparser.Error) -> str:
    if isinstance(error, configparser.MissingSectionHeaderError):
        return "a line before the first [section]"
    if isinstance(error, configparser.DuplicateOptionError):
        return f"option {error.option!r} twice in [{error.section}]"
    if isinstance(error, configparser.DuplicateSectionError):
        return f"section [{error.section}] twice"
    if isinstance(error, configparser.ParsingError) and error.errors:
        # Not the line's text, which may hold a secret (`password hunter2`).
        return f'line {error.errors[0][0]} is not "option = value"'
    return error.message.splitlines()[0]


def _interpolation_reason(error: configparser.InterpolationError) -> str:
    """What is wrong with a value's `%`, naming its section and option, never its text (configparser's
    message quotes the value, a password of a URL included)."""
    if isinstance(error, configparser.InterpolationMissingOptionError):
        what = "a %(name)s naming no option"
    elif isinstance(error, configparser.InterpolationDepthError):
        what = "a %(name)s nested too deep"
    elif error.message.startswith("'%' must be followed"):
        what = "a % not followed by % or ("
    elif isinstance(error, configparser.InterpolationSyntaxError):
        what = "a %( with no )s"
    else:
        what = "a bad %"
    return f"{what} in [{error.section}] {error.option}"
