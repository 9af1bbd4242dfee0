"""Configuration files read as dotted keys: each format by its own parser, the line of each key,
one-line errors naming the file and line, and which values are secrets."""

from __future__ import annotations

import configparser
import json

import pytest
import toml

from pants_calver.core.devenv.config_keys import ConfigKey, config_format, is_secret, read_keys, spell
from pants_calver.core.problems import Problem

FIX = "fix it."

MANAGER_TOML = """\
# Backend.AI's configs/manager/halfstack.toml, cut down
[etcd]
namespace = "local"
addr = { host = "127.0.0.1", port = 8120 }
user = ""
password = ""

[db]
type = "postgresql"
addr = { host = "localhost", port = 8100 }
name = "backend"
password = "develove"
pool-recycle = 50

[manager]
num-proc = 4
service-addr = { host = "0.0.0.0", port = 8081 }
hide-agents = true
allowed-plugins = [
    "a[b]",   # a bracket in a string
    "c",
]
pairs = [
    ["a"],   # looks like a table header
    ["c", "d"],
]
importer-image = \"\"\"
fake = "not a key"
\"\"\"

[logging.graylog]
host = "127.0.0.1"
"local.fqdn" = true

[[volumes]]
name = "x"

[debug]
enabled = false
periodic-sync-stats = 1979-05-27T07:32:00Z
"""


def keys(text: str, fmt: str) -> dict[str, tuple[int, object]]:
    found = read_keys("f", text.encode(), fmt, FIX)
    assert not isinstance(found, Problem), found
    return {name: (key.line, key.value) for name, key in found.items()}


def test_toml_keys_lines_and_values() -> None:
    assert keys(MANAGER_TOML, "toml") == {
        "etcd.namespace": (3, "local"),
        "etcd.addr.host": (4, "127.0.0.1"),
        "etcd.addr.port": (4, 8120),
        "etcd.user": (5, ""),
        "etcd.password": (6, ""),
        "db.type": (9, "postgresql"),
        "db.addr.host": (10, "localhost"),
        "db.addr.port": (10, 8100),
        "db.name": (11, "backend"),
        "db.password": (12, "develove"),
        "db.pool-recycle": (13, 50),
        "manager.num-proc": (16, 4),
        "manager.service-addr.host": (17, "0.0.0.0"),
        "manager.service-addr.port": (17, 8081),
        "manager.hide-agents": (18, True),
        "manager.allowed-plugins": (19, ["a[b]", "c"]),
        "manager.pairs": (23, [["a"], ["c", "d"]]),
        "manager.importer-image": (27, 'fake = "not a key"\n'),
        "logging.graylog.host": (32, "127.0.0.1"),
        'logging.graylog."local.fqdn"': (33, True),
        "volumes": (35, [{"name": "x"}]),
        "debug.enabled": (39, False),
        "debug.periodic-sync-stats": (40, "1979-05-27T07:32:00+00:00"),
    }


def test_toml_keys_are_the_parsers() -> None:
    """Every leaf the TOML parser reads, and nothing else, whatever the scanner sees."""

    def leaves(data: dict, prefix: tuple = ()) -> set:
        return {
            leaf
            for name, value in data.items()
            for leaf in (
                leaves(value, (*prefix, name)) if isinstance(value, dict) and value else {(*prefix, name)}
            )
        }

    expected = {spell(parts) for parts in leaves(toml.loads(MANAGER_TOML))}
    assert set(keys(MANAGER_TOML, "toml")) == expected


VOLUMES_JSON = """\
{
  "volumes": {
    "_types": {"group": "", "user": ""},
    "default_host": "local:volume1",
    "proxies": {
      "local": {
        "client_api": "http://127.0.0.1:6021",
        "manager_api": "https://127.0.0.1:6022",
        "secret": "some-secret-shared-with-storage-proxy",
        "hosts": [{"a": {"b": 1}}]
      }
    },
    "exposed_volume_info": "percentage",
    "empty": {}
  }
}
"""


def test_json_keys_lines_and_values() -> None:
    assert keys(VOLUMES_JSON, "json") == {
        "volumes._types.group": (3, ""),
        "volumes._types.user": (3, ""),
        "volumes.default_host": (4, "local:volume1"),
        "volumes.proxies.local.client_api": (7, "http://127.0.0.1:6021"),
        "volumes.proxies.local.manager_api": (8, "https://127.0.0.1:6022"),
        "volumes.proxies.local.secret": (9, "some-secret-shared-with-storage-proxy"),
        "volumes.proxies.local.hosts": (10, [{"a": {"b": 1}}]),
        "volumes.exposed_volume_info": (13, "percentage"),
        "volumes.empty": (14, {}),
    }


ALEMBIC_INI = """\
[alembic]
script_location = src/ai/backend/manager/models/alembic
# a comment
sqlalchemy.url = postgresql://postgres:develove@localhost:8100/backend
Version_Locations = %(here)s/versions
  %(here)s/more

[loggers]
keys = root,sqlalchemy,alembic

[DEFAULT]
shared = 1
"""


def test_ini_keys_as_alembic_reads_them() -> None:
    """Option names lower-cased, values raw (`%(here)s` as written), continuation lines in the
    value, `[DEFAULT]`'s options once, under DEFAULT."""
    assert keys(ALEMBIC_INI, "ini") == {
        "alembic.script_location": (2, "src/ai/backend/manager/models/alembic"),
        'alembic."sqlalchemy.url"': (4, "postgresql://postgres:develove@localhost:8100/backend"),
        "alembic.version_locations": (5, "%(here)s/versions\n%(here)s/more"),
        "loggers.keys": (9, "root,sqlalchemy,alembic"),
        "DEFAULT.shared": (12, "1"),
    }
    # Alembic's own parser reads the same values (interpolated).
    alembic = configparser.ConfigParser({"here": "/repo"})
    alembic.read_string(ALEMBIC_INI)
    assert alembic.get("alembic", "version_locations") == "/repo/versions\n/repo/more"


@pytest.mark.parametrize("odd", ["\x0c", "\u2028", "\x1c"])
def test_a_line_is_broken_only_at_a_newline(odd: str) -> None:
    """A form feed or U+2028 in a value does not move the lines of the keys after it, as the
    parsers count them."""
    assert keys(f'a = "x{odd}y"\nb = 1\n', "toml") == {"a": (1, f"x{odd}y"), "b": (2, 1)}
    assert keys(f"[s]\na = x{odd}y\nb = 1\n", "ini") == {"s.a": (2, f"x{odd}y"), "s.b": (3, "1")}


def test_ini_default_section_twice_is_read_as_alembic_reads_it() -> None:
    """configparser, strict as Alembic's, lets `[DEFAULT]` be written twice: its options add up."""
    assert keys("[DEFAULT]\na=1\n[DEFAULT]\nb=2\n", "ini") == {"DEFAULT.a": (2, "1"), "DEFAULT.b": (4, "2")}


@pytest.mark.parametrize(
    "text, fmt, error",
    [
        pytest.param(
            "[db\nx = 1\n",
            "toml",
            "f:1: is not valid TOML (Key group not on a line by itself.): fix it.",
            id="toml-header",
        ),
        pytest.param(
            "a = 1\nb = \n",
            "toml",
            "f:2: is not valid TOML (Empty value is invalid): fix it.",
            id="toml-value",
        ),
        pytest.param(
            "a = 1\na = 2\n", "toml", "f:2: is not valid TOML (Duplicate keys!): fix it.", id="toml-duplicate"
        ),
        pytest.param(
            '{"a":\n 1,}',
            "json",
            "f:2: is not valid JSON (Expecting property name enclosed in double quotes): fix it.",
            id="json-comma",
        ),
        pytest.param("[1]", "json", "f:1: holds a JSON list, not an object: fix it.", id="json-list"),
        pytest.param(
            "x = 1\n",
            "ini",
            "f:1: is not valid INI (a line before the first [section]): fix it.",
            id="ini-no-section",
        ),
        pytest.param(
            "[a]\nx = 1\nx = 2\n",
            "ini",
            "f:3: is not valid INI (option 'x' twice in [a]): fix it.",
            id="ini-duplicate",
        ),
        pytest.param(
            "[a]\n[a]\n", "ini", "f:2: is not valid INI (section [a] twice): fix it.", id="ini-section-twice"
        ),
        pytest.param(
            "[a]\nb = 1\nc\n",
            "ini",
            'f:3: is not valid INI (line 3 is not "option = value"): fix it.',
            id="ini-no-equals",
        ),
        pytest.param(
            "[a]\nb = 1\nx = %(nope)s\n",
            "ini",
            "f:3: is not valid INI (a %(name)s naming no option in [a] x): fix it.",
            id="ini-interpolation",
        ),
        pytest.param(
            "[a]\nx = %(nope\n",
            "ini",
            "f:2: is not valid INI (a %( with no )s in [a] x): fix it.",
            id="ini-interpolation-unclosed",
        ),
        pytest.param(
            "[a]\nx = %(x)s\n",
            "ini",
            "f:2: is not valid INI (a %(name)s nested too deep in [a] x): fix it.",
            id="ini-interpolation-loop",
        ),
    ],
)
def test_a_file_that_does_not_parse_is_one_line(text: str, fmt: str, error: str) -> None:
    problem = read_keys("f", text.encode(), fmt, FIX)
    assert isinstance(problem, Problem) and problem.code == "config-unreadable"
    assert problem.text() == error
    assert "\n" not in problem.text()


@pytest.mark.parametrize(
    "text, error",
    [
        pytest.param(
            "[db]\npassword hunter2\n",
            'f:2: is not valid INI (line 2 is not "option = value"): fix it.',
            id="no-equals",
        ),
        pytest.param(
            "[alembic]\nsqlalchemy.url = postgresql://postgres:p%40ss@localhost/backend\n",
            "f:2: is not valid INI (a % not followed by % or ( in [alembic] sqlalchemy.url): fix it.",
            id="lone-percent",
        ),
    ],
)
def test_an_ini_error_names_the_line_and_option_never_the_value(text: str, error: str) -> None:
    problem = read_keys("f", text.encode(), "ini", FIX)
    assert isinstance(problem, Problem) and problem.text() == error
    assert "hunter2" not in problem.text() and "40ss" not in problem.text()


def test_not_utf8_names_the_line() -> None:
    problem = read_keys("f", b"a = 1\nb = '\xff'\n", "toml", FIX)
    assert problem == Problem("f", 2, "config-unreadable", "is not UTF-8 text (invalid start byte): fix it.")


@pytest.mark.parametrize(
    "parts, secret",
    [
        pytest.param(("db", "password"), True, id="password"),
        pytest.param(("etcd", "passwd"), True, id="passwd"),
        pytest.param(("manager", "secret"), True, id="secret"),
        pytest.param(("x", "api-token"), True, id="token-word"),
        pytest.param(("x", "aws_secret_access_key"), True, id="snake"),
        pytest.param(("x", "dbPassword"), True, id="camel"),
        pytest.param(("x", "SSL.Key"), True, id="dotted-part-any-case"),
        pytest.param(("password", "user"), False, id="only-the-last-part"),
        pytest.param(("loggers", "keys"), False, id="alembic-loggers-keys"),
        pytest.param(("x", "keyfile"), False, id="not-a-whole-word"),
        pytest.param(("x", "monkey"), False, id="inside-a-word"),
        pytest.param(("x", "passphrase"), False, id="not-listed"),
        pytest.param((), False, id="no-key"),
    ],
)
def test_is_secret(parts: tuple, secret: bool) -> None:
    assert is_secret(parts) is secret


@pytest.mark.parametrize(
    "name, secret",
    [
        pytest.param("dbpassword", True, id="camel-lower-cased"),
        pytest.param("apikey", True, id="ends-with-key"),
        pytest.param("db_password", True, id="a-whole-word"),
        pytest.param("passwordfile", True, id="holds-password"),
        pytest.param("authtoken_url", True, id="holds-token"),
        pytest.param("keys", False, id="alembic-loggers-keys"),
        pytest.param("keyfile", False, id="key-not-at-the-end"),
        pytest.param("script_location", False, id="plain"),
    ],
)
def test_is_secret_of_a_lower_cased_ini_name(name: str, secret: bool) -> None:
    assert is_secret(("db", name), lower_cased=True) is secret


def test_an_ini_option_lower_cased_by_alembic_is_still_a_secret() -> None:
    found = read_keys("f", b"[db]\ndbPassword = hunter2\nkeyFile = k.pem\n", "ini", FIX)
    assert not isinstance(found, Problem)
    assert found["db.dbpassword"].shown("ini") == "(a secret: not shown)"
    assert "hunter2" not in found["db.dbpassword"].fingerprint()
    assert found["db.keyfile"].shown("ini") == "k.pem"
    # In TOML and JSON the case is kept: only whole words count there.
    assert not is_secret(("db", "dbpassword"))


@pytest.mark.parametrize(
    "text, fmt, key",
    [
        pytest.param(
            '[[etcd.users]]\nname = "root"\npassword = "hunter2"\n', "toml", "etcd.users", id="toml"
        ),
        pytest.param(
            '{"users": [{"name": "root", "auth": {"apiToken": "hunter2"}}]}', "json", "users", id="json"
        ),
    ],
)
def test_a_secret_inside_a_list_is_masked(text: str, fmt: str, key: str) -> None:
    found = read_keys("f", text.encode(), fmt, FIX)
    assert not isinstance(found, Problem)
    listed = found[key]
    assert "hunter2" not in listed.shown(fmt) and "hunter2" not in json.dumps(listed.public)
    assert "***" in listed.shown(fmt) and "root" in listed.shown(fmt)
    assert listed.fingerprint().startswith("sha256:")
    assert "hunter2" in json.dumps(listed.value)  # the value itself is kept, to compare


def test_secret_values_are_not_shown_nor_recorded_in_clear() -> None:
    key = ConfigKey(("db", "password"), "develove", 3)
    assert (key.public, key.shown("toml")) == (None, "(a secret: not shown)")
    assert key.fingerprint().startswith("sha256:") and "develove" not in key.fingerprint()
    assert key.fingerprint() != ConfigKey(("db", "password"), "other", 3).fingerprint()
    plain = ConfigKey(("db", "name"), "backend", 3)
    assert (plain.public, plain.shown("toml"), plain.fingerprint()) == ("backend", '"backend"', '"backend"')


def test_a_urls_password_is_masked() -> None:
    url = ConfigKey(("alembic", "sqlalchemy.url"), "postgresql://postgres:develove@localhost:8100/backend", 4)
    assert url.shown("ini") == "postgresql://postgres:***@localhost:8100/backend"
    assert url.public == "postgresql://postgres:***@localhost:8100/backend"
    listed = ConfigKey(("x",), ["redis://:pw@h/0", "http://h:80/p"], 1)
    assert listed.shown("json") == '["redis://:***@h/0", "http://h:80/p"]'
    # The fingerprint is of the real value: a changed password is a changed value.
    assert url.fingerprint() == json.dumps(url.value)


@pytest.mark.parametrize(
    "path, fmt",
    [
        ("configs/manager/halfstack.toml", "toml"),
        ("configs/webserver/halfstack.conf", "toml"),
        ("configs/manager/sample.etcd.volumes.json", "json"),
        ("configs/manager/halfstack.alembic.ini", "ini"),
        ("setup.cfg", "ini"),
        ("configs/prometheus/prometheus.yaml", None),
    ],
)
def test_config_format(path: str, fmt: str | None) -> None:
    assert config_format(path) == fmt


def test_spell_quotes_what_is_not_bare() -> None:
    assert (
        spell(("alembic", "sqlalchemy.url", "a b", "é", "ok_-1"))
        == 'alembic."sqlalchemy.url"."a b"."é".ok_-1'
    )
