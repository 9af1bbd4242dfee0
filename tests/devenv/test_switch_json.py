"""export-dev's report and preview as data: every field of the documents, secrets as null."""

from __future__ import annotations

import json
from typing import Any

from pants_calver.core.devenv.alembic import Migration
from pants_calver.core.devenv.alembic_trees import AlembicTree
from pants_calver.core.devenv.config_copies import check_copy, sample_fingerprints
from pants_calver.core.devenv.export_record import DevRecord, Outcome, ResolveOutcome
from pants_calver.core.devenv.migration_steps import plan_migrations
from pants_calver.core.devenv.switch_json import (
    dumps,
    preview_document,
    report_document,
    samples_data,
    tree_data,
)
from pants_calver.core.devenv.switch_preview import PreviewStatus, ResolvePreview, preview_steps
from pants_calver.core.problems import Problem
from pants_calver.core.devenv.switch_report import ConfigChanges, report_steps

B0 = Migration("b0", (), "v/b0.py")
T1 = Migration("t1", ("b0",), "v/t1.py")
M1 = Migration("m1", ("b0",), "v/m1.py")
TREE = AlembicTree("alembic-appproxy.ini", ("v/*.py",))
BAD = Problem("v/x.py", 3, "migration-unreadable", "bad")


def DOC(problem: Problem) -> dict[str, Any]:
    """A stand-in for the goals' problem printer, which imports Pants."""
    return {"code": problem.code}


SAMPLE = "configs/manager/halfstack.toml"
COPY = check_copy(
    "manager.toml",
    SAMPLE,
    b'[db]\npassword = "a"\nnum = 1\n',
    b'[db]\npassword = "b"\nnum = 2\nnew = "x"\ntoken = "t"\n',
    sample_fingerprints(SAMPLE, b'[db]\npassword = "a"\nnum = 1\n'),
)
COPY_DATA: dict[str, Any] = {
    "copy": "manager.toml",
    "sample": SAMPLE,
    "status": "compared",
    "error": None,
    "old_known": True,
    "missing": [
        {"key": "db.new", "path": SAMPLE, "line": 4, "secret": False, "value": "x"},
        {"key": "db.token", "path": SAMPLE, "line": 5, "secret": True, "value": None},
    ],
    "dropped": [],
    "old": [
        {"key": "db.password", "path": "manager.toml", "line": 2, "secret": True, "value": None, "old": None},
        {"key": "db.num", "path": "manager.toml", "line": 3, "secret": False, "value": 2, "old": 1},
    ],
}


def test_tree_data_of_a_switch() -> None:
    switch = plan_migrations({"b0": B0, "t1": T1}, {"b0": B0, "m1": M1}, branch="main")
    assert tree_data(TREE, switch, (), DOC) == {
        "ini": "alembic-appproxy.ini",
        "globs": ["v/*.py"],
        "compared": True,
        "downgrade": [{"revision": "t1", "path": "v/t1.py"}],
        "targets": ["b0"],
        "commands": ["alembic -c alembic-appproxy.ini downgrade b0"],
        "by_hand": [],
        "upgrade": [{"revision": "m1", "path": "v/m1.py"}],
        "upgrade_command": "alembic -c alembic-appproxy.ini upgrade head",
        "rewritten": [],
        "problems": [],
        "unreadable": [],
    }


def test_tree_data_not_compared() -> None:
    assert tree_data(TREE, None, [BAD], DOC) == {
        "ini": "alembic-appproxy.ini",
        "globs": ["v/*.py"],
        "compared": False,
        "unreadable": [{"code": "migration-unreadable"}],
    }


def test_preview_document() -> None:
    document = preview_document(
        current="topic",
        branch="main",
        trees=[tree_data(TREE, None, (), DOC)],
        resolves=[ResolvePreview("python-default", PreviewStatus.EXPORT, "main changes a.lock")],
        samples=samples_data(ConfigChanges((SAMPLE,), (), ("x.json",)), ["configs/**/*.toml"]),
        copies=[COPY],
        steps=["git switch main", "pants export-dev"],
        problems=[],
        exit_code=0,
    )
    assert document == {
        "version": 1,
        "kind": "preview",
        "from": "topic",
        "to": "main",
        "alembic_trees": [tree_data(TREE, None, (), DOC)],
        "resolves": [{"resolve": "python-default", "status": "export", "detail": "main changes a.lock"}],
        "samples": {"globs": ["configs/**/*.toml"], "changed": [SAMPLE], "added": [], "removed": ["x.json"]},
        "local_copies": [COPY_DATA],
        "steps": ["git switch main", "pants export-dev"],
        "problems": [],
        "exit_code": 0,
    }
    assert json.loads(dumps(document)) == document
    assert '"b"' not in dumps(document) and '"t"' not in dumps(document)


def test_report_document() -> None:
    document = report_document(
        outcomes=[ResolveOutcome("mypy", Outcome.SKIPPED, "no such resolve")],
        first_run=False,
        trees=[],
        samples=samples_data(ConfigChanges((), (), ()), []),
        copies=[check_copy("agent.toml", "configs/agent/halfstack.toml", None, b"", None)],
        steps=["alembic -c alembic.ini upgrade head"],
        problems=[{"code": "record-unwritable"}],
        elapsed=1.26,
        exit_code=1,
    )
    assert document == {
        "version": 1,
        "kind": "report",
        "resolves": [{"resolve": "mypy", "outcome": "skipped", "detail": "no such resolve"}],
        "first_run": False,
        "alembic_trees": [],
        "samples": {"globs": [], "changed": [], "added": [], "removed": []},
        "local_copies": [
            {
                "copy": "agent.toml",
                "sample": "configs/agent/halfstack.toml",
                "status": "absent",
                "error": None,
                "old_known": True,
                "missing": [],
                "dropped": [],
                "old": [],
            }
        ],
        "steps": ["alembic -c alembic.ini upgrade head"],
        "problems": [{"code": "record-unwritable"}],
        "elapsed_seconds": 1.3,
        "exit_code": 1,
    }


def test_preview_steps_in_order() -> None:
    """Each tree's downgrades first, then a downgrade by hand, the switch, the export, each tree's
    upgrade, the samples, the copies that need a look."""
    manager = AlembicTree("alembic.ini", ("v/*.py",))
    m1 = Migration("m1", ("b0",), "v/m1.py")
    by_hand = plan_migrations({"b0": B0, "t1": T1, "m1": m1}, {"b0": B0, "m1": m1}, branch="main")
    steps = preview_steps(
        "main",
        [
            (manager, plan_migrations({"b0": B0, "t1": T1}, {"b0": B0, "m1": M1})),
            (TREE, by_hand),
            (TREE, None),
        ],
        ConfigChanges((SAMPLE,), (), ()),
        [COPY, check_copy("agent.toml", "a.toml", None, b"", None)],
        bin_name="./pants",
        config_globs=["configs/*.toml"],
    )
    assert steps == [
        "alembic -c alembic.ini downgrade b0",
        "undo t1 by hand (see the database problem above)",
        "git switch main",
        "./pants export-dev",
        "alembic -c alembic.ini upgrade head",
        "check your local TOML and etcd configuration against the samples above",
        "update your local configuration (see above): manager.toml",
    ]
    assert preview_steps(
        "main", [], ConfigChanges((SAMPLE,), (), ()), [], bin_name="pants", config_globs=[]
    ) == [
        "git switch main",
        "pants export-dev",
    ]


def test_report_steps_against_the_record() -> None:
    """After the switch: a revision gone is undone on the branch that has it; a new one applied."""
    recorded = DevRecord({}, {"alembic.ini": {"b0": B0, "t1": T1}, "alembic-appproxy.ini": None}, {})
    steps = report_steps(
        recorded,
        [(AlembicTree("alembic.ini", ("v/*.py",)), {"b0": B0, "m1": M1}), (TREE, {"b0": B0})],
        ConfigChanges((), (SAMPLE,), ()),
        [COPY],
    )
    assert steps == [
        "switch back, run `alembic -c alembic.ini downgrade b0`, switch here again",
        "alembic -c alembic.ini upgrade head",
        "check your local TOML and etcd configuration against the samples above",
        "update your local configuration (see above): manager.toml",
    ]
    assert report_steps(DevRecord.empty(), [(TREE, {"b0": B0})], ConfigChanges((), (), ()), []) == []


def test_record_keeps_each_tree_and_the_samples_keys() -> None:
    record = DevRecord(
        {},
        {"alembic.ini": {"b0": B0}, "alembic-appproxy.ini": None},
        {SAMPLE: "h"},
        {SAMPLE: {"db.num": "1"}},
    )
    data = json.loads(record.to_json_bytes())
    assert (data["migrations"], data["alembic_trees"], data["config_keys"]) == (
        {"b0": {"down_revisions": [], "path": "v/b0.py"}},
        {"alembic.ini": {"b0": {"down_revisions": [], "path": "v/b0.py"}}, "alembic-appproxy.ini": None},
        {SAMPLE: {"db.num": "1"}},
    )
    assert DevRecord.from_json_bytes(record.to_json_bytes(), "r.json") == record
    # A record written before there were several trees: its migrations are alembic.ini's.
    del data["alembic_trees"], data["config_keys"]
    older = DevRecord.from_json_bytes(json.dumps(data).encode(), "r.json")
    assert (older.trees, older.config_keys) == ({"alembic.ini": {"b0": B0}}, {})
