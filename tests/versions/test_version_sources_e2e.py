"""Real Pants runs on repos versioned outside VERSION files: the standard Pants way (`provides`
versions, no VERSION links), and with one extra version source of each kind declared in
`[calver].version_sources`. Each is checked, bumped and committed by the real goals."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest

from e2e import init_repo, pants
from monorepo import commit_all, git, write


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


# git's identity comes from the environment of the `pants` command.
IDENTITY = {
    f"GIT_{who}_{what}": value
    for who in ("AUTHOR", "COMMITTER")
    for what, value in (("NAME", "r"), ("EMAIL", "r@example.invalid"))
}
IGNORED = "/.pants.d/\n/.pids/\n"


STANDARD: Dict[str, str] = {
    ".gitignore": IGNORED,
    "VERSION": "23.09.6\n",
    "requirements.txt": "backend.ai-common==23.9.6\n",
    "BUILD": 'python_requirements(name="reqs")\n',
    "src/common/BUILD": (
        "python_distribution(\n"
        '    name="dist",\n'
        '    provides=python_artifact(name="backend.ai-common", version="23.9.6"),  # the release\n'
        ")\n"
    ),
    "src/agent/BUILD": 'python_distribution(name="dist", provides=python_artifact(name="backend.ai-agent"))\n',
    "src/agent/pyproject.toml": '[project]\nname = "backend.ai-agent"\nversion = "23.9.6"\n',
    "src/client/BUILD": (
        'python_distribution(name="dist", provides=python_artifact(name="backend.ai-client", version="24.3.1"))\n'
    ),
}


def committed(repo: Path) -> list:
    return git(repo, "show", "--name-only", "--format=%s", "HEAD").split()


def test_a_repo_versioned_the_standard_pants_way(tmp_path: Path, home: Path) -> None:
    init_repo(tmp_path)
    write(tmp_path, STANDARD, {})
    commit_all(tmp_path)
    result = pants(tmp_path, "check-version-sync", home=home)
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ VERSION 23.09.6: 3 distributions, 0 version files, 2 provides versions, "
        "1 [project] version and 1 first-party pin in sync.\n",
    ), result.stderr
    result = pants(tmp_path, "bump-version", "--next=patch", "--commit", home=home, **IDENTITY)
    assert result.exit_code == 0, result.stderr
    assert committed(tmp_path) == [
        "release:",
        "23.09.7",
        "VERSION",
        "requirements.txt",
        "src/agent/pyproject.toml",
        "src/common/BUILD",
    ]
    assert (tmp_path / "src/common/BUILD").read_text() == STANDARD["src/common/BUILD"].replace(
        "23.9.6", "23.9.7"
    )
    assert (tmp_path / "src/agent/pyproject.toml").read_text() == STANDARD[
        "src/agent/pyproject.toml"
    ].replace("23.9.6", "23.9.7")
    # The independent client keeps its own version.
    assert (tmp_path / "src/client/BUILD").read_text() == STANDARD["src/client/BUILD"]


SOURCES_TOML = """
[calver]
independent = ["backend.ai-client"]

[calver.version_sources]
"docker/Dockerfile" = { pattern = "ARG VERSION={normalized}" }
"docs/*/conf.py" = { patterns = ['release = "{display}"', 'version = "{branch}"'] }
"charts/backend/Chart.yaml" = { keys = ["version", "appVersion"] }
"web/package.json" = { key = "version" }
"tools/app.toml" = { key = 'tool."backend.ai".version', value = "v{normalized}" }
"src/client/openapi.json" = { key = "info.version", distribution = "backend.ai-client" }
"""

EXTRA: Dict[str, bytes] = {
    ".gitignore": IGNORED.encode(),
    "VERSION": b"23.09.6\n",
    "src/common/BUILD": b'python_distribution(name="dist", provides=python_artifact(name="backend.ai-common"))\n',
    "src/common/VERSION": b"23.09.6\n",
    "src/client/BUILD": b'python_distribution(name="dist", provides=python_artifact(name="backend.ai-client"))\n',
    "src/client/VERSION": b"24.03.1\n",
    "src/client/openapi.json": b'{\n    "openapi": "3.0.0",\n    "info": {"title": "API", "version": "24.3.1"}\n}\n',
    "docker/Dockerfile": b"FROM python:3.9\nARG VERSION=23.9.6\nLABEL version=$VERSION\n",
    "docs/manager/conf.py": b'project = "manager"\r\nrelease = "23.09.6"\r\nversion = "23.09"\r\n',
    "docs/agent/conf.py": b'project = "agent"\nversion = "23.09"\nrelease = "23.09.6"\n',
    # A byte-order mark, CRLF line ends, a comment, an anchor: all kept.
    "charts/backend/Chart.yaml": (
        b"\xef\xbb\xbfapiVersion: v2\r\nname: backend  # the chart\r\nversion: 23.9.6\r\n"
        b"appVersion: &app '23.9.6'\r\nannotations: {note: 'x'}\r\n"
    ),
    "web/package.json": b'{\n\t"name": "web",\n\t"version": "23.9.6",\n\t"private": true\n}',
    "tools/app.toml": b'# tool settings\n[tool."backend.ai"]\nversion = "v23.9.6"  # bumped\nname = "x"\n',
}


def test_a_repo_with_an_extra_source_of_each_kind(tmp_path: Path, home: Path) -> None:
    init_repo(tmp_path)
    with (tmp_path / "pants.toml").open("a") as toml:
        toml.write(SOURCES_TOML)
    write(tmp_path, EXTRA, {})
    (tmp_path / "docker/Dockerfile").chmod(0o755)
    commit_all(tmp_path)
    result = pants(tmp_path, "check-version-sync", home=home)
    assert (result.exit_code, result.stdout) == (
        0,
        "✓ VERSION 23.09.6: 2 distributions, 2 version files, 10 version sources and 0 first-party pins "
        "in sync.\n",
    ), result.stderr

    result = pants(tmp_path, "bump-version", "--next=patch", "--dry-run", home=home)
    assert result.exit_code == 0, result.stderr
    # (Python reads the CRLF of the diff as LF.)
    assert "-version: 23.9.6\n-appVersion: &app '23.9.6'\n+version: 23.9.7\n+appVersion: &app '23.9.7'\n" in (
        result.stdout
    )
    assert " }\n\\ No newline at end of file\n" in result.stdout
    assert '+release = "23.09.7"' in result.stdout

    result = pants(tmp_path, "bump-version", "--next=patch", "--commit", home=home, **IDENTITY)
    assert result.exit_code == 0, result.stderr
    assert committed(tmp_path) == [
        "release:",
        "23.09.7",
        "VERSION",
        "charts/backend/Chart.yaml",
        "docker/Dockerfile",
        "docs/agent/conf.py",
        "docs/manager/conf.py",
        "src/common/VERSION",
        "tools/app.toml",
        "web/package.json",
    ]
    for path, content in EXTRA.items():
        now = (tmp_path / path).read_bytes()
        assert now == content.replace(b"23.9.6", b"23.9.7").replace(b"23.09.6", b"23.09.7"), path
    assert (tmp_path / "docker/Dockerfile").stat().st_mode & 0o777 == 0o755
    assert git(tmp_path, "status", "--porcelain") == ""

    # The client's spec follows the client's own version; a source that drifts is reported.
    (tmp_path / "src/client/VERSION").write_text("24.03.2\n")
    (tmp_path / "docs/agent/conf.py").write_bytes(b"")
    result = pants(tmp_path, "check-version-sync", home=home)
    missing = (
        "but no text in the file matches it; write it there, or fix the pattern in [calver].version_sources"
    )
    assert (result.exit_code, result.stdout.splitlines()) == (
        1,
        [
            f'docs/agent/conf.py: the pattern `release = "{{display}}"` should read `release = "23.09.7"`, {missing}',
            f'docs/agent/conf.py: the pattern `version = "{{branch}}"` should read `version = "23.09"`, {missing}',
            "src/client/openapi.json:3: `info.version` reads `24.3.1`, but backend-ai-client has `24.03.2`; "
            "write `24.3.2`",
            "",
            "3 problems in 2 files.",
            "Run `pants bump-version --sync` to fix what can be fixed.",
        ],
    ), result.stdout
    # A source that matches nothing stops --sync too (all or nothing); put back, --sync fixes the spec.
    result = pants(tmp_path, "bump-version", "--sync", "--allow-dirty", home=home)
    assert result.exit_code == 1 and "docs/agent/conf.py: the pattern" in result.stderr, result.stderr
    git(tmp_path, "checkout", "--", "docs/agent/conf.py")
    result = pants(tmp_path, "bump-version", "--sync", "--allow-dirty", home=home)
    assert (result.exit_code, result.stdout.splitlines()) == (
        0,
        ["VERSION: 23.09.7", "  src/client/openapi.json: 1 version source"],
    ), result.stderr
    assert b'"version": "24.3.2"' in (tmp_path / "src/client/openapi.json").read_bytes()
