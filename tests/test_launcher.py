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


PEX_SHA256 = "02252fec0a0fc8475f4ebc09edd65d81ae502b609549e059d45c4bc48cae944f"


def ready_cache(cache: Path) -> Path:
    """A bootstrapped cache whose `pants` prints the pex CLI settings it was handed."""
    venv = cache / "venvs" / "pants-2.17.1-pyparsing-3.0.9"
    (venv / "bin").mkdir(parents=True)
    (venv / ".ready").touch()
    (venv / ".machine-env").touch()
    pants = venv / "bin" / "pants"
    pants.write_text(
        "#!/bin/sh\n"
        'echo "version=${PANTS_PEX_CLI_VERSION-unset}"\n'
        'echo "known=${PANTS_PEX_CLI_KNOWN_VERSIONS-unset}"\n'
        'echo "url=$PANTS_PEX_CLI_URL_TEMPLATE"\n'
    )
    pants.chmod(0o755)
    pex = cache / "pex" / f"v2.1.137-{PEX_SHA256}" / "pex"
    pex.parent.mkdir(parents=True)
    pex.touch()
    return pex


def without_pex_cli_section(toml: Path) -> None:
    text = toml.read_text()
    start = text.index("[pex-cli]")
    end = text.index("\n[", start + 1)
    toml.write_text(text[:start] + text[end + 1 :])


def test_a_repo_without_a_pex_cli_section_gets_pants_2_17s_pex(launcher: Path, tmp_path: Path) -> None:
    without_pex_cli_section(launcher.parent / "pants.toml")
    pex = ready_cache(tmp_path / "cache")
    result = run(launcher, tmp_path / "cache", PANTS_NO_NATIVE_CLIENT="1")
    record = f"|{PEX_SHA256}|3563515'"
    platforms = ("linux_x86_64", "linux_arm64", "macos_x86_64", "macos_arm64")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "version=v2.1.137",
        "known=[" + "".join(f"'v2.1.137|{p}{record}," for p in platforms) + "]",
        f"url=file://{pex}",
    ]


def test_a_pex_cli_section_is_read_not_overridden(launcher: Path, tmp_path: Path) -> None:
    pex = ready_cache(tmp_path / "cache")
    result = run(launcher, tmp_path / "cache", PANTS_NO_NATIVE_CLIENT="1")
    assert result.stdout.splitlines() == ["version=unset", "known=unset", f"url=file://{pex}"]


def test_another_pants_without_a_pex_cli_section_is_refused(launcher: Path, tmp_path: Path) -> None:
    toml = launcher.parent / "pants.toml"
    without_pex_cli_section(toml)
    toml.write_text(toml.read_text().replace('pants_version = "2.17.1"', 'pants_version = "2.18.0"'))
    result = run(launcher, tmp_path / "cache")
    assert result.returncode == 1
    assert result.stderr == (
        "pants: pants.toml needs a [pex-cli] section with version and known_versions for Pants 2.18.0 "
        "(this launcher knows the pex CLI of Pants 2.17 only).\n"
    )
