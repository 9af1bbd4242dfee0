"""`export-dev`'s report and `--preview` as data (`--output-format=json`), with no Pants import.

One JSON document per run, on every exit: the preview or the report, or `{"error": ...}` (printed
by the goal's error printer). Everything the text says is here as values: the steps in order, each
Alembic tree's downgrade targets and commands, the resolves, the samples that differ and the keys
each local copy lacks. Values of secret keys are null, as the text does not show them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pants_calver.core.devenv.alembic import Migration
from pants_calver.core.devenv.alembic_trees import AlembicTree
from pants_calver.core.devenv.config_copies import CopyCheck, KeyChange, KeyFinding
from pants_calver.core.devenv.export_record import ResolveOutcome
from pants_calver.core.devenv.migration_steps import MigrationSwitch
from pants_calver.core.devenv.switch_preview import ResolvePreview
from pants_calver.core.devenv.switch_report import ConfigChanges

# The shape of the documents; a change that drops or renames a field raises it.
DOCUMENT_VERSION = 1


def dumps(document: dict[str, Any]) -> str:
    """The document as printed: indented, keys in the order built."""
    return json.dumps(document, indent=2, ensure_ascii=False)


def _migration(m: Migration) -> dict[str, Any]:
    return {"revision": m.revision, "path": m.path}


def tree_data(
    tree: AlembicTree, switch: MigrationSwitch | None, errors: Sequence[str] = ()
) -> dict[str, Any]:
    """One tree's part of a preview (or of a report): None `switch` means not compared, because
    no glob is configured or its files could not be read (`errors`)."""
    data: dict[str, Any] = {"ini": tree.ini, "globs": list(tree.globs), "compared": switch is not None}
    if switch is None:
        return {**data, "errors": list(errors)}
    return {
        **data,
        "downgrade": [_migration(m) for m in switch.downgrade],
        "targets": list(switch.targets),
        "commands": [tree.downgrade(t) for t in switch.targets],
        "by_hand": list(switch.by_hand),
        "upgrade": [_migration(m) for m in switch.upgrade],
        "upgrade_command": tree.upgrade() if switch.upgrade else None,
        "rewritten": list(switch.rewritten),
        "problems": list(switch.problems),
        "errors": list(errors),
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
    errors: Sequence[str],
    exit_code: int,
) -> dict[str, Any]:
    """The whole `--preview` as data; `trees` from `tree_data`, `samples` from `samples_data`."""
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
        "errors": list(errors),
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
    errors: Sequence[str],
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
        "errors": list(errors),
        "elapsed_seconds": round(elapsed, 1),
        "exit_code": exit_code,
    }
