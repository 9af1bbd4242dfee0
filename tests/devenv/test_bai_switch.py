"""The docs' `bai-switch` shell function (docs/bai-switch.sh, shown verbatim in docs/export-dev.md),
run by a real shell on previews that export-dev's own JSON code writes, with `./pants`, `alembic`
and `git` replaced by scripts that log what they are asked to do."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pants_calver.core.devenv.alembic import Migration
from pants_calver.core.devenv.alembic_trees import AlembicTree
from pants_calver.core.devenv.config_copies import check_copy
from pants_calver.core.devenv.migration_steps import plan_migrations
from pants_calver.core.devenv.switch_json import dumps, preview_document, samples_data, tree_data
from pants_calver.core.devenv.switch_report import ConfigChanges
from pants_calver.goals.output import error_document, problem_document

SCRIPT = Path("docs/bai-switch.sh")
DOC = Path("docs/export-dev.md")

# A tool that logs its name and arguments; `./pants export-dev --preview=...` prints the preview.
FAKE = """#!/bin/sh
echo "$(basename "$0") $*" >> "$LOG"
case "$(basename "$0") $1 $2" in
  "pants export-dev --preview="*) cat "$PREVIEW"; exit "$(cat "$PREVIEW.status")" ;;
  alembic*) [ -z "$ALEMBIC_FAILS" ] || exit 1 ;;
esac
"""

B0 = Migration("b0", (), "v/b0.py")
T1 = Migration("t1", ("b0",), "v/t1.py")
A1 = Migration("a1", (), "a/a1.py")


def preview(*trees: tuple[AlembicTree, dict, dict], exit_code: int = 0) -> str:
    copy = check_copy(
        "manager.toml", "configs/manager/halfstack.toml", b"[db]\n", b"[db]\npool-recycle = 50\n", None
    )
    document = preview_document(
        current="topic",
        branch="main",
        trees=[
            tree_data(t, plan_migrations(here, there, branch="main"), (), problem_document)
            for t, here, there in trees
        ],
        resolves=[],
        samples=samples_data(ConfigChanges((), (), ()), ["configs/**/*.toml"]),
        copies=[copy],
        steps=["git switch main", "pants export-dev"],
        problems=[],
        exit_code=exit_code,
    )
    return dumps(document)


MANAGER = AlembicTree("alembic.ini", ("v/*.py",))
APPPROXY = AlembicTree("alembic-appproxy.ini", ("a/*.py",))


def shells() -> list[str]:
    """The shells of `~/.bashrc` and `~/.zshrc` that are here: a name with `-` is not POSIX sh's."""
    return [s for s in ("bash", "zsh") if shutil.which(s)]


def run(
    tmp_path: Path, shell: str, document: str, answer: str = "y", status: int = 0, after: str = "", **env: str
):
    """Run `bai-switch main` in `tmp_path`, then the shell code `after`; the exit code, stderr, and
    the log of the fakes."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("alembic", "git"):
        (bin_dir / tool).write_text(FAKE)
        (bin_dir / tool).chmod(0o755)
    (tmp_path / "pants").write_text(FAKE)
    (tmp_path / "pants").chmod(0o755)
    (tmp_path / "preview.json").write_text(document)
    (tmp_path / "preview.json.status").write_text(str(status))
    log = tmp_path / "log"
    log.write_text("")
    result = subprocess.run(
        [shell, "-c", '. "$1" && bai-switch main' + after, shell, str(SCRIPT.resolve())],
        cwd=tmp_path,
        input=f"{answer}\n",
        capture_output=True,
        text=True,
        env={
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "LOG": str(log),
            "PREVIEW": str(tmp_path / "preview.json"),
            **env,
        },
    )
    return result.returncode, result.stderr, log.read_text().splitlines()


@pytest.mark.parametrize("shell", shells())
def test_downgrades_each_tree_then_switches(tmp_path: Path, shell: str) -> None:
    document = preview((MANAGER, {"b0": B0, "t1": T1}, {"b0": B0}), (APPPROXY, {"a1": A1}, {}))
    code, stderr, log = run(tmp_path, shell, document)
    assert code == 0, stderr
    assert log == [
        "pants export-dev --preview=main --output-format=json",
        "alembic -c alembic.ini downgrade b0",
        "alembic -c alembic-appproxy.ini downgrade base",
        "git switch main",
        "pants export-dev",
    ]
    assert stderr.splitlines()[:4] == [
        "Switching to main:",
        "  1. git switch main",
        "  2. pants export-dev",
        "  manager.toml lacks db.pool-recycle = 50",
    ]


@pytest.mark.parametrize("shell", shells())
def test_stops_when_not_confirmed(tmp_path: Path, shell: str) -> None:
    code, _, log = run(tmp_path, shell, preview((MANAGER, {"b0": B0, "t1": T1}, {"b0": B0})), answer="n")
    assert (code, log) == (1, ["pants export-dev --preview=main --output-format=json"])


@pytest.mark.parametrize("shell", shells())
def test_stops_when_a_downgrade_fails(tmp_path: Path, shell: str) -> None:
    document = preview((MANAGER, {"b0": B0, "t1": T1}, {"b0": B0}), (APPPROXY, {"a1": A1}, {}))
    code, _, log = run(tmp_path, shell, document, ALEMBIC_FAILS="1")
    assert (code, log[1:]) == (1, ["alembic -c alembic.ini downgrade b0"])


@pytest.mark.parametrize("shell", shells())
def test_a_failed_downgrade_returns_to_the_shell(tmp_path: Path, shell: str) -> None:
    # An `exit` in the loop would close the terminal in zsh, which runs a pipe's last part itself.
    document = preview((MANAGER, {"b0": B0, "t1": T1}, {"b0": B0}))
    after = '; code=$?; echo "back in the shell" >> "$LOG"; exit $code'
    code, _, log = run(tmp_path, shell, document, ALEMBIC_FAILS="1", after=after)
    assert (code, log[1:]) == (1, ["alembic -c alembic.ini downgrade b0", "back in the shell"])


@pytest.mark.parametrize("shell", shells())
def test_stops_on_a_downgrade_by_hand(tmp_path: Path, shell: str) -> None:
    # Undoing t1 (`alembic downgrade b0`) would undo m1 too, which main has: no command is offered.
    m1 = Migration("m1", ("b0",), "v/m1.py")
    document = preview((MANAGER, {"b0": B0, "t1": T1, "m1": m1}, {"b0": B0, "m1": m1}))
    assert json.loads(document)["alembic_trees"][0]["by_hand"]
    code, stderr, log = run(tmp_path, shell, document)
    assert (code, len(log)) == (1, 1)
    assert stderr.splitlines()[-1] == "bai-switch: undo those migrations by hand first."


@pytest.mark.parametrize("shell", shells())
def test_stops_on_an_error_document(tmp_path: Path, shell: str) -> None:
    message = "--preview: git knows no branch, tag or commit `main`: check the name, or fetch it first."
    code, stderr, log = run(tmp_path, shell, error_document("ref-invalid", message), status=1)
    assert (code, len(log)) == (1, 1)
    assert stderr.splitlines() == [f"bai-switch: {message}"]


@pytest.mark.parametrize("shell", shells())
def test_stops_when_export_dev_prints_no_json(tmp_path: Path, shell: str) -> None:
    # As when run outside the repo's root: Pants says why on stderr, and prints nothing on stdout.
    code, stderr, log = run(tmp_path, shell, "", status=1)
    assert (code, len(log)) == (1, 1)
    assert stderr.splitlines() == [
        "bai-switch: export-dev printed no JSON (see above); run it from the repo root."
    ]


@pytest.mark.parametrize("shell", shells())
def test_stops_on_a_failed_preview(tmp_path: Path, shell: str) -> None:
    document = preview((MANAGER, {"b0": B0, "t1": T1}, {"b0": B0}), exit_code=1)
    code, stderr, log = run(tmp_path, shell, document, status=1)
    assert (code, len(log)) == (1, 1)
    assert stderr.splitlines()[-1] == "bai-switch: the preview failed (see above)."


def test_the_doc_shows_the_script_verbatim() -> None:
    shown = re.search(
        r"<!-- included from docs/bai-switch.sh -->\n```sh\n(.*?)```\n", DOC.read_text(), re.DOTALL
    )
    assert shown and shown.group(1) == SCRIPT.read_text()
