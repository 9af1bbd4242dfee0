"""A small Backend.AI-shaped mono-repo, in sync, for the RuleRunner and end-to-end tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Dict, Mapping, Optional

VERSION = "23.09.6"

FILES: Dict[str, str] = {
    "VERSION": f"{VERSION}\n",
    "BUILD": 'python_requirements(name="reqs")\n',
    "requirements.txt": (
        "# Third-party and first-party requirements of the repo.\n"
        "aiohttp==3.8.1\n"
        "backend.ai-common==23.9.6\n"
        "backend-ai-client>=24.3  # the SDK has its own version\n"
    ),
    "src/ai/backend/common/BUILD": (
        'python_distribution(name="dist", provides=python_artifact(name="backend.ai-common"))\n'
    ),
    "src/ai/backend/manager/BUILD": (
        'python_distribution(name="dist", provides=python_artifact(name="backend.ai-manager"))\n'
        'python_requirement(name="common", requirements=["backend.ai-common==23.9.6"])\n'
    ),
    "src/ai/backend/agent/BUILD": (
        'python_distribution(name="dist", provides=python_artifact(name="backend.ai-agent"))\n'
    ),
    "src/ai/backend/agent/VERSION": f"{VERSION}\n",
    "src/ai/backend/client/BUILD": (
        'python_distribution(name="dist", provides=python_artifact(name="backend.ai-client"))\n'
    ),
    "src/ai/backend/client/VERSION": "24.03.1\n",
    "src/ai/backend/web/pyproject.toml": (
        "[project]\n"
        'name = "backend.ai-webserver"\n'
        "dependencies = [\n"
        '  "backend.ai-client>=24.3",\n'
        '  "backend.ai-common~=23.9.0",\n'
        "]\n"
    ),
    "src/ai/backend/plugin/setup.cfg": (
        "[metadata]\nname = backend.ai-plugin\n[options]\ninstall_requires =\n    backend.ai-common==23.9.6\n"
    ),
}

# What `bump-version --next=rc` reports on this repo: the version, then each file it rewrites.
NEXT_RC_REPORT = [
    "VERSION: 23.09.6 → 23.09.7rc1",
    "  VERSION: version file",
    "  src/ai/backend/agent/VERSION: version file",
    "  requirements.txt: 1 pin",
    "  src/ai/backend/manager/BUILD: 1 pin",
    "  src/ai/backend/plugin/setup.cfg: 1 pin",
]


def at_version(display: str, normalized: str) -> Dict[str, str]:
    """The repo's files at another version: VERSION and the exact pins moved, and the compatible
    pin on the web UI widened so that it admits every version from `normalized` on."""
    return {
        path: content.replace(VERSION, display)
        .replace("23.9.6", normalized)
        .replace("~=23.9.0", f">={normalized}")
        for path, content in FILES.items()
    }


# Package version files that are links to the root VERSION.
SYMLINKS: Dict[str, str] = {
    "src/ai/backend/common/VERSION": "../../../../VERSION",
    "src/ai/backend/manager/VERSION": "../../../../VERSION",
}


def write(
    root: str | Path, files: Mapping[str, str | bytes] = FILES, symlinks: Mapping[str, str] = SYMLINKS
) -> None:
    """Write the repo (or `files` over it) under `root`."""
    for path, content in files.items():
        target = Path(root, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        target.write_bytes(content)
    for path, link in symlinks.items():
        target = Path(root, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        os.symlink(link, target)


def git_bytes(
    root: str | Path, *args: str, stdin: bytes = b"", extra_env: Optional[Mapping[str, str]] = None
) -> bytes:
    """Run git in `root` with a fixed author (and `extra_env`), away from the user's and the
    system's git configuration, and return what it printed."""
    env = {
        **(extra_env or {}),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    return subprocess.run(
        ["git", *args], cwd=root, env=env, input=stdin, check=True, capture_output=True
    ).stdout


def git(root: str | Path, *args: str, **extra_env: str) -> str:
    """`git_bytes`, decoded."""
    return git_bytes(root, *args, extra_env=extra_env).decode()


def commit_all(root: str | Path) -> None:
    """Make `root` a git repo on branch main, with everything in it committed."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
