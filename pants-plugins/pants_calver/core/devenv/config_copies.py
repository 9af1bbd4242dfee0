"""A developer's own configuration files against the samples they were copied from, with no Pants
import: the keys a copy lacks, those the sample dropped, and those left at a sample's old value.

Backend.AI's `scripts/install-dev.sh` copies each sample once (`configs/manager/halfstack.toml` to
`./manager.toml`, ...) and the developer edits the copy. After a switch (or before it, with
`--preview`) the sample may have moved on; the copy has not. Three files decide: the sample as it
was (the *old* sample: recorded by the last `export-dev`, or this checkout's before a switch), the
sample as it is now (or on the branch switched to), and the copy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pants_calver.core.devenv.config_keys import CONFIG_UNREADABLE, ConfigKey, config_format, read_keys
from pants_calver.core.errors import SettingError
from pants_calver.core.problems import Problem
from pants_calver.core.repo_paths import check_path

# Every configuration format in Backend.AI's `configs/` (23.09 to 24.09 and its main branch), for
# `[export-dev].config_samples`: `sample.etcd.*.json` for etcd, the web server's `.conf`,
# `halfstack.alembic.ini`, redis' `haproxy.cfg`, the halfstack's YAML (prometheus, grafana, loki).
CONFIG_SAMPLE_FORMATS = ("toml", "json", "conf", "ini", "cfg", "yaml", "yml")

# Backend.AI's copies (`scripts/install-dev.sh`, 23.09 to 24.09): the local file and its sample.
DEFAULT_COPIES = {
    "manager.toml": "configs/manager/halfstack.toml",
    "agent.toml": "configs/agent/halfstack.toml",
    "storage-proxy.toml": "configs/storage-proxy/sample.toml",
    "webserver.conf": "configs/webserver/halfstack.conf",
    "alembic.ini": "configs/manager/halfstack.alembic.ini",
    "dev.etcd.volumes.json": "configs/manager/sample.etcd.volumes.json",
}


def check_copies(option: str, copies: Mapping[str, str]) -> None:
    """Raises SettingError, naming `option`, for a path outside the build root or a sample whose
    format is not known by its suffix (the copy is read in its sample's format)."""
    for copy, sample in copies.items():
        if not isinstance(sample, str):
            raise SettingError(
                f'{option}: `{copy}` maps to {sample!r}, not a sample\'s path; write `"{copy}" = "configs/..."`.'
            )
        check_path(option, copy)
        check_path(option, sample)
        if config_format(sample) is None:
            raise SettingError(
                f"{option}: `{sample}` is not a TOML (`.toml`, `.conf`), JSON (`.json`) or INI "
                "(`.ini`, `.cfg`) file; map each local file to a sample in one of those formats."
            )


class CopyStatus(Enum):
    COMPARED = "compared"
    # The copy is not there: not every developer runs every component, so it is not an error.
    ABSENT = "absent"
    # The sample is not there (here, or on the branch switched to): nothing to compare with.
    NO_SAMPLE = "no-sample"
    # The copy or the sample cannot be read: `problem` says where and why.
    UNREADABLE = "unreadable"


class KeyChange(Enum):
    MISSING = "missing"  # the sample has the key, the copy lacks it
    DROPPED = "dropped"  # the copy has it, the old sample had it, the sample has it no more
    OLD = "old"  # the sample's value changed, and the copy still holds the old one


@dataclass(frozen=True)
class KeyFinding:
    """One key of a copy that needs a look. `path` and `line` say where it is written: in the
    sample for a missing key, in the copy otherwise. `value` is the sample's for a missing key,
    the copy's for a dropped one, the sample's new one for an old one (`old`: the copy's, which is
    the old sample's). Values are as they may be printed: None for a secret."""

    change: KeyChange
    key: str
    path: str
    line: int
    value: Any
    shown: str
    old: Any = None
    old_shown: str = ""
    secret: bool = False


@dataclass(frozen=True)
class CopyCheck:
    """A copy against its sample. `old_known` is False when no old sample was known (nothing
    recorded yet): then only missing keys can be told."""

    copy: str
    sample: str
    status: CopyStatus
    findings: tuple[KeyFinding, ...] = ()
    problem: Problem | None = None
    old_known: bool = True

    @property
    def error(self) -> str:
        """The problem as one line of text (`path:line: message`), or ""."""
        return self.problem.text() if self.problem else ""


def _finding(
    change: KeyChange, at: str, key: ConfigKey, fmt: str, old: ConfigKey | None = None
) -> KeyFinding:
    """A finding on `key`, written at `at`; for an old value, `key` is the sample's and `old` the
    copy's, whose line it is."""
    return KeyFinding(
        change,
        key.key,
        at,
        old.line if old else key.line,
        key.public,
        key.shown(fmt),
        old=old.public if old else None,
        old_shown=old.shown(fmt) if old else "",
        secret=key.secret,
    )


def compare_keys(
    copy: str,
    sample: str,
    fmt: str,
    old: Mapping[str, str] | None,
    new: Mapping[str, ConfigKey],
    mine: Mapping[str, ConfigKey],
) -> tuple[KeyFinding, ...]:
    """The three-way comparison. `old` is the old sample's fingerprint by key (None: unknown),
    `new` the sample's keys, `mine` the copy's. A key of the copy the old sample did not have is
    the developer's own, and left alone; so is a value the developer changed."""
    found = [_finding(KeyChange.MISSING, sample, key, fmt) for name, key in new.items() if name not in mine]
    if old is not None:
        found += [
            _finding(KeyChange.DROPPED, copy, key, fmt)
            for name, key in mine.items()
            if name in old and name not in new
        ]
        found += [
            _finding(KeyChange.OLD, copy, new[name], fmt, old=key)
            for name, key in mine.items()
            if name in old
            and name in new
            and old[name] != new[name].fingerprint()
            and key.fingerprint() == old[name]
        ]
    return tuple(found)


def sample_fingerprints(sample: str, content: bytes | None) -> dict[str, str] | None:
    """What the record keeps of a sample: each key's fingerprint (a secret's hashed); None when
    the sample is not there or cannot be read (then the next run knows no old sample)."""
    fmt = config_format(sample)
    if content is None or fmt is None:
        return None
    keys = read_keys(sample, content, fmt, "")
    return None if isinstance(keys, Problem) else {name: key.fingerprint() for name, key in keys.items()}


def check_copy(
    copy: str,
    sample: str,
    copy_content: bytes | None,
    sample_content: bytes | None,
    old: Mapping[str, str] | None,
    *,
    sample_where: str = "",
) -> CopyCheck:
    """Read both files and compare; `None` content: the file is not there. `sample_where` names
    where the sample was read when not in this checkout (`on main`), for the messages."""
    fmt = config_format(sample) or "toml"
    if copy_content is None:
        return CopyCheck(copy, sample, CopyStatus.ABSENT)
    if sample_content is None:
        return CopyCheck(copy, sample, CopyStatus.NO_SAMPLE)
    where = f" {sample_where}" if sample_where else ""
    new = read_keys(sample, sample_content, fmt, f"fix the sample{where} first, then compare again.")
    if isinstance(new, Problem):
        return CopyCheck(copy, sample, CopyStatus.UNREADABLE, problem=new)
    mine = read_keys(
        copy, copy_content, fmt, f"fix it, or copy {sample}{where} to it anew and redo your changes."
    )
    if isinstance(mine, Problem):
        return CopyCheck(copy, sample, CopyStatus.UNREADABLE, problem=mine)
    findings = compare_keys(copy, sample, fmt, old, new, mine)
    return CopyCheck(copy, sample, CopyStatus.COMPARED, findings, old_known=old is not None)


def check_copies_of(
    copies: Mapping[str, str],
    copy_contents: Mapping[str, bytes | None],
    sample_contents: Mapping[str, bytes | None],
    old: Mapping[str, Mapping[str, str]],
    *,
    sample_where: str = "",
) -> tuple[CopyCheck, ...]:
    """`check_copy` for each copy, in the order configured; `old` holds the old samples' keys by
    sample path (a sample it lacks has no known old keys)."""
    return tuple(
        check_copy(
            copy,
            sample,
            copy_contents.get(copy),
            sample_contents.get(sample),
            old.get(sample),
            sample_where=sample_where,
        )
        for copy, sample in copies.items()
    )


def unreadable_copy(path: str, why: str) -> Problem:
    """A copy that is there but cannot be read from the disk (a folder in its place, no access)."""
    return Problem(
        path, 0, CONFIG_UNREADABLE, f"cannot be read ({why}): make it a readable file, or remove it."
    )


def needing_a_look(checks: Sequence[CopyCheck]) -> list[str]:
    """The copies that lack, keep or hold an old key, or cannot be read, in order."""
    return [c.copy for c in checks if c.findings or c.status is CopyStatus.UNREADABLE]


def copies_need_a_look(checks: Sequence[CopyCheck]) -> bool:
    """Whether a copy lacks, keeps or holds an old key, or cannot be read."""
    return bool(needing_a_look(checks))


# ---------------------------------------------------------------------------------------------
# Wording


def _finding_line(finding: KeyFinding, branch: str | None) -> str:
    at = f"{branch}:" if branch and finding.change is KeyChange.MISSING else ""
    where = f"{at}{finding.path}:{finding.line}" if finding.line else f"{at}{finding.path}"
    if finding.change is KeyChange.MISSING:
        return f"lacks    {finding.key} = {finding.shown}  ({where})"
    if finding.change is KeyChange.DROPPED:
        return f"dropped  {finding.key} = {finding.shown}  ({where}): the sample has it no more"
    if finding.secret:
        return f"old      {finding.key}  ({where}): still the sample's old value; the sample changed it"
    return f"old      {finding.key} = {finding.old_shown}  ({where}): the sample now has {finding.shown}"


def copy_lines(checks: Sequence[CopyCheck], branch: str | None = None) -> list[str]:
    """The part of the report (or of the preview of a switch to `branch`) on local copies; none
    when no copy is there (a repo, or a developer, that uses none of them)."""
    if all(check.status is CopyStatus.ABSENT for check in checks):
        return []
    lines = [f"Local configuration against {f'the samples on {branch}' if branch else 'its samples'}:"]
    for check in checks:
        if check.status is CopyStatus.NO_SAMPLE:
            there = f"{branch} has" if branch else "this checkout has"
            lines.append(f"  {check.copy}: not compared: {there} no {check.sample}.")
        elif check.status is CopyStatus.UNREADABLE:
            lines.append(f"  {check.error}")
        elif check.status is CopyStatus.COMPARED and not check.findings:
            lines.append(f"  {check.copy}: lacks no key of {check.sample}{_unknown(check, ' (', ')')}.")
        elif check.status is CopyStatus.COMPARED:
            lines.append(f"  {check.copy} (from {check.sample}{_unknown(check, '; ', '')}):")
            lines += [f"    {_finding_line(finding, branch)}" for finding in check.findings]
    absent = [check.copy for check in checks if check.status is CopyStatus.ABSENT]
    if absent:
        lines.append(f"  Not there, so not compared: {', '.join(absent)}.")
    return lines


def _unknown(check: CopyCheck, before: str, after: str) -> str:
    if check.old_known:
        return ""
    return (
        f"{before}no earlier sample recorded: dropped keys and old values are told from the next run{after}"
    )
