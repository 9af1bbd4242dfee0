"""The package's layers: `core` imports no `pants` and nothing above it; `engine` imports no goal;
the subjects of both stay apart; only one module imports Pants-private names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pants_calver

PACKAGE = Path(pants_calver.__file__).parent


def imported(path: Path) -> set[tuple[str, str | None]]:
    """What a file imports: `(module, name)` for `from module import name`, `(module, None)` for
    `import module`."""
    found: set[tuple[str, str | None]] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert not node.level, f"{path}: a relative import"
            found.update((node.module, alias.name) for alias in node.names)
    return found


def imports(path: Path) -> set[str]:
    """The absolute module names a file imports."""
    return {module for module, _ in imported(path)}


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


# The subjects of the core and their mirror in the engine: versions and pins; releases and backports
# (which plan a bump, so they may use versions); the dev environment; and git's output, read for all.
# What a subject (a package of `core/` or `engine/`) must not import.
SUBJECT_RULES = {
    "versions": ("releases", "devenv"),
    "releases": ("devenv",),
    "devenv": ("versions", "releases"),
    "git": ("versions", "releases", "devenv"),
}
SHARED_CORE = ("errors.py", "problems.py", "text.py", "repo_paths.py")


def subject_of(name: str) -> str | None:
    """The subject of a module name (`pants_calver.core.versions.pins` -> `versions`), or None."""
    parts = name.split(".")
    if len(parts) > 2 and parts[0] == "pants_calver" and parts[1] in ("core", "engine"):
        return parts[2] if parts[2] in SUBJECT_RULES else None
    return None


@pytest.mark.parametrize("layer", ["core", "engine"])
@pytest.mark.parametrize("subject", sorted(SUBJECT_RULES))
def test_subjects_stay_apart(layer: str, subject: str) -> None:
    found = modules(f"{layer}/{subject}")
    if layer == "core" or subject != "git":
        assert len(found) > 1, f"{layer}/{subject} is missing"
    wrong = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in found
        for name in imports(path)
        if subject_of(name) in SUBJECT_RULES[subject]
    }
    assert not wrong


def test_the_shared_core_imports_no_subject() -> None:
    wrong = {
        f"core/{file} imports {name}"
        for file in SHARED_CORE
        for name in imports(PACKAGE / "core" / file)
        if subject_of(name)
    }
    assert not wrong
    assert {path.name for path in (PACKAGE / "core").glob("*.py")} == {"__init__.py", *SHARED_CORE}


@pytest.mark.parametrize(
    "name, subject",
    [
        ("pants_calver.core.versions.pins", "versions"),
        ("pants_calver.engine.devenv.switch_inputs", "devenv"),
        ("pants_calver.core.errors", None),
        ("pants_calver.goals.export_dev", None),
    ],
)
def test_subject_of(name: str, subject: str | None) -> None:
    assert subject_of(name) == subject


# Pants names that are not public plugin API (what that means: pants_calver/engine/pants_private.py's
# docstring): whole modules, but for the names listed beside them, and any name with a leading `_`.
PRIVATE_MODULES = {
    "pants.engine.internals": (),
    "pants.backend.python.goals.export": ("PythonResolveExportFormat",),
    "pants.backend.python.util_rules.local_dists_pep660": (),
    "pants.backend.python.util_rules.pex_requirements": (),
    "pants.backend.python.util_rules.dists": (),
    "pants.backend.python.util_rules.package_dists": (),
    "pants.core.util_rules.lockfile_metadata": (),
}
THE_DOOR = Path("engine/pants_private.py")


def imported_names(path: Path) -> set[str]:
    """Every `module.name` a file imports (`module` alone for `import module`)."""
    return {f"{module}.{name}" if name else module for module, name in imported(path)}


def is_private(name: str) -> bool:
    if not name.startswith("pants."):
        return False
    module, _, last = name.rpartition(".")
    if last.startswith("_"):
        return True
    return any(
        (name == private or name.startswith(private + ".")) and not (module == private and last in public)
        for private, public in PRIVATE_MODULES.items()
    )


@pytest.mark.parametrize(
    "name, private",
    [
        pytest.param("pants.engine.internals.parser.ParseError", True, id="internals"),
        pytest.param("pants.engine.internals", True, id="import-internals"),
        pytest.param("pants.engine.internals.selectors.Get", True, id="selectors"),
        pytest.param("pants.backend.python.goals.export._ExportVenvForResolveRequest", True, id="underscore"),
        pytest.param("pants.backend.python.goals.export.ExportPythonTool", True, id="export-type"),
        pytest.param("pants.backend.python.goals.export.PythonResolveExportFormat", False, id="option-enum"),
        pytest.param("pants.engine.rules.Get", False, id="rules"),
        pytest.param("pants_calver.engine.pants_private.export_format", False, id="not-pants"),
    ],
)
def test_what_is_private(name: str, private: bool) -> None:
    assert is_private(name) == private


def test_only_one_module_imports_pants_private_names() -> None:
    found = [path for layer in ("core", "engine", "goals") for path in modules(layer)]
    assert (PACKAGE / THE_DOOR) in found
    wrong = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in found
        if path.relative_to(PACKAGE) != THE_DOOR
        for name in imported_names(path)
        if is_private(name)
    }
    assert not wrong
    # The door does hold them (a rule that matched nothing would pass vacuously).
    assert {name for name in imported_names(PACKAGE / THE_DOOR) if is_private(name)}


def test_the_door_catches_named_errors_only() -> None:
    """A bug (here a RuntimeError) is not taken for a resolve that failed to export: no handler in
    the door is bare or catches `Exception`, and no error tuple it exports covers a RuntimeError."""
    from pants_calver.engine import pants_private

    tree = ast.parse((PACKAGE / THE_DOOR).read_text())
    handlers = [node for node in ast.walk(tree) if isinstance(node, ast.ExceptHandler)]
    assert handlers
    assert not [
        h for h in handlers if h.type is None or ast.unparse(h.type) in ("Exception", "BaseException")
    ]
    for errors in (pants_private.EXPORT_ERRORS, pants_private.BUILD_FILE_ERRORS):
        assert not issubclass(RuntimeError, errors)
