"""How long check-backports' own work takes on a release branch of N commits (default 500).

It builds a throw-away repo with `git fast-import` (each commit changes one file and carries the
backport trailers), then times what the goal adds on top of the Pants floor: the one `git log`
and the checks of every commit. Prints the median and the fastest of several rounds.

    python benchmarks/backports.py [COMMITS] [ROUNDS]   (with pants-plugins/ on PYTHONPATH)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pants_calver.core.backports import BackportRules, check_commits
from pants_calver.goals.check_backports import read_history
from pants_calver.engine.git import Git


def make_repo(root: Path, commits: int) -> None:
    def git(*args: str, stdin: bytes = b"") -> str:
        return subprocess.run(
            ["git", "-c", "user.name=b", "-c", "user.email=b@example.invalid", *args],
            cwd=root,
            input=stdin,
            capture_output=True,
            check=True,
        ).stdout.decode()

    git("init", "-q", "-b", "main")
    git("commit", "-q", "--allow-empty", "-m", "init")
    stream = []
    for i in range(commits):
        message = f"Fix number {i}\n\nBackported-From: main\nBackported-To: 23.09\n".encode()
        content = f"fix = {i}\n".encode()
        stream += [
            b"commit refs/heads/23.09\n",
            b"committer b <b@example.invalid> 1700000000 +0000\n",
            b"data %d\n%s" % (len(message), message),
            b"from refs/heads/main\n" if i == 0 else b"",
            b"M 644 inline src/fix%d.py\ndata %d\n%s" % (i, len(content), content),
        ]
    git("fast-import", "--quiet", stdin=b"".join(stream))
    git("checkout", "-q", "23.09")


def main() -> None:
    commits = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_repo(root, commits)
        rules = BackportRules(branch="23.09", main_branch="main", release_files=frozenset())
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            history = read_history(Git(str(root), os.environ), "main..HEAD")
            problems = check_commits(history, rules)
            times.append(time.perf_counter() - start)
    assert len(history) == commits and not problems, (len(history), problems)
    print(
        f"check-backports over {commits} commits: median {statistics.median(times) * 1000:.1f} ms, "
        f"fastest {min(times) * 1000:.1f} ms ({rounds} rounds; one git log and the checks)"
    )


if __name__ == "__main__":
    main()
