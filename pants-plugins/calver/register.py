"""Calendar-versioned mono-repo release goals for Pants: check-version-sync, bump-version, export-dev."""

from __future__ import annotations


def rules():
    return []
