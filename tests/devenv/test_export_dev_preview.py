"""`export-dev --preview=BRANCH` on a build root that is a git repo with two branches, built by
real git commits: what the switch will need, read from git objects, and nothing written."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable, Dict

import pytest
from pants.testutil.rule_runner import RuleRunner

from monorepo import git
from export_dev_runner import BACKEND_AI_SAMPLES, MISSING, NOT_SAMPLES, export_dev_rule_runner, run

# The other branch, `main`: the topic branch forked at b0, main went on with two revisions and a
# merge of them. Its lockfiles and configuration samples differ from the topic's in every way.
MAIN = {
    "versions/a0.py": 'revision = "a0"\ndown_revision = None\n',
    "versions/b0.py": 'revision = "b0"\ndown_revision = "a0"\n',
    "versions/m1.py": 'revision = "m1"\ndown_revision = "b0"\n',
    "versions/m2.py": 'revision = "m2"\ndown_revision = "b0"\n',
    "versions/mm.py": 'revision = "mm"\ndown_revision = ("m1", "m2")\n',
    "alpha.lock": "// alpha on main\n",
    "beta.lock": "// beta, the same on both\n",
    "delta.lock": "// delta, only on main\n",
    "configs/changed.toml": "x = 1\n",
    "configs/same.toml": "y = 1\n",
    "configs/added.toml": "z = 1\n",
}
# The checkout: the topic branch, with two migrations of its own on b0.
TOPIC = {
    **{
        path: content
        for path, content in MAIN.items()
        if path
        not in ("versions/m1.py", "versions/m2.py", "versions/mm.py", "delta.lock", "configs/added.toml")
    },
    "versions/t1.py": 'revision = "t1"\ndown_revision = "b0"\n',
    "versions/t2.py": 'revision = "t2"\ndown_revision = "t1"\n',
    "alpha.lock": "// alpha on the topic branch\n",
    "gamma.lock": "// gamma, only on the topic branch\n",
    "configs/changed.toml": "x = 2\n",
    "configs/removed.toml": "w = 1\n",
}


@pytest.fixture
def runner() -> RuleRunner:
    return export_dev_rule_runner()


RESOLVES = {"alpha": "alpha.lock", "beta": "beta.lock", "gamma": "gamma.lock", "delta": "delta.lock"}


def branches(runner: RuleRunner) -> Path:
    """Commit MAIN on `main`, then TOPIC on `topic`, checked out."""
    root = Path(runner.build_root)
    runner.write_files(MAIN)
    # A sample that is a link, the same on both branches: compared by what it links to.
    os.symlink("same.toml", root / "configs/linked.toml")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "main")
    git(root, "checkout", "-q", "-b", "topic")
    git(root, "rm", "-rq", ".")
    runner.write_files(TOPIC)
    os.symlink("same.toml", root / "configs/linked.toml")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "topic")
    return root


def snapshot(root: Path) -> Dict[str, str]:
    """Every file outside `.git` and Pants' own `.pants.d` (the tree and `dist/`), by its hash."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not {".git", ".pants.d"} & set(p.relative_to(root).parts)
    }


def test_preview_tells_what_the_switch_needs(runner: RuleRunner) -> None:
    root = branches(runner)
    # What this checkout exported (delta's lockfile is only on main: its export fails here). The
    # record and the venvs must stay as they are.
    run(runner, "--resolves=['alpha', 'beta', 'gamma', 'delta']", resolves=RESOLVES)
    before = snapshot(root)
    result = run(
        runner,
        "--preview=main",
        "--resolves=['alpha', 'beta', 'gamma', 'delta', 'nope']",
        resolves=RESOLVES,
    )
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "Switching from topic to main: a preview, nothing was changed.",
        "Database: this checkout has 2 migrations that main lacks (newest first):",
        "  t2  versions/t2.py",
        "  t1  versions/t1.py",
        "  Run `alembic -c alembic.ini downgrade b0` now, before the switch, while this checkout has their files.",
        "Database: main adds 3 migrations, to apply after the switch with `alembic -c alembic.ini upgrade head` "
        "(oldest first):",
        "  m1  versions/m1.py",
        "  m2  versions/m2.py",
        "  mm  versions/mm.py",
        "Virtualenvs:",
        "  alpha: will be re-exported (main changes alpha.lock)",
        "  beta: up to date (same beta.lock)",
        "  gamma: will be skipped (main has no gamma.lock)",
        "  delta: will be re-exported (main adds delta.lock)",
        "  nope: cannot tell: this branch defines no such resolve in `[python].resolves` and no Python tool "
        "of that name (known: alpha, beta, black, delta, gamma)",
        "Configuration samples that differ on main:",
        "  changed  configs/changed.toml",
        "  added    configs/added.toml",
        "  removed  configs/removed.toml",
        "Then:",
        "  1. alembic -c alembic.ini downgrade b0",
        "  2. git switch main",
        "  3. pants export-dev",
        "  4. alembic -c alembic.ini upgrade head",
        "  5. check your local TOML and etcd configuration against the samples above",
    ]
    # Nothing was written: the tree and `dist/` (its record and venvs) are byte-identical.
    assert snapshot(root) == before
    assert {"dist/export/export-dev.json", "dist/export/python/virtualenvs/beta/3.9.0/marker"} <= set(before)


def test_preview_of_the_same_tree(runner: RuleRunner) -> None:
    root = branches(runner)
    git(root, "branch", "twin")
    # Not exported here yet: exported after the switch, whatever the branch holds.
    result = run(runner, "--preview=twin", "--resolves=['alpha', 'beta']", resolves=RESOLVES)
    assert result.stdout.splitlines()[3:5] == [
        "  alpha: will be re-exported (its virtualenv here is not up to date)",
        "  beta: will be re-exported (its virtualenv here is not up to date)",
    ]
    run(runner, "--resolves=['alpha', 'beta']", resolves=RESOLVES)
    result = run(runner, "--preview=twin", "--resolves=['alpha', 'beta']", resolves=RESOLVES)
    assert (result.exit_code, result.stdout.splitlines()) == (
        0,
        [
            "Switching from topic to twin: a preview, nothing was changed.",
            "Database: no migration differs (looked at versions/*.py).",
            "Virtualenvs:",
            "  alpha: up to date (same alpha.lock)",
            "  beta: up to date (same beta.lock)",
            "Configuration samples: none differs (looked at configs/*.toml).",
            "Then:",
            "  1. git switch twin",
            "  2. pants export-dev",
        ],
    )


@pytest.mark.parametrize(
    "ref, message",
    [
        pytest.param(
            "no-such-branch",
            "--preview: git knows no branch, tag or commit `no-such-branch`: check the name, or fetch "
            "it first.",
            id="unknown",
        ),
        # Not a commit: a tree's id (`main^{tree}` names one).
        pytest.param(
            "main^{tree}",
            "--preview: git knows no branch, tag or commit `main^{tree}`: check the name, or fetch it first.",
            id="a-tree",
        ),
        # Values git would read as options, were they passed on: refused before git sees them.
        pytest.param("--all", "--preview: `--all` is not a branch, tag or commit name.", id="an-option"),
        pytest.param(
            "--output=OUT",
            "--preview: `--output=OUT` is not a branch, tag or commit name.",
            id="output",
        ),
        pytest.param(
            "-ccore.pager=touch OUT",
            "--preview: `-ccore.pager=touch OUT` is not a branch, tag or commit name.",
            id="config",
        ),
        pytest.param(
            "--exec=touch OUT",
            "--preview: `--exec=touch OUT` is not a branch, tag or commit name.",
            id="exec",
        ),
    ],
)
def test_preview_of_a_ref_git_does_not_know(
    runner: RuleRunner, tmp_path: Path, ref: str, message: str
) -> None:
    root = branches(runner)
    before = snapshot(root)
    out = tmp_path / "out"
    ref, message = (text.replace("OUT", str(out)) for text in (ref, message))
    result = run(runner, f"--preview={ref}", resolves=RESOLVES)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    assert snapshot(root) == before
    assert not out.exists()


def test_preview_with_a_migration_that_cannot_be_read_on_the_branch(runner: RuleRunner) -> None:
    root = branches(runner)
    git(root, "checkout", "-q", "main")
    runner.write_files({"versions/bad.py": "revision = (\n"})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a broken migration")
    git(root, "checkout", "-q", "topic")
    result = run(runner, "--preview=main", "--resolves=['beta']", resolves=RESOLVES)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Cannot read a migration on main: versions/bad.py:1: is not valid Python (unexpected EOF while parsing). "
        "Fix the migration file."
    ]
    assert (
        "Database: not compared: the migrations could not be read (see above)." in result.stdout.splitlines()
    )


def test_preview_of_a_new_version_with_editable_installs(runner: RuleRunner) -> None:
    # beta installs the repo's distributions as editable: their version is in its venv, so a
    # branch with another VERSION means a new export even with the same lockfile.
    root = branches(runner)
    runner.write_files({"VERSION": "23.09.6\n"})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "version")
    git(root, "checkout", "-q", "-b", "next")
    runner.write_files({"VERSION": "23.09.7\n"})
    git(root, "commit", "-qam", "next version")
    git(root, "checkout", "-q", "topic")
    editable = "--export-py-editable-in-resolve=['beta']"
    run(runner, "--resolves=['alpha', 'beta']", editable, resolves=RESOLVES)
    result = run(runner, "--preview=next", "--resolves=['alpha', 'beta']", editable, resolves=RESOLVES)
    assert result.stdout.splitlines()[3:5] == [
        "  alpha: up to date (same alpha.lock)",
        "  beta: will be re-exported (next changes VERSION, the version of its editable distributions)",
    ]


def test_preview_goes_on_past_a_resolve_without_an_interpreter(runner: RuleRunner) -> None:
    # beta's inputs cannot be computed here (no interpreter matches its constraints): its line says
    # why, and the other resolves, the database and the samples are still previewed.
    branches(runner)
    missing = f"--python-resolves-to-interpreter-constraints={{'beta': ['{MISSING}']}}"
    result = run(runner, "--preview=main", "--resolves=['alpha', 'beta']", missing, resolves=RESOLVES)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[9:16] == [
        "Virtualenvs:",
        "  alpha: will be re-exported (main changes alpha.lock)",
        "  beta: cannot tell: Could not find a compatible interpreter (Process 'Find interpreter for "
        f"constraints: {MISSING}' failed with exit code 102). Install a Python that matches {MISSING} where "
        "`[python-bootstrap].search_path` looks, or change the interpreter constraints of `beta`.",
        "Configuration samples that differ on main:",
        "  changed  configs/changed.toml",
        "  added    configs/added.toml",
        "  removed  configs/removed.toml",
    ]


def test_preview_with_the_default_config_samples(runner: RuleRunner) -> None:
    # The default globs, read from git objects, take every format of Backend.AI's samples, as
    # `export-dev` after the switch does.
    root = branches(runner)
    runner.write_files({**BACKEND_AI_SAMPLES, **NOT_SAMPLES})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "samples")
    git(root, "branch", "samples")
    runner.write_files(
        {path: text + "# changed\n" for path, text in {**BACKEND_AI_SAMPLES, **NOT_SAMPLES}.items()}
    )
    git(root, "commit", "-qam", "changed samples")
    result = run(runner, "--preview=samples", "--resolves=['beta']", resolves=RESOLVES, config_samples=None)
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    start = lines.index("Configuration samples that differ on samples:")
    assert lines[start + 1 : lines.index("Then:")] == [
        f"  changed  {path}" for path in sorted(BACKEND_AI_SAMPLES)
    ]


@pytest.mark.parametrize(
    "damage, problem",
    [
        pytest.param(
            lambda path: path.write_text("{not json"),
            "is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1)).",
            id="not-json",
        ),
        pytest.param(lambda path: path.mkdir(), "cannot be read (Is a directory).", id="a-directory"),
    ],
)
def test_preview_with_a_damaged_record(
    runner: RuleRunner, damage: Callable[[Path], None], problem: str
) -> None:
    # Said, ignored (every venv counts as not up to date), and left as it is: no traceback.
    root = branches(runner)
    record = root / "dist/export/export-dev.json"
    record.parent.mkdir(parents=True)
    damage(record)
    before = snapshot(root)
    result = run(runner, "--preview=main", "--resolves=['beta']", resolves=RESOLVES)
    assert (result.exit_code, result.stderr.splitlines()) == (
        0,
        [
            f"Ignoring a damaged record: {record}: {problem} Delete it (the next run re-exports everything "
            "and records afresh)."
        ],
    )
    assert "  beta: will be re-exported (its virtualenv here is not up to date)" in result.stdout.splitlines()
    assert snapshot(root) == before
