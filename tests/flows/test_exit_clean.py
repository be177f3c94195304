"""No module of the project holds a DuckDB object or type in a global value (an alias, a cache).

Prefect's daemon threads are never torn down, so module globals reachable from them outlive the
interpreter's clean-up; a DuckDB type or connection among them keeps DuckDB's binding alive and
prints ~30 ``nanobind: leaked ...`` lines at exit. Type aliases name DuckDB's types as strings.
"""

from __future__ import annotations

import gc
import importlib
import inspect
import pkgutil
import types

import duckdb

PACKAGES = ("flows", "warehouse", "transforms", "schemas")


def _is_duckdb(obj: object) -> bool:
    kind = obj if isinstance(obj, type) else type(obj)
    return kind.__module__.startswith(("_duckdb", "duckdb"))


def _holds_duckdb(value: object, depth: int = 3) -> bool:
    if _is_duckdb(value):
        return True
    if depth == 0 or isinstance(value, (types.ModuleType, types.FunctionType, type, str, bytes)):
        return False
    return any(_holds_duckdb(v, depth - 1) for v in gc.get_referents(value))


def _modules() -> list[types.ModuleType]:
    found = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        found.append(package)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if ".demo" not in info.name:
                found.append(importlib.import_module(info.name))
    return found


def test_no_module_global_holds_a_duckdb_type_or_object() -> None:
    holders = [
        f"{module.__name__}.{name}"
        for module in _modules()
        for name, value in vars(module).items()
        if value is not duckdb and not inspect.ismodule(value) and _holds_duckdb(value)
        and not (isinstance(value, type) and _is_duckdb(value))
    ]
    assert holders == []

