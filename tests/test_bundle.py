"""The Claude Desktop bundle as a host runs it.

scripts/build_bundle.py builds the .mcpb once per session (with the official @anthropic-ai/mcpb CLI from the
npm registry); it is unpacked like any zip, its `mcp_config` is resolved by the MCPB reference implementation
of the substitution hosts perform (`getMcpConfigForManifest` from the same npm package: `${__dirname}`,
`${user_config.*}` with defaults, platform overrides), and the server is started exactly so, over stdio,
reading the sandbox. The whole module is skipped only when npm is missing.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from conftest import SANDBOX_KEY, call_text

if shutil.which("npm") is None or shutil.which("node") is None:
    pytest.skip(
        "npm (with Node.js) is not installed: building the bundle needs the official @anthropic-ai/mcpb CLI",
        allow_module_level=True,
    )

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
FULL_PHONE = re.compile(r"\+\d{10,}")


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_bundle = _load("build_bundle", ROOT / "scripts" / "build_bundle.py")
run_bundle = _load("run_bundle", ROOT / "server" / "run_bundle.py")


@dataclass
class Bundle:
    archive: Path
    root: Path  # where it was unpacked: the host's ${__dirname}
    manifest: dict[str, Any]
    seconds: float


@pytest.fixture(scope="session")
def mcpb_cli() -> list[str]:
    return build_bundle.ensure_mcpb_cli(build_bundle.cli_prefix())


@pytest.fixture(scope="session")
def bundle(tmp_path_factory, mcpb_cli) -> Bundle:
    work = tmp_path_factory.mktemp("bundle")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_bundle.py"), "--dist", str(work / "dist"),
         "--stage", str(work / "stage"), "--cli-prefix", str(build_bundle.cli_prefix())],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    archive = Path(done.stdout.strip().splitlines()[-1])
    assert archive == work / "dist" / f"atoms-logs-mcp-{MANIFEST['version']}.mcpb"
    root = work / "unpacked"
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(root)
    print(f"\nbundle built in {seconds:.1f} s: {archive.stat().st_size / 1e6:.1f} MB")
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return Bundle(archive, root, manifest, seconds)


def resolve_mcp_config(bundle: Bundle, user_config: dict[str, Any], home: Path) -> dict[str, Any]:
    """What a host puts in its MCP server config for this bundle, by the MCPB reference implementation."""
    package = build_bundle.mcpb_package_dir(build_bundle.cli_prefix())
    entry = package / json.loads((package / "package.json").read_text(encoding="utf-8"))["main"]
    script = (
        f"import {{ getMcpConfigForManifest }} from {json.dumps(entry.as_uri())};\n"
        "import { readFileSync } from 'node:fs';\nimport { sep } from 'node:path';\n"
        "const input = JSON.parse(readFileSync(0, 'utf8'));\n"
        "const config = await getMcpConfigForManifest({ ...input, pathSeparator: sep });\n"
        "process.stdout.write(JSON.stringify(config ?? null));\n"
    )
    request = {
        "manifest": bundle.manifest,
        "extensionPath": str(bundle.root),
        "systemDirs": {"HOME": str(home), "DESKTOP": str(home / "Desktop"), "DOCUMENTS": str(home / "Documents")},
        "userConfig": user_config,
    }
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(request), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    config = json.loads(done.stdout)
    assert config, "the host would not start the server (required configuration missing?)"
    return config  # type: ignore[no-any-return]


def without_key(config: dict[str, Any]) -> dict[str, Any]:
    """A resolved config to assert on: failures print it, and the suite's secret scan reads failures."""
    return {**config, "env": {k: v for k, v in config["env"].items() if k != "SMALLEST_API_KEY"}}


def server_parameters(config: dict[str, Any], **extra_env: str) -> StdioServerParameters:
    """The host's launch; the SDK adds PATH, HOME etc. from this process, as a host adds its own environment."""
    command = shutil.which(config["command"])
    assert command, f"{config['command']!r} is not on PATH: a host could not start this bundle"
    version = subprocess.run(
        [command, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True, check=True
    ).stdout.strip()
    built_for = "{}.{}".format(*sys.version_info[:2])
    assert version == built_for, f"{command} is Python {version}; the bundle was built for {built_for}"
    return StdioServerParameters(command=config["command"], args=config["args"], env={**config["env"], **extra_env})


async def test_bundle_serves_the_manifest_tools_and_prompts_with_every_setting(bundle, sandbox, tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    user_config = {
        "api_key": SANDBOX_KEY,
        "base_url": sandbox.base_url,
        "timezone": "Europe/Berlin",
        "redact_phone_numbers": True,
        "export_dir": str(exports),
    }
    config = resolve_mcp_config(bundle, user_config, home=tmp_path)
    public = without_key(config)
    assert "${" not in json.dumps(public), public
    assert public["args"] == ["-I", str(bundle.root / "server" / "run_bundle.py")]
    assert public["env"]["ATOMS_REDACT"] == "true"  # the launcher turns it into "phone"

    async with Client(server_parameters(config)) as client:
        tools = (await client.list_tools()).tools
        prompts = (await client.list_prompts()).prompts
        listing = await call_text(client, "list_logs", {"limit": 20, "since": "2026-11-01"})
        exported = await call_text(client, "export_logs", {"format": "csv", "file_name": "bundle.csv", "max_calls": 50})

    assert sorted(t.name for t in tools) == sorted(t["name"] for t in MANIFEST["tools"])
    assert sorted(p.name for p in prompts) == sorted(p["name"] for p in MANIFEST["prompts"])
    # Descriptions and prompt arguments as the server states them (a tool's first line).
    assert {t.name: (t.description or "").splitlines()[0] for t in tools} == {
        t["name"]: t["description"] for t in MANIFEST["tools"]
    }
    assert {p.name: (p.description, [a.name for a in p.arguments or []]) for p in prompts} == {
        p["name"]: (p["description"], p["arguments"]) for p in MANIFEST["prompts"]
    }

    assert "Showing calls 1-20" in listing
    assert "Europe/Berlin" in listing  # ATOMS_TIMEZONE
    assert "→" in listing and not FULL_PHONE.search(listing), listing  # ATOMS_REDACT=phone
    assert (exports / "bundle.csv").is_file(), exported  # ATOMS_EXPORT_DIR
    assert sandbox.stats()["requests"]["GET /conversation"] >= 2


async def test_bundle_with_only_the_required_settings_uses_the_server_defaults(bundle, sandbox, tmp_path):
    """Optional settings left alone: defaults apply, and an unset folder is not taken literally."""
    config = resolve_mcp_config(bundle, {"api_key": SANDBOX_KEY, "base_url": sandbox.base_url}, home=tmp_path)
    env = without_key(config)["env"]
    assert env["ATOMS_TIMEZONE"] == "UTC" and env["ATOMS_REDACT"] == "false"
    # The reference implementation leaves an optional setting without a default as its placeholder; the
    # launcher drops it, so the server's own default folder is used.
    assert env["ATOMS_EXPORT_DIR"] == "${user_config.export_dir}"

    async with Client(server_parameters(config, HOME=str(tmp_path))) as client:
        listing = await call_text(client, "list_logs", {"limit": 20})
        await call_text(client, "export_logs", {"format": "json", "file_name": "defaults.json", "max_calls": 10})

    assert FULL_PHONE.search(listing), "phone numbers are masked though redaction is off"
    assert (tmp_path / "atoms-logs-exports" / "defaults.json").is_file()
    assert not (tmp_path / "${user_config.export_dir}").exists()


async def test_bundle_reports_its_version(bundle, sandbox, tmp_path):
    config = resolve_mcp_config(bundle, {"api_key": SANDBOX_KEY, "base_url": sandbox.base_url}, home=tmp_path)
    async with Client(server_parameters(config), mode="legacy") as client:
        assert client.server_info is not None
        assert client.server_info.version == MANIFEST["version"]


def test_manifest_names_the_package_and_its_version():
    with (ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    assert MANIFEST["name"] == project["name"]
    assert MANIFEST["version"] == project["version"], "bump manifest.json's version with pyproject.toml's"
    assert MANIFEST["manifest_version"] == "0.3"
    assert MANIFEST["server"]["type"] == "python"
    assert MANIFEST["server"]["entry_point"] == "server/run_bundle.py"
    assert MANIFEST["license"] == project["license"]
    assert MANIFEST["compatibility"]["runtimes"]["python"] == project["requires-python"]


def test_manifest_defaults_match_the_server():
    from atoms_logs_mcp.config import DEFAULT_BASE_URL, Settings

    options = MANIFEST["user_config"]
    assert options["api_key"]["sensitive"] is True and options["api_key"]["required"] is True
    assert options["base_url"]["default"] == DEFAULT_BASE_URL
    assert options["timezone"]["default"] == Settings().timezone
    assert options["redact_phone_numbers"] == {**options["redact_phone_numbers"], "type": "boolean", "default": False}
    # Every option reaches the server, and every prompt's text names its arguments and no others.
    used = set(re.findall(r"\$\{user_config\.(\w+)\}", json.dumps(MANIFEST["server"]["mcp_config"])))
    assert used == set(options)
    for prompt in MANIFEST["prompts"]:
        assert set(re.findall(r"\$\{arguments\.(\w+)\}", prompt["text"])) == set(prompt["arguments"])


def test_manifest_validates_with_the_official_cli(mcpb_cli):
    done = subprocess.run(
        [*mcpb_cli, "validate", str(ROOT / "manifest.json")], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "validation passes" in done.stdout


def test_bundle_contents(bundle):
    """The shipped manifest differs only in compatibility; lib holds the runtime dependencies and nothing else."""
    shipped = dict(bundle.manifest)
    compatibility = shipped.pop("compatibility")
    assert shipped == {k: v for k, v in MANIFEST.items() if k != "compatibility"}
    major, minor = sys.version_info[:2]
    assert compatibility == {
        **MANIFEST["compatibility"],
        "platforms": [build_bundle.bundle_platform()],
        "runtimes": {"python": f">={major}.{minor} <{major}.{minor + 1}"},
    }
    with zipfile.ZipFile(bundle.archive) as zipped:
        names = set(zipped.namelist())
    assert {"manifest.json", "LICENSE", "server/run_bundle.py", "server/bundle.json"} <= names
    lib = bundle.root / "server" / "lib"
    top = {path.name.split("-")[0].lower() for path in lib.iterdir()}
    assert {"atoms_logs_mcp", "mcp", "httpx", "pydantic", "pydantic_core", "anyio", "stamina", "tzdata"} <= top
    assert not top & {"pytest", "syrupy", "hypothesis", "openapi_core", "yaml", "tiktoken", "ruff", "mypy", "bin"}
    assert (lib / f"atoms_logs_mcp-{MANIFEST['version']}.dist-info").is_dir()
    assert not any(name.endswith(".pyc") or "__pycache__/" in name for name in names)


def test_launcher_refuses_another_python(tmp_path):
    server = tmp_path / "server"
    server.mkdir()
    shutil.copy2(ROOT / "server" / "run_bundle.py", server)
    (server / "bundle.json").write_text(json.dumps({"python": "3.99", "machine": "x86_64"}), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", str(server / "run_bundle.py")], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "built for Python 3.99" in done.stderr


@pytest.mark.parametrize(
    ("given", "server_reads"),
    [
        ({"ATOMS_REDACT": "true"}, {"ATOMS_REDACT": "phone"}),
        ({"ATOMS_REDACT": "false"}, {"ATOMS_REDACT": ""}),
        ({"ATOMS_REDACT": "phone"}, {"ATOMS_REDACT": "phone"}),
        ({"ATOMS_EXPORT_DIR": "${user_config.export_dir}", "X": "1"}, {"X": "1"}),
        ({"ATOMS_EXPORT_DIR": "/data/exports"}, {"ATOMS_EXPORT_DIR": "/data/exports"}),
    ],
)
def test_launcher_translates_host_settings(given, server_reads):
    environ = dict(given)
    run_bundle.bundle_environment(environ)
    assert environ == server_reads


def test_build_refuses_a_manifest_out_of_step(monkeypatch):
    monkeypatch.setattr(build_bundle, "project", lambda: {"name": "atoms-logs-mcp", "version": "9.9.9"})
    with pytest.raises(build_bundle.BuildError, match=re.escape("says '9.9.9'")):
        build_bundle.check_manifest_matches_project(MANIFEST)
