"""What one requirement of a pip requirements file installs, as pip 24.2 reads it
(`pip._internal.req.constructors`: `parse_req_from_line`, `parse_editable`), with no Pants import,
no pip import, and without looking at the disk.

A requirement is either a PEP 508 requirement (`name[extras] specifier`, or `name @ url`) or a
direct reference: a URL (`https://…/x.whl`, `git+https://…#egg=name`), a path to an archive, a
local directory (`.`, `./src/pkg`), an editable (`-e`). A direct reference names a distribution
only by its `#egg=` fragment or its wheel file name; otherwise pip learns the name only by building
it, and neither does this module.

pip looks at the disk in one place: a name that looks like a path (it holds `/` or starts with `.`)
is a local directory when one is there. Here, such a name is a directory when it is not a PEP 508
requirement (and not an archive); when no directory is there, pip refuses the file.
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from dataclasses import dataclass

from pants_calver.core.versions.formats import pep508

_URL_SCHEMES = frozenset({"http", "https", "file", "ftp"})
# pip 24.2's version control systems, in its order, and their URL schemes.
_VCS = ("bzr", "git", "hg", "svn")
_VCS_SCHEMES = frozenset(
    [f"bzr+{s}" for s in ("http", "https", "ssh", "sftp", "ftp", "lp", "file")]
    + [f"git+{s}" for s in ("http", "https", "ssh", "git", "file")]
    + [f"hg+{s}" for s in ("file", "http", "https", "ssh", "static-http")]
    + [f"svn+{s}" for s in ("ssh", "http", "https", "svn", "file")]
)
# pip's `ARCHIVE_EXTENSIONS`.
_ARCHIVES = frozenset(
    {
        ".zip",
        ".whl",
        ".tar.bz2",
        ".tbz",
        ".tar.gz",
        ".tgz",
        ".tar",
        ".tar.xz",
        ".txz",
        ".tlz",
        ".tar.lz",
        ".tar.lzma",
    }
)
_EXTRAS = re.compile(r"^(.+)(\[[^\]]+\])$")
_EGG = re.compile(r"[#&]egg=([^&]*)")
_WHEEL = re.compile(
    r"^(?P<namever>(?P<name>[^\s-]+?)-(?P<ver>[^\s-]*?))((-(?P<build>\d[^-]*?))?-(?P<pyver>[^\s-]+?)"
    r"-(?P<abi>[^\s-]+?)-(?P<plat>[^\s-]+?)\.whl|\.dist-info)$"
)


@dataclass(frozen=True)
class Reading:
    """What pip makes of a requirement: the distribution it names (None when it names none), whether
    it is a direct reference (a URL or a path: its version is not written as a specifier), the PEP
    508 requirement pip parses (with `start`, where it stands in the text) when there is one, or why
    pip refuses it."""

    name: str | None = None
    direct: bool = False
    requirement: pep508.Requirement | None = None
    start: int = 0
    error: str = ""


def read_line(text: str) -> Reading:
    """A requirement line (not `-e`), as pip's `install_req_from_line` reads it."""
    try:
        return _line(text)
    except (pep508.InvalidRequirement, ValueError) as e:
        # ValueError: what urllib raises for a URL it cannot split (`http://[x`), and pip with it.
        return Reading(error=str(e))


def read_editable(text: str) -> Reading:
    """The value of an `-e`/`--editable` option, as pip's `install_req_from_editable` reads it."""
    try:
        return _editable(text)
    except (pep508.InvalidRequirement, ValueError) as e:
        return Reading(direct=True, error=str(e))


def _line(text: str) -> Reading:
    separator = "; " if _is_url(text) else ";"
    head, has_marker, marker = text.partition(separator)
    if has_marker and marker.strip():
        pep508.check_marker(marker.strip())
    start = len(head) - len(head.lstrip())
    head = head.strip()
    if _is_url(head):
        return _url_reference(head)
    path, extras = _strip_extras(posixpath.normpath(posixpath.join("/", head)))
    if extras:
        pep508.parse("placeholder" + extras.lower())  # pip reads a path's extras so
    if _looks_like_path(head) and not _is_archive(path):
        try:
            return _pep508(head, start)
        except pep508.InvalidRequirement:
            return Reading(direct=True)  # a local directory, for pip; not a PEP 508 requirement
    before_at = head.split("@", 1)
    if _is_archive(path) and (len(before_at) < 2 or _looks_like_path(before_at[0])):
        return _file_reference(path)
    return _pep508(head, start)


def _pep508(text: str, start: int) -> Reading:
    requirement = pep508.parse(text)
    if requirement.url:
        _check_link(requirement.url)
        return Reading(requirement.name, direct=True)
    return Reading(requirement.name, requirement=requirement, start=start)


def _url_reference(url: str) -> Reading:
    """A URL: a wheel names its distribution by its file name, anything else by `#egg=`."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "file" and re.search(r"\.\./", url):
        # pip makes a relative file URL absolute again, and drops its fragment on the way.
        return _file_reference(posixpath.normpath(posixpath.join("/", urllib.parse.unquote(parsed.path))))
    _check_link(url)
    path = urllib.parse.unquote(parsed.path)
    base = posixpath.basename(path.rstrip("/"))
    if _splitext(base)[1] == ".whl":
        return _wheel(urllib.parse.unquote(base))
    return _egg(url)


def _file_reference(path: str) -> Reading:
    """A path to an archive (a wheel names its distribution), made absolute as pip does."""
    base = posixpath.basename(path)
    if _splitext(base)[1] == ".whl":
        return _wheel(urllib.parse.unquote(base))
    return Reading(direct=True)


def _wheel(filename: str) -> Reading:
    wheel = _WHEEL.match(filename)
    if wheel is None:
        raise ValueError(f"{filename} is not a valid wheel filename.")
    name, version = (wheel.group(part).replace("_", "-") for part in ("name", "ver"))
    return Reading(pep508.parse(f"{name}=={version}").name, direct=True)


def _egg(url: str) -> Reading:
    egg = _EGG.search(url)
    return Reading(pep508.parse(egg.group(1)).name if egg else None, direct=True)


def _check_link(url: str) -> None:
    """What pip's `Link` and `url_to_path` refuse: a URL urllib cannot split, a non-local file URL."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "file":
        if not url.startswith("file:"):
            raise ValueError(f"You can only turn file: urls into filenames (not {url!r})")
        if parsed.netloc not in ("", "localhost"):
            raise ValueError(f"non-local file URIs are not supported on this platform: {url!r}")


def _editable(text: str) -> Reading:
    without_extras, extras = _strip_extras(text)
    if without_extras.lower().startswith("file:"):
        if extras:
            pep508.parse("placeholder" + extras.lower())
        _check_link(without_extras)
        egg = _EGG.search(without_extras)
        return Reading(pep508.parse(egg.group(1)).name if egg else None, direct=True)
    url = next((f"{vcs}+{text}" for vcs in _VCS if text.lower().startswith(f"{vcs}:")), text)
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in _VCS_SCHEMES:
        if scheme in _URL_SCHEMES:
            raise ValueError(f"{text} is not a valid editable requirement: write a local path or a VCS URL")
        return Reading(direct=True)  # a local directory, for pip
    egg = _EGG.search(url)
    if not egg or not egg.group(1):
        raise ValueError(f"Could not detect requirement name for '{text}', please specify one with #egg=")
    return Reading(pep508.parse(egg.group(1)).name, direct=True)


def _is_url(text: str) -> bool:
    scheme = urllib.parse.urlsplit(text).scheme
    return bool(scheme) and (scheme in _URL_SCHEMES or scheme in _VCS_SCHEMES)


def _looks_like_path(name: str) -> bool:
    return "/" in name or name.startswith(".")


def _strip_extras(path: str) -> tuple[str, str]:
    match = _EXTRAS.match(path)
    return (match.group(1), match.group(2)) if match else (path, "")


def _splitext(path: str) -> tuple[str, str]:
    """pip's `splitext`: `os.path.splitext`, taking `.tar` along (`.tar.gz`)."""
    base, ext = posixpath.splitext(path)
    if base.lower().endswith(".tar"):
        return base[:-4], base[-4:] + ext
    return base, ext


def _is_archive(path: str) -> bool:
    return _splitext(path)[1].lower() in _ARCHIVES
