"""The house rules, checked: imports point one way, files and functions stay small (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "atoms_logs_mcp"
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
# What each layer must not import (by top-level name inside the package, or third-party package).
FORBIDDEN = {
    "api": {"domain", "render", "tools", "app", "mcp"},
    "domain": {"render", "tools", "app", "mcp"},
    "render": {"tools", "app", "mcp", "httpx"},
    "views": {"tools", "app", "mcp", "httpx"},
    "tools": {"app", "httpx"},
    "sandbox": {"domain", "render", "tools", "app", "mcp"},
    "store": {"api", "domain", "render", "tools", "app", "mcp", "httpx"},
    "team": {"app", "cli", "http"},
}
BOTH_MCP_AND_HTTPX = {"cli", "check"}


def modules() -> list[tuple[str, Path]]:
    return [
        (".".join(path.relative_to(PACKAGE).with_suffix("").parts), path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if "__pycache__" not in path.parts
    ]


def imported(module: str, path: Path) -> set[str]:
    """Top-level names imported: a package layer (api, domain, ...) or a third-party package."""
    names: set[str] = set()
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = [*base, *(node.module.split(".") if node.module else [])]
                if target:
                    names.add(target[0])
                else:
                    names |= {alias.name for alias in node.names}
            elif node.module:
                parts = node.module.split(".")
                # `from atoms_logs_mcp.render import x` names the layer, like `from ..render import x`
                names.add(parts[1] if parts[0] == "atoms_logs_mcp" and len(parts) > 1 else parts[0])
    return names


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_imports_point_one_way(module: str, path: Path) -> None:
    layer = module.split(".")[0]
    names = imported(module, path)
    bad = names & FORBIDDEN.get(layer, set())
    if layer != "tools" and module != "app":
        bad |= names & {"tools"}
    assert not bad, f"{module} imports {sorted(bad)}"
    if {"mcp", "httpx"} <= names:
        assert module in BOTH_MCP_AND_HTTPX, f"{module} imports both mcp and httpx"


def test_files_and_functions_stay_small() -> None:
    assert len(modules()) > 40, f"no package at {PACKAGE}?"
    too_long = []
    for module, path in modules():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_FILE_LINES:
            too_long.append(f"{module}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    too_long.append(f"{module}.{node.name}: {size} lines")
    assert not too_long, too_long
