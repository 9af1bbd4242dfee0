"""Real Pants runs of `export-dev` on a temporary repo with two small resolves locked from PyPI.

The nested Pants runs through `e2e.pants`, which passes what `./pants` gives the outer one (the pex
CLI location and, on machines with a global pip configuration, the pip/CA settings) and this
repo's `[pex-cli]` record (`e2e.pex_cli_section`, read from pants.toml in the sandbox).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from itertools import zip_longest
from typing import Iterator, Sequence

import pytest

import pants_calver.register  # noqa: F401  (the nested run imports the plugin from this sandbox)
from e2e import Run, pants, pex_cli_section, stop_pantsd
from monorepo import git

HERE = Path(__file__).parent

PANTS_TOML = """\
[GLOBAL]
pants_version = "2.17.1"
backend_packages = ["pants.backend.python", "pants_calver"]
pantsd = true

[python]
interpreter_constraints = ["CPython==3.9.*"]
enable_resolves = true
default_resolve = "alpha"

[python.resolves]
alpha = "locks/alpha.lock"
beta = "locks/beta.lock"

[python-bootstrap]
search_path = ["<PATH>", "<PYENV>"]

[export-dev]
resolves = ["alpha", "beta", "gamma"]
migrations = ["migrations/*.py"]
config_samples = ["configs/**/*.toml"]

"""

BUILD = """\
python_requirement(name="six", requirements=["six==1.16.0"], resolve="alpha")
python_requirement(name="colors", requirements=["ansicolors==1.1.8"], resolve="beta")
"""

# The resolves and the one Python tool of `pants.backend.python` that `pants export --resolve`
# accepts.
KNOWN = "alpha, beta, pytest"
GAMMA = (
    "gamma: skipped: this branch defines no such resolve in `[python].resolves` and no Python tool "
    f"of that name (known: {KNOWN})"
)
GAMMA_WARNING = (
    "[WARN] Skipping the resolve `gamma`: this branch defines no such resolve in `[python].resolves` "
    f"and no Python tool of that name (known: {KNOWN})."
)
ELAPSED = re.compile(r"export-dev finished in \d+\.\ds\.")
WARNING = re.compile(r"\d\d:\d\d:\d\d\.\d\d (\[(?:WARN|ERROR)\] .*)")


def _write(repo: Path, files: dict[str, str]) -> None:
    for path, content in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(content)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    _write(
        tmp_path,
        {
            "pants.toml": PANTS_TOML + pex_cli_section(),
            "BUILD": BUILD,
            "locks/alpha.lock": (HERE / "export_dev_alpha.lock").read_text(),
            "locks/beta.lock": (HERE / "export_dev_beta.lock").read_text(),
            "migrations/a1.py": 'revision = "a1"\ndown_revision = None\n',
            "configs/manager/sample.toml": "[db]\nname = 'backend'\n",
        },
    )
    try:
        yield tmp_path
    finally:
        stop_pantsd(tmp_path)


def venv(repo: Path, resolve: str) -> Path:
    (path,) = (repo / "dist/export/python/virtualenvs" / resolve).iterdir()
    return path


def imports(repo: Path, resolve: str, module: str) -> int:
    """The exit code of importing `module` with the resolve's venv."""
    python = venv(repo, resolve) / "bin/python"
    return subprocess.run([str(python), "-c", f"import {module}"], capture_output=True).returncode


def venv_id(path: Path) -> str:
    # What export-dev records to recognise the venv it built.
    st = os.lstat(path)
    return f"{st.st_ino}:{st.st_ctime_ns}"


def written(repo: Path, resolve: str, kind: str = "mutable virtualenv") -> str:
    """What was written, in the words of `pants export` (which export-dev repeats)."""
    py = venv(repo, resolve).name
    return f"{kind} for {resolve} (using Python {py}) to dist/export/python/virtualenvs/{resolve}/{py}"


def exported(repo: Path, resolve: str, kind: str = "mutable virtualenv") -> str:
    return f"{resolve}: exported (wrote {written(repo, resolve, kind)})"


def up_to_date(repo: Path, resolve: str) -> str:
    return f"{resolve}: up to date (dist/export/python/virtualenvs/{resolve}/{venv(repo, resolve).name})"


def assert_run(
    result: Run, exit_code: int, stdout: Sequence[str | re.Pattern[str]], warnings: list[str]
) -> None:
    """Exit code, every stdout line and every warning or error Pants logged (without its time).

    A pattern in `stdout` stands for a line with a varying part; the last line, the time taken,
    is matched by pattern too.
    """
    *lines, last = result.stdout.splitlines()
    # Where a pattern matches, expect the line itself, so that a mismatch shows as a list diff.
    expected = [
        line if isinstance(want, re.Pattern) and want.fullmatch(line) else want
        for line, want in zip_longest(lines, stdout, fillvalue="")
    ]
    logged = [m.group(1) for m in map(WARNING.fullmatch, result.stderr.splitlines()) if m]
    assert (result.exit_code, lines, logged) == (exit_code, expected, warnings), result.stderr
    assert ELAPSED.fullmatch(last), last


def read_record(repo: Path) -> dict:
    return json.loads((repo / "dist/export/export-dev.json").read_text())


def test_branch_switches(repo: Path) -> None:
    """Four runs of one repo, each step starting from what the one before left."""
    record, ids = first_run_exports_and_records(repo)
    nothing_changed_nothing_rebuilt(repo, record, ids)
    another_branch_exports_what_changed(repo, ids)
    back_again_with_a_broken_lockfile(repo, ids)


def first_run_exports_and_records(repo: Path) -> tuple[dict, dict[str, str]]:
    """Both resolves exported and importable, the undefined one skipped with a warning; the
    record, and each venv's id."""
    first = pants(repo, "export-dev")
    assert_run(
        first,
        0,
        [
            exported(repo, "alpha"),
            exported(repo, "beta"),
            GAMMA,
            "First export-dev run here: nothing was recorded before, so there is nothing to "
            "compare. Recorded 1 migration and 1 configuration sample for the next run.",
        ],
        [GAMMA_WARNING],
    )
    assert (imports(repo, "alpha", "six"), imports(repo, "beta", "colors")) == (0, 0)
    assert imports(repo, "alpha", "colors") == 1
    record = read_record(repo)
    assert {name: (r["reldir"], r["venv_id"]) for name, r in record["resolves"].items()} == {
        r: (str(venv(repo, r).relative_to(repo / "dist/export")), venv_id(venv(repo, r)))
        for r in ("alpha", "beta")
    }
    return record, {r: venv_id(venv(repo, r)) for r in ("alpha", "beta")}


def nothing_changed_nothing_rebuilt(repo: Path, record: dict, ids: dict[str, str]) -> None:
    second = pants(repo, "export-dev")
    assert_run(
        second,
        0,
        [
            up_to_date(repo, "alpha"),
            up_to_date(repo, "beta"),
            GAMMA,
            "No database migration or configuration sample changed since the last export-dev "
            "(looked at migrations/*.py, configs/**/*.toml).",
        ],
        [GAMMA_WARNING],
    )
    assert {r: venv_id(venv(repo, r)) for r in ("alpha", "beta")} == ids
    assert read_record(repo) == record


def another_branch_exports_what_changed(repo: Path, ids: dict[str, str]) -> None:
    """Another branch: alpha's lockfile, a new migration and a changed config sample."""
    with open(repo / "locks/alpha.lock", "a") as f:
        f.write("// another branch\n")
    _write(
        repo,
        {
            "migrations/b2.py": 'revision = "b2"\ndown_revision = "a1"\n',
            "configs/manager/sample.toml": "[db]\nname = 'changed'\n",
        },
    )
    third = pants(repo, "export-dev")
    assert_run(
        third,
        0,
        [
            exported(repo, "alpha"),
            up_to_date(repo, "beta"),
            GAMMA,
            "New database migrations since the last export-dev (1):",
            "  b2  migrations/b2.py",
            "  Run `alembic upgrade head` to apply them.",
            "Configuration samples changed since the last export-dev:",
            "  changed  configs/manager/sample.toml",
            "  Check your local TOML configuration and etcd configuration against them.",
        ],
        [GAMMA_WARNING],
    )
    assert venv_id(venv(repo, "alpha")) != ids["alpha"]
    assert venv_id(venv(repo, "beta")) == ids["beta"]


def back_again_with_a_broken_lockfile(repo: Path, ids: dict[str, str]) -> None:
    """Back again, with beta's lockfile broken: beta fails, named with the reason, alpha is still
    exported, and the old beta venv is left exactly as it was (the pex build failed in the
    sandbox, before anything under dist/ was touched)."""
    (repo / "migrations/b2.py").unlink()
    (repo / "locks/alpha.lock").write_text((HERE / "export_dev_alpha.lock").read_text())
    with open(repo / "locks/beta.lock", "a") as f:
        f.write("{ not json\n")
    fourth = pants(repo, "export-dev")
    assert_run(
        fourth,
        1,
        [
            exported(repo, "alpha"),
            # The first line of the error, then the end of pex's traceback.
            "beta: failed: Process 'Build pex for resolve `beta`' failed with exit code 1.",
            re.compile(r"    \.\.\. \(\d+ lines left out\)"),
            *[re.compile("    .+")] * 5,
            "    pex.resolve.lockfile.json_codec.ParseError: The lock file at locks/beta.lock does not "
            "contain valid JSON: Extra data: line 52 column 1 (char 1423)",
            "    Use `--keep-sandboxes=on_failure` to preserve the process chroot for inspection.",
            GAMMA,
            "Database migrations recorded at the last export-dev are gone from this branch (1):",
            "  b2  migrations/b2.py",
            "  The database may be ahead of this branch. Before switching here, run `alembic "
            "downgrade a1` on the branch that has them (the `alembic downgrade` step of the "
            "development setup): switch back, downgrade, then switch here again.",
        ],
        [GAMMA_WARNING],
    )
    assert venv_id(venv(repo, "beta")) == ids["beta"]
    assert imports(repo, "beta", "colors") == 0
    assert sorted(read_record(repo)["resolves"]) == ["alpha"]


def test_same_venv_as_pants_export(repo: Path) -> None:
    exported_by_pants = pants(repo, "export", "--resolve=alpha", "--resolve=beta")
    assert (exported_by_pants.exit_code, exported_by_pants.stdout.splitlines()) == (
        0,
        [f"Wrote {written(repo, r)}" for r in ("alpha", "beta")],
    ), exported_by_pants.stderr
    by_export = {r: _tree(venv(repo, r)) for r in ("alpha", "beta")}

    # The venvs `pants export` wrote are not ones export-dev recorded: it rebuilds them.
    ours = pants(repo, "export-dev", "--export-dev-resolves=['alpha', 'beta']")
    assert_run(
        ours,
        0,
        [
            exported(repo, "alpha"),
            exported(repo, "beta"),
            "First export-dev run here: nothing was recorded before, so there is nothing to "
            "compare. Recorded 1 migration and 1 configuration sample for the next run.",
        ],
        [],
    )
    assert {r: _tree(venv(repo, r)) for r in ("alpha", "beta")} == by_export

    # A plain `pants export` in between replaces the venv: export-dev notices.
    again = pants(repo, "export", "--resolve=beta")
    assert (again.exit_code, again.stdout.splitlines()) == (
        0,
        [f"Wrote {written(repo, 'beta')}"],
    ), again.stderr
    after = pants(repo, "export-dev", "--export-dev-resolves=['alpha', 'beta']")
    assert_run(
        after,
        0,
        [
            up_to_date(repo, "alpha"),
            exported(repo, "beta"),
            "No database migration or configuration sample changed since the last export-dev "
            "(looked at migrations/*.py, configs/**/*.toml).",
        ],
        [],
    )


def test_symlinked_format(repo: Path) -> None:
    args = (
        "export-dev",
        "--export-dev-resolves=['alpha']",
        "--export-py-resolve-format=symlinked_immutable_virtualenv",
    )
    first = pants(repo, *args)
    assert_run(
        first,
        0,
        [
            exported(repo, "alpha", kind="symlink to immutable virtualenv"),
            "First export-dev run here: nothing was recorded before, so there is nothing to "
            "compare. Recorded 1 migration and 1 configuration sample for the next run.",
        ],
        [],
    )
    link = venv(repo, "alpha")
    # A link into Pants' cache, to a venv that exists and has the resolve's requirements.
    target = os.readlink(link)
    assert link.is_symlink() and os.path.isabs(target) and os.path.isdir(target), target
    assert (imports(repo, "alpha", "six"), imports(repo, "alpha", "colors")) == (0, 1)
    assert entries(repo / "dist/export") == ["export-dev.json", "python"]
    assert (
        read_record(repo)["resolves"]["alpha"]["inputs"]["export_format"] == "symlinked_immutable_virtualenv"
    )
    before = venv_id(link)

    second = pants(repo, *args)
    assert_run(
        second,
        0,
        [
            up_to_date(repo, "alpha"),
            "No database migration or configuration sample changed since the last export-dev "
            "(looked at migrations/*.py, configs/**/*.toml).",
        ],
        [],
    )
    assert (os.readlink(link), venv_id(link)) == (target, before)


def entries(path: Path) -> list[str]:
    return sorted(os.listdir(path))


def _tree(root: Path) -> dict[str, str]:
    """Relative paths under a venv, with symlink targets; bytecode caches left out."""
    tree = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if "__pycache__" in rel:
            continue
        tree[rel] = os.readlink(path) if path.is_symlink() else ("dir" if path.is_dir() else "")
    return tree


def _files(root: Path) -> dict[str, bytes]:
    """Every file of the work tree and `dist/`: not git's, nor Pants' own (`.pids`, `.pants.d`)."""
    skipped = {".git", ".pids", ".pants.d"}
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not skipped & set(p.relative_to(root).parts)
    }


def test_preview_before_a_switch(repo: Path) -> None:
    # main as the fixture wrote it; the topic branch adds a migration and changes beta's lockfile.
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "main")
    git(repo, "checkout", "-q", "-b", "topic")
    _write(repo, {"migrations/t1.py": 'revision = "t1"\ndown_revision = "a1"\n'})
    (repo / "locks/beta.lock").write_text((repo / "locks/beta.lock").read_text() + "// topic\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "topic")
    before = _files(repo)

    result = pants(repo, "export-dev", "--preview=main")
    assert (result.exit_code, result.stdout.splitlines()) == (
        0,
        [
            "Switching from topic to main: a preview, nothing was changed.",
            "Database: this checkout has 1 migration that main lacks:",
            "  t1  migrations/t1.py",
            "  Run `alembic downgrade a1` now, before the switch, while this checkout has their files.",
            "Virtualenvs:",
            # Nothing was exported in this repo yet: export-dev exports it after the switch.
            "  alpha: will be re-exported (its virtualenv here is not up to date)",
            "  beta: will be re-exported (main changes locks/beta.lock)",
            f"  {GAMMA.replace('skipped:', 'cannot tell:')}",
            "Configuration samples: none differs (looked at configs/**/*.toml).",
            "Then:",
            "  1. alembic downgrade a1",
            "  2. git switch main",
            "  3. pants export-dev",
        ],
    ), result.stderr
    # Nothing was written, and nothing was exported.
    assert _files(repo) == before
    assert not (repo / "dist").exists()


# A patch release of CPython that does not exist, so that no machine has an interpreter for it
# (the case of the issue: `CPython==3.11.6` with only 3.11.7 installed).
MISSING = "CPython==3.9.99"
NO_INTERPRETER = (
    f"Could not find a compatible interpreter (Process 'Find interpreter for constraints: {MISSING}' "
    f"failed with exit code 102). Install a Python that matches {MISSING} where "
    "`[python-bootstrap].search_path` looks, or change the interpreter constraints of `beta`."
)


def test_a_resolve_without_an_interpreter(repo: Path) -> None:
    with open(repo / "pants.toml", "a") as f:
        f.write(f'\n[python.resolves_to_interpreter_constraints]\nbeta = ["{MISSING}"]\n')
    # beta fails on its own line, with pex's reason in one line; alpha is exported and recorded;
    # no traceback (Pants logged nothing but the warning for gamma).
    result = pants(repo, "export-dev")
    assert "Engine traceback" not in result.stderr, result.stderr
    assert_run(
        result,
        1,
        [
            exported(repo, "alpha"),
            f"beta: failed: {NO_INTERPRETER}",
            GAMMA,
            "First export-dev run here: nothing was recorded before, so there is nothing to "
            "compare. Recorded 1 migration and 1 configuration sample for the next run.",
        ],
        [GAMMA_WARNING],
    )
    assert imports(repo, "alpha", "six") == 0
    assert not (repo / "dist/export/python/virtualenvs/beta").exists()
    assert sorted(read_record(repo)["resolves"]) == ["alpha"]

    # The preview builds nothing: beta's line says why it cannot tell, and the preview goes on.
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "pants.toml", "BUILD", "locks", "migrations", "configs")
    git(repo, "commit", "-qm", "main")
    git(repo, "checkout", "-q", "-b", "topic")
    (repo / "locks/alpha.lock").write_text((repo / "locks/alpha.lock").read_text() + "// topic\n")
    git(repo, "commit", "-qam", "topic")
    before = _files(repo)
    preview = pants(repo, "export-dev", "--preview=main")
    assert (preview.exit_code, preview.stdout.splitlines()) == (
        0,
        [
            "Switching from topic to main: a preview, nothing was changed.",
            "Database: no migration differs (looked at migrations/*.py).",
            "Virtualenvs:",
            "  alpha: will be re-exported (main changes locks/alpha.lock)",
            f"  beta: cannot tell: {NO_INTERPRETER}",
            f"  {GAMMA.replace('skipped:', 'cannot tell:')}",
            "Configuration samples: none differs (looked at configs/**/*.toml).",
            "Then:",
            "  1. git switch main",
            "  2. pants export-dev",
        ],
    ), preview.stderr
    assert "Traceback" not in preview.stderr
    assert _files(repo) == before
