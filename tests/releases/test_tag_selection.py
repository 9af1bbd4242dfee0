"""Which tags the `tags` rule checks: the names `[bump-version].tag_name` makes, and the order
and filtering of `tags_to_check`."""

from __future__ import annotations

from typing import Optional

import pytest

from pants_calver.core.git.refs import Ref
from pants_calver.core.releases.refs_rules import release_numbers, tags_to_check, version_like_tags


@pytest.mark.parametrize(
    "template, name, version",
    [
        pytest.param("{version}", "23.09.8.rc1", "23.09.8.rc1", id="display"),
        pytest.param("v{normalized}", "v23.9.8rc1", "23.9.8rc1", id="normalized-with-prefix"),
        pytest.param("v{normalized}", "23.9.8rc1", None, id="prefix-missing"),
        pytest.param("release-{version}-final", "release-24.03.0-final", "24.03.0", id="around"),
        pytest.param("release-{version}-final", "release-24.03.0", None, id="suffix-missing"),
        pytest.param("release-{version}-final", "releaseX24.03.0-final", None, id="literal-is-literal"),
        pytest.param("{version}-{normalized}", "24.03.0-24.3.0", None, id="two-placeholders"),
        pytest.param("{old_version}", "24.03.0", None, id="no-version-placeholder"),
    ],
)
def test_version_like_tags_follow_the_template(template: str, name: str, version: Optional[str]) -> None:
    found = version_like_tags(template).fullmatch(name)
    assert (found.group(1) if found else None) == version


def tags(*names: str) -> tuple[Ref, ...]:
    return tuple(Ref(f"refs/tags/{name}", "commit", "a" * 40) for name in names)


def test_every_version_like_tag_is_checked_whatever_comes_before_it() -> None:
    checked, older = tags_to_check(
        tags("hotfix", "23.09.1", "x", "24.03.0"), version_like_tags("{version}"), None
    )
    assert ([text for _, text in checked], older) == (["23.09.1", "24.03.0"], 0)


def test_older_tags_are_counted_and_later_ones_still_checked() -> None:
    checked, older = tags_to_check(
        tags("23.09.6", "25.1.0", "24.09.1", "25.3.0rc1"),
        version_like_tags("{version}"),
        release_numbers("25.1.0"),
    )
    assert ([text for _, text in checked], older) == (["25.1.0", "25.3.0rc1"], 2)
