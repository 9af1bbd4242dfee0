"""What a branch switch needs besides the virtualenvs, told from what the last `export-dev` run
recorded, with no Pants import: the Alembic steps and the configuration samples to check."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterable, Mapping, Sequence
from typing import Optional, Tuple

from pants_calver.core.devenv.alembic import Migration, compare_migrations
from pants_calver.core.devenv.alembic_trees import AlembicTree
from pants_calver.core.devenv.config_copies import CopyCheck, needing_a_look
from pants_calver.core.devenv.migration_steps import MigrationSwitch, plan_migrations
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


# One Alembic tree now: its migrations, None when they could not be read.
TreeNow = Tuple[AlembicTree, Optional[Mapping[str, Migration]]]


def report_lines(
    recorded: DevRecord,
    trees: Sequence[TreeNow],
    config_samples: Mapping[str, str],
    *,
    config_globs: Iterable[str],
) -> list[str]:
    """The "what else this switch needs" part of the output (the local copies' lines follow it).

    A tree whose migrations are None could not be read (the errors are reported elsewhere): then
    it is not compared.
    """
    read = [(tree, migrations) for tree, migrations in trees if migrations is not None]
    if recorded.trees is None and recorded.config_samples is None:
        counted = [plural(len(config_samples), "configuration sample")]
        if read:
            counted.insert(0, plural(sum(len(m) for _, m in read), "migration"))
        return [
            "First export-dev run here: nothing was recorded before, so there is nothing to "
            f"compare. Recorded {' and '.join(counted)} for the next run."
        ]
    lines = [
        line
        for tree, migrations in read
        for line in _migration_lines(tree, (recorded.trees or {}).get(tree.ini), migrations, len(trees) > 1)
    ]
    lines += _config_lines(compare_configs(recorded.config_samples or {}, config_samples))
    if lines:
        return lines
    what = "database migration or configuration sample" if read else "configuration sample"
    looked_at = [*(glob for tree, _ in read for glob in tree.globs), *config_globs]
    return [
        f"No {what} changed since the last export-dev "
        f"(looked at {', '.join(looked_at) or 'nothing: no globs are configured'})."
    ]


def tree_switch(
    recorded: DevRecord, tree: AlembicTree, migrations: Mapping[str, Migration] | None
) -> MigrationSwitch | None:
    """What the database of `tree` needs, when it is at the recorded heads: None when either side
    is unknown."""
    before = (recorded.trees or {}).get(tree.ini)
    if before is None or migrations is None:
        return None
    return plan_migrations(before, migrations, branch="this branch")


def report_steps(
    recorded: DevRecord,
    trees: Sequence[TreeNow],
    configs: ConfigChanges,
    copies: Sequence[CopyCheck],
) -> list[str]:
    """What is left to do after the switch, in order: each tree's downgrade (on the branch that
    has the revisions) or upgrade, then the configuration to check."""
    steps = []
    for tree, migrations in trees:
        switch = tree_switch(recorded, tree, migrations)
        if switch is None:
            continue
        steps += [f"switch back, run `{tree.downgrade(t)}`, switch here again" for t in switch.targets]
        if switch.upgrade:
            steps.append(tree.upgrade())
    if configs:
        steps.append("check your local TOML and etcd configuration against the samples above")
    needing = needing_a_look(copies)
    if needing:
        steps.append(f"update your local configuration (see above): {', '.join(needing)}")
    return steps


def _migration_lines(
    tree: AlembicTree,
    recorded: Mapping[str, Migration] | None,
    migrations: Mapping[str, Migration],
    several: bool,
) -> list[str]:
    of = f" of {tree.ini}" if several else ""
    if recorded is None:
        return [
            f"No migrations{of} were recorded before (they could not be read then): recorded "
            f"{plural(len(migrations), 'migration')} for the next run."
        ]
    changes = compare_migrations(recorded, migrations)
    lines: list[str] = []
    if changes.added:
        lines.append(f"New database migrations{of} since the last export-dev ({len(changes.added)}):")
        lines.extend(f"  {m.revision}  {m.path}" for m in changes.added)
        lines.append(f"  Run `{tree.upgrade()}` to apply them.")
    if changes.removed:
        # The database is at the recorded heads: what it must undo to be at this branch's.
        switch = plan_migrations(recorded, migrations, branch="this branch")
        lines.append(
            f"Database migrations{of} recorded at the last export-dev are gone from this branch "
            f"({len(changes.removed)}):"
        )
        lines.extend(f"  {m.revision}  {m.path}" for m in changes.removed)
        if switch.targets:
            lines.append(
                "  The database may be ahead of this branch. Before switching here, run "
                f"{' or '.join(f'`{tree.downgrade(t)}`' for t in switch.targets)} on the branch that has "
                "them (the `alembic downgrade` step of the development setup): switch back, downgrade, "
                "then switch here again."
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
