"""export-dev's report and preview as data: every field of the documents, secrets as null."""

from __future__ import annotations

import json
from typing import Any

from pants_calver.core.devenv.alembic import Migration
from pants_calver.core.devenv.alembic_trees import AlembicTree
from pants_calver.core.devenv.config_copies import check_copy, sample_fingerprints
from pants_calver.core.devenv.export_record import Outcome, ResolveOutcome
from pants_calver.core.devenv.migration_steps import plan_migrations
from pants_calver.core.devenv.switch_json import (
    dumps,
    preview_document,
    report_document,
    samples_data,
    tree_data,
)
from pants_calver.core.devenv.switch_preview import PreviewStatus, ResolvePreview
from pants_calver.core.devenv.switch_report import ConfigChanges

B0 = Migration("b0", (), "v/b0.py")
T1 = Migration("t1", ("b0",), "v/t1.py")
M1 = Migration("m1", ("b0",), "v/m1.py")
TREE = AlembicTree("alembic-appproxy.ini", ("v/*.py",))

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
    assert tree_data(TREE, switch) == {
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
        "errors": [],
    }


def test_tree_data_not_compared() -> None:
    assert tree_data(TREE, None, ["v/x.py:3: bad"]) == {
        "ini": "alembic-appproxy.ini",
        "globs": ["v/*.py"],
        "compared": False,
        "errors": ["v/x.py:3: bad"],
    }


def test_preview_document() -> None:
    document = preview_document(
        current="topic",
        branch="main",
        trees=[tree_data(TREE, None)],
        resolves=[ResolvePreview("python-default", PreviewStatus.EXPORT, "main changes a.lock")],
        samples=samples_data(ConfigChanges((SAMPLE,), (), ("x.json",)), ["configs/**/*.toml"]),
        copies=[COPY],
        steps=["git switch main", "pants export-dev"],
        errors=[],
        exit_code=0,
    )
    assert document == {
        "version": 1,
        "kind": "preview",
        "from": "topic",
        "to": "main",
        "alembic_trees": [tree_data(TREE, None)],
        "resolves": [{"resolve": "python-default", "status": "export", "detail": "main changes a.lock"}],
        "samples": {"globs": ["configs/**/*.toml"], "changed": [SAMPLE], "added": [], "removed": ["x.json"]},
        "local_copies": [COPY_DATA],
        "steps": ["git switch main", "pants export-dev"],
        "errors": [],
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
        errors=["a: b"],
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
        "errors": ["a: b"],
        "elapsed_seconds": 1.3,
        "exit_code": 1,
    }
