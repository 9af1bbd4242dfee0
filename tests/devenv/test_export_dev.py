"""RuleRunner tests of the export-dev goal: every export-dev rule is the real one, one layer below
it is replaced by the fakes of `export_dev_runner.py` (which says why)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
from pathlib import Path
from typing import Sequence

import pytest
from pants.testutil.rule_runner import RuleRunner

from export_dev_runner import (
    BACKEND_AI_SAMPLES,
    BROKEN,
    LOCK,
    MISSING,
    NOT_SAMPLES,
    PY,
    SYMLINKED,
    Run,
    export_dev_rule_runner,
    run,
)


@pytest.fixture
def rule_runner() -> RuleRunner:
    return export_dev_rule_runner()


def broken_lines(resolve: str) -> list[str]:
    """How export-dev reports `broken_error`: the first line and the last seven."""
    return [
        f"{resolve}: failed: Process 'Build pex for resolve `{resolve}`' failed with exit code 1.",
        "    ... (3 lines left out)",
        *(f"    stderr line {i}" for i in range(4, 11)),
    ]


ELAPSED = re.compile(r"export-dev finished in \d+\.\ds\.")
FIRST = (
    "First export-dev run here: nothing was recorded before, so there is nothing to compare. "
    "Recorded 0 migrations and 0 configuration samples for the next run."
)
UNCHANGED = (
    "No database migration or configuration sample changed since the last export-dev "
    "(looked at versions/*.py, configs/*.toml)."
)


PANTS_DEPRECATIONS = ("[WARN] DEPRECATED: ", "[WARN] Note: the resolve you use for the black tool ")
# Warnings and errors only: the engine's INFO lines (e.g. "Filesystem changed during run: retrying")
# come and go with timing.
LOG_LINE = re.compile(r"\d\d:\d\d:\d\d\.\d\d (\[(?:WARN|ERROR)\] .*)")


def assert_result(
    result: Run,
    exit_code: int,
    stdout: Sequence[str],
    stderr: Sequence[str] = (),
    log: Sequence[str] = (),
) -> None:
    """Exit code, every line of stdout and stderr, and every warning or error logged (without its
    time); the last stdout line is the elapsed time."""
    *lines, last = result.stdout.splitlines()
    # Pants warns about deprecated options (`[black].export`, `[black].lockfile`) once per process
    # or per options instance, so whether that shows depends on which test ran first: left out.
    logged = [
        m.group(1)
        for m in map(LOG_LINE.fullmatch, result.log.splitlines())
        if m and not m.group(1).startswith(PANTS_DEPRECATIONS)
    ]
    assert (result.exit_code, lines, result.stderr.splitlines(), logged) == (
        exit_code,
        list(stdout),
        list(stderr),
        list(log),
    )
    assert ELAPSED.fullmatch(last), last


def exported(resolve: str, py: str = PY) -> str:
    return (
        f"{resolve}: exported (wrote mutable virtualenv for {resolve} (using Python {py}) to "
        f"dist/export/python/virtualenvs/{resolve}/{py})"
    )


def exported_symlink(resolve: str) -> str:
    return (
        f"{resolve}: exported (wrote symlink to immutable virtualenv for {resolve} (using Python {PY}) "
        f"to dist/export/python/virtualenvs/{resolve}/{PY})"
    )


def up_to_date(resolve: str, py: str = PY) -> str:
    return f"{resolve}: up to date (dist/export/python/virtualenvs/{resolve}/{py})"


def venv(rule_runner: RuleRunner, resolve: str) -> Path:
    return Path(rule_runner.build_root, "dist/export/python/virtualenvs", resolve, PY)


def entries(path: Path) -> list[str]:
    return sorted(os.listdir(path))


def probe(rule_runner: RuleRunner, resolve: str) -> str | None:
    """What PROBE saw at the venv's place during the last export of `resolve` (None: no export),
    removed so that the next run starts without one."""
    path = Path(rule_runner.build_root, f"probe-{resolve}")
    if not path.exists():
        return None
    seen = path.read_text()
    path.unlink()
    return seen


def read_record(rule_runner: RuleRunner) -> dict:
    return json.loads(Path(rule_runner.build_root, "dist/export/export-dev.json").read_bytes())


def venv_id(path: Path) -> str:
    st = os.lstat(path)
    return f"{st.st_ino}:{st.st_ctime_ns}"


def test_first_run_exports_and_records(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK, "versions/a1.py": 'revision = "a1"\n'})
    result = run(rule_runner, "--resolves=['alpha', 'gamma']")
    assert_result(
        result,
        0,
        [
            exported("alpha"),
            "gamma: skipped: this branch defines no such resolve in `[python].resolves` and no "
            "Python tool of that name (known: alpha, beta, black, broken, post-fails, unexported)",
            "First export-dev run here: nothing was recorded before, so there is nothing to "
            "compare. Recorded 1 migration and 0 configuration samples for the next run.",
        ],
        log=[
            "[WARN] Skipping the resolve `gamma`: this branch defines no such resolve in "
            "`[python].resolves` and no Python tool of that name (known: alpha, beta, black, broken, "
            "post-fails, unexported).",
        ],
    )
    assert entries(venv(rule_runner, "alpha")) == ["marker", "post"]
    assert (venv(rule_runner, "alpha") / "marker").read_bytes() == b"new"
    # No scratch directory is left behind.
    assert entries(Path(rule_runner.build_root, "dist/export")) == ["export-dev.json", "python"]
    assert read_record(rule_runner) == {
        "version": 1,
        "resolves": {
            "alpha": {
                "inputs": {
                    # sha256 of the lockfile's length as 8 big-endian bytes, then its bytes (the
                    # framing `sha256_hex` documents), computed with `sha256sum` outside Python.
                    "lockfile_sha256": "3a49d9cd36e4e3d0218734abcc6acaf07e263fba9473bf36b1c8e04990c5a5b9",
                    "interpreter_constraints": ["CPython==3.9.*"],
                    "pants_version": importlib.metadata.version("pantsbuild.pants"),
                    "export_format": "mutable_virtualenv",
                    "editable": False,
                    "interpreter": f"{PY} (sha256 {hashlib.sha256(PY.encode()).hexdigest()[:16]})",
                    "editable_dists": [],
                },
                "reldir": f"python/virtualenvs/alpha/{PY}",
                "venv_id": venv_id(venv(rule_runner, "alpha")),
            }
        },
        "migrations": {"a1": {"down_revisions": [], "path": "versions/a1.py"}},
        "alembic_trees": {"alembic.ini": {"a1": {"down_revisions": [], "path": "versions/a1.py"}}},
        "config_samples": {},
        "config_keys": {},
    }


def test_every_python_resolve_by_default(rule_runner: RuleRunner) -> None:
    # `[export-dev].resolves` empty: every resolve of `[python].resolves`, in that order, and no
    # tool resolve (black is registered here).
    resolves = {"zeta": "alpha.lock", "alpha": "alpha.lock"}
    rule_runner.write_files({"alpha.lock": LOCK})
    assert_result(run(rule_runner, resolves=resolves), 0, [exported("zeta"), exported("alpha"), FIRST])
    assert entries(Path(rule_runner.build_root, "dist/export/python/virtualenvs")) == ["alpha", "zeta"]
    assert_result(
        run(rule_runner, "--resolves=[]", resolves=resolves),
        0,
        [up_to_date("zeta"), up_to_date("alpha"), UNCHANGED],
    )


def test_what_post_processing_prints_stays_off_the_report(rule_runner: RuleRunner) -> None:
    """A post-processing command (Pants runs `pex venv` so) prints on the terminal; its stdout goes
    to stderr, so that stdout holds the report alone: with JSON, one document."""
    rule_runner.write_files({"alpha.lock": LOCK})
    result = run(rule_runner, "--output-format=json", resolves={"noisy": "alpha.lock"})
    assert (result.exit_code, json.loads(result.stdout)["resolves"][0]["outcome"]) == (0, "exported")
    assert result.terminal_stdout == ""
    assert "noise from a post-processing command\n" in result.log


def test_up_to_date_until_something_changes(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK, "beta.lock": LOCK})
    assert_result(
        run(rule_runner, "--resolves=['alpha', 'beta']"), 0, [exported("alpha"), exported("beta"), FIRST]
    )
    assert (probe(rule_runner, "alpha"), probe(rule_runner, "beta")) == ("marker\n", "marker\n")
    # Rewriting a file inside the venv leaves the venv directory itself as it was.
    (venv(rule_runner, "alpha") / "marker").write_bytes(b"edited")

    same = run(rule_runner, "--resolves=['alpha', 'beta']")
    assert_result(same, 0, [up_to_date("alpha"), up_to_date("beta"), UNCHANGED])
    assert (probe(rule_runner, "alpha"), probe(rule_runner, "beta")) == (None, None)
    assert (venv(rule_runner, "alpha") / "marker").read_bytes() == b"edited"

    forced = run(rule_runner, "--resolves=['alpha', 'beta']", "--force")
    assert_result(forced, 0, [exported("alpha"), exported("beta"), UNCHANGED])
    assert (venv(rule_runner, "alpha") / "marker").read_bytes() == b"new"

    # Only the resolve whose lockfile changed is exported again.
    rule_runner.write_files({"alpha.lock": LOCK + "// changed\n"})
    changed = run(rule_runner, "--resolves=['alpha', 'beta']")
    assert_result(changed, 0, [exported("alpha"), up_to_date("beta"), UNCHANGED])

    beta_ics = "--python-resolves-to-interpreter-constraints={'beta': ['CPython==3.9.1']}"
    ics = run(rule_runner, "--resolves=['alpha', 'beta']", beta_ics)
    assert_result(ics, 0, [up_to_date("alpha"), exported("beta"), UNCHANGED])

    editable = run(
        rule_runner, "--resolves=['alpha', 'beta']", beta_ics, "--export-py-editable-in-resolve=['alpha']"
    )
    assert_result(editable, 0, [exported("alpha"), up_to_date("beta"), UNCHANGED])
    assert read_record(rule_runner)["resolves"]["alpha"]["inputs"]["editable"] is True

    # Another format means another venv layout: rebuilt.
    other_format = run(rule_runner, "--resolves=['alpha']", SYMLINKED)
    assert_result(other_format, 0, [exported_symlink("alpha"), UNCHANGED])


def test_an_interpreter_patch_upgrade_exports_anew(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK})
    assert_result(run(rule_runner, "--resolves=['alpha']"), 0, [exported("alpha"), FIRST])
    # The same constraints now pick 3.9.1: the record names 3.9.0, so the venv is made anew, in
    # the place Pants names after the new version, and the record follows it.
    rule_runner.write_files({"python-version": "3.9.1\n"})
    assert_result(run(rule_runner, "--resolves=['alpha']"), 0, [exported("alpha", "3.9.1"), UNCHANGED])
    inputs = read_record(rule_runner)["resolves"]["alpha"]
    assert (inputs["reldir"], inputs["inputs"]["interpreter"]) == (
        "python/virtualenvs/alpha/3.9.1",
        f"3.9.1 (sha256 {hashlib.sha256(b'3.9.1').hexdigest()[:16]})",
    )
    assert_result(run(rule_runner, "--resolves=['alpha']"), 0, [up_to_date("alpha", "3.9.1"), UNCHANGED])


def test_a_record_without_the_interpreter_exports_anew(rule_runner: RuleRunner) -> None:
    # A record written before the interpreter was recorded matches no export: made anew once.
    rule_runner.write_files({"alpha.lock": LOCK})
    assert_result(run(rule_runner, "--resolves=['alpha']"), 0, [exported("alpha"), FIRST])
    record = read_record(rule_runner)
    del record["resolves"]["alpha"]["inputs"]["interpreter"]
    del record["resolves"]["alpha"]["inputs"]["editable_dists"]
    rule_runner.write_files({"dist/export/export-dev.json": json.dumps(record)})
    assert_result(run(rule_runner, "--resolves=['alpha']"), 0, [exported("alpha"), UNCHANGED])
    assert_result(run(rule_runner, "--resolves=['alpha']"), 0, [up_to_date("alpha"), UNCHANGED])


def test_editable_distributions_are_part_of_the_record(rule_runner: RuleRunner) -> None:
    editable = "--export-py-editable-in-resolve=['alpha']"
    dists = "backend.ai-common 23.09.6\nbackend.ai-manager 23.09.6 console_scripts:backend.ai=ai.backend.cli:main\n"
    rule_runner.write_files(
        {"alpha.lock": LOCK, "beta.lock": LOCK, "dists-alpha": dists, "dists-beta": dists}
    )
    assert_result(
        run(rule_runner, "--resolves=['alpha', 'beta']", editable),
        0,
        [exported("alpha"), exported("beta"), FIRST],
    )
    assert read_record(rule_runner)["resolves"]["alpha"]["inputs"]["editable_dists"] == dists.splitlines()
    # Only resolves named in `[export].py_editable_in_resolve` record their distributions.
    assert read_record(rule_runner)["resolves"]["beta"]["inputs"]["editable_dists"] == []
    # A new version of a distribution installed as editable: that venv is made anew.
    rule_runner.write_files(
        {
            "dists-alpha": dists.replace("23.09.6", "23.09.7"),
            "dists-beta": dists.replace("23.09.6", "23.09.7"),
        }
    )
    assert_result(
        run(rule_runner, "--resolves=['alpha', 'beta']", editable),
        0,
        [exported("alpha"), up_to_date("beta"), UNCHANGED],
    )
    assert_result(
        run(rule_runner, "--resolves=['alpha', 'beta']", editable),
        0,
        [up_to_date("alpha"), up_to_date("beta"), UNCHANGED],
    )


def test_venv_removed_or_replaced_is_rebuilt(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK})
    assert_result(run(rule_runner, "--resolves=['alpha']"), 0, [exported("alpha"), FIRST])
    # Replaced by someone else (e.g. a plain `pants export` of another branch's lockfile).
    path = venv(rule_runner, "alpha")
    os.rename(path, f"{path}.old")
    path.mkdir()
    assert_result(run(rule_runner, "--resolves=['alpha']"), 0, [exported("alpha"), UNCHANGED])
    assert entries(path) == ["marker", "post"]
    for child in path.iterdir():
        child.unlink()
    path.rmdir()
    assert_result(run(rule_runner, "--resolves=['alpha']"), 0, [exported("alpha"), UNCHANGED])
    assert entries(path) == ["marker", "post"]


def test_failures_are_named_and_others_still_export(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK, "broken.lock": LOCK + BROKEN})
    # An old venv for each (say, from a plain `pants export`): the failed ones must keep theirs.
    for resolve in ("post-fails", "alpha", "unexported", "broken"):
        venv(rule_runner, resolve).mkdir(parents=True)
        (venv(rule_runner, resolve) / "old-file").write_text("old")

    result = run(rule_runner, "--resolves=['broken', 'alpha', 'post-fails', 'unexported']")
    assert_result(
        result,
        1,
        [
            # The first line of the error and the end of it, as `failure_reason` shortens it.
            *broken_lines("broken"),
            exported("alpha"),
            "post-fails: failed: failed to write mutable virtualenv for post-fails (using Python "
            f"{PY}) to dist/export/python/virtualenvs/post-fails/{PY} (`false` exited with 1)",
            "unexported: failed: Pants exported nothing for it",
            FIRST,
        ],
    )
    # post-fails' old venv was moved aside while its replacement was built, and put back.
    assert probe(rule_runner, "post-fails") == "marker\n"
    assert entries(venv(rule_runner, "post-fails")) == ["old-file"]
    # The failed ones were never touched; alpha was replaced.
    assert entries(venv(rule_runner, "broken")) == ["old-file"]
    assert entries(venv(rule_runner, "unexported")) == ["old-file"]
    assert entries(venv(rule_runner, "alpha")) == ["marker", "post"]
    assert sorted(read_record(rule_runner)["resolves"]) == ["alpha"]
    assert entries(Path(rule_runner.build_root, "dist/export")) == ["export-dev.json", "python"]

    # A failure drops the resolve's earlier record: the next run exports it again.
    again = run(rule_runner, "--resolves=['alpha', 'post-fails']")
    assert_result(
        again,
        1,
        [
            up_to_date("alpha"),
            "post-fails: failed: failed to write mutable virtualenv for post-fails (using Python "
            f"{PY}) to dist/export/python/virtualenvs/post-fails/{PY} (`false` exited with 1)",
            UNCHANGED,
        ],
    )


def test_broken_lockfile_leaves_the_exported_venv_as_it_was(rule_runner: RuleRunner) -> None:
    # The build fails before anything under dist/ is touched: the venv export-dev built before
    # is the same directory entry, with the same files.
    rule_runner.write_files({"alpha.lock": LOCK})
    assert_result(run(rule_runner, "--resolves=['alpha']"), 0, [exported("alpha"), FIRST])
    before = venv_id(venv(rule_runner, "alpha"))
    rule_runner.write_files({"alpha.lock": LOCK + BROKEN})
    assert_result(run(rule_runner, "--resolves=['alpha']"), 1, [*broken_lines("alpha"), UNCHANGED])
    assert (venv_id(venv(rule_runner, "alpha")), entries(venv(rule_runner, "alpha"))) == (
        before,
        ["marker", "post"],
    )
    assert read_record(rule_runner)["resolves"] == {}
    assert entries(Path(rule_runner.build_root, "dist/export")) == ["export-dev.json", "python"]


NO_INTERPRETER = (
    "beta: failed: Could not find a compatible interpreter (Process 'Find interpreter for constraints: "
    f"{MISSING}' failed with exit code 102). Install a Python that matches {MISSING} where "
    "`[python-bootstrap].search_path` looks, or change the interpreter constraints of `beta`."
)


def test_a_resolve_without_an_interpreter_fails_alone(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK, "beta.lock": LOCK})
    assert_result(
        run(rule_runner, "--resolves=['alpha', 'beta']"), 0, [exported("alpha"), exported("beta"), FIRST]
    )
    assert probe(rule_runner, "beta") == "marker\n"
    beta_before = venv_id(venv(rule_runner, "beta"))
    record_before = read_record(rule_runner)["resolves"]["beta"]
    rule_runner.write_files({"alpha.lock": LOCK + "// changed\n"})
    # beta's constraints now match no interpreter: that line says why, in one line; alpha is
    # exported and recorded all the same, and the run ends with exit code 1, without a traceback.
    missing = f"--python-resolves-to-interpreter-constraints={{'beta': ['{MISSING}']}}"
    result = run(rule_runner, "--resolves=['alpha', 'beta']", missing)
    assert_result(result, 1, [exported("alpha"), NO_INTERPRETER, UNCHANGED])
    assert probe(rule_runner, "beta") is None
    # Nothing of beta was touched, so its record still tells what its venv was built from: with
    # its interpreter back, it is up to date.
    assert venv_id(venv(rule_runner, "beta")) == beta_before
    record = read_record(rule_runner)["resolves"]
    assert record["alpha"]["inputs"]["lockfile_sha256"] != record_before["inputs"]["lockfile_sha256"]
    assert record["beta"] == record_before
    assert_result(
        run(rule_runner, "--resolves=['alpha', 'beta']"),
        0,
        [up_to_date("alpha"), up_to_date("beta"), UNCHANGED],
    )


def test_a_resolve_with_an_unreadable_constraint_fails_alone(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK, "beta.lock": LOCK})
    bad = "--python-resolves-to-interpreter-constraints={'beta': ['CPython==3.9.*', 'CPython=>3.11']}"
    result = run(rule_runner, "--resolves=['beta', 'alpha']", bad)
    assert_result(
        result,
        1,
        [
            "beta: failed: `CPython=>3.11` is not an interpreter constraint (Parse error at \"'=>3.11'\": "
            "Expected string_end): fix the interpreter constraints of `beta`.",
            exported("alpha"),
            FIRST,
        ],
    )
    assert sorted(read_record(rule_runner)["resolves"]) == ["alpha"]


@pytest.mark.parametrize(
    "args, change_files, change_args",
    [
        # The tool's requirements changed (its lockfile is Pants' own).
        pytest.param((), {}, ("--black-version=black==23.1.0",), id="built-in-lockfile"),
        # Its own lockfile changed.
        pytest.param(
            ("--black-lockfile=black.lock",),
            {"black.lock": LOCK + "// changed\n"},
            (),
            id="own-lockfile",
        ),
        # The lockfile of the user resolve it is installed from changed.
        pytest.param(
            ("--black-install-from-resolve=alpha",),
            {"alpha.lock": LOCK + "// changed\n"},
            (),
            id="from-a-user-resolve",
        ),
    ],
)
def test_tool_resolve(
    rule_runner: RuleRunner,
    args: tuple[str, ...],
    change_files: dict[str, str],
    change_args: tuple[str, ...],
) -> None:
    rule_runner.write_files({"alpha.lock": LOCK, "black.lock": LOCK})
    first = run(rule_runner, "--resolves=['black']", *args)
    assert_result(first, 0, [exported("black"), FIRST])
    assert entries(venv(rule_runner, "black")) == ["marker", "post"]
    record = read_record(rule_runner)["resolves"]["black"]
    # Where `pants export --resolve=black` puts it, from black's interpreter constraints (here the
    # global ones: no code has its own).
    assert (record["reldir"], record["inputs"]["interpreter_constraints"]) == (
        f"python/virtualenvs/black/{PY}",
        ["CPython==3.9.*"],
    )
    same = run(rule_runner, "--resolves=['black']", *args)
    assert_result(same, 0, [up_to_date("black"), UNCHANGED])
    # What the tool is installed from changed: exported again.
    rule_runner.write_files(change_files)
    changed = run(rule_runner, "--resolves=['black']", *args, *change_args)
    assert_result(changed, 0, [exported("black"), UNCHANGED])


def test_tool_with_export_disabled_is_skipped(rule_runner: RuleRunner) -> None:
    # `pants export --resolve=black` fails for such a tool; export-dev skips it and goes on.
    rule_runner.write_files({"alpha.lock": LOCK})
    result = run(rule_runner, "--resolves=['black', 'alpha']", "--black-export=false")
    assert_result(
        result,
        0,
        ["black: skipped: its export is disabled (`[black].export = false`)", exported("alpha"), FIRST],
        log=[
            "[WARN] Skipping the resolve `black`: its export is disabled (`[black].export = false`).",
        ],
    )
    assert probe(rule_runner, "black") is None
    assert entries(Path(rule_runner.build_root, "dist/export/python/virtualenvs")) == ["alpha"]
    assert sorted(read_record(rule_runner)["resolves"]) == ["alpha"]


def test_migrations_and_config_samples_are_compared_with_the_last_run(
    rule_runner: RuleRunner,
) -> None:
    rule_runner.write_files(
        {
            "alpha.lock": LOCK,
            "versions/a1.py": 'revision = "a1"\ndown_revision = None\n',
            "versions/b2.py": 'revision = "b2"\ndown_revision = "a1"\n',
            "configs/sample.toml": "a = 1\n",
        }
    )
    run(rule_runner, "--resolves=['alpha']")
    os.unlink(os.path.join(rule_runner.build_root, "versions/b2.py"))
    rule_runner.write_files(
        {
            "versions/c3.py": 'revision = "c3"\ndown_revision = "a1"\n',
            "configs/sample.toml": "a = 2\n",
        }
    )
    result = run(rule_runner, "--resolves=['alpha']")
    assert_result(
        result,
        0,
        [
            up_to_date("alpha"),
            "New database migrations since the last export-dev (1):",
            "  c3  versions/c3.py",
            "  Run `alembic -c alembic.ini upgrade head` to apply them.",
            "Database migrations recorded at the last export-dev are gone from this branch (1):",
            "  b2  versions/b2.py",
            "  The database may be ahead of this branch. Before switching here, run `alembic -c alembic.ini "
            "downgrade a1` on the branch that has them (the `alembic downgrade` step of the "
            "development setup): switch back, downgrade, then switch here again.",
            "Configuration samples changed since the last export-dev:",
            "  changed  configs/sample.toml",
            "  Check your local TOML configuration and etcd configuration against them.",
        ],
    )


DEFAULT_MIGRATIONS = "src/ai/backend/manager/models/alembic/versions/*.py"
DEFAULT_SAMPLES = ", ".join(
    f"configs/**/*.{ext}" for ext in ("toml", "json", "conf", "ini", "cfg", "yaml", "yml")
)


def test_default_globs_in_a_repo_without_those_paths(rule_runner: RuleRunner) -> None:
    # Backend.AI's default paths match nothing here, which is not an error: the record holds no
    # migrations and no samples (empty, not "never recorded"), the next run compares them and
    # finds nothing changed, and a first migration at the default path is new since then.
    rule_runner.write_files({"alpha.lock": LOCK})

    def at_defaults() -> Run:
        return run(rule_runner, "--resolves=['alpha']", config_samples=None, migrations=None)

    assert_result(at_defaults(), 0, [exported("alpha"), FIRST])
    assert (read_record(rule_runner)["migrations"], read_record(rule_runner)["config_samples"]) == ({}, {})
    assert_result(
        at_defaults(),
        0,
        [
            up_to_date("alpha"),
            "No database migration or configuration sample changed since the last export-dev "
            f"(looked at {DEFAULT_MIGRATIONS}, {DEFAULT_SAMPLES}).",
        ],
    )
    migration = DEFAULT_MIGRATIONS.replace("*", "a1")
    rule_runner.write_files({migration: 'revision = "a1"\ndown_revision = None\n'})
    assert_result(
        at_defaults(),
        0,
        [
            up_to_date("alpha"),
            "New database migrations since the last export-dev (1):",
            f"  a1  {migration}",
            "  Run `alembic -c alembic.ini upgrade head` to apply them.",
        ],
    )


def test_default_config_samples_are_every_format_of_backend_ai(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK, **BACKEND_AI_SAMPLES, **NOT_SAMPLES})
    first = run(rule_runner, "--resolves=['alpha']", config_samples=None)
    assert first.stdout.splitlines()[1] == (
        "First export-dev run here: nothing was recorded before, so there is nothing to compare. "
        "Recorded 0 migrations and 9 configuration samples for the next run."
    )
    assert sorted(read_record(rule_runner)["config_samples"]) == sorted(BACKEND_AI_SAMPLES)
    # Another branch: every sample changed (the TOML one, too) and the others as well.
    rule_runner.write_files(
        {path: text + "# changed\n" for path, text in {**BACKEND_AI_SAMPLES, **NOT_SAMPLES}.items()}
    )
    result = run(rule_runner, "--resolves=['alpha']", config_samples=None)
    assert_result(
        result,
        0,
        [
            up_to_date("alpha"),
            "Configuration samples changed since the last export-dev:",
            *(f"  changed  {path}" for path in sorted(BACKEND_AI_SAMPLES)),
            "  Check your local TOML configuration and etcd configuration against them.",
        ],
    )


def test_samples_watched_since_an_upgrade_are_reported_as_added(rule_runner: RuleRunner) -> None:
    # A record of the TOML samples only (the earlier default): the first run with the new default
    # lists the other samples as added, once.
    rule_runner.write_files({"alpha.lock": LOCK, **BACKEND_AI_SAMPLES})
    run(rule_runner, "--resolves=['alpha']", config_samples=["configs/**/*.toml"])
    toml = "configs/manager/sample.toml"
    assert_result(
        run(rule_runner, "--resolves=['alpha']", config_samples=None),
        0,
        [
            up_to_date("alpha"),
            "Configuration samples changed since the last export-dev:",
            *(f"  added    {path}" for path in sorted(BACKEND_AI_SAMPLES) if path != toml),
            "  Check your local TOML configuration and etcd configuration against them.",
        ],
    )
    assert_result(
        run(rule_runner, "--resolves=['alpha']", config_samples=None),
        0,
        [
            up_to_date("alpha"),
            "No database migration or configuration sample changed since the last export-dev (looked at "
            "versions/*.py, configs/**/*.toml, "
            "configs/**/*.json, configs/**/*.conf, configs/**/*.ini, configs/**/*.cfg, configs/**/*.yaml, "
            "configs/**/*.yml).",
        ],
    )


def test_unreadable_migration_is_an_error_until_fixed(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK, "versions/a1.py": 'revision = "a1"\n'})
    run(rule_runner, "--resolves=['alpha']")
    rule_runner.write_files(
        {"versions/bad.py": "revision = (\n", "versions/b2.py": 'revision = "b2"\ndown_revision = "a1"\n'}
    )
    result = run(rule_runner, "--resolves=['alpha']")
    assert_result(
        result,
        1,
        [
            up_to_date("alpha"),
            "No configuration sample changed since the last export-dev (looked at configs/*.toml).",
        ],
        [
            "Cannot read a migration: versions/bad.py:1: is not valid Python (unexpected EOF while "
            "parsing). Fix the migration file.",
        ],
    )
    # The last good record is kept, so that b2 is still reported once bad.py is fixed.
    assert read_record(rule_runner)["migrations"] == {"a1": {"down_revisions": [], "path": "versions/a1.py"}}
    os.unlink(os.path.join(rule_runner.build_root, "versions/bad.py"))
    assert_result(
        run(rule_runner, "--resolves=['alpha']"),
        0,
        [
            up_to_date("alpha"),
            "New database migrations since the last export-dev (1):",
            "  b2  versions/b2.py",
            "  Run `alembic -c alembic.ini upgrade head` to apply them.",
        ],
    )


@pytest.mark.parametrize(
    "content, problem",
    [
        pytest.param(
            "{not json",
            "is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1)).",
            id="not-json",
        ),
        pytest.param('{"version": 99}', "is not an export-dev record of version 1.", id="foreign"),
    ],
)
def test_damaged_record_is_reported_ignored_and_rewritten(
    rule_runner: RuleRunner, content: str, problem: str
) -> None:
    rule_runner.write_files({"alpha.lock": LOCK, "dist/export/export-dev.json": content})
    result = run(rule_runner, "--resolves=['alpha']")
    assert_result(
        result,
        0,
        [exported("alpha"), FIRST],
        [
            f"Ignoring a damaged record: {rule_runner.build_root}/dist/export/export-dev.json: "
            f"{problem} Delete it (the next run re-exports everything and records afresh)."
        ],
    )
    assert sorted(read_record(rule_runner)["resolves"]) == ["alpha"]
    # Rewritten: the next run reads it without complaint and finds alpha up to date.
    assert_result(run(rule_runner, "--resolves=['alpha']"), 0, [up_to_date("alpha"), UNCHANGED])


def test_a_directory_in_place_of_the_record(rule_runner: RuleRunner) -> None:
    # Read as a damaged record, and not written over: the venvs are exported, the run says what
    # to do, with exit code 1 and no traceback.
    rule_runner.write_files({"alpha.lock": LOCK})
    record = Path(rule_runner.build_root, "dist/export/export-dev.json")
    record.mkdir(parents=True)
    assert_result(
        run(rule_runner, "--resolves=['alpha']"),
        1,
        [exported("alpha"), FIRST],
        [
            f"Ignoring a damaged record: {record}: cannot be read (Is a directory). Delete it (the next "
            "run re-exports everything and records afresh).",
            # Pants' own words for the OS error.
            f"error: cannot write dist/export/export-dev.json (Error opening file {record} for writing: "
            'Os { code: 21, kind: IsADirectory, message: "Is a directory" }): remove what is in its place; '
            "the next run re-exports every resolve and records afresh.",
        ],
    )
    assert record.is_dir() and entries(record) == []


def test_symlinked_export_replaces_the_old_one_only_when_complete(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK})
    cache = Path(rule_runner.build_root, "venv-cache/alpha")
    # An old venv in place (a mutable one, from an earlier export).
    old = venv(rule_runner, "alpha")
    old.mkdir(parents=True)
    (old / "old-file").write_text("old")

    assert_result(run(rule_runner, "--resolves=['alpha']", SYMLINKED), 0, [exported_symlink("alpha"), FIRST])
    # The old venv was still in place, whole, while the new one was made.
    assert probe(rule_runner, "alpha") == "old-file\n"
    assert os.readlink(old) == str(cache)
    assert entries(old) == ["new-file"]
    assert entries(Path(rule_runner.build_root, "dist/export")) == ["export-dev.json", "python"]

    assert_result(run(rule_runner, "--resolves=['alpha']", SYMLINKED), 0, [up_to_date("alpha"), UNCHANGED])
    assert probe(rule_runner, "alpha") is None

    # An old symlink (e.g. from a plain `pants export`) is also left usable until replaced.
    os.unlink(old)
    other = Path(rule_runner.build_root, "other-cache")
    other.mkdir()
    (other / "other-file").write_text("old")
    os.symlink(other, old)
    assert_result(
        run(rule_runner, "--resolves=['alpha']", SYMLINKED), 0, [exported_symlink("alpha"), UNCHANGED]
    )
    assert probe(rule_runner, "alpha") == "other-file\n"
    assert os.readlink(old) == str(cache)

    # A link into a deleted cache is not up to date.
    (cache / "new-file").unlink()
    cache.rmdir()
    assert_result(
        run(rule_runner, "--resolves=['alpha']", SYMLINKED), 0, [exported_symlink("alpha"), UNCHANGED]
    )
    assert os.readlink(old) == str(cache)
    assert entries(old) == ["new-file"]


@pytest.mark.parametrize(
    "option, value",
    [
        pytest.param("--export-dev-migrations", "['../elsewhere/versions/*.py']", id="migrations"),
        pytest.param("--export-dev-config-samples", "['/etc/*.toml']", id="samples"),
    ],
)
@pytest.mark.parametrize("preview", [[], ["--preview=HEAD"]], ids=["run", "preview"])
def test_a_glob_outside_the_build_root_is_refused(
    rule_runner: RuleRunner, option: str, value: str, preview: list
) -> None:
    result = run(rule_runner, f"{option}={value}", *preview)
    glob = value[2:-2]
    name = option[len("--export-dev-") :].replace("-", "_")
    why = "is an absolute path" if glob.startswith("/") else "leaves the build root"
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: [export-dev].{name}: `{glob}` {why}; give a path relative to the build root, without `..`.\n"
    )
    assert not (Path(rule_runner.build_root) / "dist").exists()
