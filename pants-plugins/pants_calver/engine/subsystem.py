"""`[calver]`: the repo-wide settings that every release goal of this plugin reads."""

from __future__ import annotations

from typing import Any

from pants.option.option_types import BoolOption, DictOption, IntListOption, StrListOption, StrOption
from pants.option.subsystem import Subsystem
from pants.util.strutil import softwrap

from pants_calver.core.errors import SettingError
from pants_calver.core.repo_paths import check_globs, check_path
from pants_calver.core.versions import source_specs
from pants_calver.core.versions.source_specs import SourceSpec
from pants_calver.core.versions.version import Scheme


class CalverSubsystem(Subsystem):
    options_scope = "calver"
    help = softwrap(
        """
        Describe the mono-repo's version scheme, for `check-version-sync` and `bump-version`.

        The repo keeps one version file at its root. Every `python_distribution` shares that
        version, except the `[calver].independent` ones, and every first-party pin is written in
        normalized form.
        """
    )

    version_file = StrOption(
        default="VERSION",
        help="The path, from the build root, of the file holding the repo's version in display form.",
    )
    package_version_file = StrOption(
        default="VERSION",
        help=softwrap(
            """
            The name of the version file in a `python_distribution`'s directory (a regular file
            or a symlink to the root version file). Such a file must hold the same version as
            `[calver].version_file`, unless the distribution is in `[calver].independent`.
            """
        ),
    )
    pad_minor = BoolOption(
        default=True,
        help=softwrap(
            """
            Write the minor part zero-padded to two digits in the version file (`23.09.6`).
            Pins are always written normalized (`23.9.6`).
            """
        ),
    )
    independent = StrListOption(
        default=["backend.ai-client"],
        help=softwrap(
            """
            Distributions that keep their own version, such as a client SDK. Their version files
            and exact pins are not compared with the repo's version, but pins on them must still
            be written in normalized form. Names match after PEP 503 normalization.
            """
        ),
    )
    release_months = IntListOption(
        default=[3, 9],
        help=softwrap(
            """
            The months of the calendar release cycle: after branch `x.y` is cut, main moves to the
            next listed month (`23.09` → `24.03.0.dev0`). An empty list means a sequential cycle,
            where `x.y` is followed by `x.(y+1)`.
            """
        ),
    )
    extra_requirement_globs = StrListOption(
        default=[],
        help=softwrap(
            """
            Globs of further requirements.txt-style files to search for first-party pins, beyond
            the sources of `python_requirements` targets, `python_requirement` targets in BUILD
            files, and every `pyproject.toml` and `setup.cfg`.
            """
        ),
    )

    version_sources = DictOption[Any](
        default={},
        help=softwrap(
            """
            Further files that hold the version, each checked by `check-version-sync` and
            rewritten by `bump-version` like the pins: a path or glob from the build root, mapped
            to a table with `pattern`/`patterns` (text with placeholders: `{display}`,
            `{normalized}`, `{branch}`, `{major}`, `{minor}`, `{patch}`, `{pre}`, `{dev}`) or
            `key`/`keys` (a dotted key path in a TOML, YAML or JSON file, whose value is
            `value`, `{normalized}` by default; `format` when the file name does not tell), and
            `distribution` (an independent distribution whose version it follows). E.g.
            `{"charts/app/Chart.yaml": {"keys": ["version", "appVersion"]}, "Dockerfile":
            {"pattern": "ARG VERSION={normalized}"}}`. See docs/version-sources.md.
            """
        ),
    )

    def sources(self) -> tuple[SourceSpec, ...]:
        """The declared version sources; raises `SettingError` for an entry that cannot be used."""
        return source_specs.parse(self.version_sources)

    def scheme(self) -> Scheme:
        """The version scheme these settings describe; raises `SettingError` for a bad setting."""
        wrong = [month for month in self.release_months if not 1 <= month <= 12]
        if wrong:
            raise SettingError(
                f"[calver].release_months holds {wrong}, which are not months: give numbers from 1 to 12, "
                "or an empty list for a sequential cycle."
            )
        return Scheme(pad_minor=self.pad_minor, release_months=tuple(self.release_months))

    def check_paths(self) -> None:
        """Raises `SettingError` for a path setting that is not inside the build root."""
        check_path("[calver].version_file", self.version_file)
        check_path("[calver].package_version_file", self.package_version_file)
        check_globs("[calver].extra_requirement_globs", self.extra_requirement_globs)
