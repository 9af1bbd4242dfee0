"""Run a real Pants, with this plugin, in a temporary repo: the end-to-end tier of the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

PANTS_TOML = """\
[GLOBAL]
pants_version = "2.17.1"
backend_packages = ["pants.backend.python", "pants_calver"]
pantsd = false

[python]
interpreter_constraints = ["CPython>=3.8,<3.12"]
"""

# What the nested Pants needs from the outer one: interpreters and caches (HOME, PATH, PYENV_ROOT),
# the pex CLI that ./pants built from PyPI and, on machines whose pip configuration breaks pex,
# the pip/CA settings of the launcher's .machine-env. `[test].extra_env_vars` passes them in; a
# variable that is not set is not passed.
PASSED_ENV = (
    "HOME",
    "PATH",
    "PYENV_ROOT",
    "PANTS_PEX_CLI_URL_TEMPLATE",
    "PANTS_SUBPROCESS_ENVIRONMENT_ENV_VARS",
    "PANTS_CA_CERTS_PATH",
)


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def init_repo(root: Path) -> None:
    """Make `root` a Pants repo using this plugin."""
    (root / "pants.toml").write_text(PANTS_TOML)


def pex_cli_section(pants_toml: Path = Path("pants.toml")) -> str:
    """This repo's `[pex-cli]` section, for a nested Pants that runs pex (to resolve plugins or
    export virtualenvs). Needs this repo's pants.toml in the sandbox (`//:launcher`)."""
    lines = pants_toml.read_text().splitlines(keepends=True)
    start = lines.index("[pex-cli]\n")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    return "".join(lines[start:end])


def pants(root: Path, *args: str, home: Optional[Path] = None, **extra_env: str) -> Run:
    """Run `pants ARGS` in `root` with the Pants this test runs on and the test's `sys.path` (which
    holds the plugin's sources when the test depends on them). `home` replaces HOME, for a cache
    of the test's own; `extra_env` is added to the environment."""
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    env.update(extra_env)
    env.update(
        LC_ALL="C.UTF-8",
        # Source roots are on sys.path relative to the test sandbox; the run happens elsewhere.
        PYTHONPATH=os.pathsep.join(os.path.abspath(entry) for entry in sys.path if entry),
        NO_SCIE_WARNING="1",
    )
    env.setdefault("PATH", "/usr/bin:/bin")
    if home is not None:
        env["HOME"] = str(home)
    command: Sequence[str] = [sys.executable, "-m", "pants", "--no-dynamic-ui", *args]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    return Run(result.returncode, result.stdout, result.stderr)


def stop_pantsd(root: Path, patience: float = 10.0) -> None:
    """Stop the pantsd a run started in `root` (only that one, by its pid file): SIGTERM, and
    SIGKILL if it is still there after `patience` seconds (a busy pantsd can outlive a SIGTERM,
    and one left behind holds memory until the machine restarts)."""
    for pid_file in root.glob(".pids/*/pantsd/pid"):
        try:
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
        except (ValueError, ProcessLookupError):
            continue
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
