"""Calendar-versioned mono-repo release goals for Pants: check-version-sync, bump-version,
check-backports, check-release-branch, export-dev."""

from __future__ import annotations

from pants_calver.goals import (
    bump_version,
    check_backports,
    check_release_branch,
    check_version_sync,
    export_dev,
)


def rules():
    return [
        *check_version_sync.rules(),
        *bump_version.rules(),
        *check_backports.rules(),
        *check_release_branch.rules(),
        *export_dev.rules(),
    ]
