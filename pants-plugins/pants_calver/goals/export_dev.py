"""`pants export-dev`: rebuild the IDE virtualenvs after a branch switch, and say what else it needs.

The virtualenvs come from Pants' own export machinery (`_ExportVenvForResolveRequest`, the rule
behind `pants export --resolve=...`), so they land where `pants export` puts them and look the same.
What this goal adds: it skips resolves whose inputs did not change, keeps going when one resolve is
missing or broken, and compares Alembic migrations and configuration samples with the last run.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from collections.abc import Mapping, Sequence
from typing import Any

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
from pants.option.option_types import BoolOption, DictOption, EnumOption, StrListOption, StrOption
from pants.util.docutil import bin_name
from pants.util.strutil import softwrap

from pants_calver.core.devenv.alembic_trees import AlembicTree, alembic_trees
from pants_calver.core.devenv.config_copies import (
    CONFIG_SAMPLE_FORMATS,
    DEFAULT_COPIES,
    CopyCheck,
    check_copies,
)
from pants_calver.core.devenv.export_record import DevRecord, Outcome, ResolveOutcome, elapsed_line
from pants_calver.core.devenv.switch_json import Preview, Report, dumps
from pants_calver.core.devenv.switch_report import compare_configs
from pants_calver.core.errors import GitError, RefError, SettingError
from pants_calver.core.problems import Problem
from pants_calver.core.repo_paths import check_globs
from pants_calver.engine.devenv import resolve_inputs, switch_inputs, venv_export
from pants_calver.engine.devenv.local_configs import copies_after_switch, copies_before_switch
from pants_calver.engine.devenv.resolve_inputs import MaybeResolveInputs, ResolveInputsRequest
from pants_calver.engine.git import Git
from pants_calver.engine.pants_private import export_format
from pants_calver.engine.subsystem import CalverSubsystem
from pants_calver.engine.versions.repo import current_branch
from pants_calver.goals.output import OutputFormat, print_error, problem_document, problem_lines


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
        Then compares each Alembic tree (`[export-dev].alembic_trees`) and the configuration samples
        (`[export-dev].config_samples`) with what the last run recorded, says which
        `alembic -c <ini>` step and configuration check the switch needs, and which keys your local
        copies (`[export-dev].local_configs`) lack, keep or hold at an old value. What was seen is
        recorded in `dist/export/{venv_export.RECORD_NAME}`. `--output-format=json` prints it all as one JSON
        document, on every exit.

        With `--preview=BRANCH`, run before a switch, it exports nothing and tells what switching
        to BRANCH will need instead.

        Exit code 0 when every resolve was exported, up to date or skipped; 1 when a resolve failed
        (its export failed, or no interpreter matches its constraints: its line says why, and the
        others are still exported), a migration file or a local copy could not be read, or the
        record could not be written.
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
            Globs of Alembic revision files of `alembic.ini`'s tree, when `[export-dev].alembic_trees`
            is empty. Revisions added since the last run are reported with a reminder to run
            `alembic -c alembic.ini upgrade head`; revisions that are gone with the revision to
            downgrade to on the branch that has them.
            """
        ),
    )
    preview = StrOption(
        default=None,
        help=softwrap(
            f"""
            Before switching to this branch (or any ref), print what the switch will need, and
            write nothing: each Alembic tree's revisions to downgrade now (and the
            `alembic -c <ini> downgrade` command), those to apply after the switch, the resolves
            whose lockfile differs there (to be re-exported), the configuration samples that differ
            and the keys your local copies lack against BRANCH's samples; then the steps to run,
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
    alembic_trees = DictOption[Any](
        default={},
        help=softwrap(
            """
            Each Alembic tree's `.ini` (as `alembic -c` takes it) mapped to the globs of its
            revision files, e.g. `{"alembic.ini": ["src/ai/backend/manager/models/alembic/versions/*.py"]}`.
            Each tree is compared on its own, with the commands that target it. Empty: one tree,
            `alembic.ini`, of `[export-dev].migrations` (which is not read when this is set).
            """
        ),
    )
    local_configs = DictOption[str](
        default=DEFAULT_COPIES,
        help=softwrap(
            """
            Each local configuration file mapped to the sample it was copied from (default: what
            Backend.AI's `scripts/install-dev.sh` copies), read in the sample's format (TOML for
            `.toml`/`.conf`, JSON, INI for `.ini`/`.cfg`): the keys it lacks, keeps after the sample
            dropped them, or holds at the sample's old value are reported. A copy not there is not.
            """
        ),
    )
    output_format = EnumOption(
        default=OutputFormat.text,
        help="`json`: the report (or the preview) as one JSON document on stdout, errors included.",
    )


class ExportDev(Goal):
    subsystem_cls = ExportDevSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


def _print_outcomes(
    console: Console, resolves: Sequence[str], outcomes: Mapping[str, ResolveOutcome]
) -> None:
    """One line per resolve, in the order asked for."""
    colour = {Outcome.FAILED: console.red, Outcome.SKIPPED: console.yellow}
    for resolve in resolves:
        console.print_stdout(colour.get(outcomes[resolve].outcome, str)(outcomes[resolve].line()))


def _read_record(console: Console, path: str) -> DevRecord:
    """The last run's record; a damaged one is reported and ignored (and replaced by a run)."""
    recorded, error = venv_export.read_record(path)
    if error:
        console.print_stderr(console.yellow(f"Ignoring a damaged record: {error}"))
    return recorded


def _unreadable(
    console: Console,
    fmt: OutputFormat,
    migrations: Sequence[tuple[str, Problem]],
    copies: Sequence[CopyCheck],
) -> tuple[Problem, ...]:
    """Every file that could not be read; for text, each migration file is printed on stderr
    (`Cannot read a migration<side>: ...`), the copies in the report's lines."""
    if fmt is not OutputFormat.json:
        for side, problem in migrations:
            for line in problem_lines(OutputFormat.text, [problem]):
                console.print_stderr(console.red(f"Cannot read a migration{side}: {line}"))
    return (*(problem for _, problem in migrations), *(c.problem for c in copies if c.problem))


async def _report(
    console: Console,
    subsystem: ExportDevSubsystem,
    trees: Sequence[AlembicTree],
    recorded: DevRecord,
    root: str,
) -> tuple[Report, tuple[Problem, ...], DevRecord]:
    """What else the switch needs, its problems, and what to record (the resolves left empty)."""
    read = await switch_inputs.work_tree_trees(trees)
    configs = await Get(
        switch_inputs.CurrentConfigSamples,
        switch_inputs.ConfigSamplesRequest(tuple(subsystem.config_samples)),
    )
    copies, keys = await copies_after_switch(root, subsystem.local_configs, recorded.config_keys)
    failed = [(f" ({t.ini})" if len(read) > 1 else "", p) for t, _, problems in read for p in problems]
    problems = _unreadable(console, subsystem.output_format, failed, copies)
    report = Report(recorded, read, dict(configs.hashes), tuple(subsystem.config_samples), copies)
    # Unreadable migrations: keep comparing against the last good record until they can be read.
    kept = {t.ini: m if m is not None else (recorded.trees or {}).get(t.ini) for t, m, _ in read}
    return report, problems, DevRecord({}, kept, report.config_samples, keys)


async def _preview(
    console: Console,
    subsystem: ExportDevSubsystem,
    trees: Sequence[AlembicTree],
    resolves: Sequence[str],
    git: Git,
    exports: venv_export.Exports,
    version_file: str,
    branch: str,
) -> ExportDev:
    """Print what switching to `branch` will need; write nothing."""
    fmt = subsystem.output_format
    try:
        sources = await MultiGet(
            Get(resolve_inputs.ResolveSource, resolve_inputs.ResolveSourceRequest(r)) for r in resolves
        )
        files = sorted({s.repo_lockfile for s in sources if s.repo_lockfile} | {version_file})
        sides = await switch_inputs.both_sides(
            git, branch, trees, subsystem.config_samples, files, subsystem.local_configs.values()
        )
    except (GitError, RefError) as e:
        print_error(console, fmt, e)
        return ExportDev(exit_code=1)
    copies = await copies_before_switch(git.root, subsystem.local_configs, sides.samples, branch)
    all_inputs = await MultiGet(Get(MaybeResolveInputs, ResolveInputsRequest(r)) for r in resolves)
    recorded = _read_record(console, os.path.join(git.root, exports.record_path))
    up_to_date = {maybe.resolve for maybe in all_inputs if venv_export.exported(maybe, recorded, exports)}
    preview = Preview(
        await current_branch(None, git.root),
        branch,
        sides.plans(branch),
        tuple(switch_inputs.preview_resolves(sources, all_inputs, up_to_date, sides, branch, version_file)),
        compare_configs(sides.here.config_samples, sides.there.config_samples),
        tuple(subsystem.config_samples),
        copies,
        _unreadable(console, fmt, sides.unreadable(branch), copies),
        bin_name(),
    )
    for line in [dumps(preview.document(problem_document))] if fmt is OutputFormat.json else preview.lines():
        console.print_stdout(line)
    return ExportDev(exit_code=preview.exit_code)


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
    fmt = subsystem.output_format
    try:
        check_globs("[export-dev].config_samples", subsystem.config_samples)
        check_copies("[export-dev].local_configs", subsystem.local_configs)
        trees = alembic_trees("[export-dev].alembic_trees", subsystem.alembic_trees, subsystem.migrations)
    except SettingError as e:
        print_error(console, fmt, e)
        return ExportDev(exit_code=1)
    resolves = list(dict.fromkeys(subsystem.resolves or python_setup.resolves))
    output_dir = os.path.join(str(dist_dir.relpath), "export")
    exports = venv_export.Exports(output_dir, os.path.join(build_root.path, output_dir))
    if subsystem.preview:
        git = Git(build_root.path, dict(environment))
        return await _preview(
            console, subsystem, trees, resolves, git, exports, calver.version_file, subsystem.preview
        )
    started = time.monotonic()
    recorded = _read_record(console, os.path.join(build_root.path, exports.record_path))
    all_inputs = await MultiGet(Get(MaybeResolveInputs, ResolveInputsRequest(r)) for r in resolves)
    outcomes, stale = venv_export.classify(all_inputs, recorded, exports, subsystem.force)
    relocatable = export_format(export_subsys) == PythonResolveExportFormat.symlinked_immutable_virtualenv
    exported_now, records = await venv_export.export_stale(
        stale, workspace, exports, relocatable, recorded.resolves
    )
    outcomes = {**outcomes, **exported_now}
    exit_code = 1 if any(o.outcome == Outcome.FAILED for o in outcomes.values()) else 0
    if fmt is not OutputFormat.json:
        _print_outcomes(console, resolves, outcomes)
    report, problems, seen = await _report(console, subsystem, trees, recorded, build_root.path)
    write_error = await venv_export.write_record(workspace, exports, replace(seen, resolves=records))
    problems += (write_error,) if write_error else ()
    exit_code = max(exit_code, 1 if problems else 0)
    elapsed = time.monotonic() - started
    if fmt is OutputFormat.json:
        outcome_list = [outcomes[r] for r in resolves]
        console.print_stdout(
            dumps(report.document(outcome_list, problems, elapsed, exit_code, problem_document))
        )
    else:
        for line in [*report.lines(), elapsed_line(elapsed)]:
            console.print_stdout(line)
    if write_error and fmt is not OutputFormat.json:
        print_error(console, fmt, write_error.message)
    return ExportDev(exit_code=exit_code)


def rules():
    return [*collect_rules(), *resolve_inputs.rules(), *venv_export.rules(), *switch_inputs.rules()]
