"""What a `git switch` to another branch will need, read from git objects before the switch.

The logic behind `pants export-dev --preview=BRANCH`, with no Pants import: the goal reads BRANCH's
files from git objects (`pants_calver.core.git.objects`), passes what it read in, and prints the
lines `preview_lines` returns. Nothing here writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from collections.abc import Sequence

from pants_calver.core.devenv.alembic_trees import AlembicTree
from pants_calver.core.devenv.config_copies import CopyCheck, copy_lines, needing_a_look
from pants_calver.core.devenv.migration_steps import MigrationSwitch
from pants_calver.core.problems import plural
from pants_calver.core.devenv.switch_report import ConfigChanges


# ---------------------------------------------------------------------------------------------
# Lockfiles and configuration samples


# Why a resolve whose lockfile does not change is exported after the switch all the same.
NOT_UP_TO_DATE = "its virtualenv here is not up to date"


class PreviewStatus(Enum):
    EXPORT = "will be re-exported"
    UP_TO_DATE = "up to date"
    SKIP = "will be skipped"
    UNKNOWN = "cannot tell"


@dataclass(frozen=True)
class ResolvePreview:
    """What `export-dev` will do with a resolve after the switch. Build it with `preview_resolve`,
    or with `PreviewStatus.UNKNOWN` and the reason when this checkout cannot tell."""

    resolve: str
    status: PreviewStatus
    detail: str

    def line(self) -> str:
        if self.status is PreviewStatus.UNKNOWN:
            return f"{self.resolve}: {self.status.value}: {self.detail}"
        return f"{self.resolve}: {self.status.value} ({self.detail})"


def preview_resolve(
    resolve: str,
    lockfile: str | None,
    here: str | None,
    there: str | None,
    branch: str,
    *,
    exported: bool = True,
    editable_version: str | None = None,
    cannot_tell: str | None = None,
) -> ResolvePreview:
    """Compare a resolve's lockfile here and on BRANCH by blob id (None: no such file there).

    `lockfile` is None for a tool's lockfile built into Pants (or bare requirements), which comes
    with the Pants version, not the branch. `exported` says whether its venv here is up to date
    (else `export-dev` exports it whatever BRANCH holds); `editable_version` names the version file
    that BRANCH changes when the resolve installs first-party distributions as editable (their
    version is part of the venv). `cannot_tell` is why this checkout cannot tell (it does not
    define the resolve, or cannot find its interpreter): BRANCH may change that.
    """
    if cannot_tell is not None:
        return ResolvePreview(resolve, PreviewStatus.UNKNOWN, cannot_tell)
    if lockfile is None:
        if not exported:
            return ResolvePreview(resolve, PreviewStatus.EXPORT, NOT_UP_TO_DATE)
        return ResolvePreview(resolve, PreviewStatus.UP_TO_DATE, "Pants' built-in lockfile")
    if there is None:
        return ResolvePreview(resolve, PreviewStatus.SKIP, f"{branch} has no {lockfile}")
    if here != there:
        verb = "adds" if here is None else "changes"
        return ResolvePreview(resolve, PreviewStatus.EXPORT, f"{branch} {verb} {lockfile}")
    if not exported:
        return ResolvePreview(resolve, PreviewStatus.EXPORT, NOT_UP_TO_DATE)
    if editable_version is not None:
        detail = f"{branch} changes {editable_version}, the version of its editable distributions"
        return ResolvePreview(resolve, PreviewStatus.EXPORT, detail)
    return ResolvePreview(resolve, PreviewStatus.UP_TO_DATE, f"same {lockfile}")


# ---------------------------------------------------------------------------------------------
# Wording


def preview_steps(
    branch: str,
    trees: Sequence[tuple[AlembicTree, MigrationSwitch | None]],
    configs: ConfigChanges,
    copies: Sequence[CopyCheck],
    *,
    bin_name: str,
    config_globs: Sequence[str],
) -> list[str]:
    """The steps of the switch, in order: each tree's downgrades, the switch, the export, each
    tree's upgrade, then the configuration to check."""
    steps = [tree.downgrade(target) for tree, switch in trees if switch for target in switch.targets]
    steps += [
        f"undo {', '.join(switch.by_hand)} by hand (see the database problem above)"
        for _, switch in trees
        if switch and switch.by_hand
    ]
    steps += [f"git switch {branch}", f"{bin_name} export-dev"]
    steps += [tree.upgrade() for tree, switch in trees if switch and switch.upgrade]
    if configs and config_globs:
        steps.append("check your local TOML and etcd configuration against the samples above")
    needing = needing_a_look(copies)
    if needing:
        steps.append(f"update your local configuration (see above): {', '.join(needing)}")
    return steps


def preview_lines(
    current: str | None,
    branch: str,
    trees: Sequence[tuple[AlembicTree, MigrationSwitch | None]],
    resolves: Sequence[ResolvePreview],
    configs: ConfigChanges,
    copies: Sequence[CopyCheck],
    steps: Sequence[str],
    *,
    config_globs: Sequence[str],
) -> list[str]:
    """The whole preview: database, virtualenvs, configuration samples and local copies, then the
    steps to run (`preview_steps`).

    `current` is this checkout's branch (None when HEAD is detached); a tree's switch is None
    when its migrations could not be read (their problems are reported elsewhere).
    """
    lines = [f"Switching {f'from {current} ' if current else ''}to {branch}: a preview, nothing was changed."]
    for tree, switch in trees:
        lines += _database_lines(
            branch, tree, switch, "Database" if len(trees) == 1 else f"Database ({tree.ini})"
        )
    lines.append("Virtualenvs:" if resolves else "Virtualenvs: none to export.")
    lines += [f"  {r.line()}" for r in resolves]
    if not config_globs:
        lines.append("Configuration samples: not compared (`[export-dev].config_samples` is empty).")
    elif configs:
        lines.append(f"Configuration samples that differ on {branch}:")
        kinds = (("changed", configs.changed), ("added", configs.added), ("removed", configs.removed))
        lines += [f"  {kind:<8} {path}" for kind, paths in kinds for path in paths]
    else:
        lines.append(f"Configuration samples: none differs (looked at {', '.join(config_globs)}).")
    lines += copy_lines(copies, branch)
    return [*lines, "Then:", *(f"  {n}. {step}" for n, step in enumerate(steps, 1))]


def _database_lines(branch: str, tree: AlembicTree, switch: MigrationSwitch | None, label: str) -> list[str]:
    if not tree.globs:
        option = (
            "`[export-dev].migrations` is empty" if label == "Database" else "no glob is configured for it"
        )
        return [f"{label}: not compared ({option})."]
    if switch is None:
        return [f"{label}: not compared: the migrations could not be read (see above)."]
    again = {m.revision for m in switch.upgrade} & {m.revision for m in switch.downgrade}
    lines = []
    if switch.downgrade:
        n, order = plural(len(switch.downgrade), "migration"), _first(len(switch.downgrade), "newest")
        lines.append(
            f"{label}: undo {n} of this checkout before the switch{order}:"
            if again
            else f"{label}: this checkout has {n} that {branch} lacks{order}:"
        )
        for m in switch.downgrade:
            why = f"rewritten on {branch}" if m.revision in switch.rewritten else "sits on a rewritten one"
            lines.append(f"  {m.revision}  {m.path}{f'  ({why})' if m.revision in again else ''}")
    if switch.targets:
        commands = " and ".join(f"`{tree.downgrade(t)}`" for t in switch.targets)
        lines.append(f"  Run {commands} now, before the switch, while this checkout has their files.")
    if switch.upgrade:
        n, order = plural(len(switch.upgrade), "migration"), _first(len(switch.upgrade), "oldest")
        lines.append(
            f"{label}: after the switch, `{tree.upgrade()}` applies {n} of {branch}{order}:"
            if again
            else f"{label}: {branch} adds {n}, to apply after the switch with `{tree.upgrade()}`{order}:"
        )
        lines += [
            f"  {m.revision}  {m.path}{'  (again)' if m.revision in again else ''}" for m in switch.upgrade
        ]
    lines += [f"{label} problem: {problem.text()}" for problem in switch.problems]
    return lines or [f"{label}: no migration differs (looked at {', '.join(tree.globs)})."]


def _first(n: int, which: str) -> str:
    return f" ({which} first)" if n > 1 else ""
