"""export-dev's RuleRunner, as its RuleRunner tests use it: every export-dev rule is the real one.

Building a real venv needs PyPI and takes seconds per resolve; the real-Pants tests in
test_export_dev_integration.py do that. Here only the Pants rule one layer below export-dev is
replaced: `_ExportVenvForResolveRequest` -> `MaybeExportResult` (Pants' private
`export_virtualenv_for_resolve`) returns a tiny `ExportResult` of the same shape as Pants' own, so
that export-dev's own code (its inputs, its handling of failed exports, the up-to-date checks, the
way it writes and replaces venvs, the record and the report) runs for real, quickly and exactly.
The interpreter lookup and the list of editable distributions (which need Pants' Python backend)
are replaced as well.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Mapping, Sequence

from pants.backend.python.goals import export as python_export
from pants.backend.python.goals.export import (
    MaybeExportResult,
    PythonResolveExportFormat,
    _ExportVenvForResolveRequest,
)
from pants.backend.python.lint.black import subsystem as black_subsystem
from pants.backend.python.subsystems.setup import PythonSetup
from pants.base.build_root import BuildRoot
from pants.core.goals import export as core_export
from pants.core.goals.export import ExportError, ExportResult, ExportSubsystem, PostProcessingCommand
from pants.core.target_types import LockfilesGeneratorTarget, LockfileTarget
from pants.core.util_rules import distdir
from pants.engine.fs import CreateDigest, Digest, DigestContents, FileContent, PathGlobs
from pants.engine.process import ProcessExecutionFailure
from pants.engine.rules import Get, rule
from pants.option.global_options import KeepSandboxes
from pants.testutil.rule_runner import RuleRunner, mock_console

from pants_calver.engine.devenv import resolve_inputs
from pants_calver.engine.devenv.resolve_inputs import (
    EditableDists,
    EditableDistsRequest,
    Interpreter,
    InterpreterRequest,
)
from pants_calver.goals import export_dev
from pants_calver.goals.export_dev import ExportDev

LOCK = "// a lockfile\n{}\n"
PY = "3.9.0"

# A lockfile with this line fails to build: the fake export raises an error as long as a failed
# pex run's, to pin how it is shortened.
BROKEN = "{ not json\n"


def broken_error(resolve: str) -> str:
    lines = [f"Process 'Build pex for resolve `{resolve}`' failed with exit code 1."]
    return "\n".join([*lines, *(f"stderr line {i}" for i in range(1, 11))]) + "\n"


# A shell script that records what is at the venv's final place while the new venv is being
# built: its entries, or that there is nothing there.
PROBE = 'if [ -e "$1" ]; then ls -A "$1/"; else echo "(nothing)"; fi > "$2"'
# A post-processing command that prints, as `pex venv` may, for the resolve named `noisy`.
NOISE = {"noisy": (PostProcessingCommand(["echo", "noise from a post-processing command"]),)}


@rule
async def fake_export_venv_for_resolve(
    request: _ExportVenvForResolveRequest,
    build_root: BuildRoot,
    export_subsys: ExportSubsystem,
    python_setup: PythonSetup,
) -> MaybeExportResult:
    """Stand-in for Pants' `export_virtualenv_for_resolve`, shaped like Pants 2.17.1's `do_export`.

    A resolve whose lockfile holds BROKEN raises, as a failed pex build does, before anything is
    written; `unexported` gives no result, as Pants does for a name it does not know; `post-fails`
    fails in post-processing, as a failed `pex venv` does. Every export first runs PROBE into
    `probe-<resolve>` in the build root.
    """
    resolve = request.resolve
    lockfile = python_setup.resolves.get(resolve)
    if lockfile:
        (content,) = await Get(DigestContents, PathGlobs([lockfile]))
        if BROKEN in content.content.decode():
            raise ExportError(broken_error(resolve))
    if resolve == "unexported":
        return MaybeExportResult(None)
    # Pants names the place after the interpreter's full version (`fake_find_interpreter`'s).
    versions = await Get(DigestContents, PathGlobs(["python-version"]))
    py = versions[0].content.decode().strip() if versions else PY
    reldir = f"python/virtualenvs/{resolve}/{py}"
    probe = PostProcessingCommand(
        [
            "sh",
            "-c",
            PROBE,
            "sh",
            f"{build_root.path}/dist/export/{reldir}",
            f"{build_root.path}/probe-{resolve}",
        ]
    )
    if export_subsys.options.py_resolve_format == PythonResolveExportFormat.symlinked_immutable_virtualenv:
        # Pants links `{digest_root}` to a venv in its named cache; this cache is in the build root.
        target = f"{build_root.path}/venv-cache/{resolve}"
        result = ExportResult(
            f"symlink to immutable virtualenv for {resolve} (using Python {py})",
            reldir,
            post_processing_cmds=[
                probe,
                PostProcessingCommand(["mkdir", "-p", target]),
                PostProcessingCommand(["touch", f"{target}/new-file"]),
                PostProcessingCommand(["rmdir", "{digest_root}"]),
                PostProcessingCommand(["ln", "-s", target, "{digest_root}"]),
            ],
            resolve=resolve,
        )
        return MaybeExportResult(result)
    digest = await Get(Digest, CreateDigest([FileContent("marker", b"new")]))
    last = ["false"] if resolve == "post-fails" else ["touch", "{digest_root}/post"]
    result = ExportResult(
        f"mutable virtualenv for {resolve} (using Python {py})",
        reldir,
        digest=digest,
        post_processing_cmds=[probe, *NOISE.get(resolve, ()), PostProcessingCommand(last)],
        resolve=resolve,
    )
    return MaybeExportResult(result)


# Constraints that no interpreter here matches, for `fake_find_interpreter`.
MISSING = "CPython==3.11.6"


@rule
async def fake_find_interpreter(request: InterpreterRequest) -> Interpreter:
    """Stand-in for the interpreter lookup (which runs pex): the version in `python-version` in the
    build root, if there is one, so that a test can upgrade the interpreter between runs. For
    MISSING it fails as Pants 2.17.1's lookup does when pex finds no interpreter."""
    if request.constraints == (MISSING,):
        raise ProcessExecutionFailure(
            102,
            b"",
            b"Could not find a compatible interpreter.\n\nExamined the following working interpreters:\n"
            b"1.) /usr/bin/python3.11 CPython==3.11.7\n",
            f"Find interpreter for constraints: {MISSING}",
            keep_sandboxes=KeepSandboxes.never,
        )
    contents = await Get(DigestContents, PathGlobs(["python-version"]))
    version = contents[0].content.decode().strip() if contents else PY
    return Interpreter(version, hashlib.sha256(version.encode()).hexdigest())


@rule
async def fake_editable_dists(request: EditableDistsRequest) -> EditableDists:
    """Stand-in for the distributions of a resolve: one line per line of `dists-<resolve>`."""
    contents = await Get(DigestContents, PathGlobs([f"dists-{request.resolve}"]))
    return EditableDists(tuple(contents[0].content.decode().splitlines()) if contents else ())


# The rules that need Pants' Python backend (pex, dependency inference), replaced by the fakes.
REPLACED = (resolve_inputs.find_interpreter, resolve_inputs.editable_dists)


def export_dev_rule_runner() -> RuleRunner:
    """The goal's rules with the fakes above, and a real Python tool."""
    return RuleRunner(
        # The targets Pants makes for `[python].resolves`, which black's rules look at.
        target_types=[LockfileTarget, LockfilesGeneratorTarget],
        rules=[
            *(r for r in export_dev.rules() if getattr(r, "func", None) not in REPLACED),
            fake_export_venv_for_resolve,
            fake_find_interpreter,
            fake_editable_dists,
            # A real Python tool, to export as a tool resolve: its own export rule and subsystem.
            *black_subsystem.rules(),
            *PythonSetup.rules(),
            *core_export.ExportSubsystem.rules(),
            core_export.Export.subsystem_cls.register_plugin_options(python_export.ExportPluginOptions),
            *distdir.rules(),
        ],
    )


RESOLVES = {
    "alpha": "alpha.lock",
    "beta": "beta.lock",
    "post-fails": "alpha.lock",
    "broken": "broken.lock",
    "unexported": "alpha.lock",
}
SYMLINKED = "--export-py-resolve-format=symlinked_immutable_virtualenv"


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str
    # What was logged (warnings), as the user's terminal shows it.
    log: str
    # What the post-processing commands printed to the terminal's stdout.
    terminal_stdout: str = ""


def run(
    rule_runner: RuleRunner,
    *args: str,
    resolves: Mapping[str, str] = RESOLVES,
    config_samples: Sequence[str] | None = ("configs/*.toml",),
    migrations: Sequence[str] | None = ("versions/*.py",),
) -> Run:
    """Run the goal; `config_samples` or `migrations` None leaves that `[export-dev]` option at its
    default."""
    samples = [] if config_samples is None else [f"--export-dev-config-samples={list(config_samples)!r}"]
    samples += [] if migrations is None else [f"--export-dev-migrations={list(migrations)!r}"]
    # Post-processing commands are `InteractiveProcess`es, which need real stdio handles.
    with mock_console(rule_runner.options_bootstrapper) as (_, stdio):
        result = rule_runner.run_goal_rule(
            ExportDev,
            global_args=[
                "--python-enable-resolves",
                f"--python-resolves={json.dumps(dict(resolves))}",
                "--python-interpreter-constraints=['CPython==3.9.*']",
                *samples,
            ],
            args=args,
            env_inherit={"PATH"},
        )
        return Run(result.exit_code, result.stdout, result.stderr, stdio.get_stderr(), stdio.get_stdout())


# Backend.AI's configuration samples beside its TOML ones (`configs/` of 23.09 to 24.09 and of its
# main branch), and files there that are not configuration samples.
BACKEND_AI_SAMPLES = {
    "configs/manager/sample.toml": "[db]\n",
    "configs/manager/sample.etcd.config.json": "{}\n",
    "configs/manager/sample.etcd.volumes.json": "{}\n",
    "configs/manager/halfstack.alembic.ini": "[alembic]\n",
    "configs/webserver/halfstack.conf": "[service]\n",
    "configs/webserver/sample.conf": "[service]\n",
    "configs/redis/haproxy.cfg": "global\n",
    "configs/prometheus/prometheus.yaml": "global: {}\n",
    "configs/traefik/traefik.halfstack.yml": "entryPoints: {}\n",
}
NOT_SAMPLES = {
    "configs/storage-proxy/ssl/manager-api-selfsigned.key.pem": "key\n",
    "configs/systemd/backendai-manager.service": "[Unit]\n",
    "configs/graphql/README.md": "# GraphQL\n",
}
