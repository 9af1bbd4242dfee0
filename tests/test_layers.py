"""The package's layers: `core` imports no `pants` and nothing above it; `engine` imports no goal."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pants_calver

PACKAGE = Path(pants_calver.__file__).parent


def imports(path: Path) -> set[str]:
    """The absolute module names a file imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert not node.level, f"{path}: a relative import"
            names.add(node.module)
    return names


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize(
    "layer, forbidden",
    [
        pytest.param("core", ("pants", "pants_calver.engine", "pants_calver.goals"), id="core"),
        pytest.param("engine", ("pants_calver.goals",), id="engine"),
    ],
)
def test_no_module_imports_upwards(layer: str, forbidden: tuple[str, ...]) -> None:
    found = modules(layer)
    assert len(found) > 5  # the layer is there (a wrong path would pass vacuously)
    wrong = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in found
        for name in imports(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    }
    assert not wrong
