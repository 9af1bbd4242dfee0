"""Local configuration copies against their samples: the three-way comparison (old sample, sample,
copy) in each format, what is reported for a copy that is not there or cannot be read, the text,
and the settings of copies and Alembic trees."""

from __future__ import annotations

import pytest

from pants_calver.core.devenv.alembic_trees import AlembicTree, alembic_trees
from pants_calver.core.devenv.config_copies import (
    DEFAULT_COPIES,
    CopyCheck,
    CopyStatus,
    KeyChange,
    check_copies,
    check_copies_of,
    check_copy,
    copies_need_a_look,
    needing_a_look,
    copy_lines,
    sample_fingerprints,
)
from pants_calver.core.errors import SettingError

# configs/manager/halfstack.toml, as it was (23.09.6) and as it is (24.03.0), cut down: the new one
# gains `[db] pool-recycle` and `[logging.graylog]`, drops `[manager] heartbeat-timeout`, changes
# `num-proc` and the etcd password.
OLD_TOML = b"""\
[etcd]
password = "old-secret"
[db]
name = "backend"
[manager]
num-proc = 4
heartbeat-timeout = 5.0
"""
NEW_TOML = b"""\
[etcd]
password = "new-secret"
[db]
name = "backend"
pool-recycle = 50
[manager]
num-proc = 8
[logging.graylog]
host = "127.0.0.1"
port = 12201
"""
# The developer's copy: made from the old sample, `db.name` changed, a key of their own.
COPY_TOML = b"""\
[etcd]
password = "old-secret"
[db]
name = "mydb"
mine = 1
[manager]
num-proc = 4
heartbeat-timeout = 5.0
"""

S = "configs/manager/halfstack.toml"


def findings(check: CopyCheck) -> list[tuple]:
    return [(f.change.value, f.key, f.path, f.line, f.value, f.old, f.secret) for f in check.findings]


def test_toml_lacks_drops_and_keeps_old_values() -> None:
    check = check_copy("manager.toml", S, COPY_TOML, NEW_TOML, sample_fingerprints(S, OLD_TOML))
    assert check.status is CopyStatus.COMPARED and check.old_known
    assert findings(check) == [
        ("missing", "db.pool-recycle", S, 5, 50, None, False),
        ("missing", "logging.graylog.host", S, 9, "127.0.0.1", None, False),
        ("missing", "logging.graylog.port", S, 10, 12201, None, False),
        ("dropped", "manager.heartbeat-timeout", "manager.toml", 8, 5.0, None, False),
        # A secret: neither value is shown.
        ("old", "etcd.password", "manager.toml", 2, None, None, True),
        ("old", "manager.num-proc", "manager.toml", 7, 8, 4, False),
    ]


def test_without_an_old_sample_only_missing_keys() -> None:
    """No old sample recorded: `mine` and `heartbeat-timeout` cannot be told apart (the developer's
    own key, or one the sample dropped), nor an old value from the developer's own."""
    check = check_copy("manager.toml", S, COPY_TOML, NEW_TOML, None)
    assert not check.old_known
    assert [f.change for f in check.findings] == [KeyChange.MISSING] * 3


def test_nothing_to_say() -> None:
    check = check_copy("manager.toml", S, NEW_TOML, NEW_TOML, sample_fingerprints(S, OLD_TOML))
    assert (check.status, check.findings) == (CopyStatus.COMPARED, ())
    assert not copies_need_a_look([check])


OLD_JSON = b'{"volumes": {"default_host": "local:volume1", "proxies": {"local": {"secret": "s1", "old": 1}}}}'
NEW_JSON = b"""{
  "volumes": {
    "default_host": "local:volume1",
    "exposed_volume_info": "percentage",
    "proxies": {"local": {"secret": "s2"}}
  }
}"""
COPY_JSON = b'{"volumes": {"default_host": "mine:v", "proxies": {"local": {"secret": "s1", "old": 1}}}}'


def test_json_lacks_drops_and_keeps_old_values() -> None:
    sample = "configs/manager/sample.etcd.volumes.json"
    check = check_copy(
        "dev.etcd.volumes.json", sample, COPY_JSON, NEW_JSON, sample_fingerprints(sample, OLD_JSON)
    )
    assert findings(check) == [
        ("missing", "volumes.exposed_volume_info", sample, 4, "percentage", None, False),
        ("dropped", "volumes.proxies.local.old", "dev.etcd.volumes.json", 1, 1, None, False),
        ("old", "volumes.proxies.local.secret", "dev.etcd.volumes.json", 1, None, None, True),
    ]


OLD_INI = b"""[alembic]
script_location = src/ai/backend/manager/models/alembic
sqlalchemy.url = postgresql://postgres:develove@localhost:8100/backend
file_template = %%(rev)s
"""
NEW_INI = b"""[alembic]
script_location = src/ai/backend/manager/models/alembic
sqlalchemy.url = postgresql://postgres:develove@localhost:8101/backend
Timezone = UTC
"""
COPY_INI = b"""[alembic]
SCRIPT_LOCATION = src/ai/backend/manager/models/alembic
sqlalchemy.url = postgresql://postgres:develove@localhost:8100/backend
file_template = %%(rev)s
"""


def test_ini_lacks_drops_and_keeps_old_values() -> None:
    """Option names compare in lower case, as Alembic reads them (`SCRIPT_LOCATION`); a URL's
    password is masked in what is shown."""
    sample = "configs/manager/halfstack.alembic.ini"
    check = check_copy("alembic.ini", sample, COPY_INI, NEW_INI, sample_fingerprints(sample, OLD_INI))
    assert findings(check) == [
        ("missing", "alembic.timezone", sample, 4, "UTC", None, False),
        ("dropped", "alembic.file_template", "alembic.ini", 4, "%%(rev)s", None, False),
        (
            "old",
            'alembic."sqlalchemy.url"',
            "alembic.ini",
            3,
            "postgresql://postgres:***@localhost:8101/backend",
            "postgresql://postgres:***@localhost:8100/backend",
            False,
        ),
    ]


def test_absent_no_sample_and_unreadable() -> None:
    copies = {
        "manager.toml": S,
        "agent.toml": "configs/agent/halfstack.toml",
        "broken.toml": S,
        "gone.toml": "x.toml",
    }
    checks = check_copies_of(
        copies,
        {"manager.toml": NEW_TOML, "broken.toml": b"[db\n", "gone.toml": b""},
        {S: NEW_TOML},
        {S: sample_fingerprints(S, NEW_TOML) or {}},
    )
    assert [(c.copy, c.status, c.error) for c in checks] == [
        ("manager.toml", CopyStatus.COMPARED, ""),
        ("agent.toml", CopyStatus.ABSENT, ""),
        (
            "broken.toml",
            CopyStatus.UNREADABLE,
            "broken.toml:1: is not valid TOML (Key group not on a line by itself.): fix it, or copy "
            "configs/manager/halfstack.toml to it anew and redo your changes.",
        ),
        ("gone.toml", CopyStatus.NO_SAMPLE, ""),
    ]
    assert copies_need_a_look(checks)
    # The one list the report's and the preview's steps name: an unreadable copy, one with findings.
    lacking = check_copy("new.toml", S, b"", NEW_TOML, None)
    assert needing_a_look([*checks, lacking]) == ["broken.toml", "new.toml"]


def test_a_sample_that_does_not_parse() -> None:
    check = check_copy("manager.toml", S, NEW_TOML, b"a = \n", None, sample_where="on main")
    assert (
        check.error
        == f"{S}:1: is not valid TOML (Empty value is invalid): fix the sample on main first, then compare again."
    )
    assert sample_fingerprints(S, b"a = \n") is None
    assert sample_fingerprints(S, None) is None


def test_copy_lines_after_a_switch() -> None:
    checks = check_copies_of(
        {
            "manager.toml": S,
            "alembic.ini": "configs/manager/halfstack.alembic.ini",
            "agent.toml": "a.toml",
            "new.toml": S,
        },
        {"manager.toml": COPY_TOML, "alembic.ini": b"[alembic\n", "new.toml": NEW_TOML},
        {S: NEW_TOML, "configs/manager/halfstack.alembic.ini": NEW_INI},
        {S: sample_fingerprints(S, OLD_TOML) or {}},
    )
    assert copy_lines(checks) == [
        "Local configuration against its samples:",
        "  manager.toml (from configs/manager/halfstack.toml):",
        "    lacks    db.pool-recycle = 50  (configs/manager/halfstack.toml:5)",
        '    lacks    logging.graylog.host = "127.0.0.1"  (configs/manager/halfstack.toml:9)',
        "    lacks    logging.graylog.port = 12201  (configs/manager/halfstack.toml:10)",
        "    dropped  manager.heartbeat-timeout = 5.0  (manager.toml:8): the sample has it no more",
        "    old      etcd.password  (manager.toml:2): still the sample's old value; the sample changed it",
        "    old      manager.num-proc = 4  (manager.toml:7): the sample now has 8",
        "  alembic.ini:1: is not valid INI (a line before the first [section]): fix it, or copy "
        "configs/manager/halfstack.alembic.ini to it anew and redo your changes.",
        "  new.toml: lacks no key of configs/manager/halfstack.toml.",
        "  Not there, so not compared: agent.toml.",
    ]


def test_copy_lines_of_a_preview() -> None:
    checks = (
        check_copy("manager.toml", S, COPY_TOML, NEW_TOML, None),
        check_copy("agent.toml", "configs/agent/halfstack.toml", b"", None, None),
    )
    assert copy_lines(checks, "main") == [
        "Local configuration against the samples on main:",
        "  manager.toml (from configs/manager/halfstack.toml; no earlier sample recorded: dropped keys "
        "and old values are told from the next run):",
        "    lacks    db.pool-recycle = 50  (main:configs/manager/halfstack.toml:5)",
        '    lacks    logging.graylog.host = "127.0.0.1"  (main:configs/manager/halfstack.toml:9)',
        "    lacks    logging.graylog.port = 12201  (main:configs/manager/halfstack.toml:10)",
        "  agent.toml: not compared: main has no configs/agent/halfstack.toml.",
    ]
    assert copy_lines(()) == []
    assert copy_lines([check_copy("agent.toml", "a.toml", None, b"", None)] * 2) == []


def test_default_copies_are_install_devs() -> None:
    check_copies("[export-dev].local_configs", DEFAULT_COPIES)
    assert list(DEFAULT_COPIES) == [
        "manager.toml",
        "agent.toml",
        "storage-proxy.toml",
        "webserver.conf",
        "alembic.ini",
        "dev.etcd.volumes.json",
    ]


@pytest.mark.parametrize(
    "copies, error",
    [
        pytest.param({"../manager.toml": S}, "`../manager.toml` leaves the build root", id="copy-outside"),
        pytest.param({"m.toml": "/etc/x.toml"}, "`/etc/x.toml` is an absolute path", id="sample-absolute"),
        pytest.param({"m.yaml": "configs/x.yaml"}, "`configs/x.yaml` is not a TOML", id="format"),
        pytest.param({"m.toml": ["a.toml"]}, "`m.toml` maps to ['a.toml'], not a sample's path", id="type"),
    ],
)
def test_check_copies_refuses(copies: dict, error: str) -> None:
    with pytest.raises(
        SettingError,
        match=r"^\[export-dev\]\.local_configs: " + error.replace(".", r"\.").replace("[", r"\["),
    ):
        check_copies("[export-dev].local_configs", copies)


def test_alembic_trees_default_is_the_manager_tree() -> None:
    (tree,) = alembic_trees("[export-dev].alembic_trees", {}, ["src/v/*.py"])
    assert tree == AlembicTree("alembic.ini", ("src/v/*.py",))
    assert (tree.downgrade("b0"), tree.upgrade()) == (
        "alembic -c alembic.ini downgrade b0",
        "alembic -c alembic.ini upgrade head",
    )


def test_alembic_trees_configured() -> None:
    trees = alembic_trees(
        "[export-dev].alembic_trees",
        {"alembic.ini": ["m/*.py"], "alembic-appproxy.ini": ["a/*.py", "!a/x.py"], "my dir/a.ini": []},
        ["ignored/*.py"],
    )
    assert trees == (
        AlembicTree("alembic.ini", ("m/*.py",)),
        AlembicTree("alembic-appproxy.ini", ("a/*.py", "!a/x.py")),
        AlembicTree("my dir/a.ini", ()),
    )
    assert trees[2].downgrade("base") == "alembic -c 'my dir/a.ini' downgrade base"


@pytest.mark.parametrize(
    "trees, error",
    [
        pytest.param(
            {"alembic.ini": "m/*.py"}, "`alembic.ini` maps to 'm/*.py', not a list of globs", id="str"
        ),
        pytest.param({"alembic.ini": [1]}, "`alembic.ini` maps to [1], not a list of globs", id="not-str"),
        pytest.param({"../a.ini": []}, "`../a.ini` leaves the build root", id="ini-outside"),
        pytest.param({"a.ini": ["/abs/*.py"]}, "`/abs/*.py` is an absolute path", id="glob-absolute"),
    ],
)
def test_alembic_trees_refused(trees: dict, error: str) -> None:
    with pytest.raises(SettingError) as raised:
        alembic_trees("[export-dev].alembic_trees", trees, [])
    assert str(raised.value).startswith(f"[export-dev].alembic_trees: {error}")


def test_a_secret_inside_a_dropped_or_old_list_is_not_printed() -> None:
    users = b'[[etcd.users]]\nname = "root"\npassword = "hunter2"\n'
    old_sample = b"[x]\n" + users
    # The sample dropped `etcd.users` (dropped), or changed its user's name (old).
    for new_sample in (b"[x]\n", old_sample.replace(b'"root"', b'"admin"')):
        check = check_copy("manager.toml", S, old_sample, new_sample, sample_fingerprints(S, old_sample))
        lines = copy_lines([check])
        assert len(lines) == 3 and "***" in lines[2] and "hunter2" not in "\n".join(lines), lines
