"""This repo's own release metadata: a `python_distribution` takes its version from its version file.

The version file beside the distribution's BUILD file (`[calver].package_version_file`, a link to the
root VERSION) is what `check-version-sync` checks and `bump-version` moves, so the wheel is built
with exactly the version those goals see, in normalized form (`27.03.0.dev0` → `27.3.0.dev0`).
"""

from __future__ import annotations

import posixpath

from pants.backend.python.util_rules.package_dists import SetupKwargs, SetupKwargsRequest
from pants.engine.fs import DigestContents, PathGlobs
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import Target
from pants.engine.unions import UnionRule
from pants.option.global_options import GlobMatchErrorBehavior

from pants_calver.core.errors import VersionError
from pants_calver.core.versions.version import CalVersion, VersionFile
from pants_calver.engine.subsystem import CalverSubsystem


class VersionFileSetupKwargsRequest(SetupKwargsRequest):
    @classmethod
    def is_applicable(cls, target: Target) -> bool:
        return True


@rule(desc="Read a distribution's version from its version file")
async def setup_kwargs_from_version_file(
    request: VersionFileSetupKwargsRequest, calver: CalverSubsystem
) -> SetupKwargs:
    path = posixpath.join(request.target.address.spec_path, calver.package_version_file)
    contents = await Get(
        DigestContents,
        PathGlobs(
            [path],
            glob_match_error_behavior=GlobMatchErrorBehavior.error,
            description_of_origin=f"the version file of {request.target.address}",
        ),
    )
    try:
        version = CalVersion.parse(VersionFile.decode(contents[0].content).text)
    except VersionError as e:
        raise VersionError(f"{path}: {e.message}") from None
    return SetupKwargs(
        {**request.explicit_kwargs, "version": version.normalized()}, address=request.target.address
    )


def rules():
    return [*collect_rules(), UnionRule(SetupKwargsRequest, VersionFileSetupKwargsRequest)]
