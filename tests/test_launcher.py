"""The ./pants launcher's checks that run before anything is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def launcher(tmp_path: Path) -> Path:
    for name in ("pants", "pants.toml"):
        shutil.copy(name, tmp_path / name)
    return tmp_path / "pants"


def run(launcher: Path, cache: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PANTS_BOOTSTRAP_CACHE": str(cache),
        **env,
    }
    return subprocess.run(
        ["bash", str(launcher), "--version"], env=environment, capture_output=True, text=True
    )


def test_missing_pants_python(launcher: Path, tmp_path: Path) -> None:
    result = run(launcher, tmp_path / "cache", PANTS_PYTHON=str(tmp_path / "missing"))
    assert result.returncode == 1
    assert result.stderr == (
        f"pants: PANTS_PYTHON is set to '{tmp_path / 'missing'}', which is not an executable file. "
        "Point it at a CPython 3.9 or 3.8, or unset it to search for one.\n"
    )


def test_wrong_pants_python(launcher: Path, tmp_path: Path) -> None:
    result = run(launcher, tmp_path / "cache", PANTS_PYTHON="/bin/true")
    assert result.returncode == 1
    assert result.stderr.endswith(
        "pants: PANTS_PYTHON=/bin/true is not CPython 3.9 or 3.8, which Pants 2.17.1 needs.\n"
    )
    assert not (tmp_path / "cache" / "venvs" / "pants-2.17.1-pyparsing-3.0.9" / ".ready").exists()


def test_no_interpreter_found(launcher: Path, tmp_path: Path) -> None:
    # Only the system's directories on PATH, and no pyenv.
    system = [Path(d, f"python3.{minor}") for d in ("/usr/bin", "/bin", "/usr/local/bin") for minor in (8, 9)]
    if any(path.exists() for path in system):
        pytest.skip("this machine has a system CPython 3.9/3.8")
    result = subprocess.run(
        ["/bin/bash", str(launcher), "--version"],
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "PYENV_ROOT": str(tmp_path / "no-pyenv"),
            "PANTS_BOOTSTRAP_CACHE": str(tmp_path / "cache"),
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "needs CPython 3.9 or 3.8, and none was found" in result.stderr
    assert "set PANTS_PYTHON to its path" in result.stderr


def test_pants_toml_without_version(launcher: Path, tmp_path: Path) -> None:
    toml = launcher.parent / "pants.toml"
    toml.write_text(toml.read_text().replace('pants_version = "2.17.1"', ""))
    result = run(launcher, tmp_path / "cache")
    assert result.returncode == 1
    assert (
        result.stderr == f"pants: no pants_version in the [GLOBAL] section of {launcher.parent}/pants.toml.\n"
    )


def test_pex_record_must_match_its_version(launcher: Path, tmp_path: Path) -> None:
    toml = launcher.parent / "pants.toml"
    toml.write_text(toml.read_text().replace('version = "v2.1.137"', 'version = "v2.1.138"'))
    result = run(launcher, tmp_path / "cache")
    assert result.returncode == 1
    assert result.stderr == (
        "pants: pants.toml: [pex-cli] known_versions records v2.1.137, but version is v2.1.138.\n"
    )
