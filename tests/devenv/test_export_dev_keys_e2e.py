"""A real Pants run of `export-dev --preview` naming the keys a developer's TOML and JSON copies
lack on the branch switched to, in text and in JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

import pants_calver.register  # noqa: F401  (the nested run imports the plugin from this sandbox)
from e2e import pants, pex_cli_section, stop_pantsd
from monorepo import git

PANTS_TOML = """\
[GLOBAL]
pants_version = "2.17.1"
backend_packages = ["pants.backend.python", "pants_calver"]
pantsd = true

[python]
interpreter_constraints = ["CPython==3.9.*"]
enable_resolves = true

[export-dev]
# No resolve to export or look an interpreter up for: this test is about the configuration.
resolves = ["none"]
migrations = []
config_samples = ["configs/**/*.toml", "configs/**/*.json"]

[export-dev.local_configs]
"manager.toml" = "configs/manager/halfstack.toml"
"dev.etcd.volumes.json" = "configs/manager/sample.etcd.volumes.json"
"agent.toml" = "configs/agent/halfstack.toml"

"""
TOML = '[db]\nname = "backend"\n'
JSON = '{\n  "volumes": {\n    "default_host": "local:volume1"\n  }\n}\n'


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    """`main` with the samples the developer copied; `next` adds a key to each; `main` checked out."""
    samples = {"configs/manager/halfstack.toml": TOML, "configs/manager/sample.etcd.volumes.json": JSON}
    files = {
        "pants.toml": PANTS_TOML + pex_cli_section(),
        ".gitignore": "/manager.toml\n/dev.etcd.volumes.json\n/agent.toml\n",
        **samples,
    }
    for path, content in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "main")
    git(tmp_path, "checkout", "-q", "-b", "next")
    (tmp_path / "configs/manager/halfstack.toml").write_text(TOML + "pool-recycle = 50\n")
    (tmp_path / "configs/manager/sample.etcd.volumes.json").write_text(
        JSON.replace('"local:volume1"', '"local:volume1",\n    "exposed_volume_info": "percentage"')
    )
    git(tmp_path, "commit", "-qam", "next")
    git(tmp_path, "checkout", "-q", "main")
    (tmp_path / "manager.toml").write_text(TOML)
    (tmp_path / "dev.etcd.volumes.json").write_text(JSON)
    try:
        yield tmp_path
    finally:
        stop_pantsd(tmp_path)


def test_preview_names_the_keys_a_toml_and_a_json_copy_lack(repo: Path) -> None:
    result = pants(repo, "export-dev", "--preview=next")
    lines = result.stdout.splitlines()
    assert result.exit_code == 0, result.stderr
    assert lines[lines.index("Local configuration against the samples on next:") :][:6] == [
        "Local configuration against the samples on next:",
        "  manager.toml (from configs/manager/halfstack.toml):",
        "    lacks    db.pool-recycle = 50  (next:configs/manager/halfstack.toml:3)",
        "  dev.etcd.volumes.json (from configs/manager/sample.etcd.volumes.json):",
        '    lacks    volumes.exposed_volume_info = "percentage"  '
        "(next:configs/manager/sample.etcd.volumes.json:4)",
        "  Not there, so not compared: agent.toml.",
    ]
    as_json = pants(repo, "export-dev", "--preview=next", "--output-format=json")
    assert as_json.exit_code == 0, as_json.stderr
    copies = json.loads(as_json.stdout)["local_copies"]
    assert [(c["copy"], c["status"], [(k["key"], k["value"]) for k in c["missing"]]) for c in copies] == [
        ("manager.toml", "compared", [("db.pool-recycle", 50)]),
        ("dev.etcd.volumes.json", "compared", [("volumes.exposed_volume_info", "percentage")]),
        ("agent.toml", "absent", []),
    ]
    # Nothing was written: no record, no export.
    assert not (repo / "dist").exists()
