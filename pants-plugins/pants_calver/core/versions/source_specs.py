"""The extra version sources a repo declares in `[calver].version_sources`, checked, with no
Pants import.

Each entry names a file (or a glob of files) and says where the version stands in it: text
patterns with placeholders, or key paths in a TOML, YAML or JSON file (with the template of the
value, `{normalized}` by default), and the distribution whose version it follows (the repo's
own version by default):

    [calver.version_sources]
    "charts/manager/Chart.yaml" = { keys = ["version", "appVersion"] }
    "docker/Dockerfile" = { pattern = "ARG VERSION={normalized}" }
    "src/ai/backend/client/openapi.json" = { key = "info.version", distribution = "backend.ai-client" }
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Mapping

from pants_calver.core.errors import SettingError
from pants_calver.core.repo_paths import check_path
from pants_calver.core.versions.formats import json_path, key_path, text_pattern, toml_path, yaml_path
from pants_calver.core.versions.version import CalVersion, Scheme

OPTION = "[calver].version_sources"
EDITORS = {"toml": toml_path, "yaml": yaml_path, "json": json_path}
_EXTENSIONS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
_FIELDS = ("pattern", "patterns", "key", "keys", "value", "format", "distribution")


@dataclass(frozen=True)
class SourceSpec:
    """One entry: `files` (a path or a glob), its `patterns` or its `keys` (dotted key paths) with
    the `value` template and `format` (empty: from the file name), and the `distribution` whose
    version it follows (empty: the repo's)."""

    files: str
    patterns: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    value: str = "{normalized}"
    format: str = ""
    distribution: str = ""

    @property
    def is_glob(self) -> bool:
        return "*" in self.files or "?" in self.files

    def format_of(self, path: str) -> str:
        """The structured format of `path` for this entry's keys ("" when it cannot be told)."""
        if self.format:
            return self.format
        name = path.rsplit("/", 1)[-1].lower()
        return next((fmt for ext, fmt in _EXTENSIONS.items() if name.endswith(ext)), "")


def values(version: CalVersion, scheme: Scheme) -> dict[str, str]:
    """What each placeholder stands for with `version`."""
    major, minor, patch = version.release
    display = version.display(scheme)
    return {
        "display": display,
        "normalized": version.normalized(),
        "branch": display.split(".")[0] + "." + display.split(".")[1],
        "major": str(major),
        "minor": str(minor),
        "patch": str(patch),
        "pre": f"{version.pre[0]}{version.pre[1]}" if version.pre else "",
        "dev": f".dev{version.dev}" if version.dev is not None else "",
    }


def _strings(entry: str, name: str, raw: Any) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(i, str) and i for i in items):
        raise SettingError(f"{OPTION}: `{entry}`: `{name}` must be a non-empty string or list of strings.")
    return tuple(items)


def _template(entry: str, name: str, template: str) -> str:
    try:
        placed = text_pattern.has_placeholder(template)
    except ValueError as e:
        raise SettingError(f"{OPTION}: `{entry}`: `{name}` `{template}`: {e}.") from None
    if not placed:
        raise SettingError(
            f"{OPTION}: `{entry}`: `{name}` `{template}` has no placeholder; write where the version "
            "stands, e.g. `{normalized}`."
        )
    return template


def parse_entry(entry: str, raw: Any) -> SourceSpec:
    """One entry of the option (`entry`: its file or glob, `raw`: its table), or a one-line
    `SettingError` naming the option, the entry and the field."""
    check_path(OPTION, entry)
    if not isinstance(raw, Mapping):
        raise SettingError(f'{OPTION}: `{entry}` must be a table, e.g. {{ key = "version" }}.')
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise SettingError(
            f"{OPTION}: `{entry}`: unknown field `{unknown[0]}`; the fields are {', '.join(_FIELDS)}."
        )
    given = [name for name in _FIELDS[:4] if name in raw]
    if len(given) != 1:
        raise SettingError(
            f"{OPTION}: `{entry}` must give one of `pattern`, `patterns`, `key`, `keys` "
            f"(got {', '.join(f'`{g}`' for g in given) or 'none'})."
        )
    strings = _strings(entry, given[0], raw[given[0]])
    for name in ("value", "format", "distribution"):
        if name in raw and not isinstance(raw[name], str):
            raise SettingError(f"{OPTION}: `{entry}`: `{name}` must be a string.")
    if given[0].startswith("pattern"):
        if "value" in raw or "format" in raw:
            raise SettingError(f"{OPTION}: `{entry}`: `value` and `format` go with `key`, not `pattern`.")
        patterns = tuple(_template(entry, given[0], p) for p in strings)
        return SourceSpec(entry, patterns=patterns, distribution=raw.get("distribution", ""))
    return _key_spec(entry, raw, strings)


def _key_spec(entry: str, raw: Mapping[str, Any], keys: tuple[str, ...]) -> SourceSpec:
    for key in keys:
        if key_path.parse_key(key) is None:
            raise SettingError(
                f"{OPTION}: `{entry}`: `{key}` is no key path; write keys joined by dots, "
                'quoting a key that holds a dot: `metadata."app.kubernetes.io/version"`.'
            )
    spec = SourceSpec(
        entry,
        keys=keys,
        value=_template(entry, "value", raw.get("value", "{normalized}")),
        format=raw.get("format", ""),
        distribution=raw.get("distribution", ""),
    )
    if spec.format and spec.format not in EDITORS:
        raise SettingError(f"{OPTION}: `{entry}`: `format` is `{spec.format}`; give toml, yaml or json.")
    if not spec.format_of(entry):
        raise SettingError(
            f"{OPTION}: `{entry}`: the format cannot be told from the file name; give `format` "
            "(toml, yaml or json)."
        )
    return spec


def parse(raw: Mapping[str, Any]) -> tuple[SourceSpec, ...]:
    """Every entry of the option, in the order written."""
    return tuple(parse_entry(entry, spec) for entry, spec in raw.items())
