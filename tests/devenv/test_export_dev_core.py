from __future__ import annotations

from typing import Optional

import pytest

from pants_calver.core.devenv.alembic import (
    MIGRATION_UNREADABLE,
    REVISION_TWICE,
    Migration,
    compare_migrations,
    index_migrations,
    parse_migration,
    read_migrations,
)
from pants_calver.core.devenv.migration_steps import plan_migrations
from pants_calver.core.errors import InputFileError
from pants_calver.core.devenv.export_record import (
    DevRecord,
    Outcome,
    ResolveInputs,
    ResolveOutcome,
    ResolveRecord,
    failure_reason,
    interpreter_failure,
    is_up_to_date,
    sha256_hex,
)
from pants_calver.core.devenv.switch_report import compare_configs, report_lines
from pants_calver.core.problems import Problem

INPUTS = ResolveInputs(
    lockfile_sha256="abc",
    interpreter_constraints=("CPython==3.9.*",),
    pants_version="2.17.1",
    export_format="mutable_virtualenv",
)
RECORD = ResolveRecord(INPUTS, "python/virtualenvs/a/3.9.18", "1:2")


@pytest.mark.parametrize(
    "chunks, digest",
    [
        # Each chunk's length as 8 big-endian bytes, then the chunk; digests computed outside Python:
        # printf '\0\0\0\0\0\0\0\x02ab\0\0\0\0\0\0\0\x01c' | sha256sum
        pytest.param(
            (b"ab", b"c"),
            "601d5476e2ccfe2c87a2bba7a322659734a05749d5b5aa781f513e4912db0d5f",
            id="two-chunks",
        ),
        # printf '\0\0\0\0\0\0\0\x01a\0\0\0\0\0\0\0\x02bc' | sha256sum
        pytest.param(
            (b"a", b"bc"),
            "3fafa1cf2f19a7c1129beb20cf0983f73a489a221fc0dd2f16d1be292d089205",
            id="same-bytes-cut-elsewhere",
        ),
        # printf '' | sha256sum: no chunk, nothing hashed.
        pytest.param((), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", id="none"),
    ],
)
def test_sha256_hex_frames_each_chunk(chunks: tuple[bytes, ...], digest: str) -> None:
    assert sha256_hex(*chunks) == digest


@pytest.mark.parametrize(
    "record, inputs, venv_id, expected",
    [
        pytest.param(RECORD, INPUTS, "1:2", True, id="same-inputs-same-venv"),
        pytest.param(None, INPUTS, "1:2", False, id="nothing-recorded"),
        pytest.param(RECORD, INPUTS, None, False, id="venv-gone"),
        pytest.param(RECORD, INPUTS, "3:4", False, id="venv-replaced"),
        pytest.param(
            RECORD,
            ResolveInputs("def", ("CPython==3.9.*",), "2.17.1", "mutable_virtualenv"),
            "1:2",
            False,
            id="lockfile-changed",
        ),
        pytest.param(
            RECORD,
            ResolveInputs("abc", ("CPython==3.10.*",), "2.17.1", "mutable_virtualenv"),
            "1:2",
            False,
            id="interpreter-constraints-changed",
        ),
        pytest.param(
            RECORD,
            ResolveInputs("abc", ("CPython==3.9.*",), "2.17.0", "mutable_virtualenv"),
            "1:2",
            False,
            id="pants-version-changed",
        ),
        pytest.param(
            RECORD,
            ResolveInputs("abc", ("CPython==3.9.*",), "2.17.1", "symlinked_immutable_virtualenv"),
            "1:2",
            False,
            id="format-changed",
        ),
    ],
)
def test_is_up_to_date(
    record: ResolveRecord | None,
    inputs: ResolveInputs,
    venv_id: str | None,
    expected: bool,
) -> None:
    assert is_up_to_date(record, inputs, venv_id) is expected


@pytest.mark.parametrize(
    "outcome, line",
    [
        pytest.param(ResolveOutcome("a", Outcome.UP_TO_DATE), "a: up to date", id="plain"),
        pytest.param(
            ResolveOutcome("a", Outcome.EXPORTED, "wrote x"),
            "a: exported (wrote x)",
            id="detail",
        ),
        pytest.param(
            ResolveOutcome("a", Outcome.SKIPPED, "not here"),
            "a: skipped: not here",
            id="skipped",
        ),
        pytest.param(ResolveOutcome("a", Outcome.FAILED, "boom"), "a: failed: boom", id="failed"),
    ],
)
def test_outcome_line(outcome: ResolveOutcome, line: str) -> None:
    assert outcome.line() == line


def test_failure_reason_shortens() -> None:
    assert failure_reason("\n\nfirst\n\nsecond\n") == "first\n    second"
    assert failure_reason("") == "unknown error"
    long = "\n".join(f"l{i}" for i in range(20))
    assert failure_reason(long, max_lines=3) == "l0\n    ... (17 lines left out)\n    l18\n    l19"


# What Pants 2.17.1 raises when pex finds no interpreter (`ProcessExecutionFailure`), as seen here
# for `CPython==3.11.6` with 3.11.7 installed: its message, and pex's stderr (shortened).
NO_INTERPRETER_STDERR = """Could not find a compatible interpreter.

Examined the following working interpreters:
1.)   /root/.pyenv/versions/3.9.18/bin/python3.9 CPython==3.9.18
2.)  /root/.pyenv/versions/3.11.7/bin/python3.11 CPython==3.11.7

No working interpreter compatible with the requested constraints was found:

  Version matches CPython==3.11.6
"""
NO_INTERPRETER = (
    "Process 'Find interpreter for constraints: CPython==3.11.6' failed with exit code 102.\nstdout:\n\n"
    f"stderr:\n{NO_INTERPRETER_STDERR}\n\nUse `--keep-sandboxes=on_failure` to preserve the process "
    "chroot for inspection."
)


@pytest.mark.parametrize(
    "message, stderr, constraints, reason",
    [
        pytest.param(
            NO_INTERPRETER,
            NO_INTERPRETER_STDERR,
            "CPython==3.11.6",
            "Could not find a compatible interpreter (Process 'Find interpreter for constraints: "
            "CPython==3.11.6' failed with exit code 102). Install a Python that matches CPython==3.11.6 "
            "where `[python-bootstrap].search_path` looks, or change the interpreter constraints of `beta`.",
            id="pex-finds-none",
        ),
        pytest.param(
            "\nProcess 'x' failed with exit code 1.\n",
            "\n \n",
            "",
            "Process 'x' failed with exit code 1. Install a Python that matches its interpreter constraints "
            "where `[python-bootstrap].search_path` looks, or change the interpreter constraints of `beta`.",
            id="nothing-said",
        ),
        pytest.param(
            "",
            "boom.\nmore",
            "CPython>=3.8 OR PyPy",
            "boom (the interpreter search failed). Install a Python that matches CPython>=3.8 OR PyPy "
            "where `[python-bootstrap].search_path` looks, or change the interpreter constraints of `beta`.",
            id="no-message",
        ),
    ],
)
def test_interpreter_failure_is_one_line(message: str, stderr: str, constraints: str, reason: str) -> None:
    assert interpreter_failure(message, stderr, constraints, "beta") == reason


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(
            'revision = "b2"\ndown_revision = "a1"\n',
            Migration("b2", ("a1",), "v.py"),
            id="plain",
        ),
        pytest.param(
            "revision = 'a1'\ndown_revision = None\n",
            Migration("a1", (), "v.py"),
            id="first",
        ),
        pytest.param(
            'revision: str = "m"\ndown_revision: Union[str, None] = ("a", "b")\n',
            Migration("m", ("a", "b"), "v.py"),
            id="annotated-merge",
        ),
        pytest.param("", None, id="empty-init"),
    ],
)
def test_parse_migration(text: str, expected: Migration | None) -> None:
    assert parse_migration("v.py", text) == expected


FIX_REVISION = "Alembic revision files must set it to a literal value."


@pytest.mark.parametrize(
    "text, line, message",
    [
        pytest.param(
            "revision = (\n",
            1,
            "v.py:1: is not valid Python (unexpected EOF while parsing). Fix the migration file.",
            id="syntax",
        ),
        pytest.param(
            'down_revision = "a"\n',
            None,
            'v.py: sets `down_revision` but no `revision`. Add `revision = "<id>"` as Alembic generates it.',
            id="no-rev",
        ),
        pytest.param(
            "x = 1\nrevision = make()\n",
            2,
            f"v.py:2: `revision` is not a literal string, tuple of strings or None. {FIX_REVISION}",
            id="call",
        ),
        pytest.param(
            "revision = 3\n",
            1,
            f"v.py:1: `revision` is 3, not a string, tuple of strings or None. {FIX_REVISION}",
            id="int",
        ),
        pytest.param(
            'revision = ("a", "b")\n',
            1,
            'v.py:1: `revision` must be one string. Set `revision = "<id>"`.',
            id="merge-as-revision",
        ),
    ],
)
def test_parse_migration_problems_name_the_file(text: str, line: int | None, message: str) -> None:
    problem = parse_migration("v.py", text)
    assert isinstance(problem, Problem)
    assert (problem.path, problem.line, problem.code) == ("v.py", line or 0, MIGRATION_UNREADABLE)
    assert problem.text() == message


def test_index_migrations_rejects_duplicate_revisions() -> None:
    problem = index_migrations([Migration("x", (), "a.py"), Migration("x", (), "b.py")])
    assert isinstance(problem, Problem)
    assert problem == Problem(
        "b.py", 0, REVISION_TWICE, "has revision 'x', which a.py has too. Give one of them a new revision id."
    )
    assert problem.text() == "b.py: has revision 'x', which a.py has too. Give one of them a new revision id."


def _chain(*revs: str) -> dict[str, Migration]:
    out: dict[str, Migration] = {}
    parent: tuple[str, ...] = ()
    for rev in revs:
        out[rev] = Migration(rev, parent, f"{rev}.py")
        parent = (rev,)
    return out


def test_compare_migrations_added_in_order() -> None:
    changes = compare_migrations(_chain("a", "z"), _chain("a", "z", "c", "b"))
    assert [m.revision for m in changes.added] == ["c", "b"]
    assert changes.removed == ()


def test_compare_migrations_removed_names_downgrade_target() -> None:
    changes = compare_migrations(_chain("a", "b", "c"), _chain("a"))
    assert [m.revision for m in changes.removed] == ["b", "c"]
    assert plan_migrations(_chain("a", "b", "c"), _chain("a")).targets == ("a",)


def test_compare_migrations_removed_from_base() -> None:
    assert [m.revision for m in compare_migrations(_chain("a"), {}).removed] == ["a"]
    assert plan_migrations(_chain("a"), {}).targets == ("base",)


def test_compare_configs() -> None:
    changes = compare_configs({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "x", "d": "4"})
    assert (changes.changed, changes.added, changes.removed) == (("b",), ("d",), ("c",))
    assert not compare_configs({"a": "1"}, {"a": "1"})


def test_record_round_trip() -> None:
    record = DevRecord({"a": RECORD}, _chain("a", "b"), {"configs/x.toml": "h"})
    assert DevRecord.from_json_bytes(record.to_json_bytes(), "r.json") == record
    empty = DevRecord.empty()
    assert DevRecord.from_json_bytes(empty.to_json_bytes(), "r.json") == empty


@pytest.mark.parametrize(
    "content, problem",
    [
        pytest.param(
            b"{",
            "is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1)).",
            id="json",
        ),
        pytest.param(b'{"version": 99}', "is not an export-dev record of version 1.", id="version"),
        pytest.param(b"[]", "is not an export-dev record of version 1.", id="not-an-object"),
        pytest.param(b'{"version": 1}', "is missing or mangles a field (KeyError('resolves')).", id="fields"),
    ],
)
def test_damaged_record_names_the_file(content: bytes, problem: str) -> None:
    with pytest.raises(InputFileError) as e:
        DevRecord.from_json_bytes(content, "r.json")
    assert str(e.value) == (
        f"r.json: {problem} Delete it (the next run re-exports everything and records afresh)."
    )


def _report(recorded: DevRecord, migrations: Optional[dict], configs: dict) -> list[str]:
    return report_lines(
        recorded,
        migrations,
        configs,
        migration_globs=["m/*.py"],
        config_globs=["c/*.toml"],
    )


def test_report_first_run() -> None:
    assert _report(DevRecord.empty(), _chain("a"), {}) == [
        "First export-dev run here: nothing was recorded before, so there is nothing to compare. "
        "Recorded 1 migration and 0 configuration samples for the next run."
    ]


def test_report_nothing_changed() -> None:
    recorded = DevRecord({}, _chain("a"), {"c/x.toml": "1"})
    assert _report(recorded, _chain("a"), {"c/x.toml": "1"}) == [
        "No database migration or configuration sample changed since the last export-dev "
        "(looked at m/*.py, c/*.toml)."
    ]


def test_report_everything() -> None:
    recorded = DevRecord({}, _chain("a", "b", "c"), {"c/x.toml": "1", "c/gone.toml": "2"})
    current = {**_chain("a"), "d": Migration("d", ("a",), "d.py")}
    assert _report(recorded, current, {"c/x.toml": "9", "c/new.toml": "3"}) == [
        "New database migrations since the last export-dev (1):",
        "  d  d.py",
        "  Run `alembic upgrade head` to apply them.",
        "Database migrations recorded at the last export-dev are gone from this branch (2):",
        "  b  b.py",
        "  c  c.py",
        "  The database may be ahead of this branch. Before switching here, run "
        "`alembic downgrade a` on the branch that has them (the `alembic downgrade` step of the "
        "development setup): switch back, downgrade, then switch here again.",
        "Configuration samples changed since the last export-dev:",
        "  changed  c/x.toml",
        "  added    c/new.toml",
        "  removed  c/gone.toml",
        "  Check your local TOML configuration and etcd configuration against them.",
    ]


def test_report_never_advises_a_downgrade_that_undoes_this_branch() -> None:
    # Recorded: b and c both on a; this branch keeps c. `alembic downgrade a` would undo c too.
    a, b, c = Migration("a", (), "a.py"), Migration("b", ("a",), "b.py"), Migration("c", ("a",), "c.py")
    recorded = DevRecord({}, {"a": a, "b": b, "c": c}, {})
    assert _report(recorded, {"a": a, "c": c}, {}) == [
        "Database migrations recorded at the last export-dev are gone from this branch (1):",
        "  b  b.py",
        "  No `alembic downgrade` undoes b without undoing revisions this branch has too: switch back "
        "and undo them by hand, then switch here again.",
    ]


def test_report_unreadable_migrations_still_compares_configs() -> None:
    recorded = DevRecord({}, _chain("a"), {"c/x.toml": "1"})
    assert _report(recorded, None, {"c/x.toml": "2"}) == [
        "Configuration samples changed since the last export-dev:",
        "  changed  c/x.toml",
        "  Check your local TOML configuration and etcd configuration against them.",
    ]
    assert _report(recorded, None, {"c/x.toml": "1"}) == [
        "No configuration sample changed since the last export-dev (looked at c/*.toml)."
    ]


def test_report_migrations_first_readable() -> None:
    recorded = DevRecord({}, None, {})
    assert _report(recorded, _chain("a", "b"), {}) == [
        "No migrations were recorded before (they could not be read then): recorded 2 "
        "migrations for the next run."
    ]
    assert _report(DevRecord.empty(), None, {}) == [
        "First export-dev run here: nothing was recorded before, so there is nothing to compare. "
        "Recorded 0 configuration samples for the next run."
    ]


def test_resolve_inputs_json_names_every_field() -> None:
    inputs = ResolveInputs(
        lockfile_sha256="abc",
        interpreter_constraints=("CPython==3.9.*",),
        pants_version="2.17.1",
        export_format="mutable_virtualenv",
        editable=True,
        interpreter="3.9.18 (sha256 0123456789abcdef)",
        editable_dists=("backend.ai-common 23.09.6",),
    )
    assert inputs.to_json() == {
        "lockfile_sha256": "abc",
        "interpreter_constraints": ["CPython==3.9.*"],
        "pants_version": "2.17.1",
        "export_format": "mutable_virtualenv",
        "editable": True,
        "interpreter": "3.9.18 (sha256 0123456789abcdef)",
        "editable_dists": ["backend.ai-common 23.09.6"],
    }
    assert ResolveInputs.from_json(inputs.to_json()) == inputs


def test_resolve_inputs_of_an_older_record() -> None:
    # A record from before the interpreter and editable distributions were recorded: read with
    # empty values, which no export has, so that each resolve is exported once more.
    older = {
        "lockfile_sha256": "abc",
        "interpreter_constraints": ["CPython==3.9.*"],
        "pants_version": "2.17.1",
        "export_format": "mutable_virtualenv",
    }
    assert ResolveInputs.from_json(older) == INPUTS
    assert (INPUTS.editable, INPUTS.interpreter, INPUTS.editable_dists) == (False, "", ())


@pytest.mark.parametrize(
    "files, migrations, errors",
    [
        pytest.param(
            [
                ("v/a.py", b'revision = "a"\ndown_revision = None\n'),
                ("v/__init__.py", b""),
                ("v/b.py", b'revision = "b"\ndown_revision = "a"\n'),
            ],
            {"a": Migration("a", (), "v/a.py"), "b": Migration("b", ("a",), "v/b.py")},
            (),
            id="skips-files-that-set-neither",
        ),
        pytest.param(
            [
                ("v/a.py", b'revision = "a"\n'),
                ("v/x.py", b"revision = (\n"),
                ("v/y.py", b'down_revision = "a"\n'),
            ],
            None,
            (
                "v/x.py:1: is not valid Python (unexpected EOF while parsing). Fix the migration file.",
                'v/y.py: sets `down_revision` but no `revision`. Add `revision = "<id>"` as Alembic generates it.',
            ),
            id="one-problem-per-unreadable-file",
        ),
        pytest.param(
            [("v/a.py", b'revision = "a"\n'), ("v/b.py", b'revision = "a"\n')],
            None,
            ("v/b.py: has revision 'a', which v/a.py has too. Give one of them a new revision id.",),
            id="a-clash-once-every-file-reads",
        ),
        pytest.param(
            [("v/a.py", b'revision = "caf\xe9"\n')],
            {"caf\ufffd": Migration("caf\ufffd", (), "v/a.py")},
            (),
            id="undecodable-bytes-replaced",
        ),
    ],
)
def test_read_migrations(files: list, migrations: dict | None, errors: tuple) -> None:
    read, problems = read_migrations(files)
    assert (read, tuple(p.text() for p in problems)) == (migrations, errors)
