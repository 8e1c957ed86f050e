"""The layers of DESIGN.md: a lower layer never imports a higher one.

The web pages sit on top; the JSON API beside them; the CLI, the services, the security hooks
and the neutral modules (URL building, error responses) below both. A service or the CLI that
reached into ``toolbox.web`` would need a blueprint, and often a faked request, to do its work.

Each rule is one small test over ``package_imports()``: which files it looks at, which imported
modules it forbids, and the few exceptions it allows by name (with the reason beside them).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "toolbox"


@dataclass(frozen=True)
class ModuleImports:
    """One source file of the package and every module it imports, as absolute names."""

    path: str  # relative to toolbox/, with forward slashes: "web/public.py"
    imports: frozenset[str]

    def within(self, *areas: str) -> bool:
        """Whether the file is one of ``areas`` (a file like "cli.py" or a folder like "web")."""
        return any(self.path == area or self.path.startswith(area.rstrip("/") + "/") for area in areas)

    def importing(self, *modules: str) -> list[str]:
        """The imported names that are one of ``modules`` or inside one of them."""
        return sorted(name for name in self.imports
                      if name in modules or name.startswith(tuple(module + "." for module in modules)))


def imported_modules(path: Path, root: Path = PACKAGE) -> frozenset[str]:
    """Every module ``path`` imports, at the top or inside a function, as an absolute name.

    ``from . import web`` names both ``toolbox`` and ``toolbox.web``, so a rule on a module
    catches it however the import is spelt.
    """
    package = [root.name, *path.relative_to(root).parent.parts]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return frozenset(names)


def package_imports(root: Path = PACKAGE) -> list[ModuleImports]:
    """Every Python file of the package with its imports, in a stable order."""
    return [ModuleImports(path.relative_to(root).as_posix(), imported_modules(path, root))
            for path in sorted(root.rglob("*.py"))]


def offenders(files: list[ModuleImports], forbidden: tuple[str, ...], *, allowed: set[str] = frozenset()
              ) -> dict[str, list[str]]:
    """The files (outside ``allowed``) that import one of ``forbidden``, with what they import."""
    found = {}
    for module in files:
        names = module.importing(*forbidden)
        if names and module.path not in allowed:
            found[module.path] = names
    return found


# --- the rules -----------------------------------------------------------------------------------

#: The application factory registers the blueprints of the pages, so it must import them; it is
#: the composition root above every layer, not a layer below the web.
WEB_IMPORT_ALLOWED = {"__init__.py"}


def test_nothing_below_the_web_layer_imports_toolbox_web():
    """Nothing outside ``toolbox/web`` imports ``toolbox.web``, but the app factory."""
    below_web = [module for module in package_imports() if not module.within("web")]
    assert not offenders(below_web, ("toolbox.web",), allowed=WEB_IMPORT_ALLOWED)


def test_services_and_below_do_not_import_the_api_or_cli():
    """The use cases and what they build on know neither the API's views nor the command line."""
    lower = [module for module in package_imports()
             if module.within("services", "extract", "search", "jobs", "storage.py", "models.py", "urls.py",
                              "error_responses.py", "metrics.py", "request_log.py")]
    assert not offenders(lower, ("toolbox.api", "toolbox.cli"))


#: The ORM: the models, the Flask-SQLAlchemy handle (``db``) and SQLAlchemy itself.
ORM_MODULES = ("toolbox.models", "toolbox.extensions", "sqlalchemy", "flask_sqlalchemy")


#: The PostgreSQL search backend keeps its entries in the database: it runs SQLAlchemy Core
#: statements (``text()``) on the source's engine or the caller's connection, never the ORM.
SQL_CORE_ALLOWED = {"search/_postgres_backend.py", "search/_pg_entries.py", "search/_pg_query.py",
                    "search/_pg_search.py", "search/_pg_facets.py", "search/_pg_words.py",
                    "search/_pg_extras.py"}
#: What even those may not import: the models, the Flask-SQLAlchemy handle and the ORM.
ORM_PROPER = ("toolbox.models", "toolbox.extensions", "sqlalchemy.orm", "flask_sqlalchemy")


def test_search_imports_no_orm():
    """No module of ``toolbox/search`` reads the database itself: index entries, the queue,
    snippet texts, the download order and synonyms come as plain values from the services
    (``toolbox.search.backend.DocumentSource``). The PostgreSQL backend's modules run SQL on
    their own tables with SQLAlchemy Core, and nothing of the ORM either."""
    search_modules = [module for module in package_imports() if module.within("search")]
    assert len(search_modules) > 10
    assert not offenders(search_modules, ORM_MODULES, allowed=SQL_CORE_ALLOWED)
    assert not offenders(search_modules, ORM_PROPER)


def test_orm_rule_finds_a_search_module_reading_the_database(tmp_path):
    """A search module importing a model inside a function is reported."""
    root = tmp_path / "toolbox"
    (root / "search").mkdir(parents=True)
    (root / "search" / "probe.py").write_text("def f():\n    from ..models import Document\n", encoding="utf-8")
    search_modules = [module for module in package_imports(root) if module.within("search")]
    assert offenders(search_modules, ORM_MODULES) == {"search/probe.py": ["toolbox.models", "toolbox.models.Document"]}


#: Modules that touch stored bytes; views reach files through ``services.downloads`` instead.
STORAGE_MODULES = ("toolbox.storage", "toolbox.derived", "toolbox.s3storage")


def test_no_view_module_imports_storage():
    """No module of ``toolbox/web`` imports the blob store or the derived files: a view that held a
    path could not serve a file that lives in a bucket (``TOOLBOX_STORAGE_URL=s3://…``)."""
    views = [module for module in package_imports() if module.within("web")]
    assert len(views) > 10
    assert not offenders(views, STORAGE_MODULES)


def test_storage_rule_finds_a_view_opening_files(tmp_path):
    """A view importing the store at the top or a derived file inside a function is reported."""
    root = tmp_path / "toolbox"
    (root / "web").mkdir(parents=True)
    (root / "web" / "probe.py").write_text("from ..storage import blob_store\n\ndef f():\n    from .. import derived\n",
                                           encoding="utf-8")
    (root / "web" / "fine.py").write_text("from ..services.downloads import version_download\n", encoding="utf-8")
    views = [module for module in package_imports(root) if module.within("web")]
    assert offenders(views, STORAGE_MODULES) == {
        "web/probe.py": ["toolbox.derived", "toolbox.storage", "toolbox.storage.blob_store"]}


# --- the walker itself ---------------------------------------------------------------------------


@pytest.fixture
def probe_package(tmp_path):
    """A package ``toolbox`` in tmp_path with a service that imports the web layer in a function."""
    root = tmp_path / "toolbox"
    (root / "services").mkdir(parents=True)
    (root / "web").mkdir()
    (root / "__init__.py").write_text("from . import web\n", encoding="utf-8")
    (root / "services" / "probe.py").write_text("def f():\n    from ..web.auth import invitation_url\n",
                                                encoding="utf-8")
    (root / "web" / "auth.py").write_text("from ..services import probe\n", encoding="utf-8")
    return root


def test_import_walker_resolves_relative_and_local_imports(probe_package):
    """``from ..web.auth import x`` inside a function is seen as an import of toolbox.web.auth."""
    imports = imported_modules(probe_package / "services" / "probe.py", probe_package)
    assert {"toolbox.web.auth", "toolbox.web.auth.invitation_url"} <= imports
    assert "toolbox.web" in imported_modules(probe_package / "__init__.py", probe_package)


def test_web_rule_finds_an_offender_and_spares_the_factory(probe_package):
    """The rule's check reports the service that reaches into the web layer, and only it."""
    files = package_imports(probe_package)
    below_web = [module for module in files if not module.within("web")]
    assert offenders(below_web, ("toolbox.web",), allowed=WEB_IMPORT_ALLOWED) == {
        "services/probe.py": ["toolbox.web.auth", "toolbox.web.auth.invitation_url"]}
    assert "__init__.py" in offenders(below_web, ("toolbox.web",))


#: What of Whoosh every backend may use: its Snowball stemmer and stop list (``analysis``) and
#: its edit distance (typo correction); plain text utilities, not the index engine.
WHOOSH_TEXT_UTILITIES = ("whoosh.lang", "whoosh.support.levenshtein")


def reached_modules(files: list[ModuleImports], start: list[str]) -> list[ModuleImports]:
    """The files of ``start`` and every file of the package they import, directly or not."""
    by_module = {}
    for module in files:
        name = "toolbox." + module.path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        by_module[name] = module
    reached: dict[str, ModuleImports] = {}
    waiting = [module for module in files if module.path in start]
    while waiting:
        module = waiting.pop()
        if module.path in reached:
            continue
        reached[module.path] = module
        waiting.extend(by_module[name] for name in module.imports
                       if name in by_module and name != "toolbox.search")
    return sorted(reached.values(), key=lambda module: module.path)


def test_the_postgresql_backend_does_not_reach_the_whoosh_engine():
    """The PostgreSQL backend, and every module it builds on, imports nothing of Whoosh's index
    engine (schema, queries, readers): the shared analysis, query language, fields, snippets and
    ranking rules live in modules of their own, so each engine can change without the other."""
    files = package_imports()
    postgres = [module.path for module in files
                if module.path.startswith("search/_pg_") or module.path == "search/_postgres_backend.py"]
    reached = reached_modules(files, postgres)
    assert len(postgres) == 7 and len(reached) > len(postgres)
    whoosh_users = {module.path: [name for name in module.importing("whoosh")
                                  if not name.startswith(WHOOSH_TEXT_UTILITIES)]
                    for module in reached}
    assert {path: names for path, names in whoosh_users.items() if names} == {}


def test_reaching_rule_follows_imports_through_shared_modules(tmp_path):
    """A backend module importing a shared module that imports Whoosh's engine is caught."""
    root = tmp_path / "toolbox"
    (root / "search").mkdir(parents=True)
    (root / "search" / "_pg_probe.py").write_text("from ._shared import x\n", encoding="utf-8")
    (root / "search" / "_shared.py").write_text("from whoosh import query\nx = 1\n", encoding="utf-8")
    reached = reached_modules(package_imports(root), ["search/_pg_probe.py"])
    assert [module.path for module in reached] == ["search/_pg_probe.py", "search/_shared.py"]
    assert reached[1].importing("whoosh") == ["whoosh", "whoosh.query"]
