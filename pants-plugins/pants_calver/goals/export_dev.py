"""`pants export-dev`: rebuild the IDE virtualenvs after a branch switch, and say what else it needs.

The virtualenvs come from Pants' own export machinery (`_ExportVenvForResolveRequest`, the rule
behind `pants export --resolve=...`), so they land where `pants export` puts them and look the same.
What this goal adds: it skips resolves whose inputs did not change, keeps going when one resolve is
missing or broken, and compares Alembic migrations and configuration samples with the last run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import AbstractSet

from pants.backend.python.goals.export import PythonResolveExportFormat
from pants.backend.python.subsystems.setup import PythonSetup
from pants.base.build_root import BuildRoot
from pants.core.goals.export import ExportSubsystem
from pants.core.util_rules.distdir import DistDir
from pants.engine.console import Console
from pants.engine.env_vars import CompleteEnvironmentVars
from pants.engine.fs import Workspace
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, MultiGet, collect_rules, goal_rule
from pants.option.option_types import BoolOption, StrListOption, StrOption
from pants.util.docutil import bin_name
from pants.util.strutil import softwrap

from pants_calver.core.errors import GitError, RefError, SettingError
from pants_calver.core.devenv.export_record import DevRecord, Outcome, ResolveOutcome, elapsed_line
from pants_calver.core.devenv.alembic import Migration
from pants_calver.core.devenv.migration_steps import plan_migrations
from pants_calver.core.problems import Problem
from pants_calver.core.repo_paths import check_globs
from pants_calver.core.devenv.switch_preview import ResolvePreview, preview_lines, preview_resolve
from pants_calver.core.devenv.switch_report import compare_configs, report_lines
from pants_calver.engine.devenv import resolve_inputs, switch_inputs, venv_export
from pants_calver.engine.git import Git
from pants_calver.engine.pants_private import export_format
from pants_calver.engine.versions.repo import current_branch
from pants_calver.engine.devenv.resolve_inputs import (
    MaybeResolveInputs,
    ResolveInputsRequest,
    ResolveSource,
    ResolveSourceRequest,
)
from pants_calver.engine.devenv.switch_inputs import (
    ConfigSamplesRequest,
    CurrentConfigSamples,
    CurrentMigrations,
    MigrationsRequest,
    branch_side,
    object_format,
    read_tree,
    work_tree_side,
)
from pants_calver.engine.subsystem import CalverSubsystem
from pants_calver.engine.devenv.venv_export import (
    RECORD_NAME,
    Exports,
    classify,
    export_stale,
    exported,
    read_record,
    write_record,
)
from pants_calver.goals.output import OutputFormat, print_error, problem_lines


# Every configuration format in Backend.AI's `configs/` (23.09 to 24.09 and its main branch):
# `sample.etcd.*.json` for etcd, the web server's `.conf`, `halfstack.alembic.ini`, redis'
# `haproxy.cfg`, the halfstack's YAML (prometheus, grafana, loki, ...).
CONFIG_SAMPLE_FORMATS = ("toml", "json", "conf", "ini", "cfg", "yaml", "yml")


class ExportDevSubsystem(GoalSubsystem):
    name = "export-dev"
    help = softwrap(
        f"""
        Rebuild the virtualenvs for your IDE after switching branches, and report what else the
        switch needs.

        Exports each resolve in `[export-dev].resolves` exactly as
        `{bin_name()} export --resolve=...` does (same places under `dist/export/python/virtualenvs/`,
        honouring `[export].py_resolve_format` and `[export].py_editable_in_resolve`), but skips a
        resolve whose lockfile, interpreter (constraints and full version), Pants version, export
        format and editable distributions are what the last run exported from, while its
        virtualenv is still there. A resolve this branch does not define is skipped with a warning.
        Then compares the Alembic migrations (`[export-dev].migrations`) and configuration samples
        (`[export-dev].config_samples`) with what the last run recorded, and says which `alembic`
        step and configuration check the switch needs. What was seen is recorded in
        `dist/export/{RECORD_NAME}`.

        With `--preview=BRANCH`, run before a switch, it exports nothing and tells what switching
        to BRANCH will need instead.

        Exit code 0 when every resolve was exported, up to date or skipped; 1 when a resolve failed
        (its export failed, or no interpreter matches its constraints: its line says why, and the
        others are still exported), a migration file could not be read or the record could not be
        written.
        """
    )

    resolves = StrListOption(
        default=[],
        help=softwrap(
            f"""
            The resolves to export: names from `[python].resolves`, or Python tool resolves that
            `{bin_name()} export --resolve` accepts (e.g. `mypy`, `black`). Empty means every
            resolve in `[python].resolves`.
            """
        ),
    )
    force = BoolOption(
        default=False,
        help="Export every resolve, even those whose recorded inputs match and whose venv exists.",
    )
    migrations = StrListOption(
        default=["src/ai/backend/manager/models/alembic/versions/*.py"],
        help=softwrap(
            """
            Globs of Alembic revision files. Revisions added since the last run are reported with
            a reminder to run `alembic upgrade head`; revisions that are gone are reported with the
            revision to `alembic downgrade` to on the branch that has them.
            """
        ),
    )
    preview = StrOption(
        default=None,
        help=softwrap(
            f"""
            Before switching to this branch (or any ref), print what the switch will need, and
            write nothing: the Alembic revisions to downgrade now (and the `alembic downgrade`
            command), those to apply after the switch, the resolves whose lockfile differs there
            (to be re-exported), and the configuration samples that differ; then the steps to run,
            `git switch` and `{bin_name()} export-dev` among them. Reads the branch from git
            objects, without a checkout. A resolve it cannot tell about (not defined here, or no
            interpreter matches its constraints) says why on its line. Exits 0, or 1 when the ref
            does not exist or a file cannot be read.
            """
        ),
    )
    config_samples = StrListOption(
        default=[f"configs/**/*.{ext}" for ext in CONFIG_SAMPLE_FORMATS],
        help=softwrap(
            """
            Globs of configuration sample files. Those added, changed or removed since the last
            run are listed with a reminder to check the local TOML and etcd configuration. The
            default takes every configuration format of Backend.AI's `configs/`: TOML, JSON (the
            etcd samples, e.g. `configs/manager/sample.etcd.volumes.json`), `.conf` (the web
            server's), `.ini` (`halfstack.alembic.ini`), `.cfg` and YAML (the halfstack's
            services); not keys, certificates or systemd units.
            """
        ),
    )


class ExportDev(Goal):
    subsystem_cls = ExportDevSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


# ---------------------------------------------------------------------------------------------
# The goal


def _print_outcomes(console: Console, resolves: Sequence[str], outcomes: dict[str, ResolveOutcome]) -> int:
    """One line per resolve, in the order asked for; the exit code they make."""
    exit_code = 0
    for resolve in resolves:
        outcome = outcomes[resolve]
        if outcome.outcome == Outcome.FAILED:
            exit_code = 1
            console.print_stdout(console.red(outcome.line()))
        elif outcome.outcome == Outcome.SKIPPED:
            console.print_stdout(console.yellow(outcome.line()))
        else:
            console.print_stdout(outcome.line())
    return exit_code


def _print_unreadable(console: Console, side: str, problems: Sequence[Problem]) -> None:
    """Each migration file that cannot be read (on `side`), one red line on stderr."""
    for line in problem_lines(OutputFormat.text, problems):
        console.print_stderr(console.red(f"Cannot read a migration{side}: {line}"))


def _read_record(console: Console, path: str) -> DevRecord:
    """The last run's record; a damaged one is reported and ignored (and replaced by a run)."""
    recorded, error = read_record(path)
    if error:
        console.print_stderr(console.yellow(f"Ignoring a damaged record: {error}"))
    return recorded


async def _report_switch(
    console: Console, subsystem: ExportDevSubsystem, recorded: DevRecord
) -> tuple[Mapping[str, Migration] | None, dict[str, str], int]:
    """Print what else the switch needs; the migrations and samples to record, and the exit code."""
    migrations_result, configs_result = await MultiGet(
        Get(CurrentMigrations, MigrationsRequest(tuple(subsystem.migrations))),
        Get(CurrentConfigSamples, ConfigSamplesRequest(tuple(subsystem.config_samples))),
    )
    config_samples = dict(configs_result.hashes)
    current = migrations_result.migrations
    _print_unreadable(console, "", migrations_result.problems)
    lines = report_lines(
        recorded,
        current,
        config_samples,
        migration_globs=subsystem.migrations,
        config_globs=subsystem.config_samples,
    )
    for line in lines:
        console.print_stdout(line)
    # Unreadable migrations: keep comparing against the last good record until they can be read.
    migrations = current if current is not None else recorded.migrations
    return migrations, config_samples, 1 if migrations_result.problems else 0


def _preview_resolves(
    sources: Sequence[ResolveSource],
    all_inputs: Sequence[MaybeResolveInputs],
    up_to_date_here: AbstractSet[str],
    here: Mapping[str, str],
    there: Mapping[str, str],
    branch: str,
    version_file: str,
) -> list[ResolvePreview]:
    """What `export-dev` will do with each resolve after the switch (see `preview_resolve`)."""
    new_version = here.get(version_file) != there.get(version_file)
    return [
        preview_resolve(
            source.resolve,
            source.repo_lockfile,
            here.get(source.repo_lockfile or ""),
            there.get(source.repo_lockfile or ""),
            branch,
            exported=source.resolve in up_to_date_here,
            editable_version=version_file if new_version and maybe.inputs and maybe.inputs.editable else None,
            cannot_tell=source.skip_reason or maybe.error,
        )
        for source, maybe in zip(sources, all_inputs)
    ]


async def _preview(
    console: Console,
    subsystem: ExportDevSubsystem,
    resolves: Sequence[str],
    git: Git,
    exports: Exports,
    version_file: str,
    branch: str,
) -> ExportDev:
    """Print what switching to `branch` will need; write nothing."""
    try:
        tree = read_tree(git, branch, "--preview")
        sources = await MultiGet(Get(ResolveSource, ResolveSourceRequest(r)) for r in resolves)
        files = sorted({s.repo_lockfile for s in sources if s.repo_lockfile} | {version_file})
        there = branch_side(git, tree, subsystem.migrations, subsystem.config_samples, files)
    except (GitError, RefError) as e:
        print_error(console, OutputFormat.text, e)
        return ExportDev(exit_code=1)
    here = await work_tree_side(subsystem.migrations, subsystem.config_samples, files, object_format(tree))
    all_inputs = await MultiGet(Get(MaybeResolveInputs, ResolveInputsRequest(r)) for r in resolves)
    recorded = _read_record(console, os.path.join(git.root, exports.record_path))
    _print_unreadable(console, " here", here.problems)
    _print_unreadable(console, f" on {branch}", there.problems)
    switch = (
        plan_migrations(here.migrations, there.migrations, branch=branch)
        if here.migrations is not None and there.migrations is not None
        else None
    )
    resolve_previews = _preview_resolves(
        sources,
        all_inputs,
        {maybe.resolve for maybe in all_inputs if exported(maybe, recorded, exports)},
        here.files,
        there.files,
        branch,
        version_file,
    )
    lines = preview_lines(
        await current_branch(None, git.root),
        branch,
        switch,
        resolve_previews,
        compare_configs(here.config_samples, there.config_samples),
        bin_name=bin_name(),
        migration_globs=subsystem.migrations,
        config_globs=subsystem.config_samples,
    )
    for line in lines:
        console.print_stdout(line)
    return ExportDev(exit_code=1 if here.problems or there.problems else 0)


@goal_rule
async def export_dev(
    console: Console,
    workspace: Workspace,
    build_root: BuildRoot,
    dist_dir: DistDir,
    subsystem: ExportDevSubsystem,
    python_setup: PythonSetup,
    export_subsys: ExportSubsystem,
    calver: CalverSubsystem,
    environment: CompleteEnvironmentVars,
) -> ExportDev:
    try:
        check_globs("[export-dev].migrations", subsystem.migrations)
        check_globs("[export-dev].config_samples", subsystem.config_samples)
    except SettingError as e:
        print_error(console, OutputFormat.text, e)
        return ExportDev(exit_code=1)
    resolves = list(dict.fromkeys(subsystem.resolves or python_setup.resolves))
    output_dir = os.path.join(str(dist_dir.relpath), "export")
    exports = Exports(output_dir, os.path.join(build_root.path, output_dir))
    if subsystem.preview:
        git = Git(build_root.path, dict(environment))
        return await _preview(
            console, subsystem, resolves, git, exports, calver.version_file, subsystem.preview
        )
    started = time.monotonic()
    recorded = _read_record(console, os.path.join(build_root.path, exports.record_path))
    all_inputs = await MultiGet(Get(MaybeResolveInputs, ResolveInputsRequest(r)) for r in resolves)
    outcomes, stale = classify(all_inputs, recorded, exports, subsystem.force)
    relocatable = export_format(export_subsys) == PythonResolveExportFormat.symlinked_immutable_virtualenv
    exported_now, records = await export_stale(stale, workspace, exports, relocatable, recorded.resolves)
    exit_code = _print_outcomes(console, resolves, {**outcomes, **exported_now})

    migrations, config_samples, report_exit_code = await _report_switch(console, subsystem, recorded)
    write_error = await write_record(workspace, exports, DevRecord(records, migrations, config_samples))
    if write_error:
        print_error(console, OutputFormat.text, write_error)
    console.print_stdout(elapsed_line(time.monotonic() - started))
    return ExportDev(exit_code=max(exit_code, report_exit_code, 1 if write_error else 0))


def rules():
    return [*collect_rules(), *resolve_inputs.rules(), *venv_export.rules(), *switch_inputs.rules()]
