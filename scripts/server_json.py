"""Write server.json, the project's entry for the official MCP Registry, from pyproject.toml and the settings table.

    python scripts/server_json.py          # rewrite server.json
    python scripts/server_json.py --check  # exit 1 if server.json differs from what would be written

The name follows `[project.urls] Homepage` (scripts/homepage.py), the version and description are pyproject's,
the package is the PyPI one run over stdio, and every setting of server/atoms_logs_mcp/settings_table.py is an
environment variable (the key required and secret). tests/test_release.py validates the file against the
registry's schema, carried in tests/data/registry/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))

import homepage

from atoms_logs_mcp.settings_table import SETTINGS, Setting

SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
TARGET = homepage.ROOT / "server.json"
TITLE = "Atoms conversation logs"
DESCRIPTION_LIMIT = 100
_FORMATS = {"seconds": "number", "count": "number", "path": "filepath"}
_SECRET_KINDS = ("key", "secret")


def environment_variable(row: Setting) -> dict[str, Any]:
    """One setting as the registry's KeyValueInput: its values as text, a default only when it is one."""
    described = row.description
    if row.also:
        described += f" Also read from {', '.join(row.also)} when {row.env} is unset."
    entry: dict[str, Any] = {"name": row.env, "description": described}
    if row.kind == "key":
        entry["isRequired"] = True
    if row.kind in _SECRET_KINDS:
        entry["isSecret"] = True
    entry["format"] = _FORMATS.get(row.kind, "string")
    if row.default is None:  # no value to offer: a client would fill in "none" (the key is required instead)
        if row.kind != "key":
            entry["description"] += f" Unset: {row.shown_default}."
    else:
        entry["default"] = row.shown_default
    if row.choices:
        entry["choices"] = list(row.choices)
    return entry


def server_json() -> dict[str, Any]:
    project = homepage.pyproject()
    home = homepage.homepage()
    description = str(project["description"])
    if len(description) > DESCRIPTION_LIMIT:
        raise ValueError(f"pyproject's description has {len(description)} characters; the registry takes "
                         f"{DESCRIPTION_LIMIT}")  # fmt: skip
    version = str(project["version"])
    return {
        "$schema": SCHEMA_URL,
        "name": homepage.registry_name(home),
        "title": TITLE,
        "description": description,
        "version": version,
        "websiteUrl": home,
        "repository": {"url": home, "source": "github"},
        "packages": [
            {
                "registryType": "pypi",
                "registryBaseUrl": "https://pypi.org",
                "identifier": str(project["name"]),
                "version": version,
                "runtimeHint": "uvx",
                "transport": {"type": "stdio"},
                "environmentVariables": [environment_variable(row) for row in SETTINGS if not row.http_only],
            }
        ],
    }


def text() -> str:
    return json.dumps(server_json(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare server.json with what would be written")
    args = parser.parse_args(argv)
    wanted = text()
    if args.check:
        if TARGET.read_text(encoding="utf-8") != wanted:
            print("server.json is out of date: run python scripts/server_json.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
