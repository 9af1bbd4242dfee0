"""What a switch to another branch will need: the migrations to undo and apply, the resolves to
re-export, the configuration samples to check, and the preview's wording."""

from __future__ import annotations

import pytest

from pants_calver.core.devenv.alembic import Migration
from pants_calver.core.devenv.migration_steps import (
    DOWN_REVISION_UNKNOWN,
    DOWNGRADE_UNDOES_MORE,
    MigrationSwitch,
    plan_migrations,
)
from pants_calver.core.devenv.switch_preview import (
    PreviewStatus,
    ResolvePreview,
    preview_lines,
    preview_resolve,
)
from pants_calver.core.devenv.switch_report import ConfigChanges, compare_configs
from pants_calver.core.problems import Problem

VERSIONS = "src/ai/backend/manager/models/alembic/versions"
MIGRATION_GLOBS = (f"{VERSIONS}/*.py",)
CONFIG_GLOBS = ("configs/**/*.toml",)


def graph(*specs: str) -> dict[str, Migration]:
    """Migrations from `"rev"` (a root) or `"rev:parent,parent"`, each in its own file."""
    migrations = {}
    for spec in specs:
        revision, _, parents = spec.partition(":")
        down = tuple(parents.split(",")) if parents else ()
        migrations[revision] = Migration(revision, down, f"{VERSIONS}/{revision}_x.py")
    return migrations


def undoes_more(message: str) -> Problem:
    """A plan's problem: a downgrade that would undo more than it must (no file: about the database)."""
    return Problem("", 0, DOWNGRADE_UNDOES_MORE, message)


def unknown_parent(message: str) -> Problem:
    """A plan's problem: a down_revision that no migration file on that side defines."""
    return Problem("", 0, DOWN_REVISION_UNKNOWN, message)


def pick(migrations: dict[str, Migration], *revisions: str) -> tuple[Migration, ...]:
    return tuple(migrations[r] for r in revisions)


# ---------------------------------------------------------------------------------------------
# Migrations across the switch

LINEAR = graph("a0", "b0:a0", "c1:b0", "c2:c1")
FROM_BASE = graph("x1", "x2:x1")
TWO_ROOTS = graph("a", "b:a", "z1", "z2:z1")
MERGE = graph("a", "p1:a", "p2:a", "m:p1,p2")
MERGE_AND_CHAIN = graph("a", "p1:a", "p2:a", "m:p1,p2", "r:p2")
HEADS = graph("a", "b:a", "c:a", "x:b", "y:c", "y2:y")
TWO_ON_ONE = graph("a", "b:a", "x:b", "y:b")
DIAMOND = graph("a", "b:a", "c:a", "d:b,c")
ENTANGLED = graph("a", "b:a", "c:b", "d:a")
PARTLY = graph("a", "b:a", "c:b", "d:a", "e:c")
REPOINTED_HERE, REPOINTED_THERE = graph("h1", "m:h1"), graph("h1", "h2:h1", "m:h2")
REWRITTEN_HERE, REWRITTEN_THERE = graph("a", "b:a", "c:b"), graph("a", "x:a", "b:x", "c:b")
MOVED_HERE, MOVED_THERE = graph("a", "x:a", "b:a"), graph("a", "x:a", "b:x")
BROKEN_HERE = graph("a", "b:a", "c1:zz", "c2:c1")
BROKEN_THERE = graph("a", "b:a", "d:gone")


@pytest.mark.parametrize(
    "here, there, expected",
    [
        pytest.param(LINEAR, dict(LINEAR), MigrationSwitch(), id="nothing-differs"),
        pytest.param(
            graph("a0", "b0:a0"),
            LINEAR,
            MigrationSwitch(upgrade=pick(LINEAR, "c1", "c2")),
            id="linear-add",
        ),
        pytest.param(
            LINEAR,
            graph("a0", "b0:a0"),
            MigrationSwitch(downgrade=pick(LINEAR, "c2", "c1"), targets=("b0",)),
            id="linear-remove",
        ),
        pytest.param(
            LINEAR,
            graph("a0", "b0:a0", "d1:b0", "d2:d1"),
            MigrationSwitch(
                downgrade=pick(LINEAR, "c2", "c1"),
                targets=("b0",),
                upgrade=pick(graph("d1:b0", "d2:d1"), "d1", "d2"),
            ),
            id="linear-remove-and-add",
        ),
        pytest.param(
            FROM_BASE,
            graph("y1"),
            MigrationSwitch(
                downgrade=pick(FROM_BASE, "x2", "x1"), targets=("base",), upgrade=pick(graph("y1"), "y1")
            ),
            id="removed-chain-from-base",
        ),
        pytest.param(
            MERGE,
            graph("a", "p1:a", "p2:a"),
            MigrationSwitch(downgrade=pick(MERGE, "m"), targets=("p1",)),
            id="here-only-merge-one-target",
        ),
        pytest.param(
            MERGE_AND_CHAIN,
            graph("a", "p1:a", "p2:a"),
            MigrationSwitch(downgrade=pick(MERGE_AND_CHAIN, "m", "r"), targets=("p2",)),
            id="here-only-merge-and-chain-fewest-targets",
        ),
        pytest.param(
            graph("a", "p1:a", "p2:a"),
            MERGE,
            MigrationSwitch(upgrade=pick(MERGE, "m")),
            id="branch-only-merge",
        ),
        pytest.param(
            HEADS,
            graph("a", "b:a", "c:a"),
            MigrationSwitch(downgrade=pick(HEADS, "x", "y2", "y"), targets=("b", "c")),
            id="several-heads-several-targets",
        ),
        pytest.param(
            TWO_ON_ONE,
            graph("a", "b:a"),
            MigrationSwitch(downgrade=pick(TWO_ON_ONE, "x", "y"), targets=("b",)),
            id="two-heads-on-one-parent",
        ),
        pytest.param(
            graph("a"),
            DIAMOND,
            MigrationSwitch(upgrade=pick(DIAMOND, "b", "c", "d")),
            id="branch-adds-diamond-oldest-first",
        ),
        pytest.param(
            DIAMOND,
            graph("a"),
            MigrationSwitch(downgrade=pick(DIAMOND, "d", "b", "c"), targets=("a",)),
            id="here-only-diamond-newest-first",
        ),
    ],
)
def test_plan_migrations(
    here: dict[str, Migration], there: dict[str, Migration], expected: MigrationSwitch
) -> None:
    switch = plan_migrations(here, there, branch="24.03")
    assert switch == expected
    assert switch.problems == ()


@pytest.mark.parametrize(
    "here, there, expected",
    [
        pytest.param(
            ENTANGLED,
            graph("a", "b:a", "c:b"),
            MigrationSwitch(
                downgrade=pick(ENTANGLED, "d"),
                by_hand=("d",),
                problems=(
                    undoes_more(
                        "`alembic downgrade a` would undo d but also c, b, which 24.03 has too, so it is not "
                        "offered: undo d by hand before the switch.",
                    ),
                ),
            ),
            id="shared-descendants",
        ),
        pytest.param(
            PARTLY,
            graph("a", "b:a", "c:b"),
            MigrationSwitch(
                downgrade=pick(PARTLY, "d", "e"),
                targets=("c",),
                by_hand=("d",),
                problems=(
                    undoes_more(
                        "`alembic downgrade a` would undo d but also c, b, which 24.03 has too, so it is not "
                        "offered: undo d by hand before the switch.",
                    ),
                ),
            ),
            id="shared-descendants-beside-a-safe-target",
        ),
        pytest.param(
            TWO_ROOTS,
            graph("a", "b:a"),
            MigrationSwitch(
                downgrade=pick(TWO_ROOTS, "z2", "z1"),
                by_hand=("z2", "z1"),
                problems=(
                    undoes_more(
                        "`alembic downgrade base` would undo z2, z1 but also b, a, which 24.03 has too, so it "
                        "is not offered: undo z2, z1 by hand before the switch.",
                    ),
                ),
            ),
            id="removed-chain-from-base-beside-a-shared-base",
        ),
        pytest.param(
            BROKEN_HERE,
            graph("a", "b:a"),
            MigrationSwitch(
                downgrade=pick(BROKEN_HERE, "c2", "c1"),
                by_hand=("c2", "c1"),
                problems=(
                    unknown_parent(
                        f"c1 ({VERSIONS}/c1_x.py) has down_revision zz, which no migration file here has: no "
                        "`alembic` command works in this checkout until it is fixed.",
                    ),
                ),
            ),
            id="broken-here-no-target",
        ),
        pytest.param(
            graph("a", "b:a", "c1:b"),
            BROKEN_THERE,
            MigrationSwitch(
                downgrade=pick(graph("c1:b"), "c1"),
                targets=("b",),
                upgrade=pick(BROKEN_THERE, "d"),
                problems=(
                    unknown_parent(
                        f"d ({VERSIONS}/d_x.py) has down_revision gone, which no migration file on 24.03 has: "
                        "`alembic upgrade head` will fail there until it is fixed.",
                    ),
                ),
            ),
            id="broken-there-downgrade-still-offered",
        ),
    ],
)
def test_plan_migrations_problems(
    here: dict[str, Migration], there: dict[str, Migration], expected: MigrationSwitch
) -> None:
    switch = plan_migrations(here, there, branch="24.03")
    assert switch == expected


@pytest.mark.parametrize(
    "here, there, expected",
    [
        pytest.param(
            REPOINTED_HERE,
            REPOINTED_THERE,
            MigrationSwitch(
                downgrade=pick(REPOINTED_HERE, "m"),
                targets=("h1",),
                upgrade=pick(REPOINTED_THERE, "h2", "m"),
                rewritten=("m",),
            ),
            id="repointed-on-a-new-head",
        ),
        pytest.param(
            REWRITTEN_HERE,
            REWRITTEN_THERE,
            MigrationSwitch(
                downgrade=pick(REWRITTEN_HERE, "c", "b"),
                targets=("a",),
                upgrade=pick(REWRITTEN_THERE, "x", "b", "c"),
                rewritten=("b",),
            ),
            id="what-sits-on-a-rewritten-one-is-undone-too",
        ),
        pytest.param(
            MOVED_HERE,
            MOVED_THERE,
            MigrationSwitch(
                downgrade=pick(MOVED_HERE, "b"),
                by_hand=("b",),
                upgrade=pick(MOVED_THERE, "b"),
                rewritten=("b",),
                problems=(
                    undoes_more(
                        "`alembic downgrade a` would undo b but also x, which 24.03 has too, so it is not "
                        "offered: undo b by hand before the switch.",
                    ),
                ),
            ),
            id="rewritten-onto-a-sibling",
        ),
        pytest.param(
            graph("a", "m:a,b", "b:a"),
            graph("a", "m:b,a", "b:a"),
            MigrationSwitch(),
            id="merge-parents-in-another-order-are-the-same",
        ),
    ],
)
def test_plan_migrations_rewritten_history(
    here: dict[str, Migration], there: dict[str, Migration], expected: MigrationSwitch
) -> None:
    assert plan_migrations(here, there, branch="24.03") == expected


def test_plan_migrations_names_the_other_branch_by_default() -> None:
    assert plan_migrations(ENTANGLED, graph("a", "b:a", "c:b")).problems == (
        undoes_more(
            "`alembic downgrade a` would undo d but also c, b, which the other branch has too, so it is not "
            "offered: undo d by hand before the switch."
        ),
    )


# ---------------------------------------------------------------------------------------------
# Lockfiles and configuration samples


def test_compare_configs_across_a_switch() -> None:
    here = {"configs/a.toml": "1", "configs/b.toml": "2", "configs/gone.toml": "3", "configs/c.toml": "4"}
    there = {"configs/c.toml": "4", "configs/b.toml": "9", "configs/new.toml": "5", "configs/a.toml": "8"}
    assert compare_configs(here, there) == ConfigChanges(
        changed=("configs/a.toml", "configs/b.toml"),
        added=("configs/new.toml",),
        removed=("configs/gone.toml",),
    )


@pytest.mark.parametrize(
    "here, there, expected, line",
    [
        pytest.param(
            "1",
            "2",
            ResolvePreview("python-default", PreviewStatus.EXPORT, "24.03 changes 3rdparty/default.lock"),
            "python-default: will be re-exported (24.03 changes 3rdparty/default.lock)",
            id="changed",
        ),
        pytest.param(
            None,
            "2",
            ResolvePreview("python-default", PreviewStatus.EXPORT, "24.03 adds 3rdparty/default.lock"),
            "python-default: will be re-exported (24.03 adds 3rdparty/default.lock)",
            id="added",
        ),
        pytest.param(
            "1",
            "1",
            ResolvePreview("python-default", PreviewStatus.UP_TO_DATE, "same 3rdparty/default.lock"),
            "python-default: up to date (same 3rdparty/default.lock)",
            id="same",
        ),
        pytest.param(
            "1",
            None,
            ResolvePreview("python-default", PreviewStatus.SKIP, "24.03 has no 3rdparty/default.lock"),
            "python-default: will be skipped (24.03 has no 3rdparty/default.lock)",
            id="removed",
        ),
        pytest.param(
            None,
            None,
            ResolvePreview("python-default", PreviewStatus.SKIP, "24.03 has no 3rdparty/default.lock"),
            "python-default: will be skipped (24.03 has no 3rdparty/default.lock)",
            id="on-neither",
        ),
    ],
)
def test_preview_resolve(here: str | None, there: str | None, expected: ResolvePreview, line: str) -> None:
    preview = preview_resolve("python-default", "3rdparty/default.lock", here, there, "24.03")
    assert preview == expected
    assert preview.line() == line


def test_resolve_this_checkout_cannot_tell() -> None:
    preview = ResolvePreview("ruff", PreviewStatus.UNKNOWN, "this checkout defines no resolve `ruff`")
    assert preview.line() == "ruff: cannot tell: this checkout defines no resolve `ruff`"


@pytest.mark.parametrize(
    "lockfile, here, there, exported, line",
    [
        # Why this checkout cannot tell comes first: whatever the lockfiles, the venv or the version.
        pytest.param("a.lock", "1", "2", False, "cannot tell: no interpreter", id="cannot-tell"),
        pytest.param(None, None, None, True, "cannot tell: no interpreter", id="cannot-tell-built-in"),
    ],
)
def test_preview_resolve_cannot_tell(
    lockfile: str | None, here: str | None, there: str | None, exported: bool, line: str
) -> None:
    preview = preview_resolve(
        "beta",
        lockfile,
        here,
        there,
        "24.03",
        exported=exported,
        editable_version="VERSION",
        cannot_tell="no interpreter",
    )
    assert preview == ResolvePreview("beta", PreviewStatus.UNKNOWN, "no interpreter")
    assert preview.line() == f"beta: {line}"


@pytest.mark.parametrize(
    "here, there, editable_version, expected",
    [
        # The same lockfile on both sides: the venv here is re-exported all the same, and that
        # reason comes before the editable version's.
        pytest.param(
            "1", "1", None, (PreviewStatus.EXPORT, "its virtualenv here is not up to date"), id="same"
        ),
        pytest.param(
            "1",
            "1",
            "VERSION",
            (PreviewStatus.EXPORT, "its virtualenv here is not up to date"),
            id="same-editable",
        ),
        # What the branch does to the lockfile comes first.
        pytest.param("1", "2", None, (PreviewStatus.EXPORT, "24.03 changes a.lock"), id="changed"),
        pytest.param(None, "2", None, (PreviewStatus.EXPORT, "24.03 adds a.lock"), id="added"),
        pytest.param("1", None, None, (PreviewStatus.SKIP, "24.03 has no a.lock"), id="removed"),
    ],
)
def test_preview_resolve_not_up_to_date_here(
    here: str | None, there: str | None, editable_version: str | None, expected: tuple
) -> None:
    preview = preview_resolve(
        "alpha", "a.lock", here, there, "24.03", exported=False, editable_version=editable_version
    )
    assert preview == ResolvePreview("alpha", *expected)


@pytest.mark.parametrize(
    "exported, expected",
    [
        pytest.param(
            True, ResolvePreview("ruff", PreviewStatus.UP_TO_DATE, "Pants' built-in lockfile"), id="exported"
        ),
        pytest.param(
            False,
            ResolvePreview("ruff", PreviewStatus.EXPORT, "its virtualenv here is not up to date"),
            id="not-exported",
        ),
    ],
)
def test_preview_resolve_with_a_built_in_lockfile(exported: bool, expected: ResolvePreview) -> None:
    # A tool's lockfile that ships with Pants does not change with the branch; an editable
    # version does not apply to a tool.
    assert (
        preview_resolve("ruff", None, None, None, "24.03", exported=exported, editable_version="VERSION")
        == expected
    )


# ---------------------------------------------------------------------------------------------
# Wording

SAME = graph("a0")
RESOLVES = (
    ResolvePreview("python-default", PreviewStatus.EXPORT, "24.03 changes 3rdparty/python/default.lock"),
    ResolvePreview("mypy", PreviewStatus.UP_TO_DATE, "same 3rdparty/python/mypy.lock"),
    ResolvePreview("python-kernel", PreviewStatus.SKIP, "24.03 has no 3rdparty/python/kernel.lock"),
)
CONFIGS = ConfigChanges(
    changed=("configs/manager/sample.toml",), added=("configs/agent/new.toml",), removed=("configs/old.toml",)
)
NO_CONFIGS = ConfigChanges((), (), ())


def lines(
    migrations: MigrationSwitch | None,
    configs: ConfigChanges = NO_CONFIGS,
    *,
    current: str | None = "main",
    resolves: tuple[ResolvePreview, ...] = RESOLVES[1:2],
    migration_globs: tuple[str, ...] = MIGRATION_GLOBS,
    config_globs: tuple[str, ...] = CONFIG_GLOBS,
    bin_name: str = "pants",
) -> list[str]:
    return preview_lines(
        current,
        "24.03",
        migrations,
        resolves,
        configs,
        bin_name=bin_name,
        migration_globs=migration_globs,
        config_globs=config_globs,
    )


def test_preview_everything() -> None:
    switch = plan_migrations(LINEAR, graph("a0", "b0:a0", "d1:b0"), branch="24.03")
    assert lines(switch, CONFIGS, resolves=RESOLVES, bin_name="./pants") == [
        "Switching from main to 24.03: a preview, nothing was changed.",
        "Database: this checkout has 2 migrations that 24.03 lacks (newest first):",
        f"  c2  {VERSIONS}/c2_x.py",
        f"  c1  {VERSIONS}/c1_x.py",
        "  Run `alembic downgrade b0` now, before the switch, while this checkout has their files.",
        "Database: 24.03 adds 1 migration, to apply after the switch with `alembic upgrade head`:",
        f"  d1  {VERSIONS}/d1_x.py",
        "Virtualenvs:",
        "  python-default: will be re-exported (24.03 changes 3rdparty/python/default.lock)",
        "  mypy: up to date (same 3rdparty/python/mypy.lock)",
        "  python-kernel: will be skipped (24.03 has no 3rdparty/python/kernel.lock)",
        "Configuration samples that differ on 24.03:",
        "  changed  configs/manager/sample.toml",
        "  added    configs/agent/new.toml",
        "  removed  configs/old.toml",
        "Then:",
        "  1. alembic downgrade b0",
        "  2. git switch 24.03",
        "  3. ./pants export-dev",
        "  4. alembic upgrade head",
        "  5. check your local TOML and etcd configuration against the samples above",
    ]


def test_preview_nothing_differs() -> None:
    assert lines(plan_migrations(SAME, SAME), current=None) == [
        "Switching to 24.03: a preview, nothing was changed.",
        f"Database: no migration differs (looked at {VERSIONS}/*.py).",
        "Virtualenvs:",
        "  mypy: up to date (same 3rdparty/python/mypy.lock)",
        "Configuration samples: none differs (looked at configs/**/*.toml).",
        "Then:",
        "  1. git switch 24.03",
        "  2. pants export-dev",
    ]


@pytest.mark.parametrize(
    "migrations, migration_globs, config_globs, expected",
    [
        pytest.param(
            None,
            MIGRATION_GLOBS,
            CONFIG_GLOBS,
            [
                "Database: not compared: the migrations could not be read (see above).",
                "Configuration samples: none differs (looked at configs/**/*.toml).",
            ],
            id="migrations-unreadable",
        ),
        pytest.param(
            MigrationSwitch(),
            (),
            (),
            [
                "Database: not compared (`[export-dev].migrations` is empty).",
                "Configuration samples: not compared (`[export-dev].config_samples` is empty).",
            ],
            id="no-globs",
        ),
    ],
)
def test_preview_not_compared(
    migrations: MigrationSwitch | None,
    migration_globs: tuple[str, ...],
    config_globs: tuple[str, ...],
    expected: list[str],
) -> None:
    assert lines(migrations, resolves=(), migration_globs=migration_globs, config_globs=config_globs) == [
        "Switching from main to 24.03: a preview, nothing was changed.",
        expected[0],
        "Virtualenvs: none to export.",
        expected[1],
        "Then:",
        "  1. git switch 24.03",
        "  2. pants export-dev",
    ]


def test_preview_several_targets_and_only_removals() -> None:
    switch = plan_migrations(HEADS, graph("a", "b:a", "c:a"), branch="24.03")
    assert lines(switch, ConfigChanges((), (), ("configs/old.toml",)))[1:] == [
        "Database: this checkout has 3 migrations that 24.03 lacks (newest first):",
        f"  x  {VERSIONS}/x_x.py",
        f"  y2  {VERSIONS}/y2_x.py",
        f"  y  {VERSIONS}/y_x.py",
        "  Run `alembic downgrade b` and `alembic downgrade c` now, before the switch, while this checkout "
        "has their files.",
        "Virtualenvs:",
        "  mypy: up to date (same 3rdparty/python/mypy.lock)",
        "Configuration samples that differ on 24.03:",
        "  removed  configs/old.toml",
        "Then:",
        "  1. alembic downgrade b",
        "  2. alembic downgrade c",
        "  3. git switch 24.03",
        "  4. pants export-dev",
        "  5. check your local TOML and etcd configuration against the samples above",
    ]


def test_preview_downgrade_by_hand() -> None:
    switch = plan_migrations(PARTLY, graph("a", "b:a", "c:b"), branch="24.03")
    assert lines(switch)[1:] == [
        "Database: this checkout has 2 migrations that 24.03 lacks (newest first):",
        f"  d  {VERSIONS}/d_x.py",
        f"  e  {VERSIONS}/e_x.py",
        "  Run `alembic downgrade c` now, before the switch, while this checkout has their files.",
        "Database problem: `alembic downgrade a` would undo d but also c, b, which 24.03 has too, so it is "
        "not offered: undo d by hand before the switch.",
        "Virtualenvs:",
        "  mypy: up to date (same 3rdparty/python/mypy.lock)",
        "Configuration samples: none differs (looked at configs/**/*.toml).",
        "Then:",
        "  1. alembic downgrade c",
        "  2. undo d by hand (see the database problem above)",
        "  3. git switch 24.03",
        "  4. pants export-dev",
    ]


def test_preview_rewritten_history() -> None:
    switch = plan_migrations(REWRITTEN_HERE, REWRITTEN_THERE, branch="24.03")
    assert lines(switch)[1:6] == [
        "Database: undo 2 migrations of this checkout before the switch (newest first):",
        f"  c  {VERSIONS}/c_x.py  (sits on a rewritten one)",
        f"  b  {VERSIONS}/b_x.py  (rewritten on 24.03)",
        "  Run `alembic downgrade a` now, before the switch, while this checkout has their files.",
        "Database: after the switch, `alembic upgrade head` applies 3 migrations of 24.03 (oldest first):",
    ]
    assert lines(switch)[6:9] == [
        f"  x  {VERSIONS}/x_x.py",
        f"  b  {VERSIONS}/b_x.py  (again)",
        f"  c  {VERSIONS}/c_x.py  (again)",
    ]
    assert lines(switch)[-4:] == [
        "  1. alembic downgrade a",
        "  2. git switch 24.03",
        "  3. pants export-dev",
        "  4. alembic upgrade head",
    ]


def test_preview_problems_only() -> None:
    broken = graph("a", "b:zz")
    assert lines(plan_migrations(broken, dict(broken), branch="24.03"))[1:3] == [
        f"Database problem: b ({VERSIONS}/b_x.py) has down_revision zz, which no migration file here has: no "
        "`alembic` command works in this checkout until it is fixed.",
        f"Database problem: b ({VERSIONS}/b_x.py) has down_revision zz, which no migration file on 24.03 "
        "has: `alembic upgrade head` will fail there until it is fixed.",
    ]


def test_order_follows_the_graph_not_the_ids() -> None:
    # Ids that sort against the graph: z is the oldest, a the newest.
    chain = graph("z", "y:z", "a:y")
    assert plan_migrations({}, chain) == MigrationSwitch(upgrade=pick(chain, "z", "y", "a"))
    assert plan_migrations(chain, {}) == MigrationSwitch(
        downgrade=pick(chain, "a", "y", "z"), targets=("base",)
    )


def test_lists_of_several_are_written_out() -> None:
    here = graph("a", "b:a", "c:b", "d:a", "e:a")
    there = graph("a", "b:a", "c:b")
    switch = plan_migrations(here, there, branch="24.03")
    assert lines(switch, migration_globs=("v/*.py", "w/*.py"), config_globs=("c/*.toml", "d/*.toml")) == [
        "Switching from main to 24.03: a preview, nothing was changed.",
        "Database: this checkout has 2 migrations that 24.03 lacks (newest first):",
        f"  d  {VERSIONS}/d_x.py",
        f"  e  {VERSIONS}/e_x.py",
        "Database problem: `alembic downgrade a` would undo d, e but also c, b, which 24.03 has too, so it is "
        "not offered: undo d, e by hand before the switch.",
        "Virtualenvs:",
        f"  {RESOLVES[1].line()}",
        "Configuration samples: none differs (looked at c/*.toml, d/*.toml).",
        "Then:",
        "  1. undo d, e by hand (see the database problem above)",
        "  2. git switch 24.03",
        "  3. pants export-dev",
    ]
    assert lines(None, migration_globs=(), config_globs=("c/*.toml", "d/*.toml"))[1] == (
        "Database: not compared (`[export-dev].migrations` is empty)."
    )
    nothing = plan_migrations(there, there)
    assert lines(nothing, migration_globs=("v/*.py", "w/*.py"))[1] == (
        "Database: no migration differs (looked at v/*.py, w/*.py)."
    )
