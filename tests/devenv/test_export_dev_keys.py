"""export-dev's local configuration copies and Alembic trees, on two branches built by real git
commits: after a switch (the report) and before it (`--preview`), in text and in JSON, with copies
in each format that lack keys, keep keys the sample dropped, and hold a sample's old value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pants.testutil.rule_runner import RuleRunner

from export_dev_runner import export_dev_rule_runner, run
from monorepo import git

RESOLVES = {"alpha": "alpha.lock"}
TREES = {"alembic.ini": ["versions/*.py"], "alembic-appproxy.ini": ["appproxy/versions/*.py"]}
COPIES = {
    "manager.toml": "configs/manager/halfstack.toml",
    "dev.etcd.volumes.json": "configs/manager/sample.etcd.volumes.json",
    "alembic.ini": "configs/manager/halfstack.alembic.ini",
    "agent.toml": "configs/agent/halfstack.toml",
}
OPTIONS = (
    f"--export-dev-alembic-trees={json.dumps(TREES)}",
    f"--export-dev-local-configs={json.dumps(COPIES)}",
)

# Branch `old` (say 23.09): the samples as the developer copied them.
OLD = {
    "alpha.lock": "// alpha\n",
    "versions/a0.py": 'revision = "a0"\ndown_revision = None\n',
    "appproxy/versions/p0.py": 'revision = "p0"\ndown_revision = None\n',
    "configs/manager/halfstack.toml": (
        '[etcd]\nnamespace = "local"\npassword = "old-secret"\n'
        '[db]\nname = "backend"\n'
        "[manager]\nnum-proc = 4\nheartbeat-timeout = 5.0\n"
    ),
    "configs/manager/sample.etcd.volumes.json": (
        '{\n  "volumes": {\n    "default_host": "local:volume1",\n    "old_option": 1\n  }\n}\n'
    ),
    "configs/manager/halfstack.alembic.ini": (
        "[alembic]\nscript_location = src/ai/backend/manager/models/alembic\n"
        "sqlalchemy.url = postgresql://postgres:develove@localhost:8100/backend\n"
    ),
    "configs/agent/halfstack.toml": '[agent]\nid = "i-local"\n',
}
# Branch `new` (say 24.03): the manager's sample gains `[db] pool-recycle` and `[logging.graylog]`,
# drops `heartbeat-timeout`, changes `num-proc` and the etcd password; the etcd sample gains
# `exposed_volume_info` and drops `old_option`; the alembic.ini sample changes the database URL.
# Each tree gains a revision.
NEW = {
    **OLD,
    "versions/a1.py": 'revision = "a1"\ndown_revision = "a0"\n',
    "appproxy/versions/p1.py": 'revision = "p1"\ndown_revision = "p0"\n',
    "configs/manager/halfstack.toml": (
        '[etcd]\nnamespace = "local"\npassword = "new-secret"\n'
        '[db]\nname = "backend"\npool-recycle = 50\n'
        "[manager]\nnum-proc = 8\n"
        '[logging.graylog]\nhost = "127.0.0.1"\nport = 12201\n'
    ),
    "configs/manager/sample.etcd.volumes.json": (
        '{\n  "volumes": {\n    "default_host": "local:volume1",\n    "exposed_volume_info": "percentage"\n  }\n}\n'
    ),
    "configs/manager/halfstack.alembic.ini": (
        "[alembic]\nscript_location = src/ai/backend/manager/models/alembic\n"
        "sqlalchemy.url = postgresql://postgres:develove@localhost:8101/backend\n"
    ),
}
# The developer's copies, made on `old`: the database name changed (their own value), a key of
# their own; the etcd volume host changed. agent.toml was never copied.
LOCAL = {
    "manager.toml": OLD["configs/manager/halfstack.toml"].replace(
        'name = "backend"', 'name = "mine"\nmine = 1'
    ),
    "dev.etcd.volumes.json": OLD["configs/manager/sample.etcd.volumes.json"].replace(
        "local:volume1", "mine:v"
    ),
    "alembic.ini": OLD["configs/manager/halfstack.alembic.ini"],
}


@pytest.fixture
def runner() -> RuleRunner:
    return export_dev_rule_runner()


def branches(runner: RuleRunner) -> Path:
    """`old` and `new` committed by git, `old` checked out, the local copies beside them (ignored
    by git, as Backend.AI's `.gitignore` does)."""
    root = Path(runner.build_root)
    runner.write_files({**OLD, ".gitignore": "".join(f"/{c}\n" for c in COPIES) + "/dist/\n"})
    git(root, "init", "-q", "-b", "old")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "old")
    git(root, "checkout", "-q", "-b", "new")
    runner.write_files(NEW)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "new")
    git(root, "checkout", "-q", "old")
    runner.write_files(LOCAL)
    return root


def export_dev(runner: RuleRunner, *args: str):
    return run(
        runner,
        "--resolves=['alpha']",
        *OPTIONS,
        *args,
        resolves=RESOLVES,
        config_samples=("configs/**/*.toml",),
        migrations=None,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file outside `.git` and Pants' own `.pants.d`, by its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not {".git", ".pants.d"} & set(p.relative_to(root).parts)
    }


# What the copies need on `new`, as text: after the switch the samples are this checkout's, before
# it (a preview) they are read on `new`.
def copy_lines(on: str = "") -> list[str]:
    at = f"{on}:" if on else ""
    return [
        f"Local configuration against {f'the samples on {on}' if on else 'its samples'}:",
        "  manager.toml (from configs/manager/halfstack.toml):",
        f"    lacks    db.pool-recycle = 50  ({at}configs/manager/halfstack.toml:6)",
        f'    lacks    logging.graylog.host = "127.0.0.1"  ({at}configs/manager/halfstack.toml:10)',
        f"    lacks    logging.graylog.port = 12201  ({at}configs/manager/halfstack.toml:11)",
        "    dropped  manager.heartbeat-timeout = 5.0  (manager.toml:9): the sample has it no more",
        "    old      etcd.password  (manager.toml:3): still the sample's old value; the sample changed it",
        "    old      manager.num-proc = 4  (manager.toml:8): the sample now has 8",
        "  dev.etcd.volumes.json (from configs/manager/sample.etcd.volumes.json):",
        f'    lacks    volumes.exposed_volume_info = "percentage"  ({at}configs/manager/sample.etcd.volumes.json:4)',
        "    dropped  volumes.old_option = 1  (dev.etcd.volumes.json:4): the sample has it no more",
        "  alembic.ini (from configs/manager/halfstack.alembic.ini):",
        '    old      alembic."sqlalchemy.url" = postgresql://postgres:***@localhost:8100/backend  (alembic.ini:3): '
        "the sample now has postgresql://postgres:***@localhost:8101/backend",
        "  Not there, so not compared: agent.toml.",
    ]


def finding(key: str, path: str, line: int, value: Any, secret: bool = False, **old: Any) -> dict[str, Any]:
    return {"key": key, "path": path, "line": line, "secret": secret, "value": value, **old}


# The same as data.
COPIES_DATA = [
    {
        "copy": "manager.toml",
        "sample": "configs/manager/halfstack.toml",
        "status": "compared",
        "error": None,
        "old_known": True,
        "missing": [
            finding("db.pool-recycle", "configs/manager/halfstack.toml", 6, 50),
            finding("logging.graylog.host", "configs/manager/halfstack.toml", 10, "127.0.0.1"),
            finding("logging.graylog.port", "configs/manager/halfstack.toml", 11, 12201),
        ],
        "dropped": [finding("manager.heartbeat-timeout", "manager.toml", 9, 5.0)],
        "old": [
            finding("etcd.password", "manager.toml", 3, None, True, old=None),
            finding("manager.num-proc", "manager.toml", 8, 8, old=4),
        ],
    },
    {
        "copy": "dev.etcd.volumes.json",
        "sample": "configs/manager/sample.etcd.volumes.json",
        "status": "compared",
        "error": None,
        "old_known": True,
        "missing": [
            finding(
                "volumes.exposed_volume_info", "configs/manager/sample.etcd.volumes.json", 4, "percentage"
            )
        ],
        "dropped": [finding("volumes.old_option", "dev.etcd.volumes.json", 4, 1)],
        "old": [],
    },
    {
        "copy": "alembic.ini",
        "sample": "configs/manager/halfstack.alembic.ini",
        "status": "compared",
        "error": None,
        "old_known": True,
        "missing": [],
        "dropped": [],
        "old": [
            finding(
                'alembic."sqlalchemy.url"',
                "alembic.ini",
                3,
                "postgresql://postgres:***@localhost:8101/backend",
                old="postgresql://postgres:***@localhost:8100/backend",
            )
        ],
    },
    {
        "copy": "agent.toml",
        "sample": "configs/agent/halfstack.toml",
        "status": "absent",
        "error": None,
        "old_known": True,
        "missing": [],
        "dropped": [],
        "old": [],
    },
]
UPDATE = "update your local configuration (see above): manager.toml, dev.etcd.volumes.json, alembic.ini"
CHECK = "check your local TOML and etcd configuration against the samples above"
SAMPLES_DATA = {
    "globs": ["configs/**/*.toml"],
    "changed": ["configs/manager/halfstack.toml"],
    "added": [],
    "removed": [],
}


def tree(ini: str, glob: str, **plan: Any) -> dict[str, Any]:
    """A tree's data: nothing to undo or apply unless `plan` says so."""
    empty: dict[str, Any] = {
        "downgrade": [],
        "targets": [],
        "commands": [],
        "by_hand": [],
        "upgrade": [],
        "upgrade_command": None,
    }
    rest: dict[str, Any] = {"rewritten": [], "problems": [], "unreadable": []}
    return {"ini": ini, "globs": [glob], "compared": True, **empty, **plan, **rest}


def test_report_after_a_switch(runner: RuleRunner) -> None:
    root = branches(runner)
    first = export_dev(runner)
    assert (first.exit_code, first.stdout.splitlines()[1:-1]) == (
        0,
        [
            "First export-dev run here: nothing was recorded before, so there is nothing to compare. "
            "Recorded 2 migrations and 2 configuration samples for the next run.",
            "Local configuration against its samples:",
            *(
                f"  {copy}: lacks no key of {sample} (no earlier sample recorded: dropped keys and old values "
                "are told from the next run)."
                for copy, sample in list(COPIES.items())[:3]
            ),
            "  Not there, so not compared: agent.toml.",
        ],
    )
    # The record keeps each sample's keys, a secret's value hashed.
    record = (root / "dist/export/export-dev.json").read_text()
    assert json.loads(record)["config_keys"]["configs/manager/halfstack.toml"]["db.name"] == '"backend"'
    assert "old-secret" not in record and "develove" in record
    git(root, "checkout", "-q", "new")
    result = export_dev(runner)
    assert (result.exit_code, result.stderr, result.stdout.splitlines()[1:-1]) == (
        0,
        "",
        [
            "New database migrations of alembic.ini since the last export-dev (1):",
            "  a1  versions/a1.py",
            "  Run `alembic -c alembic.ini upgrade head` to apply them.",
            "New database migrations of alembic-appproxy.ini since the last export-dev (1):",
            "  p1  appproxy/versions/p1.py",
            "  Run `alembic -c alembic-appproxy.ini upgrade head` to apply them.",
            "Configuration samples changed since the last export-dev:",
            "  changed  configs/manager/halfstack.toml",
            "  Check your local TOML configuration and etcd configuration against them.",
            *copy_lines(),
        ],
    )
    # The next run knows `new`'s samples as the old ones: what the copies still lack is told again,
    # the keys dropped and the old values are not (the sample's value is the old one now).
    again = export_dev(runner).stdout.splitlines()
    assert again[again.index("Local configuration against its samples:") : -1] == [
        *copy_lines()[:5],
        *copy_lines()[8:10],
        "  alembic.ini: lacks no key of configs/manager/halfstack.alembic.ini.",
        "  Not there, so not compared: agent.toml.",
    ]


def test_report_after_a_switch_as_json(runner: RuleRunner) -> None:
    root = branches(runner)
    export_dev(runner)
    git(root, "checkout", "-q", "new")
    result = export_dev(runner, "--output-format=json")
    document = json.loads(result.stdout)
    assert isinstance(document.pop("elapsed_seconds"), float)
    assert (result.exit_code, result.stderr) == (0, "")
    assert document == {
        "version": 1,
        "kind": "report",
        "resolves": [
            {
                "resolve": "alpha",
                "outcome": "up_to_date",
                "detail": "dist/export/python/virtualenvs/alpha/3.9.0",
            }
        ],
        "first_run": False,
        "alembic_trees": [
            tree(
                "alembic.ini",
                "versions/*.py",
                upgrade=[{"revision": "a1", "path": "versions/a1.py"}],
                upgrade_command="alembic -c alembic.ini upgrade head",
            ),
            tree(
                "alembic-appproxy.ini",
                "appproxy/versions/*.py",
                upgrade=[{"revision": "p1", "path": "appproxy/versions/p1.py"}],
                upgrade_command="alembic -c alembic-appproxy.ini upgrade head",
            ),
        ],
        "samples": SAMPLES_DATA,
        "local_copies": COPIES_DATA,
        "steps": [
            "alembic -c alembic.ini upgrade head",
            "alembic -c alembic-appproxy.ini upgrade head",
            CHECK,
            UPDATE,
        ],
        "problems": [],
        "exit_code": 0,
    }


def test_preview_of_the_switch(runner: RuleRunner) -> None:
    root = branches(runner)
    export_dev(runner)
    before = snapshot(root)
    result = export_dev(runner, "--preview=new")
    assert (result.exit_code, result.stderr, result.stdout.splitlines()) == (
        0,
        "",
        [
            "Switching from old to new: a preview, nothing was changed.",
            "Database (alembic.ini): new adds 1 migration, to apply after the switch with "
            "`alembic -c alembic.ini upgrade head`:",
            "  a1  versions/a1.py",
            "Database (alembic-appproxy.ini): new adds 1 migration, to apply after the switch with "
            "`alembic -c alembic-appproxy.ini upgrade head`:",
            "  p1  appproxy/versions/p1.py",
            "Virtualenvs:",
            "  alpha: up to date (same alpha.lock)",
            "Configuration samples that differ on new:",
            "  changed  configs/manager/halfstack.toml",
            *copy_lines("new"),
            "Then:",
            "  1. git switch new",
            "  2. pants export-dev",
            "  3. alembic -c alembic.ini upgrade head",
            "  4. alembic -c alembic-appproxy.ini upgrade head",
            f"  5. {CHECK}",
            f"  6. {UPDATE}",
        ],
    )
    as_json = export_dev(runner, "--preview=new", "--output-format=json")
    assert (as_json.exit_code, as_json.stderr) == (0, "")
    assert json.loads(as_json.stdout) == {
        "version": 1,
        "kind": "preview",
        "from": "old",
        "to": "new",
        "alembic_trees": [
            tree(
                "alembic.ini",
                "versions/*.py",
                upgrade=[{"revision": "a1", "path": "versions/a1.py"}],
                upgrade_command="alembic -c alembic.ini upgrade head",
            ),
            tree(
                "alembic-appproxy.ini",
                "appproxy/versions/*.py",
                upgrade=[{"revision": "p1", "path": "appproxy/versions/p1.py"}],
                upgrade_command="alembic -c alembic-appproxy.ini upgrade head",
            ),
        ],
        "resolves": [{"resolve": "alpha", "status": "up_to_date", "detail": "same alpha.lock"}],
        "samples": SAMPLES_DATA,
        "local_copies": COPIES_DATA,
        "steps": [
            "git switch new",
            "pants export-dev",
            "alembic -c alembic.ini upgrade head",
            "alembic -c alembic-appproxy.ini upgrade head",
            CHECK,
            UPDATE,
        ],
        "problems": [],
        "exit_code": 0,
    }
    assert snapshot(root) == before


def test_preview_downgrades_each_tree(runner: RuleRunner) -> None:
    """From `new` back to `old`: each tree's revision is undone by its own command."""
    root = branches(runner)
    git(root, "checkout", "-q", "new")
    result = export_dev(runner, "--preview=old")
    lines = result.stdout.splitlines()
    assert lines[1:7] == [
        "Database (alembic.ini): this checkout has 1 migration that old lacks:",
        "  a1  versions/a1.py",
        "  Run `alembic -c alembic.ini downgrade a0` now, before the switch, while this checkout has their files.",
        "Database (alembic-appproxy.ini): this checkout has 1 migration that old lacks:",
        "  p1  appproxy/versions/p1.py",
        "  Run `alembic -c alembic-appproxy.ini downgrade p0` now, before the switch, while this checkout has "
        "their files.",
    ]
    assert lines[lines.index("Then:") + 1 :][:4] == [
        "  1. alembic -c alembic.ini downgrade a0",
        "  2. alembic -c alembic-appproxy.ini downgrade p0",
        "  3. git switch old",
        "  4. pants export-dev",
    ]
    trees = json.loads(export_dev(runner, "--preview=old", "--output-format=json").stdout)["alembic_trees"]
    assert [(t["ini"], t["targets"], t["commands"]) for t in trees] == [
        ("alembic.ini", ["a0"], ["alembic -c alembic.ini downgrade a0"]),
        ("alembic-appproxy.ini", ["p0"], ["alembic -c alembic-appproxy.ini downgrade p0"]),
    ]


BROKEN_TOML = (
    "manager.toml:4: is not valid TOML (Key group not on a line by itself.): fix it, or copy "
    "configs/manager/halfstack.toml{} to it anew and redo your changes."
)
BROKEN_INI = (
    "alembic.ini:1: is not valid INI (a line before the first [section]): fix it, or copy "
    "configs/manager/halfstack.alembic.ini{} to it anew and redo your changes."
)


@pytest.mark.parametrize("preview", [False, True], ids=["report", "preview"])
def test_a_copy_that_does_not_parse_is_one_line(runner: RuleRunner, preview: bool) -> None:
    root = branches(runner)
    export_dev(runner)
    (root / "manager.toml").write_text('[etcd]\nnamespace = "local"\n\n[db\nname = "x"\n')
    (root / "alembic.ini").write_text("script_location = x\n")
    (root / "agent.toml").mkdir()
    args = ["--preview=new"] if preview else []
    where = " on new" if preview else ""
    result = export_dev(runner, *args)
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert [line for line in lines if line.startswith(("  manager", "  alembic", "  agent"))] == [
        f"  {BROKEN_TOML.format(where)}",
        f"  {BROKEN_INI.format(where)}",
        "  agent.toml: cannot be read (Is a directory): make it a readable file, or remove it.",
    ]
    document = json.loads(export_dev(runner, *args, "--output-format=json").stdout)
    assert document["exit_code"] == 1
    assert [(p["path"], p["line"], p["code"]) for p in document["problems"]] == [
        ("manager.toml", 4, "config-unreadable"),
        ("alembic.ini", 1, "config-unreadable"),
        ("agent.toml", 0, "config-unreadable"),
    ]
    assert document["problems"][0]["message"] == BROKEN_TOML.format(where).split(": ", 1)[1]
    assert [c["error"] for c in document["local_copies"]] == [
        BROKEN_TOML.format(where),
        None,
        BROKEN_INI.format(where),
        "agent.toml: cannot be read (Is a directory): make it a readable file, or remove it.",
    ]
    assert [c["status"] for c in document["local_copies"]] == [
        "unreadable",
        "compared",
        "unreadable",
        "unreadable",
    ]


# A bad setting and a bad ref: how export-dev stops, in each output format.
ERRORS = [
    pytest.param(
        ['--export-dev-local-configs={"m.toml": "configs/x.yaml"}'],
        "setting-invalid",
        "[export-dev].local_configs: `configs/x.yaml` is not a TOML (`.toml`, `.conf`), JSON (`.json`) or INI "
        "(`.ini`, `.cfg`) file; map each local file to a sample in one of those formats.",
        id="local-configs",
    ),
    pytest.param(
        ['--export-dev-alembic-trees={"../a.ini": ["v/*.py"]}'],
        "setting-invalid",
        "[export-dev].alembic_trees: `../a.ini` leaves the build root; give a path relative to the build root, "
        "without `..`.",
        id="alembic-trees",
    ),
    pytest.param(
        ["--preview=nope"],
        "ref-invalid",
        "--preview: git knows no branch, tag or commit `nope`: check the name, or fetch it first.",
        id="ref",
    ),
]


@pytest.mark.parametrize("args, code, message", ERRORS)
def test_every_exit_is_one_json_document(
    runner: RuleRunner, args: list[str], code: str, message: str
) -> None:
    branches(runner)
    result = export_dev(runner, *args, "--output-format=json")
    assert (result.exit_code, json.loads(result.stdout)) == (1, {"error": {"code": code, "message": message}})


@pytest.mark.parametrize("args, code, message", ERRORS)
def test_an_error_is_a_workflow_annotation_with_github(
    runner: RuleRunner, args: list[str], code: str, message: str
) -> None:
    branches(runner)
    result = export_dev(runner, *args, "--output-format=github")
    assert (result.exit_code, result.stdout) == (1, f"::error title={code}::{message}\n")


def test_with_github_the_preview_is_the_text_preview(runner: RuleRunner) -> None:
    """GitHub's format changes only how an error is printed: a preview reads as in text."""
    branches(runner)
    export_dev(runner)
    text = export_dev(runner, "--preview=new")
    github = export_dev(runner, "--preview=new", "--output-format=github")
    assert (github.exit_code, github.stdout, github.stderr) == (text.exit_code, text.stdout, text.stderr)
    assert "lacks" in github.stdout
