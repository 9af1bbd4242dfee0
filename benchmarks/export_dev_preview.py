"""How long `export-dev --preview=BRANCH` takes on a Backend.AI-sized repo, against `pants list ::`.

Generates a repo with generate.py (default: medium, 200 distributions and 5,000 files), then adds
what the preview reads in Backend.AI: the manager's Alembic tree (REVISIONS revision files in one
line, default 250), `configs/` with the six samples that `scripts/install-dev.sh` copies and a few
more, the developer's copies of them (git-ignored, as there), and one resolve with a lockfile. That
is committed on `main`; branch `next` adds 3 revisions and new keys to two samples. With `main`
checked out and pantsd warm, it alternates `pants list ::` (the floor) and
`pants export-dev --preview=next`, ROUNDS times after one untimed round, and prints the medians,
the fastest and slowest, and preview/floor. Both commands must exit 0.

    python3 benchmarks/export_dev_preview.py [--size medium] [--revisions 250] [--rounds 7]
        [--workdir /tmp/calver-benchmarks/export-dev-preview] [--json]
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
from typing import Dict, List, Sequence

HERE = Path(__file__).resolve().parent
WORKTREE = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

VERSIONS = "src/ai/backend/manager/models/alembic/versions"
LOCKFILE = "3rdparty/python/python-default.lock"
# Backend.AI's samples (cut down to their shape), and the local copies install-dev.sh makes.
SAMPLES: Dict[str, str] = {
    "configs/manager/halfstack.toml": '[etcd]\nnamespace = "local"\npassword = ""\n[db]\nname = "backend"\n',
    "configs/agent/halfstack.toml": '[etcd]\nnamespace = "local"\n[agent]\nrpc-listen-addr = { port = 6001 }\n',
    "configs/storage-proxy/sample.toml": '[etcd]\nnamespace = "local"\n[storage-proxy]\nnode-id = "i-x"\n',
    "configs/webserver/halfstack.conf": '[service]\nport = 8090\n[api]\nendpoint = "http://127.0.0.1:8091"\n',
    "configs/manager/halfstack.alembic.ini": "[alembic]\nscript_location = x\nsqlalchemy.url = postgresql://p:d@h/b\n",
    "configs/manager/sample.etcd.volumes.json": '{"volumes": {"default_host": "local:volume1"}}\n',
    "configs/manager/sample.etcd.config.json": '{"config": {"redis": {"addr": "127.0.0.1:6379"}}}\n',
    "configs/prometheus/prometheus.yaml": "global: {}\n",
}
COPIES = {
    "manager.toml": "configs/manager/halfstack.toml",
    "agent.toml": "configs/agent/halfstack.toml",
    "storage-proxy.toml": "configs/storage-proxy/sample.toml",
    "webserver.conf": "configs/webserver/halfstack.conf",
    "alembic.ini": "configs/manager/halfstack.alembic.ini",
    "dev.etcd.volumes.json": "configs/manager/sample.etcd.volumes.json",
}
PANTS_TOML_MORE = f"""
[python.resolves]
python-default = "{LOCKFILE}"

[export-dev]
resolves = ["python-default"]
"""


def revision(number: int, parent: int | None) -> str:
    down = "None" if parent is None else f'"r{parent:04d}"'
    return f'"""Revision {number}."""\nrevision = "r{number:04d}"\ndown_revision = {down}\n'


def git(root: Path, *args: str) -> None:
    generate.git(root, *args)


def make_repo(root: Path, size: str, revisions: int) -> None:
    distributions, files = generate.SIZES[size]
    repo = generate.generate(distributions, files, seed=1, plugins=str(WORKTREE / "pants-plugins"))
    repo.files["pants.toml"] += PANTS_TOML_MORE
    repo.files[".gitignore"] += "".join(f"/{copy}\n" for copy in COPIES)
    repo.files[LOCKFILE] = (WORKTREE / "tests/devenv/export_dev_alpha.lock").read_text()
    repo.files.update(SAMPLES)
    for n in range(revisions):
        repo.files[f"{VERSIONS}/r{n:04d}_change.py"] = revision(n, n - 1 if n else None)
    generate.write(repo, root, WORKTREE / "pants")
    git(root, "switch", "-q", "-c", "next")
    for n in range(revisions, revisions + 3):
        (root / f"{VERSIONS}/r{n:04d}_change.py").write_text(revision(n, n - 1))
    with open(root / "configs/manager/halfstack.toml", "a") as manager:
        manager.write('pool-recycle = 50\n[logging.graylog]\nhost = "127.0.0.1"\n')
    (root / "configs/manager/sample.etcd.volumes.json").write_text(
        '{"volumes": {"default_host": "local:volume1", "exposed_volume_info": "percentage"}}\n'
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "next")
    git(root, "switch", "-q", "main")
    for copy, sample in COPIES.items():
        shutil.copyfile(root / sample, root / copy)


def timed(root: Path, args: Sequence[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(["./pants", *args], cwd=root, capture_output=True, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"./pants {' '.join(args)} exited {result.returncode}:\n{result.stderr.decode()[-3000:]}"
        )
    return elapsed


def stop_pantsd(root: Path) -> None:
    for pidfile in root.glob(".pids/*/pantsd/pid"):
        try:
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
        except (ValueError, OSError):
            pass


def summary(times: List[float]) -> Dict[str, float]:
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(generate.SIZES), default="medium")
    parser.add_argument("--revisions", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/calver-benchmarks/export-dev-preview"))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    root = args.workdir / args.size
    stop_pantsd(root)
    if root.exists():
        shutil.rmtree(root)
    make_repo(root, args.size, args.revisions)
    floor_args, preview_args = ["list", "::"], ["export-dev", "--preview=next"]
    try:
        timed(root, floor_args)  # starts pantsd; untimed, as the round after it
        timed(root, preview_args)
        floor, preview = [], []
        for _ in range(args.rounds):
            floor.append(timed(root, floor_args))
            preview.append(timed(root, preview_args))
    finally:
        stop_pantsd(root)
    figures = {
        "size": args.size,
        "revisions": args.revisions,
        "rounds": args.rounds,
        "load": os.getloadavg(),
        "list": summary(floor),
        "preview": summary(preview),
        "ratio": statistics.median(preview) / statistics.median(floor),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for name in ("list", "preview"):
        f = figures[name]
        print(f"{name:8} median {f['median']:.3f} s  ({f['min']:.3f}-{f['max']:.3f})")
    print(
        f"preview / list :: = {figures['ratio']:.2f}x  (load {' '.join(f'{x:.2f}' for x in figures['load'])})"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
