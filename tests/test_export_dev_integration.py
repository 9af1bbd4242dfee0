"""Real Pants runs of `export-dev` on a temporary repo with two small resolves locked from PyPI.

The nested Pants needs what `./pants` gives the outer one: the pex CLI location and, on machines
with a global pip configuration, the pip/CA settings. `[test].extra_env_vars` in pants.toml passes
them (and HOME/PATH, to find interpreters and caches) into this test's environment.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

import pants_calver.register  # noqa: F401  (the nested run imports the plugin from this sandbox)

HERE = Path(__file__).parent
PLUGIN_ROOT = Path(pants_calver.register.__file__).parent.parent
PASSED_ENV = (
    "HOME",
    "PATH",
    "PYENV_ROOT",
    "LANG",
    "LC_ALL",
    "PANTS_PEX_CLI_URL_TEMPLATE",
    "PANTS_SUBPROCESS_ENVIRONMENT_ENV_VARS",
    "PANTS_CA_CERTS_PATH",
)

PANTS_TOML = f"""\
[GLOBAL]
pants_version = "2.17.1"
pythonpath = ["{PLUGIN_ROOT}"]
backend_packages = ["pants.backend.python", "pants_calver"]
pantsd = true

[python]
interpreter_constraints = ["CPython==3.9.*"]
enable_resolves = true
default_resolve = "alpha"

[python.resolves]
alpha = "locks/alpha.lock"
beta = "locks/beta.lock"

[python-bootstrap]
search_path = ["<PATH>", "<PYENV>"]

[pex-cli]
version = "v2.1.137"
known_versions = [
  "v2.1.137|linux_x86_64|02252fec0a0fc8475f4ebc09edd65d81ae502b609549e059d45c4bc48cae944f|3563515",
  "v2.1.137|linux_arm64|02252fec0a0fc8475f4ebc09edd65d81ae502b609549e059d45c4bc48cae944f|3563515",
  "v2.1.137|macos_x86_64|02252fec0a0fc8475f4ebc09edd65d81ae502b609549e059d45c4bc48cae944f|3563515",
  "v2.1.137|macos_arm64|02252fec0a0fc8475f4ebc09edd65d81ae502b609549e059d45c4bc48cae944f|3563515",
]

[export-dev]
resolves = ["alpha", "beta", "gamma"]
migrations = ["migrations/*.py"]
config_samples = ["configs/**/*.toml"]
"""

BUILD = """\
python_requirement(name="six", requirements=["six==1.16.0"], resolve="alpha")
python_requirement(name="colors", requirements=["ansicolors==1.1.8"], resolve="beta")
"""


def _write(repo: Path, files: dict[str, str]) -> None:
    for path, content in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(content)


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
        self.env.update(PYTHONPATH=os.pathsep.join(sys.path), NO_SCIE_WARNING="1")

    def pants(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pants", *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
        )

    def venv(self, resolve: str) -> Path:
        (venv,) = (self.root / "dist/export/python/virtualenvs" / resolve).iterdir()
        return venv

    def imports(self, resolve: str, module: str) -> bool:
        python = self.venv(resolve) / "bin/python"
        return subprocess.run([str(python), "-c", f"import {module}"]).returncode == 0

    def stop_pantsd(self) -> None:
        # Only the pantsd this test started, by its pid file.
        for pid_file in self.root.glob(".pids/*/pantsd/pid"):
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repo]:
    _write(
        tmp_path,
        {
            "pants.toml": PANTS_TOML,
            "BUILD": BUILD,
            "locks/alpha.lock": (HERE / "export_dev_alpha.lock").read_text(),
            "locks/beta.lock": (HERE / "export_dev_beta.lock").read_text(),
            "migrations/a1.py": 'revision = "a1"\ndown_revision = None\n',
            "configs/manager/sample.toml": "[db]\nname = 'backend'\n",
        },
    )
    r = Repo(tmp_path)
    try:
        yield r
    finally:
        r.stop_pantsd()


def _lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stdout.splitlines()


def test_branch_switches(repo: Repo) -> None:
    # First run: both resolves exported and importable, the undefined one skipped with a warning.
    first = repo.pants("export-dev")
    assert first.returncode == 0, first.stderr
    lines = _lines(first)
    assert lines[0].startswith("alpha: exported (wrote mutable virtualenv for alpha")
    assert lines[1].startswith("beta: exported (wrote mutable virtualenv for beta")
    assert lines[2].startswith("gamma: skipped: this branch defines no such resolve")
    assert "Skipping the resolve `gamma`" in first.stderr
    assert lines[3] == (
        "First export-dev run here: nothing was recorded before, so there is nothing to "
        "compare. Recorded 1 migration and 1 configuration sample for the next run."
    )
    assert lines[4].startswith("export-dev finished in ")
    assert repo.imports("alpha", "six") and repo.imports("beta", "colors")
    assert not repo.imports("alpha", "colors")
    record = json.loads((repo.root / "dist/export/export-dev.json").read_text())
    assert sorted(record["resolves"]) == ["alpha", "beta"]

    # Nothing changed: nothing is rebuilt.
    second = repo.pants("export-dev")
    assert second.returncode == 0, second.stderr
    assert _lines(second)[:2] == [
        f"alpha: up to date (dist/export/python/virtualenvs/alpha/{repo.venv('alpha').name})",
        f"beta: up to date (dist/export/python/virtualenvs/beta/{repo.venv('beta').name})",
    ]
    assert "Build pex for resolve" not in second.stderr

    # Another branch: alpha's lockfile, a new migration and a changed config sample.
    with open(repo.root / "locks/alpha.lock", "a") as f:
        f.write("// another branch\n")
    _write(
        repo.root,
        {
            "migrations/b2.py": 'revision = "b2"\ndown_revision = "a1"\n',
            "configs/manager/sample.toml": "[db]\nname = 'changed'\n",
        },
    )
    third = repo.pants("export-dev")
    assert third.returncode == 0, third.stderr
    lines = _lines(third)
    assert lines[0].startswith("alpha: exported")
    assert lines[1].startswith("beta: up to date")
    assert lines[3:9] == [
        "New database migrations since the last export-dev (1):",
        "  b2  migrations/b2.py",
        "  Run `alembic upgrade head` to apply them.",
        "Configuration samples changed since the last export-dev:",
        "  changed  configs/manager/sample.toml",
        "  Check your local TOML configuration and etcd configuration against them.",
    ]

    # Back again, with beta's lockfile broken: beta fails, named with the reason, alpha is
    # still exported, and the old beta venv is left in place.
    (repo.root / "migrations/b2.py").unlink()
    (repo.root / "locks/alpha.lock").write_text((HERE / "export_dev_alpha.lock").read_text())
    with open(repo.root / "locks/beta.lock", "a") as f:
        f.write("{ not json\n")
    fourth = repo.pants("export-dev")
    assert fourth.returncode == 1
    lines = _lines(fourth)
    assert lines[0].startswith("alpha: exported")
    assert lines[1].startswith("beta: failed: Process 'Build pex for resolve `beta`' failed")
    assert "JSON" in fourth.stdout
    assert repo.imports("beta", "colors")
    assert (
        "  The database may be ahead of this branch. Before switching here, run `alembic "
        "downgrade a1` on the branch that has them (the `alembic downgrade` step of the "
        "development setup): switch back, downgrade, then switch here again."
    ) in lines
    assert "  b2  migrations/b2.py" in lines


def test_same_venv_as_pants_export(repo: Repo) -> None:
    exported = repo.pants("export", "--resolve=alpha", "--resolve=beta")
    assert exported.returncode == 0, exported.stderr
    by_export = {r: _tree(repo.venv(r)) for r in ("alpha", "beta")}

    # The venvs `pants export` wrote are not ones export-dev recorded: it rebuilds them.
    ours = repo.pants("export-dev")
    assert ours.returncode == 0, ours.stderr
    assert [line.split(" (")[0] for line in _lines(ours)[:2]] == [
        "alpha: exported",
        "beta: exported",
    ]
    assert {r: _tree(repo.venv(r)) for r in ("alpha", "beta")} == by_export

    # A plain `pants export` in between replaces the venv: export-dev notices.
    again = repo.pants("export", "--resolve=beta")
    assert again.returncode == 0, again.stderr
    after = repo.pants("export-dev")
    assert [line.split(" (")[0] for line in _lines(after)[:2]] == [
        "alpha: up to date",
        "beta: exported",
    ]


def _tree(root: Path) -> dict[str, str]:
    """Relative paths under a venv, with symlink targets; bytecode caches left out."""
    tree = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if "__pycache__" in rel:
            continue
        tree[rel] = os.readlink(path) if path.is_symlink() else ("dir" if path.is_dir() else "")
    return tree
