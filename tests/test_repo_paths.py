"""Path settings are checked before anything is read: inside the build root, or a clear error."""

from __future__ import annotations

import pytest

from pants_calver.core.errors import SettingError
from pants_calver.core.repo_paths import check_globs, check_path, glob_pattern


@pytest.mark.parametrize(
    "path", ["VERSION", "src/ai/backend/VERSION", "--output=x", "-cfoo", "a..b/VERSION", "./VERSION"]
)
def test_a_path_inside_the_build_root(path: str) -> None:
    check_path("[calver].version_file", path)


@pytest.mark.parametrize(
    "path, why",
    [
        pytest.param("../VERSION", "leaves the build root", id="parent"),
        pytest.param("src/../../VERSION", "leaves the build root", id="parent-inside"),
        pytest.param("src\\..\\..\\VERSION", "leaves the build root", id="backslashes"),
        pytest.param("/etc/passwd", "is an absolute path", id="absolute"),
        pytest.param("C:/VERSION", "is an absolute path", id="drive"),
        pytest.param("", "is empty", id="empty"),
        pytest.param("  ", "is empty", id="blank"),
    ],
)
def test_a_path_outside_is_refused_naming_the_option(path: str, why: str) -> None:
    with pytest.raises(SettingError) as error:
        check_path("[calver].version_file", path)
    assert str(error.value) == (
        f"[calver].version_file: `{path}` {why}; give a path relative to the build root, without `..`."
    )


def test_globs_and_exclusions() -> None:
    check_globs("[export-dev].migrations", ["src/**/versions/*.py", "!src/old/*.py"])
    with pytest.raises(SettingError, match=r"^\[export-dev\]\.migrations: `../x/\*\.py` leaves"):
        check_globs("[export-dev].migrations", ["src/*.py", "!../x/*.py"])


@pytest.mark.parametrize(
    "glob, path, matches",
    [
        pytest.param("changes/**", "changes/123.fix.md", True, id="double-star-file"),
        pytest.param("changes/**", "changes/a/b.md", True, id="double-star-deep"),
        pytest.param("changes/**", "changelog/a.md", False, id="double-star-other-dir"),
        pytest.param("**/CHANGELOG.md", "CHANGELOG.md", True, id="leading-double-star-at-root"),
        pytest.param("**/CHANGELOG.md", "docs/CHANGELOG.md", True, id="leading-double-star-deep"),
        pytest.param("changes/*.md", "changes/a/b.md", False, id="star-stays-in-directory"),
        pytest.param("CHANGELOG.md", "CHANGELOGxmd", False, id="dot-is-literal"),
        pytest.param("v?.txt", "v1.txt", True, id="question-mark"),
    ],
)
def test_glob_pattern(glob: str, path: str, matches: bool) -> None:
    assert bool(glob_pattern(glob).match(path)) is matches
