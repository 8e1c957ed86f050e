"""The layers of DESIGN.md: a lower layer never imports a higher one.

The web pages sit on top; the JSON API beside them; the CLI, the services, the security hooks
and the neutral modules (URL building, error responses) below both. A service or the CLI that
reached into ``toolbox.web`` would need a blueprint, and often a faked request, to do its work.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "toolbox"


def _imported_modules(path: Path, root: Path = PACKAGE) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function, as an absolute name."""
    package = ["toolbox", *path.relative_to(root).parent.parts]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _sources(*parts: str) -> list[Path]:
    target = PACKAGE.joinpath(*parts)
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


def _offenders(layer: str, *upper: str) -> dict[str, list[str]]:
    """The files of ``layer`` that import a module of ``upper`` (or one inside it), with those."""
    found = {}
    for path in _sources(layer):
        names = sorted(name for name in _imported_modules(path)
                       if name in upper or name.startswith(tuple(module + "." for module in upper)))
        if names:
            found[str(path.relative_to(PACKAGE))] = names
    return found


LOWER_LAYERS = ["cli.py", "security.py", "urls.py", "error_responses.py", "permissions.py", "services", "api",
                "extract", "search", "storage.py", "models.py"]


@pytest.mark.parametrize("layer", LOWER_LAYERS)
def test_lower_layers_do_not_import_the_web_pages(layer):
    """Nothing below the pages imports ``toolbox.web``."""
    assert not _offenders(layer, "toolbox.web")


@pytest.mark.parametrize("layer", ["services", "extract", "search", "storage.py", "models.py", "urls.py",
                                   "error_responses.py"])
def test_services_and_below_do_not_import_the_api_or_cli(layer):
    """The use cases and what they build on know neither the API's views nor the command line."""
    assert not _offenders(layer, "toolbox.api", "toolbox.cli")


def test_import_check_sees_relative_and_local_imports(tmp_path):
    """The check resolves ``from ..web.errors import x`` inside a function, as the CLI had it."""
    module = tmp_path / "toolbox" / "services" / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text("def f():\n    from ..web.auth import invitation_url\n", encoding="utf-8")
    assert {"toolbox.web.auth", "toolbox.web.auth.invitation_url"} <= _imported_modules(module, tmp_path / "toolbox")
