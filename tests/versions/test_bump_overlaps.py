"""A file that a declared version source shares with the pins or the distribution versions the
bump rewrites anyway: each text is rewritten once, or the bump stops (never a corrupt file)."""

from __future__ import annotations

from pants_calver.core.problems import Problem
from pants_calver.core.text import Edit
from pants_calver.core.versions import pins, repo_sources, source_specs
from pants_calver.core.versions.artifact_versions import PYPROJECT, Declared, read
from pants_calver.core.versions.bump import plan_bump
from pants_calver.core.versions.version import CalVersion, Scheme
from pants_calver.core.versions.versioned_repo import Distribution, Links, SourceFile, VersionedRepo

SCHEME = Scheme()
COMMON = Distribution("backend.ai-common", "backend-ai-common", "common", False)
PYPROJECT_TEXT = (
    b'[project]\nname = "backend.ai-common"\nversion = "24.3.0.dev0"\nrequires-python = ">=3.9"\n'
)


def bump(entries: dict, files: dict, sources: tuple = (), artifact_files: tuple = ()):
    extra = repo_sources.read_all(source_specs.parse(entries), files)
    repo = VersionedRepo("VERSION", b"24.03.0.dev0\n", (COMMON,), (), sources, artifact_files, extra)
    links = Links({path: path for path in repo.linkable_paths()})
    return plan_bump(repo, CalVersion.parse("24.03.0"), "24.03.0.dev0", links, SCHEME, sync=False)


def test_a_source_on_the_distribution_version_of_a_pyproject_stops_the_bump() -> None:
    declared = Declared("backend.ai-common", "backend-ai-common", False)
    artifact = read("pkg/pyproject.toml", PYPROJECT_TEXT, PYPROJECT, (declared,))
    result = bump(
        {"pkg/pyproject.toml": {"key": "project.version"}},
        {"pkg/pyproject.toml": PYPROJECT_TEXT},
        artifact_files=(artifact,),
    )
    assert [c.path for c in result.changes if c.path == "pkg/pyproject.toml"] == []
    assert result.problems == (
        Problem(
            "pkg/pyproject.toml",
            3,
            "version-source-unplaceable",
            "the text is already rewritten as the distribution version; "
            "remove its entry from [calver].version_sources",
        ),
    )


def test_a_pattern_on_a_pin_is_rewritten_once() -> None:
    text = "backend.ai-common==24.3.0.dev0\n"
    scan = pins.scan("requirements.txt", text, frozenset({"backend-ai-common"}))
    result = bump(
        {"requirements.txt": {"pattern": "backend.ai-common=={normalized}"}},
        {"requirements.txt": text.encode()},
        sources=(SourceFile("requirements.txt", text.encode(), scan),),
    )
    assert result.problems == ()
    assert [(c.path, c.new) for c in result.changes if c.path == "requirements.txt"] == [
        ("requirements.txt", b"backend.ai-common==24.3.0\n")
    ]


def test_edits_planned_twice_are_made_once_and_clashes_name_what_rewrites_the_text() -> None:
    pin, same, other = Edit(1, 19, 30, "24.3.0"), Edit(1, 19, 30, "24.3.0"), Edit(1, 17, 30, '"24.3.0"')
    assert repo_sources.merge("r.txt", [("a pin", [pin]), (repo_sources.SOURCE, [same])]) == ([pin], [])
    _, [problem] = repo_sources.merge("r.txt", [("a pin", [pin]), (repo_sources.SOURCE, [other])])
    assert (problem.location, problem.code, problem.message) == (
        "r.txt:1",
        "version-source-unplaceable",
        "the text is already rewritten as a pin; remove its entry from [calver].version_sources",
    )
