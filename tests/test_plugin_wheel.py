"""The wheel and sdist that `./pants package ::` builds, and the way a mono-repo installs them.

The packages come from `runtime_package_dependencies` (Pants builds them into this sandbox); the
plugin's sources are deliberately not a dependency, so the nested Pants can only load the plugin
through `[GLOBAL].plugins`, from a folder that holds nothing but the wheel.
"""

from __future__ import annotations

import email.parser
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Iterator

import pytest
from packaging.version import Version

import monorepo
from e2e import pants, pex_cli_section, stop_pantsd


def _built(pattern: str) -> Path:
    (path,) = Path.cwd().rglob(pattern)
    return path


@pytest.fixture(scope="module")
def version() -> str:
    """The repo's version, normalized: what the distribution must be versioned."""
    return str(Version(Path("VERSION").read_text().strip()))


@pytest.fixture(scope="module")
def wheel() -> Path:
    return _built("pants_calver-*.whl")


@pytest.fixture(scope="module")
def sdist() -> Path:
    return _built("pants-calver-*.tar.gz")


def test_wheel_metadata(wheel: Path, version: str) -> None:
    assert wheel.name == f"pants_calver-{version}-py3-none-any.whl"
    dist_info = f"pants_calver-{version}.dist-info"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = email.parser.Parser().parsestr(archive.read(f"{dist_info}/METADATA").decode())
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()

    assert {name.split("/")[0] for name in names} == {"pants_calver", dist_info}
    assert {
        "pants_calver/register.py",
        "pants_calver/core/versions/version.py",
        "pants_calver/core/versions/pins.py",
    } <= set(names)
    assert metadata["Name"] == "pants-calver"
    assert metadata["Version"] == version
    assert metadata["License"] == "Apache-2.0"
    assert metadata["Requires-Python"] == ">=3.8,<3.10"
    # Pants brings `packaging` (and everything else the plugin imports) into its own process.
    assert metadata.get_all("Requires-Dist") == ["pantsbuild.pants (<2.18,>=2.17)"]
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload().startswith("# pants-calver\n")
    assert [url.split(",")[0] for url in metadata.get_all("Project-URL", [])] == [
        "Documentation",
        "Source",
        "Changelog",
    ]
    assert entry_points.split() == ["[pantsbuild.plugin]", "rules", "=", "pants_calver.register:rules"]


def test_sdist_holds_the_same_package(wheel: Path, sdist: Path, version: str) -> None:
    assert sdist.name == f"pants-calver-{version}.tar.gz"
    with tarfile.open(sdist) as archive:
        in_sdist = {
            member.name.split("/", 1)[1]
            for member in archive.getmembers()
            if member.name.split("/")[1:2] == ["pants_calver"] and member.isfile()
        }
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = {name for name in archive.namelist() if name.startswith("pants_calver/")}
    assert in_sdist == in_wheel


def test_twine_check(wheel: Path, sdist: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(os.path.abspath(p) for p in sys.path if p),
        # twine prints through rich, which wraps lines at the terminal's width (80 without one).
        "COLUMNS": "1000",
    }
    result = subprocess.run(
        [sys.executable, "-m", "twine", "--no-color", "check", "--strict", str(wheel), str(sdist)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"Checking {wheel}: PASSED",
        f"Checking {sdist}: PASSED",
    ]


@pytest.fixture
def user_repo(tmp_path: Path, wheel: Path, version: str) -> Iterator[Path]:
    """A Backend.AI-shaped mono-repo that adds the plugin as users do: by name and version, from a
    folder of wheels."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    shutil.copy(wheel, wheels)
    root = tmp_path / "repo"
    monorepo.write(root)
    (root / ".gitignore").write_text("/.pants.d/\n/.pids/\n")
    (root / "pants.toml").write_text(
        f"""\
[GLOBAL]
pants_version = "2.17.1"
plugins = ["pants-calver=={version}"]
backend_packages = ["pants.backend.python"]

[python-repos]
find_links = ["file://{wheels}"]

# Users' settings keep their sections across the rename of the package.
[calver]
independent = ["backend.ai-client"]

{pex_cli_section()}"""
    )
    monorepo.commit_all(root)
    try:
        yield root
    finally:
        stop_pantsd(root)


def test_installed_from_the_wheel_through_plugins(user_repo: Path) -> None:
    # The test itself must not hand the nested Pants the plugin's sources.
    assert importlib.util.find_spec("pants_calver") is None

    check = pants(user_repo, "check-version-sync")
    assert (check.exit_code, check.stdout) == (
        0,
        "✓ VERSION 23.09.6: 4 distributions, 4 version files and 6 first-party pins in sync.\n",
    ), check.stderr

    dry_run = pants(user_repo, "bump-version", "--next=rc", "--dry-run")
    assert dry_run.exit_code == 0, dry_run.stderr
    lines = dry_run.stdout.splitlines()
    assert [line for line in lines if line.startswith("+")] == [
        "+++ b/VERSION",
        "+23.09.7rc1",
        "+++ b/src/ai/backend/agent/VERSION",
        "+23.09.7rc1",
        "+++ b/requirements.txt",
        "+backend.ai-common==23.9.7rc1",
        "+++ b/src/ai/backend/manager/BUILD",
        '+python_requirement(name="common", requirements=["backend.ai-common==23.9.7rc1"])',
        "+++ b/src/ai/backend/plugin/setup.cfg",
        "+    backend.ai-common==23.9.7rc1",
    ]
    assert lines[-6:] == monorepo.NEXT_RC_REPORT
    assert (user_repo / "VERSION").read_text() == "23.09.6\n"
    assert monorepo.git(user_repo, "status", "--porcelain") == ""

    help_text = pants(user_repo, "help", "check-version-sync")
    assert help_text.exit_code == 0, help_text.stderr
    assert "`check-version-sync` goal options" in help_text.stdout
    assert "--check-version-sync-output-format=<OutputFormat>" in help_text.stdout
