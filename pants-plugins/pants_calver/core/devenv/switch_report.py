"""What a branch switch needs besides the virtualenvs, told from what the last `export-dev` run
recorded, with no Pants import: the Alembic steps and the configuration samples to check."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterable, Mapping

from pants_calver.core.devenv.alembic import Migration, compare_migrations
from pants_calver.core.devenv.migration_steps import plan_migrations
from pants_calver.core.devenv.export_record import DevRecord
from pants_calver.core.problems import plural


@dataclass(frozen=True)
class ConfigChanges:
    changed: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed)


def compare_configs(recorded: Mapping[str, str], current: Mapping[str, str]) -> ConfigChanges:
    """Compare path -> content hash maps of configuration samples."""
    return ConfigChanges(
        changed=tuple(sorted(p for p in current if p in recorded and recorded[p] != current[p])),
        added=tuple(sorted(set(current) - set(recorded))),
        removed=tuple(sorted(set(recorded) - set(current))),
    )


def report_lines(
    recorded: DevRecord,
    migrations: Mapping[str, Migration] | None,
    config_samples: Mapping[str, str],
    *,
    migration_globs: Iterable[str],
    config_globs: Iterable[str],
) -> list[str]:
    """The "what else this switch needs" part of the output.

    `migrations` is None when they could not be read (the errors are reported elsewhere): then
    only configuration samples are compared.
    """
    if recorded.migrations is None and recorded.config_samples is None:
        counted = [plural(len(config_samples), "configuration sample")]
        if migrations is not None:
            counted.insert(0, plural(len(migrations), "migration"))
        return [
            "First export-dev run here: nothing was recorded before, so there is nothing to "
            f"compare. Recorded {' and '.join(counted)} for the next run."
        ]
    lines = _migration_lines(recorded.migrations, migrations)
    lines += _config_lines(compare_configs(recorded.config_samples or {}, config_samples))
    if lines:
        return lines
    what = "database migration or configuration sample" if migrations is not None else "configuration sample"
    looked_at = [*(migration_globs if migrations is not None else ()), *config_globs]
    return [
        f"No {what} changed since the last export-dev "
        f"(looked at {', '.join(looked_at) or 'nothing: no globs are configured'})."
    ]


def _migration_lines(
    recorded: Mapping[str, Migration] | None, migrations: Mapping[str, Migration] | None
) -> list[str]:
    if migrations is None:
        return []
    if recorded is None:
        return [
            "No migrations were recorded before (they could not be read then): recorded "
            f"{plural(len(migrations), 'migration')} for the next run."
        ]
    changes = compare_migrations(recorded, migrations)
    lines: list[str] = []
    if changes.added:
        lines.append(f"New database migrations since the last export-dev ({len(changes.added)}):")
        lines.extend(f"  {m.revision}  {m.path}" for m in changes.added)
        lines.append("  Run `alembic upgrade head` to apply them.")
    if changes.removed:
        # The database is at the recorded heads: what it must undo to be at this branch's.
        switch = plan_migrations(recorded, migrations, branch="this branch")
        lines.append(
            "Database migrations recorded at the last export-dev are gone from this branch "
            f"({len(changes.removed)}):"
        )
        lines.extend(f"  {m.revision}  {m.path}" for m in changes.removed)
        if switch.targets:
            lines.append(
                "  The database may be ahead of this branch. Before switching here, run "
                f"`alembic downgrade {' or '.join(switch.targets)}` on the branch that has them (the "
                "`alembic downgrade` step of the development setup): switch back, downgrade, then "
                "switch here again."
            )
        if switch.by_hand:
            lines.append(
                f"  No `alembic downgrade` undoes {', '.join(switch.by_hand)} without undoing revisions this "
                "branch has too: switch back and undo them by hand, then switch here again."
            )
    return lines


def _config_lines(configs: ConfigChanges) -> list[str]:
    if not configs:
        return []
    return [
        "Configuration samples changed since the last export-dev:",
        *(f"  changed  {p}" for p in configs.changed),
        *(f"  added    {p}" for p in configs.added),
        *(f"  removed  {p}" for p in configs.removed),
        "  Check your local TOML configuration and etcd configuration against them.",
    ]
