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
