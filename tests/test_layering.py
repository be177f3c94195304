"""Imports flow one way: flows -> (transforms, schemas, warehouse); never back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

FORBIDDEN = {
    "transforms": {"flows", "warehouse"},
    "schemas": {"flows", "warehouse", "transforms"},
    "warehouse": {"flows"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_backward_imports(package: str) -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in (REPO / package).rglob("*.py")
        if imported_packages(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_sources_never_touch_the_warehouse() -> None:
    offenders = [
        str(p.relative_to(REPO)) for p in (REPO / "flows" / "sources").rglob("*.py")
        if "warehouse" in imported_packages(p)
    ]
    assert offenders == []


SQL_CALLS = {"execute", "executemany", "sql", "query"}
"""Methods of a DuckDB connection or relation that run SQL."""
RUNS_SQL_OF_ITS_OWN = {
    "flows/sql.py": "`entrepot sql`: the user's own read-only query is the command",
    "flows/sources/census_api.py": "parses a landed JSON payload with an in-memory DuckDB, never the warehouse",
}
"""The modules under flows/ that may run SQL, and why; every other read lives in the warehouse package."""


def sql_calls(path: Path) -> list[str]:
    """Calls in ``path`` that run SQL (``x.execute(...)``, ``x.sql(...)``, ``duckdb.connect(...)``), by line."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, owner = node.func.attr, node.func.value
            if name in SQL_CALLS or (name == "connect" and isinstance(owner, ast.Name) and owner.id == "duckdb"):
                calls.append(f"{path.relative_to(REPO)}:{node.lineno} .{name}()")
    return calls


def test_flows_run_no_sql_of_their_own() -> None:
    found = {str(p.relative_to(REPO)): sql_calls(p) for p in sorted((REPO / "flows").rglob("*.py"))}
    offenders = [call for module, calls in found.items() if module not in RUNS_SQL_OF_ITS_OWN for call in calls]
    assert offenders == [], "move these reads into the warehouse package (e.g. warehouse/reads.py)"
    assert [m for m in RUNS_SQL_OF_ITS_OWN if not found.get(m)] == []  # no stale exception


def test_sql_calls_are_found(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import duckdb\ncon = duckdb.connect()\ncon.execute('x')\ncon.sql('y').fetchall()\nf(con)\n")
    module = module.rename(REPO / "flows" / f"_probe_{tmp_path.name}.py")
    try:
        assert [c.split(":")[1] for c in sql_calls(module)] == ["2 .connect()", "3 .execute()", "4 .sql()"]
    finally:
        module.unlink()


def python_files() -> list[Path]:
    return [p for package in ("flows", "warehouse", "schemas", "transforms", "tests") for p in (REPO / package).rglob("*.py")]


def _private(name: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in name.split("."))


def prefect_private_uses(tree: ast.AST) -> list[str]:
    """Private names of Prefect a module imports or reads (``from prefect.x import _y``,
    ``prefect._internal``, ``some_prefect_object._attr``)."""
    found, prefect_names = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0].startswith("prefect"):
            found += [f"{node.module}.{a.name}" for a in node.names if _private(f"{node.module}.{a.name}")]
            prefect_names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0].startswith("prefect"):
                    found += [alias.name] if _private(alias.name) else []
                    prefect_names.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in prefect_names:
                found.append(f"{root.id}...{node.attr}")
    return found


def test_nothing_uses_prefect_private_names() -> None:
    offenders = {str(p.relative_to(REPO)): uses for p in python_files() if (uses := prefect_private_uses(ast.parse(p.read_text())))}
    assert offenders == {}


def test_private_prefect_uses_are_found() -> None:
    tree = ast.parse("from prefect.server import _instances\nimport prefect._internal.x\n"
                     "from prefect import flow as f\nf._private\nfrom prefect.settings import PREFECT_API_URL\n")
    assert prefect_private_uses(tree) == ["prefect.server._instances", "prefect._internal.x", "f..._private"]


DOCUMENTED_ENV = {
    "PREFECT_PROFILE": "selects the active profile (Prefect's settings docs), not a setting itself",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "a logging.yml override by environment (Prefect's logging docs)",
}
"""Prefect environment variables that are documented but are not settings objects."""


def test_prefect_environment_variables_are_public_settings() -> None:
    import prefect.settings

    named = {node.value for p in python_files() for node in ast.walk(ast.parse(p.read_text()))
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and node.value.startswith("PREFECT_") and node.value.replace("_", "").isalnum() and node.value.isupper()}
    assert "PREFECT_API_URL" in named
    prefixes = {n for n in named if any(other.startswith(n) and other != n for other in named)}  # env filters
    assert sorted(n for n in named - prefixes if n not in DOCUMENTED_ENV and not hasattr(prefect.settings, n)) == []


BINDS_RAW_MODELS = {
    "flows/registry.py": "the one registry: each declaration names its raw model",
    "flows/bench_children.py": "times reading and validating an HTS edition against its raw model (--hts-file)",
}
"""The modules under flows/ (outside flows/sources/) that may name a raw model; sources name their own."""


def _names_raw_models(path: Path) -> bool:
    """Whether ``path`` imports from ``schemas.raw`` or names it in a ``module:attribute`` reference."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("schemas.raw"):
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("schemas.raw."):
            return True
    return False


def _orchestration() -> list[Path]:
    """Every module under flows/ outside flows/sources/ (whose modules name their own landed source)."""
    return [p for p in sorted((REPO / "flows").rglob("*.py")) if "sources" not in p.relative_to(REPO / "flows").parts]


def test_one_registry_binds_sources_to_code() -> None:
    """Only flows/registry.py binds a source to its raw model: no second table of sources."""
    offenders = [str(p.relative_to(REPO)) for p in _orchestration()
                 if _names_raw_models(p) and str(p.relative_to(REPO)) not in BINDS_RAW_MODELS]
    assert offenders == []


def test_no_other_module_names_a_source() -> None:
    """No module under flows/ but the registry spells a source's name (e.g. ``if name == "usitc-hts"``,
    a dict keyed by names): what a source needs is in its declaration."""
    from flows.registry import SOURCES

    found = [
        f"{p.relative_to(REPO)}:{node.lineno} {node.value!r}"
        for p in _orchestration() if p.name != "registry.py"
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in SOURCES
    ]
    assert found == []


def test_a_second_registry_is_found(tmp_path: Path) -> None:
    module = REPO / "flows" / f"_probe_{tmp_path.name}.py"
    module.write_text('from schemas.raw.comtrade import ComtradeRaw\nKINDS = {"comtrade": ComtradeRaw}\n')
    try:
        assert _names_raw_models(module)
        with pytest.raises(AssertionError):
            test_no_other_module_names_a_source()
    finally:
        module.unlink()
