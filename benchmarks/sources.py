#!/usr/bin/env python3
"""Time `bump-version` on a repo with 200 extra version sources, against bump-my-version making
the same edits.

Generates the small benchmark repo (benchmarks/generate.py: 20 distributions, 500 files) and adds
N extra sources (default 200) in `deploy/svcNNN/`, a quarter of each kind: a Helm `Chart.yaml`
(`appVersion`, a YAML key), a `package.json` (`version`, a JSON key), a `Dockerfile`
(`ARG VERSION={normalized}`, a pattern) and a `pyproject.toml` (`tool.app.version`, a TOML key),
each declared in `[calver.version_sources]`. bump-my-version gets one `[[tool.bumpversion.files]]`
entry per source (search/replace) on top of the generator's own configuration of the VERSION file
and the pins. Before timing, both tools bump once and their `git diff`s must be identical.

Then, through the repo's ./pants with pantsd warm (as benchmarks/run does), RUNS rounds of: a
real `bump-version --next=patch` on the repo with the sources, the same on a copy without them
(what the sources cost), and `bump-my-version bump patch` (installed from PyPI into its own venv
under --workdir); each bump is undone with `git checkout -- .`, then an untimed `list ::` lets
pantsd see the tree again. Prints medians and min-max.

    python3 benchmarks/sources.py                 # 200 sources, 5 rounds: about 3 minutes warm
    python3 benchmarks/sources.py --sources 400 --runs 7
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

HERE = Path(__file__).resolve().parent
WORKTREE = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

BUMP_MY_VERSION = "bump-my-version==1.8.1"
BUMP = ("bump-version", "--next=patch")
# Each kind of source: its file, its entry in [calver.version_sources], its text at 23.9.6, and the
# line bump-my-version searches for (with its placeholders).
KINDS: Tuple[Tuple[str, str, str, str], ...] = (
    (
        "Chart.yaml",
        '{ key = "appVersion" }',
        "apiVersion: v2\nname: svc\n# the chart's own version\nversion: 1.0.0\nappVersion: 23.9.6\n",
        "appVersion: {v}",
    ),
    (
        "package.json",
        '{ key = "version" }',
        '{\n  "name": "svc",\n  "version": "23.9.6",\n  "private": true\n}\n',
        '"version": "{v}"',
    ),
    (
        "Dockerfile",
        '{ pattern = "ARG VERSION={normalized}" }',
        "FROM python:3.9\nARG VERSION=23.9.6\nLABEL org.opencontainers.image.version=$VERSION\n",
        "ARG VERSION={v}",
    ),
    (
        "pyproject.toml",
        '{ key = "tool.app.version" }',
        '[tool.app]\nname = "svc"\nversion = "23.9.6"  # released with the repo\n',
        'version = "{v}"',
    ),
)
CURRENT = "{current_major}.{current_minor}.{current_patch}"
NEW = "{new_major}.{new_minor}.{new_patch}"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(root: Path, args: Sequence[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(args, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=900)
    elapsed = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(
            f"{' '.join(args)} in {root} exited {result.returncode}:\n{result.stderr.decode()[-3000:]}"
        )
    return elapsed


def reset(root: Path) -> None:
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=root, check=True)


def diff(root: Path) -> str:
    args = ["git", "diff", "--", ".", ":!.bumpversion.toml"]
    return subprocess.run(args, cwd=root, check=True, capture_output=True, text=True).stdout


def stop_pantsd(root: Path) -> None:
    for pidfile in root.glob(".pids/*/pantsd/pid"):
        try:
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
        except (ValueError, OSError):
            continue


def with_sources(repo: generate.Repo, count: int) -> generate.Repo:
    """The repo with `count` extra sources, declared for both tools."""
    entries, searches = [], []
    for i in range(count):
        name, entry, text, search = KINDS[i % len(KINDS)]
        path = f"deploy/svc{i:03d}/{name}"
        repo.files[path] = text
        entries.append(f'"{path}" = {entry}\n')
        searches.append(
            "\n[[tool.bumpversion.files]]\n"
            f"filename = {json.dumps(path)}\n"
            f"search = {json.dumps(search.format(v=CURRENT))}\n"
            f"replace = {json.dumps(search.format(v=NEW))}\n"
        )
    repo.files["pants.toml"] += "\n[calver.version_sources]\n" + "".join(entries)
    repo.files[".bumpversion.toml"] += "".join(searches)
    return repo


def install_bump_my_version(workdir: Path) -> Path:
    venv = workdir / "bump-my-version-venv"
    exe = venv / "bin" / "bump-my-version"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", BUMP_MY_VERSION]
        subprocess.run(pip, check=True)
    return exe


def make_repos(workdir: Path, count: int) -> Dict[str, Path]:
    roots = {name: workdir / f"sources-{name}" for name in ("ours", "none", "bump-my-version")}
    for root in roots.values():
        stop_pantsd(root)
        if root.exists():
            shutil.rmtree(root)
    plugins, launcher = str(WORKTREE / "pants-plugins"), WORKTREE / "pants"
    distributions, files = generate.SIZES["small"]
    generate.write(
        with_sources(generate.generate(distributions, files, 1, plugins=plugins), count),
        roots["ours"],
        launcher,
    )
    generate.write(generate.generate(distributions, files, 1, plugins=plugins), roots["none"], launcher)
    shutil.copytree(roots["ours"], roots["bump-my-version"], symlinks=True)
    return roots


def summary(label: str, times: List[float]) -> str:
    return (
        f"{label:<44} median {statistics.median(times):7.3f} s   min-max {min(times):.3f}-{max(times):.3f} s"
    )


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=200, help="extra version sources")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/calver-benchmarks"))
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    bmv = [str(install_bump_my_version(args.workdir)), "bump", "patch"]
    roots = make_repos(args.workdir, args.sources)
    ours, none, theirs = roots["ours"], roots["none"], roots["bump-my-version"]
    pants = ["./pants", *BUMP]
    try:
        for root in (ours, none):
            run(root, ["./pants", "list", "::"])  # starts pantsd
        run(ours, pants)
        run(theirs, bmv)
        if diff(ours) != diff(theirs):
            raise SystemExit(f"the two tools made different edits: compare `git diff` in {ours} and {theirs}")
        edited = diff(ours).count("\n+++ ")
        log(f"both tools edit the same {edited} files ({args.sources} extra sources)")
        times: Dict[str, List[float]] = {"ours": [], "none": [], "bump-my-version": []}
        for root in (ours, none, theirs):
            reset(root)
        for root in (ours, none):
            run(root, ["./pants", "list", "::"])
        for i in range(args.runs):
            for name, root, command in (
                ("ours", ours, pants),
                ("none", none, pants),
                ("bump-my-version", theirs, bmv),
            ):
                times[name].append(run(root, command))
                reset(root)
                if root != theirs:
                    run(root, ["./pants", "list", "::"])  # untimed: pantsd sees the reset
            log(f"round {i + 1}/{args.runs} done (load {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    finally:
        for root in (ours, none):
            stop_pantsd(root)
    print(summary(f"bump-version, {args.sources} extra sources", times["ours"]))
    print(summary("bump-version, no extra sources", times["none"]))
    print(summary(f"bump-my-version bump patch, {args.sources} files", times["bump-my-version"]))
    ratio = statistics.median(times["ours"]) / statistics.median(times["bump-my-version"])
    print(f"bump-version / bump-my-version: {ratio:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
