"""`export-dev`'s report and `--preview` as data (`--output-format=json`), with no Pants import.

One JSON document per run, on every exit: the preview or the report, or `{"error": ...}` (printed
by the goal's error printer). Everything the text says is here as values: the steps in order, each
Alembic tree's downgrade targets and commands, the resolves, the samples that differ and the keys
each local copy lacks. Values of secret keys are null, as the text does not show them. Problems
are documents of the goals' one problem printer, passed in as `problem_doc`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Tuple

from pants_calver.core.devenv.alembic import Migration
from pants_calver.core.devenv.alembic_trees import AlembicTree
from pants_calver.core.devenv.config_copies import CopyCheck, KeyChange, KeyFinding, copy_lines
from pants_calver.core.devenv.export_record import DevRecord, ResolveOutcome
from pants_calver.core.devenv.migration_steps import MigrationSwitch
from pants_calver.core.devenv.switch_preview import ResolvePreview, preview_lines, preview_steps
from pants_calver.core.devenv.switch_report import (
    ConfigChanges,
    compare_configs,
    report_lines,
    report_steps,
    tree_switch,
)
from pants_calver.core.problems import Problem

# The shape of the documents; a change that drops or renames a field raises it.
DOCUMENT_VERSION = 1

# A problem as data: `pants_calver.goals.output.problem_document`.
ProblemDoc = Callable[[Problem], "dict[str, Any]"]


def dumps(document: dict[str, Any]) -> str:
    """The document as printed: indented, keys in the order built."""
    return json.dumps(document, indent=2, ensure_ascii=False)


def _migration(m: Migration) -> dict[str, Any]:
    return {"revision": m.revision, "path": m.path}


def tree_data(
    tree: AlembicTree, switch: MigrationSwitch | None, unreadable: Sequence[Problem], problem_doc: ProblemDoc
) -> dict[str, Any]:
    """One tree's part of a preview (or of a report): None `switch` means not compared, because
    its files could not be read (`unreadable`) or nothing was recorded to compare with."""
    data: dict[str, Any] = {"ini": tree.ini, "globs": list(tree.globs), "compared": switch is not None}
    if switch is None:
        return {**data, "unreadable": [problem_doc(p) for p in unreadable]}
    return {
        **data,
        "downgrade": [_migration(m) for m in switch.downgrade],
        "targets": list(switch.targets),
        "commands": [tree.downgrade(t) for t in switch.targets],
        "by_hand": list(switch.by_hand),
        "upgrade": [_migration(m) for m in switch.upgrade],
        "upgrade_command": tree.upgrade() if switch.upgrade else None,
        "rewritten": list(switch.rewritten),
        "problems": [problem_doc(p) for p in switch.problems],
        "unreadable": [problem_doc(p) for p in unreadable],
    }


def resolve_preview_data(preview: ResolvePreview) -> dict[str, Any]:
    return {"resolve": preview.resolve, "status": preview.status.name.lower(), "detail": preview.detail}


def outcome_data(outcome: ResolveOutcome) -> dict[str, Any]:
    return {"resolve": outcome.resolve, "outcome": outcome.outcome.name.lower(), "detail": outcome.detail}


def samples_data(changes: ConfigChanges, globs: Sequence[str]) -> dict[str, Any]:
    return {
        "globs": list(globs),
        "changed": list(changes.changed),
        "added": list(changes.added),
        "removed": list(changes.removed),
    }


def _finding(finding: KeyFinding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": finding.key,
        "path": finding.path,
        "line": finding.line or None,
        "secret": finding.secret,
        "value": finding.value,
    }
    if finding.change is KeyChange.OLD:
        data["old"] = finding.old
    return data


def copy_data(check: CopyCheck) -> dict[str, Any]:
    """A local copy: its status, and its findings by kind (empty lists unless compared)."""
    by_change = {
        change.value: [_finding(f) for f in check.findings if f.change is change] for change in KeyChange
    }
    return {
        "copy": check.copy,
        "sample": check.sample,
        "status": check.status.value,
        "error": check.error or None,
        "old_known": check.old_known,
        **by_change,
    }


def preview_document(
    *,
    current: str | None,
    branch: str,
    trees: Sequence[dict[str, Any]],
    resolves: Sequence[ResolvePreview],
    samples: dict[str, Any],
    copies: Sequence[CopyCheck],
    steps: Sequence[str],
    problems: Sequence[dict[str, Any]],
    exit_code: int,
) -> dict[str, Any]:
    """The whole `--preview` as data; `trees` from `tree_data`, `samples` from `samples_data`,
    `problems` (what makes the exit code 1) as documents."""
    return {
        "version": DOCUMENT_VERSION,
        "kind": "preview",
        "from": current,
        "to": branch,
        "alembic_trees": list(trees),
        "resolves": [resolve_preview_data(r) for r in resolves],
        "samples": samples,
        "local_copies": [copy_data(c) for c in copies],
        "steps": list(steps),
        "problems": list(problems),
        "exit_code": exit_code,
    }


def report_document(
    *,
    outcomes: Sequence[ResolveOutcome],
    first_run: bool,
    trees: Sequence[dict[str, Any]],
    samples: dict[str, Any],
    copies: Sequence[CopyCheck],
    steps: Sequence[str],
    problems: Sequence[dict[str, Any]],
    elapsed: float,
    exit_code: int,
) -> dict[str, Any]:
    """The whole report after a switch as data: the resolves in the order asked for, then what
    else the switch needs (`steps`: the commands left to run)."""
    return {
        "version": DOCUMENT_VERSION,
        "kind": "report",
        "resolves": [outcome_data(o) for o in outcomes],
        "first_run": first_run,
        "alembic_trees": list(trees),
        "samples": samples,
        "local_copies": [copy_data(c) for c in copies],
        "steps": list(steps),
        "problems": list(problems),
        "elapsed_seconds": round(elapsed, 1),
        "exit_code": exit_code,
    }


# ---------------------------------------------------------------------------------------------
# The preview and the report, decided: printed as text or as one JSON document

# One Alembic tree, compared: the tree, its plan (None: not compared) and why it could not be.
TreePlan = Tuple[AlembicTree, Optional[MigrationSwitch], Tuple[Problem, ...]]


@dataclass(frozen=True)
class Preview:
    """Everything `--preview` says, each decision taken; `problems` are the files that could not
    be read (migrations here or on BRANCH, local copies or their samples)."""

    current: str | None
    branch: str
    trees: tuple[TreePlan, ...]
    resolves: tuple[ResolvePreview, ...]
    configs: ConfigChanges
    config_globs: tuple[str, ...]
    copies: tuple[CopyCheck, ...]
    problems: tuple[Problem, ...]
    bin_name: str

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0

    def steps(self) -> list[str]:
        switches = [(tree, switch) for tree, switch, _ in self.trees]
        return preview_steps(
            self.branch,
            switches,
            self.configs,
            self.copies,
            bin_name=self.bin_name,
            config_globs=self.config_globs,
        )

    def lines(self) -> list[str]:
        switches = [(tree, switch) for tree, switch, _ in self.trees]
        return preview_lines(
            self.current,
            self.branch,
            switches,
            self.resolves,
            self.configs,
            self.copies,
            self.steps(),
            config_globs=self.config_globs,
        )

    def document(self, problem_doc: ProblemDoc) -> dict[str, Any]:
        return preview_document(
            current=self.current,
            branch=self.branch,
            trees=[
                tree_data(tree, switch, unreadable, problem_doc) for tree, switch, unreadable in self.trees
            ],
            resolves=self.resolves,
            samples=samples_data(self.configs, self.config_globs),
            copies=self.copies,
            steps=self.steps(),
            problems=[problem_doc(p) for p in self.problems],
            exit_code=self.exit_code,
        )


# One Alembic tree after the switch: the tree, its migrations now (None: unreadable), the errors.
TreeRead = Tuple[AlembicTree, Optional[Mapping[str, Migration]], Tuple[Problem, ...]]


@dataclass(frozen=True)
class Report:
    """Everything `export-dev` says after the export, but the resolves' lines: what else the
    switch needs, against what the last run recorded."""

    recorded: DevRecord
    trees: tuple[TreeRead, ...]
    config_samples: Mapping[str, str]
    config_globs: tuple[str, ...]
    copies: tuple[CopyCheck, ...]

    def _now(self) -> list[tuple[AlembicTree, Mapping[str, Migration] | None]]:
        return [(tree, migrations) for tree, migrations, _ in self.trees]

    def changes(self) -> ConfigChanges:
        return compare_configs(self.recorded.config_samples or {}, self.config_samples)

    def lines(self) -> list[str]:
        lines = report_lines(self.recorded, self._now(), self.config_samples, config_globs=self.config_globs)
        return [*lines, *copy_lines(self.copies)]

    def document(
        self,
        outcomes: Sequence[ResolveOutcome],
        problems: Sequence[Problem],
        elapsed: float,
        exit_code: int,
        problem_doc: ProblemDoc,
    ) -> dict[str, Any]:
        return report_document(
            outcomes=outcomes,
            first_run=self.recorded.trees is None and self.recorded.config_samples is None,
            trees=[
                tree_data(t, tree_switch(self.recorded, t, m), bad, problem_doc) for t, m, bad in self.trees
            ],
            samples=samples_data(self.changes(), self.config_globs),
            copies=self.copies,
            steps=report_steps(self.recorded, self._now(), self.changes(), self.copies),
            problems=[problem_doc(p) for p in problems],
            elapsed=elapsed,
            exit_code=exit_code,
        )
