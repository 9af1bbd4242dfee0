"""How long check-backports' own work takes on a release branch of N commits (default 500).

It builds a throw-away repo with `git fast-import` (each commit changes one file and carries the
backport trailers), by default merged in pull requests of PR_SIZE commits, each with a merge
commit (0: every commit on the branch itself, one line). Then it times what the goal adds on top
of the Pants floor: the main branch's name vetted and resolved to a commit id, the one `git log`
of every commit the branch has and main has not, and the checks of every commit. Prints the
median and the fastest of several rounds.

    python benchmarks/backports.py [COMMITS] [ROUNDS] [PR_SIZE]   (with pants-plugins/ on PYTHONPATH)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pants_calver.core.releases.backports import BackportRules, check_commits
from pants_calver.engine.releases.history import resolve_base
from pants_calver.goals.check_backports import read_history, resolve_head
from pants_calver.engine.git import Git


def fast_import_stream(commits: int, pr_size: int) -> bytes:
    """Release branch 23.09 off main: `commits` marked backports, in pull requests of `pr_size`
    commits on `refs/heads/pr`, each merged with a merge commit that has the pull request's tree
    (or all on 23.09 for 0)."""
    stream = [b"reset refs/heads/23.09\nfrom refs/heads/main\n\n"]
    changes: list[bytes] = []
    for i in range(commits):
        if pr_size and i % pr_size == 0:
            stream.append(b"reset refs/heads/pr\nfrom refs/heads/23.09\n\n")
            changes = []
        message = f"Fix number {i}\n\nBackported-From: main\nBackported-To: 23.09\n".encode()
        content = f"fix = {i}\n".encode()
        changes.append(b"M 644 inline src/fix%d.py\ndata %d\n%s\n" % (i, len(content), content))
        stream += [
            b"commit refs/heads/%s\nmark :%d\n" % (b"pr" if pr_size else b"23.09", i + 1),
            b"committer b <b@example.invalid> 1700000000 +0000\n",
            b"data %d\n%s" % (len(message), message),
            changes[-1],
        ]
        if pr_size and (i % pr_size == pr_size - 1 or i == commits - 1):
            merge = b"Merge pull request"
            stream += [
                b"commit refs/heads/23.09\n",
                b"committer b <b@example.invalid> 1700000000 +0000\n",
                b"data %d\n%s\n" % (len(merge), merge),
                b"merge :%d\n" % (i + 1),
                *changes,
                b"\n",
            ]
    return b"".join(stream)


def make_repo(root: Path, commits: int, pr_size: int) -> None:
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
    git("fast-import", "--quiet", stdin=fast_import_stream(commits, pr_size))
    git("checkout", "-q", "23.09")


def main() -> None:
    commits = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    pr_size = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_repo(root, commits, pr_size)
        rules = BackportRules(branch="23.09", main_branch="main", release_files=frozenset())
        git = Git(str(root), os.environ)
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            history = read_history(git, resolve_head(git), resolve_base(git, None, "main"))
            problems = check_commits(history, rules)
            times.append(time.perf_counter() - start)
    assert len(history) == commits and not problems, (len(history), problems)
    shape = f"in pull requests of {pr_size}, each merged" if pr_size else "one line"
    print(
        f"check-backports over {commits} commits ({shape}): median {statistics.median(times) * 1000:.1f} ms, "
        f"fastest {min(times) * 1000:.1f} ms ({rounds} rounds; the base and HEAD resolved, one git log and the checks)"
    )


if __name__ == "__main__":
    main()
