"""Write a Backend.AI-shaped, calendar-versioned mono-repo of a given size, for the benchmarks.

The repo has N `python_distribution` targets under `src/ai/backend/`, each with a `VERSION` link to
the root `VERSION`, except `backend.ai-client`, which keeps its own version. First-party pins are
spread over every kind of source the plugin reads: the root `requirements.txt` and per-package ones
(`python_requirements` targets), inline `python_requirement(requirements=[...])` in BUILD files,
pyproject.toml `[project] dependencies` and setup.cfg `[options] install_requires`. Filler Python
modules bring the repo to F files in all (every file written, the Pants config included). The repo
is a git repository with one commit, ready for `bump-version`.

Exact pins on the shared version are written `==23.9.6`, so that a `bump-my-version` search for
that string makes the same edits as `pants bump-version`; its configuration is written to
`.bumpversion.toml` (a hidden file, which Pants does not see). With `--non-normalized K`, the first
K of those pins are written `==23.09.6` instead.

The output depends only on the arguments: the same seed gives the same bytes.

    python3 benchmarks/generate.py --size medium /tmp/medium
    python3 benchmarks/generate.py --distributions 50 --files 800 --seed 7 /tmp/repo
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

VERSION = "23.09.6"
PIN = "23.9.6"
CLIENT = "backend.ai-client"
CLIENT_VERSION = "24.03.1"

# (distributions, files in all)
SIZES: Dict[str, Tuple[int, int]] = {
    "small": (20, 500),
    "medium": (200, 5_000),
    "large": (2_000, 20_000),
}

# Backend.AI's own package names come first; further distributions are numbered.
NAMES = (
    "common",
    "client",
    "manager",
    "agent",
    "storage-proxy",
    "webserver",
    "kernel",
    "plugin",
    "cli",
    "logging",
    "helpers",
    "test",
    "wsproxy",
    "account-manager",
    "install",
)

THIRD_PARTY = (
    "aiohttp==3.8.6",
    "aiodocker==0.21.0",
    "aiofiles==23.2.1",
    "aiotools==1.7.0",
    "alembic==1.12.1",
    "attrs==23.1.0",
    "click==8.1.7",
    "cryptography==41.0.5",
    "graphene==3.3",
    "janus==1.0.0",
    "msgpack==1.0.7",
    "psutil==5.9.6",
    "pydantic==2.5.2",
    "PyYAML==6.0.1",
    "redis[hiredis]==4.5.5",
    "SQLAlchemy[postgresql_asyncpg]==1.4.50",
    "tenacity==8.2.3",
    "toml==0.10.2",
    "trafaret==2.1.1",
    "uvloop==0.19.0",
    "yarl==1.9.3",
    "zmq==0.0.0",
)

PANTS_TOML = """\
[GLOBAL]
pants_version = "2.17.1"
pythonpath = ["{plugins}"]
backend_packages = ["pants.backend.python", "pants_calver"]

[python]
interpreter_constraints = ["CPython==3.9.*"]
enable_resolves = true

[pex-cli]
version = "v2.1.137"
known_versions = ["v2.1.137|linux_x86_64|02252fec0a0fc8475f4ebc09edd65d81ae502b609549e059d45c4bc48cae944f|3563515"]
"""

GITIGNORE = "/.pants.d/\n/.pids/\n/dist/\n__pycache__/\n"

BUMPVERSION_HEAD = f"""\
# bump-my-version, configured to make the edits of `pants bump-version --next=patch`: the root
# VERSION (display form, zero-padded minor) and every exact first-party pin on the shared version
# (normalized form). The package VERSION files are links to the root one.
[tool.bumpversion]
current_version = "{VERSION}"
parse = "(?P<major>\\\\d+)\\\\.0?(?P<minor>\\\\d+)\\\\.(?P<patch>\\\\d+)"
serialize = ["{{major}}.{{minor:0>2}}.{{patch}}"]
commit = false
tag = false

[[tool.bumpversion.files]]
filename = "VERSION"
"""

BUMPVERSION_FILE = """
[[tool.bumpversion.files]]
filename = "{path}"
search = "=={{current_major}}.{{current_minor}}.{{current_patch}}"
replace = "=={{new_major}}.{{new_minor}}.{{new_patch}}"
"""


@dataclass
class Package:
    """One distribution and the files of its directory."""

    name: str
    directory: str
    build: List[str] = field(default_factory=list)
    files: Dict[str, str] = field(default_factory=dict)


@dataclass
class Repo:
    files: Dict[str, str] = field(default_factory=dict)
    symlinks: Dict[str, str] = field(default_factory=dict)
    # Files holding exact pins on the shared version, for bump-my-version.
    pinned: List[str] = field(default_factory=list)

    def count(self) -> int:
        return len(self.files) + len(self.symlinks)


class Pins:
    """Writes first-party requirements, non-normalized for the first `non_normalized` exact pins."""

    def __init__(self, non_normalized: int) -> None:
        self.left = non_normalized

    def exact(self, name: str) -> str:
        if name == CLIENT:
            return f"{CLIENT}>=24.3"
        if self.left > 0:
            self.left -= 1
            return f"{name}=={VERSION}"
        return f"{name}=={PIN}"


def package_names(count: int) -> List[str]:
    names = [f"backend.ai-{n}" for n in NAMES[:count]]
    names += [f"backend.ai-pkg{i:04d}" for i in range(len(names), count)]
    return names


def filler_module(rng: random.Random, package: str, index: int) -> str:
    """A plausible, importable Python module of 20 to 60 lines."""
    functions = rng.randint(2, 6)
    lines = [
        f'"""Module {index} of {package}."""',
        "",
        "from __future__ import annotations",
        "",
        "import logging",
        "from typing import Any, Dict, List",
        "",
        "log = logging.getLogger(__name__)",
        "",
    ]
    for f in range(functions):
        width = rng.randint(2, 5)
        lines += [
            "",
            f"def handler_{index}_{f}(items: List[Dict[str, Any]]) -> int:",
            f'    """Count the items that carry key k{f}."""',
            "    total = 0",
            "    for item in items:",
            f'        if item.get("k{f}") is not None:',
            f"            total += {width}",
            f'    log.debug("handler_{index}_{f}: %d", total)',
            "    return total",
            "",
        ]
    return "\n".join(lines) + "\n"


def generate(distributions: int, files: int, seed: int, non_normalized: int = 0, plugins: str = "") -> Repo:
    """The repo's files as text, and its links; `plugins` is the path put in pants.toml."""
    if distributions < 2:
        raise ValueError("a repo needs at least 2 distributions (backend.ai-common and the client).")
    rng = random.Random(seed)
    pins = Pins(non_normalized)
    repo = Repo()
    names = package_names(distributions)
    shared = [n for n in names if n != CLIENT]

    repo.files["pants.toml"] = PANTS_TOML.format(plugins=plugins)
    repo.files[".gitignore"] = GITIGNORE
    repo.files["VERSION"] = f"{VERSION}\n"
    repo.files["BUILD"] = 'python_requirements(name="reqs")\n'
    root_pins = [pins.exact(n) for n in shared[: min(3, len(shared))]] + [f"{CLIENT}>=24.3"]
    repo.files["requirements.txt"] = (
        "# Third-party and first-party requirements of the whole repo.\n"
        + "".join(f"{r}\n" for r in THIRD_PARTY)
        + "".join(f"{p}  # first-party\n" for p in root_pins)
    )
    repo.pinned.append("requirements.txt")

    packages: List[Package] = []
    for index, name in enumerate(names):
        short = name[len("backend.ai-") :].replace("-", "_")
        package = Package(name, f"src/ai/backend/{short}")
        packages.append(package)
        package.files["__init__.py"] = f'"""{name}."""\n'
        package.build += [
            'python_sources(name="src")',
            "",
            "python_distribution(",
            '    name="dist",',
            '    dependencies=[":src"],',
            f'    provides=python_artifact(name="{name}", license="LGPLv3"),',
            ")",
        ]
        if name == CLIENT:
            package.files["VERSION"] = f"{CLIENT_VERSION}\n"
        else:
            repo.symlinks[f"{package.directory}/VERSION"] = "../../../../VERSION"
        earlier = [n for n in shared[: max(1, index)] if n != name]
        if not earlier:
            continue
        wanted = [pins.exact(n) for n in rng.sample(earlier, min(len(earlier), rng.randint(1, 3)))]
        if rng.random() < 0.2:
            wanted.append(pins.exact(CLIENT))
        third = rng.choice(THIRD_PARTY)
        kind = index % 5
        if kind == 0:
            requirements = ", ".join(f'"{r}"' for r in wanted)
            package.build += ["", f'python_requirement(name="pins", requirements=[{requirements}])']
            pinned = "BUILD"
        elif kind == 1:
            package.files["requirements.txt"] = "".join(f"{r}\n" for r in [third, *wanted])
            package.build += ["", 'python_requirements(name="reqs")']
            pinned = "requirements.txt"
        elif kind == 2:
            package.files["pyproject.toml"] = (
                "[project]\n"
                f'name = "{name}"\n'
                'dynamic = ["version"]\n'
                "dependencies = [\n" + "".join(f'  "{r}",\n' for r in [third, *wanted]) + "]\n"
            )
            pinned = "pyproject.toml"
        elif kind == 3:
            package.files[
                "setup.cfg"
            ] = f"[metadata]\nname = {name}\n\n[options]\ninstall_requires =\n" + "".join(
                f"    {r}\n" for r in [third, *wanted]
            )
            pinned = "setup.cfg"
        else:
            continue
        if any("==" in r for r in wanted):
            repo.pinned.append(f"{package.directory}/{pinned}")

    for package in packages:
        package.files["BUILD"] = "\n".join(package.build) + "\n"
        for path, content in package.files.items():
            repo.files[f"{package.directory}/{path}"] = content

    repo.files[".bumpversion.toml"] = ""  # counted now, written below
    filler = files - repo.count() - 1  # and the launcher, ./pants
    for i in range(max(0, filler)):
        package = packages[i % len(packages)]
        repo.files[f"{package.directory}/module_{i:05d}.py"] = filler_module(rng, package.name, i)
    repo.files[".bumpversion.toml"] = BUMPVERSION_HEAD + "".join(
        BUMPVERSION_FILE.format(path=path) for path in sorted(repo.pinned)
    )
    return repo


def git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "benchmarks",
        "GIT_AUTHOR_EMAIL": "benchmarks@example.invalid",
        "GIT_COMMITTER_NAME": "benchmarks",
        "GIT_COMMITTER_EMAIL": "benchmarks@example.invalid",
        # A fixed date keeps the commit identical between runs.
        "GIT_AUTHOR_DATE": "2023-09-30T12:00:00+00:00",
        "GIT_COMMITTER_DATE": "2023-09-30T12:00:00+00:00",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)


def write(repo: Repo, root: Path, launcher: Optional[Path], commit: bool = True) -> None:
    """Write the repo under `root` (which must not exist or be empty), with git and the launcher."""
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise SystemExit(f"{root} is not empty: give a new folder.")
    for path, content in repo.files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    for path, link in repo.symlinks.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(link, target)
    if launcher is not None:
        shutil.copy2(launcher, root / "pants")
    if commit:
        git(root, "init", "-q", "-b", "main")
        # No background `git gc --auto` after the first commit: it would repack while the
        # benchmark copies the repo.
        git(root, "config", "gc.auto", "0")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "Generated benchmark repo")


def main(argv: Sequence[str]) -> None:
    worktree = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the folder to write (new or empty)")
    parser.add_argument("--size", choices=sorted(SIZES), help="a preset: distributions and files")
    parser.add_argument("--distributions", type=int, help="python_distribution targets")
    parser.add_argument("--files", type=int, help="files in all, filler modules included")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--non-normalized", type=int, default=0, help="write this many exact pins as ==23.09.6"
    )
    parser.add_argument(
        "--plugins", default=str(worktree / "pants-plugins"), help="the plugin folder for pants.toml"
    )
    parser.add_argument("--launcher", type=Path, default=worktree / "pants", help="the ./pants to copy")
    parser.add_argument("--no-git", action="store_true", help="do not git init and commit")
    args = parser.parse_args(argv)
    distributions, files = SIZES[args.size] if args.size else (0, 0)
    distributions = args.distributions or distributions
    files = args.files or files
    if not distributions or not files:
        parser.error("give --size, or --distributions and --files")
    repo = generate(distributions, files, args.seed, args.non_normalized, args.plugins)
    write(repo, args.root, args.launcher, commit=not args.no_git)
    print(
        f"{args.root}: {distributions} distributions, {repo.count() + 1} files (./pants included), "
        f"{len(repo.pinned)} files with exact first-party pins"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
