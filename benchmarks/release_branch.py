"""How long check-release-branch's missing-backports rule takes: MAIN commits on main since the
branch point (default 2,000) and BRANCH commits on release branch 23.09 (default 500).

It builds a throw-away repo with two `git fast-import` runs (main first, then the branch, whose
messages name main's commit ids). Every fourth commit of main is a fix (`fix: ...`). The branch
holds backports of most fixes, in every provenance form in turn: `git cherry-pick -x` lines, the
spec's trailers, a squash-merged pull request's `(#N) (#M)`, a `Backport-of:` trailer, and a
cherry-pick with no mark (found only by `git patch-id`); one branch commit in ten is the branch's
own. The rest of the fixes are missing. Then it times what the rule adds on top of the Pants
floor: main and the branch resolved to commit ids, one `git log` of each side, the matching,
and the one `git patch-id` batch (diff-tree piped into patch-id) for the commits no mark matched;
once with the default provenance (`trailers`) and once with every form. Prints the median and the
fastest of several rounds.

    python benchmarks/release_branch.py [--flat] [MAIN] [BRANCH] [ROUNDS]   (with pants-plugins/ on PYTHONPATH)
    python benchmarks/release_branch.py --pants [MAIN] [BRANCH] [ROUNDS]   (warm Pants runs against the floor)
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

from pants_calver.core.releases.missing_backports import Wanted
from pants_calver.core.releases.provenance import DEFAULT_FORMS, Form
from pants_calver.engine.git import Git
from pants_calver.engine.releases.history import find_missing, read_side

COMMITTER = b"committer b <b@example.invalid> 1700000000 +0000\n"
# Folders the generated files are spread over: 40, or 1 with `--flat` (one folder of 2,500 files,
# whose tree git reads twice for each commit it diffs: the slow case).
FOLDERS = 40
FORMS = ("cherry-picked", "trailers", "pr-number", "backport-of", "unmarked")


def _folder(i: int) -> str:
    """Files spread over FOLDERS folders, as a mono-repo's are (see `--flat`)."""
    return f"src/pkg{i % FOLDERS}" if FOLDERS > 1 else "src"


def _commit(ref: bytes, mark: int, message: str, path: str, content: str) -> bytes:
    data, body = message.encode(), content.encode()
    return b"".join(
        [
            b"commit %s\nmark :%d\n" % (ref, mark),
            COMMITTER,
            b"data %d\n%s\n" % (len(data), data),
            b"M 644 inline %s\ndata %d\n%s\n" % (path.encode(), len(body), body),
        ]
    )


def main_stream(commits: int) -> bytes:
    """main after the branch point: every fourth commit a fix, squash-merged as pull request #i."""
    stream = [b"reset refs/heads/main\nfrom refs/heads/23.09\n\n"]
    for i in range(commits):
        kind = "fix" if i % 4 == 0 else "feat"
        stream.append(
            _commit(
                b"refs/heads/main",
                i + 1,
                f"{kind}: change {i} (#{i})\n",
                f"{_folder(i)}/m{i}.py",
                f"m = {i}\n",
            )
        )
    return b"".join(stream)


def branch_stream(commits: int, fixes: List[Tuple[int, str]]) -> Tuple[bytes, int]:
    """23.09's commits: backports of `fixes` (pull request number, commit id) in turn of the
    forms, every tenth commit the branch's own; returns the stream and how many fixes it took."""
    stream, taken = [b"reset refs/heads/23.09\nfrom refs/heads/23.09^0\n\n"], 0
    for i in range(commits):
        if i % 10 == 9 or taken >= len(fixes):
            stream.append(
                _commit(
                    b"refs/heads/23.09",
                    i + 1,
                    f"chore: branch only {i}\n",
                    f"{_folder(i)}/b{i}.py",
                    f"b = {i}\n",
                )
            )
            continue
        pr, oid = fixes[taken]
        form = FORMS[taken % len(FORMS)]
        subject = f"fix: change {pr} (#{pr})"
        message = {
            "cherry-picked": f"{subject}\n\n(cherry picked from commit {oid})\n",
            "trailers": f"{subject}\n\nBackported-From: main\nBackported-To: 23.09\n",
            "pr-number": f"fix: change {pr} (#{pr}) (#{100000 + i})\n",
            "backport-of": f"fix: backport {pr}\n\nBackport-of: {oid[:12]}\n",
            "unmarked": f"fix: backport {pr} again\n",
        }[form]
        stream.append(_commit(b"refs/heads/23.09", i + 1, message, f"{_folder(pr)}/m{pr}.py", f"m = {pr}\n"))
        taken += 1
    return b"".join(stream), taken


def _git(root: Path, *args: str, stdin: bytes = b"") -> str:
    return subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@example.invalid", *args],
        cwd=root,
        input=stdin,
        capture_output=True,
        check=True,
    ).stdout.decode()


def make_history(root: Path, on_main: int, on_branch: int) -> int:
    """Release branch 23.09 cut at main's tip, then ON_MAIN commits on main and ON_BRANCH on 23.09
    (checked out); returns how many fixes of main are missing from the branch."""
    _git(root, "branch", "23.09")
    marks = root / ".git" / "main-marks"
    _git(root, "fast-import", "--quiet", f"--export-marks={marks}", stdin=main_stream(on_main))
    lines = (line.split() for line in marks.read_text().splitlines())
    oids: Dict[int, str] = {int(mark[1:]): oid for mark, oid in lines}
    fixes = [(i, oids[i + 1]) for i in range(0, on_main, 4)]
    stream, taken = branch_stream(on_branch, fixes)
    _git(root, "fast-import", "--quiet", stdin=stream)
    _git(root, "checkout", "-q", "23.09")
    return len(fixes) - taken


def make_repo(root: Path, on_main: int, on_branch: int) -> int:
    """A repo of its own for the history; see `make_history`."""
    _git(root, "init", "-q", "-b", "main")
    _git(root, "commit", "-q", "--allow-empty", "-m", "init")
    return make_history(root, on_main, on_branch)


def time_rule(root: Path, forms, rounds: int) -> Tuple[List[float], int]:
    git = Git(str(root), os.environ)
    wanted = Wanted((re.compile("^fix"),))
    times, missing = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        main, branch = git.commit("main", "main"), git.commit("23.09", "--branch")
        on_main, on_branch = read_side(git, main, branch), read_side(git, branch, main, paths=True)
        missing = len(find_missing(git, on_main, on_branch, "23.09", forms, wanted, "main"))
        times.append(time.perf_counter() - start)
    return times, missing


def _timed(root: Path, *args: str) -> float:
    start = time.perf_counter()
    result = subprocess.run(["./pants", *args], cwd=root, capture_output=True, timeout=900)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1) or (args[0] == "list" and result.returncode):
        raise SystemExit(
            f"./pants {' '.join(args)} exited {result.returncode}:\n{result.stderr.decode()[-3000:]}"
        )
    return elapsed


def time_pants(on_main: int, on_branch: int, rounds: int) -> None:
    """Warm runs of `pants check-release-branch --rules=missing-backports` against the floor
    (`pants list ::`, alternated) on benchmarks/generate.py's small repo with the history on top."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import generate  # noqa: E402

    worktree = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        generate.write(
            generate.generate(20, 500, 1, plugins=str(worktree / "pants-plugins")), root, worktree / "pants"
        )
        make_history(root, on_main, on_branch)
        every = "--check-backports-provenance=[" + ", ".join(repr(form.value) for form in Form) + "]"
        goals = {
            "trailers (default)": ("check-release-branch", "--rules=missing-backports"),
            "every form": ("check-release-branch", "--rules=missing-backports", every),
        }
        try:
            for args in [("list", "::"), *goals.values()] * 2:
                _timed(root, *args)  # warm-up: pantsd up, the repo read once
            times: Dict[str, List[float]] = {"floor": [], **{label: [] for label in goals}}
            for _ in range(rounds):
                # Each round: the floor, then each variant; the figure is the median of the paired
                # differences (each run against the floor run of its round).
                times["floor"].append(_timed(root, "list", "::"))
                for label, args in goals.items():
                    times[label].append(_timed(root, *args))
            floor = statistics.median(times["floor"])
            for label in goals:
                added = statistics.median(g - f for g, f in zip(times[label], times["floor"]))
                print(
                    f"warm pants, provenance {label}: check-release-branch --rules=missing-backports median "
                    f"{statistics.median(times[label]):.3f} s, list :: median {floor:.3f} s, added (median of "
                    f"paired differences) {added:.3f} s ({rounds} rounds, {on_main} + {on_branch} commits)"
                )
        finally:
            for pid_file in root.glob(".pids/*/pantsd/pid"):
                subprocess.run(["kill", pid_file.read_text().strip()], check=False)


def main() -> None:
    global FOLDERS
    if "--flat" in sys.argv:
        sys.argv.remove("--flat")
        FOLDERS = 1
    pants = "--pants" in sys.argv
    if pants:
        sys.argv.remove("--pants")
    on_main = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    on_branch = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 9
    if pants:
        time_pants(on_main, on_branch, rounds)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        never = make_repo(root, on_main, on_branch)
        for label, forms in (("trailers (default)", DEFAULT_FORMS), ("every form", tuple(Form))):
            times, missing = time_rule(root, forms, rounds)
            print(
                f"missing-backports, {on_main} commits on main, {on_branch} on 23.09, provenance {label}: "
                f"median {statistics.median(times) * 1000:.1f} ms, fastest {min(times) * 1000:.1f} ms "
                f"({rounds} rounds; {missing} missing, {never} never backported)"
            )


if __name__ == "__main__":
    main()
