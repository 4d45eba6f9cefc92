"""The release's files: one version everywhere, server.json valid for the MCP Registry and in step with the settings
table, every public address derived from `[project.urls] Homepage`, the long description without a relative link,
the licence text and the project files."""

from __future__ import annotations

import email
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import jsonschema
import pytest

from atoms_logs_mcp.settings_table import SETTINGS
from conftest import mcp_client, script_module

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "tests" / "data" / "registry" / "server.schema.json"


homepage = script_module("homepage")
server_json_script = script_module("server_json")


def _json(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((ROOT / name).read_text(encoding="utf-8"))
    return loaded


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]  # type: ignore[no-any-return]


def _locked_version() -> str:
    found = re.search(r'\[\[package\]\]\nname = "atoms-logs-mcp"\nversion = "([^"]+)"', (ROOT / "uv.lock").read_text())
    assert found, "uv.lock has no entry for the project"
    return found[1]


def test_server_json_is_valid_for_the_registry_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    document = _json("server.json")
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    assert [error.message for error in validator.iter_errors(document)] == []
    assert document["$schema"] == schema["$id"] == server_json_script.SCHEMA_URL
    # The schema itself would refuse what the registry refuses: a description past 100 characters.
    assert list(validator.iter_errors({**document, "description": "x" * 101}))


def test_server_json_is_what_the_script_writes():
    assert (ROOT / "server.json").read_text(encoding="utf-8") == server_json_script.text(), (
        "server.json is out of date: run python scripts/server_json.py"
    )


def test_server_json_offers_every_setting_as_an_environment_variable():
    (package,) = _json("server.json")["packages"]  # type: ignore[misc]
    variables = {entry["name"]: entry for entry in package["environmentVariables"]}
    assert list(variables) == [row.env for row in SETTINGS if not row.http_only]  # a stdio entry: no HTTP settings
    assert "ATOMS_MCP_AUTH_MODE" not in variables and "ATOMS_TIMEZONE" in variables
    assert package["registryType"] == "pypi" and package["identifier"] == _pyproject()["name"]
    assert package["transport"] == {"type": "stdio"}
    key = variables["SMALLEST_API_KEY"]
    assert key["isRequired"] is True and key["isSecret"] is True and "ATOMS_API_KEY" in key["description"]
    assert "default" not in key  # a client would offer "none" as the key
    assert variables["SMALLEST_API_KEY"]["isSecret"] is True
    assert [name for name, entry in variables.items() if entry.get("isRequired")] == ["SMALLEST_API_KEY"]
    assert variables["ATOMS_TIMEOUT"]["default"] == "15" and variables["ATOMS_TIMEOUT"]["format"] == "number"
    assert variables["ATOMS_SYNC"]["default"] == "on" and variables["ATOMS_SYNC"]["choices"] == ["on", "off"]
    assert "default" not in variables["ATOMS_STORE"]  # unset means the cache folder's file, said in words


@pytest.mark.anyio
async def test_the_version_is_the_same_everywhere_and_the_server_reports_it(sandbox):
    version = _pyproject()["version"]
    assert version == "0.2.0"
    package = _json("server.json")["packages"][0]  # type: ignore[index]
    assert _json("manifest.json")["version"] == _json("server.json")["version"] == package["version"] == version
    assert _locked_version() == version, "uv.lock is behind pyproject.toml: run uv lock"
    assert re.search(rf"^## \[{re.escape(str(version))}\] - ", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    async with mcp_client(sandbox, mode="legacy") as client:
        assert client.server_info is not None and client.server_info.version == version


def test_every_public_address_follows_homepage():
    """Homepage is set once: the other project URLs must say what scripts/homepage.py derives from it, and
    server.json's name is io.github.<owner>/<repo> of it."""
    urls = _pyproject()["urls"]
    home = urls["Homepage"]  # type: ignore[index]
    assert urls == homepage.project_urls(home)
    document = _json("server.json")
    owner, repo = homepage.owner_and_repo(home)
    assert document["name"] == f"io.github.{owner}/{repo}" == homepage.registry_name(home)
    assert document["websiteUrl"] == document["repository"]["url"] == home  # type: ignore[index]
    with pytest.raises(ValueError, match=r"github\.com"):
        homepage.registry_name("https://example.org/atoms")


def test_the_long_description_makes_every_link_absolute():
    home = "https://github.com/someone/atoms"
    text = (
        '![view](docs/call-view.png) [tools](./docs/TOOLS.md "the reference") [up](#install) '
        '[pypi](https://pypi.org/p/x) <img src="docs/a.png">\n[ref]: docs/TEAM.md\n[mail](mailto:a@b.c)'
    )
    made = homepage.absolute_links(text, home)
    assert homepage.relative_links(made) == []
    assert f"![view]({home}/raw/main/docs/call-view.png)" in made
    assert f'[tools]({home}/blob/main/docs/TOOLS.md "the reference")' in made
    assert f"[up]({home}#install)" in made and f'src="{home}/raw/main/docs/a.png"' in made
    assert f"[ref]: {home}/blob/main/docs/TEAM.md" in made
    assert "(https://pypi.org/p/x)" in made and "(mailto:a@b.c)" in made
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert homepage.relative_links(homepage.absolute_links(readme, homepage.homepage())) == []


def test_the_licence_is_the_mit_text_with_a_copyright_line():
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 the atoms-logs-mcp maintainers\n")
    assert "Permission is hereby granted, free of charge" in licence
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in licence
    assert _pyproject()["license"] == "MIT" and _json("manifest.json")["license"] == "MIT"
    # An SPDX licence with a License classifier beside it is deprecated (PEP 639) and refused by newer tools.
    assert not [c for c in _pyproject()["classifiers"] if c.startswith("License ::")]  # type: ignore[union-attr]


def test_the_project_files_are_there():
    for name in ("CHANGELOG.md", "CONTRIBUTING.md", "SECURITY.md"):
        assert (ROOT / name).is_file(), name
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [0.2.0]" in changelog and "## [0.1.0]" in changelog and "keepachangelog.com" in changelog


@pytest.mark.heavy
def test_the_built_distributions_pass_twine_check_strict_with_absolute_links(tmp_path):
    uv = str(Path(sys.executable).with_name("uv"))
    subprocess.run([uv, "build", "--quiet", "--out-dir", str(tmp_path), str(ROOT)], check=True, timeout=300)
    version = _pyproject()["version"]
    wheel, sdist = (
        tmp_path / f"atoms_logs_mcp-{version}-py3-none-any.whl",
        tmp_path / f"atoms_logs_mcp-{version}.tar.gz",
    )
    checked = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
                             capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert checked.returncode == 0 and checked.stdout.count("PASSED") == 2, checked.stdout + checked.stderr
    with zipfile.ZipFile(wheel) as archive:
        metadata = email.message_from_bytes(archive.read(f"atoms_logs_mcp-{version}.dist-info/METADATA"))
    description = str(metadata.get_payload())
    assert homepage.relative_links(description) == []
    assert f"{homepage.homepage()}/raw/main/docs/" in description  # the README's screenshot, from the home
    assert metadata["Version"] == version and "Development Status :: 4 - Beta" in metadata.get_all("Classifier")
