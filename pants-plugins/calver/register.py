"""Calendar-versioned mono-repo release goals for Pants: check-version-sync, bump-version, export-dev."""

from __future__ import annotations

from calver import export_dev


def rules():
    return [
        *export_dev.rules(),
    ]
