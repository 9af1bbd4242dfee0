"""RuleRunner tests of the export-dev goal: the real goal rule, with venv building faked.

Building a real venv needs PyPI and takes seconds per resolve; the real-Pants tests in
test_export_dev_integration.py do that. Here the rule that asks Pants' export machinery for a
resolve's `ExportResult` is replaced by one that returns a tiny digest and post-processing command,
so that up-to-date checks, failures, the record and the report are checked quickly and exactly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pants.backend.python.goals import export as python_export
from pants.backend.python.subsystems.setup import PythonSetup
from pants.base.build_root import BuildRoot
from pants.core.goals import export as core_export
from pants.core.goals.export import ExportResult, PostProcessingCommand
from pants.core.util_rules import distdir
from pants.engine.fs import CreateDigest, Digest, FileContent
from pants.engine.rules import Get, rule
from pants.testutil.rule_runner import GoalRuleResult, RuleRunner, mock_console

from pants_calver import export_dev
from pants_calver.dev_env import sha256_hex
from pants_calver.export_dev import BuildExportRequest, BuiltExport, ExportDev

LOCK = "// a lockfile\n{}\n"


@rule
async def fake_build_export(request: BuildExportRequest, build_root: BuildRoot) -> BuiltExport:
    """Stand-in for Pants' venv export: `broken` fails to build, `post-fails` fails afterwards."""
    if request.resolve == "broken":
        return BuiltExport(request.resolve, None, "the lockfile is broken")
    reldir = f"python/virtualenvs/{request.resolve}/3.9.0"
    if request.resolve == "symlink":
        # What Pants does for `symlinked_immutable_virtualenv`; the first command checks that the
        # old export is still in place while the new one is being made.
        return BuiltExport(
            request.resolve,
            ExportResult(
                "fake symlink",
                reldir,
                post_processing_cmds=[
                    PostProcessingCommand(
                        [
                            "sh",
                            "-c",
                            'test ! -e "$1" || test -e "$1/old-file"',
                            "sh",
                            f"{build_root.path}/dist/export/{reldir}",
                        ]
                    ),
                    PostProcessingCommand(["rmdir", "{digest_root}"]),
                    PostProcessingCommand(["mkdir", "-p", f"{build_root.path}/new-target"]),
                    PostProcessingCommand(["ln", "-s", f"{build_root.path}/new-target", "{digest_root}"]),
                ],
                resolve=request.resolve,
            ),
            None,
        )
    digest = await Get(Digest, CreateDigest([FileContent("marker", b"new")]))
    argv = ["false"] if request.resolve == "post-fails" else ["touch", "{digest_root}/post"]
    return BuiltExport(
        request.resolve,
        ExportResult(
            f"fake venv for {request.resolve}",
            reldir,
            digest=digest,
            post_processing_cmds=[PostProcessingCommand(argv)],
            resolve=request.resolve,
        ),
        None,
    )


@pytest.fixture
def rule_runner() -> RuleRunner:
    real_rules = [
        r for r in export_dev.rules() if not getattr(r, "canonical_name", "").endswith("build_export")
    ]
    runner = RuleRunner(
        rules=[
            *real_rules,
            fake_build_export,
            *PythonSetup.rules(),
            *core_export.ExportSubsystem.rules(),
            core_export.Export.subsystem_cls.register_plugin_options(python_export.ExportPluginOptions),
            *distdir.rules(),
        ],
    )
    return runner


RESOLVES = (
    '{"alpha": "alpha.lock", "post-fails": "alpha.lock", "broken": "alpha.lock", ' '"symlink": "alpha.lock"}'
)


def run(rule_runner: RuleRunner, *args: str) -> GoalRuleResult:
    # Post-processing commands are `InteractiveProcess`es, which need real stdio handles.
    with mock_console(rule_runner.options_bootstrapper):
        return rule_runner.run_goal_rule(
            ExportDev,
            global_args=[
                "--python-enable-resolves",
                f"--python-resolves={RESOLVES}",
                "--python-interpreter-constraints=['CPython==3.9.*']",
                "--export-dev-migrations=['versions/*.py']",
                "--export-dev-config-samples=['configs/*.toml']",
            ],
            args=args,
            env_inherit={"PATH"},
        )


def venv(rule_runner: RuleRunner, resolve: str) -> Path:
    return Path(rule_runner.build_root, "dist/export/python/virtualenvs", resolve, "3.9.0")


def test_first_run_exports_and_records(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK, "versions/a1.py": 'revision = "a1"\n'})
    result = run(rule_runner, "--resolves=['alpha', 'gamma']")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "alpha: exported (wrote fake venv for alpha to " "dist/export/python/virtualenvs/alpha/3.9.0)",
        "gamma: skipped: this branch defines no such resolve in `[python].resolves` and no "
        "Python tool of that name (known: alpha, broken, post-fails, symlink)",
        "First export-dev run here: nothing was recorded before, so there is nothing to "
        "compare. Recorded 1 migration and 0 configuration samples for the next run.",
    ]
    assert lines[3].startswith("export-dev finished in ")
    assert (venv(rule_runner, "alpha") / "marker").read_bytes() == b"new"
    assert (venv(rule_runner, "alpha") / "post").exists()
    record = json.loads(Path(rule_runner.build_root, "dist/export/export-dev.json").read_text())
    assert record["resolves"]["alpha"]["inputs"] == {
        "lockfile_sha256": sha256_hex(LOCK.encode()),
        "interpreter_constraints": ["CPython==3.9.*"],
        "pants_version": record["resolves"]["alpha"]["inputs"]["pants_version"],
        "export_format": "mutable_virtualenv",
        "editable": False,
    }
    assert record["migrations"] == {"a1": {"down_revisions": [], "path": "versions/a1.py"}}


def test_up_to_date_until_something_changes(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK})
    assert run(rule_runner, "--resolves=['alpha']").exit_code == 0
    # Rewriting a file inside the venv leaves the venv directory itself as it was.
    (venv(rule_runner, "alpha") / "marker").write_bytes(b"edited")

    same = run(rule_runner, "--resolves=['alpha']")
    assert same.stdout.splitlines()[0] == ("alpha: up to date (dist/export/python/virtualenvs/alpha/3.9.0)")
    assert (venv(rule_runner, "alpha") / "marker").read_bytes() == b"edited"

    forced = run(rule_runner, "--resolves=['alpha']", "--force")
    assert forced.stdout.splitlines()[0].startswith("alpha: exported")

    rule_runner.write_files({"alpha.lock": LOCK + "// changed\n"})
    changed = run(rule_runner, "--resolves=['alpha']")
    assert changed.stdout.splitlines()[0].startswith("alpha: exported")

    # Another format means another venv layout: rebuilt.
    other_format = run(
        rule_runner,
        "--resolves=['alpha']",
        "--export-py-resolve-format=symlinked_immutable_virtualenv",
    )
    assert other_format.stdout.splitlines()[0].startswith("alpha: exported")


def test_venv_removed_or_replaced_is_rebuilt(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK})
    run(rule_runner, "--resolves=['alpha']")
    # Replaced by someone else (e.g. a plain `pants export` of another branch's lockfile).
    path = venv(rule_runner, "alpha")
    os.rename(path, f"{path}.old")
    path.mkdir()
    assert run(rule_runner, "--resolves=['alpha']").stdout.startswith("alpha: exported")
    for child in path.iterdir():
        child.unlink()
    path.rmdir()
    assert run(rule_runner, "--resolves=['alpha']").stdout.startswith("alpha: exported")


def test_failures_are_named_and_others_still_export(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"alpha.lock": LOCK})
    # An old venv for post-fails, which must survive its failed rebuild.
    old = venv(rule_runner, "post-fails")
    old.mkdir(parents=True)
    (old / "old-file").write_text("old")

    result = run(rule_runner, "--resolves=['broken', 'alpha', 'post-fails']")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:3] == [
        "broken: failed: the lockfile is broken",
        "alpha: exported (wrote fake venv for alpha to " "dist/export/python/virtualenvs/alpha/3.9.0)",
        "post-fails: failed: failed to write fake venv for post-fails to "
        "dist/export/python/virtualenvs/post-fails/3.9.0 (`false` exited with 1)",
    ]
    assert sorted(p.name for p in old.iterdir()) == ["old-file"]
    record = json.loads(Path(rule_runner.build_root, "dist/export/export-dev.json").read_text())
    assert sorted(record["resolves"]) == ["alpha"]
    assert not Path(rule_runner.build_root, "dist/export", export_dev.TRASH_DIR).exists()


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
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:-1] == [
        "New database migrations since the last export-dev (1):",
        "  c3  versions/c3.py",
        "  Run `alembic upgrade head` to apply them.",
        "Database migrations recorded at the last export-dev are gone from this branch (1):",
        "  b2  versions/b2.py",
        "  The database may be ahead of this branch. Before switching here, run `alembic "
        "downgrade a1` on the branch that has them (the `alembic downgrade` step of the "
        "development setup): switch back, downgrade, then switch here again.",
        "Configuration samples changed since the last export-dev:",
        "  changed  configs/sample.toml",
        "  Check your local TOML configuration and etcd configuration against them.",
    ]


def test_user_mistakes_are_errors_naming_the_file(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        {
            "alpha.lock": LOCK,
            "versions/bad.py": "revision = (\n",
            "dist/export/export-dev.json": "{not json",
        }
    )
    result = run(rule_runner, "--resolves=['alpha']")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "Ignoring a damaged record: "
        f"{rule_runner.build_root}/dist/export/export-dev.json: is not valid JSON "
        "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1)). "
        "Delete it (the next run re-exports everything and records afresh).",
        "Cannot read a migration: versions/bad.py:1: is not valid Python (unexpected EOF while "
        "parsing). Fix the migration file.",
    ]
    # The export itself went ahead.
    assert result.stdout.startswith("alpha: exported")


def test_symlinked_export_replaces_the_old_one_only_when_complete(
    rule_runner: RuleRunner,
) -> None:
    rule_runner.write_files({"alpha.lock": LOCK})
    old = venv(rule_runner, "symlink")
    old.mkdir(parents=True)
    (old / "old-file").write_text("old")
    result = run(
        rule_runner,
        "--resolves=['symlink']",
        "--export-py-resolve-format=symlinked_immutable_virtualenv",
    )
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[0] == (
        "symlink: exported (wrote fake symlink to dist/export/python/virtualenvs/symlink/3.9.0)"
    )
    assert os.readlink(old) == f"{rule_runner.build_root}/new-target"
    fmt = "--export-py-resolve-format=symlinked_immutable_virtualenv"
    again = run(rule_runner, "--resolves=['symlink']", fmt)
    assert again.stdout.startswith("symlink: up to date")
    # A link into a deleted cache is not up to date.
    os.rmdir(f"{rule_runner.build_root}/new-target")
    dangling = run(rule_runner, "--resolves=['symlink']", fmt)
    assert dangling.stdout.startswith("symlink: exported")
    assert os.path.isdir(old)
