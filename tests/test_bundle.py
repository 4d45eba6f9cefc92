"""The Claude Desktop bundles as a host runs them.

scripts/build_bundle.py (`make bundles`) builds every platform bundle and the uv bundle once per session (with the
official @anthropic-ai/mcpb CLI from the npm registry); each is unpacked like any zip. The platform bundles are
checked statically (scripts/bundle_checks.py: binaries, wheel tags, imports, for targets this machine cannot run);
the Linux x86_64 one, this machine's, has its `mcp_config` resolved by the MCPB reference implementation of the
substitution hosts perform (`getMcpConfigForManifest` from the same npm package: `${__dirname}`,
`${user_config.*}` with defaults, platform overrides) and is started exactly so, over stdio, reading the sandbox,
and driven through every tool; the uv bundle is started the same way with this machine's uv. The whole module is
skipped only when npm is missing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from conftest import SANDBOX_KEY, call_text, mcp_client

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(600)]  # the session builds every bundle once (about 60 s)

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
FULL_PHONE = re.compile(r"\+\d{10,}")


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


bundle_checks = _load("bundle_checks", ROOT / "scripts" / "bundle_checks.py")
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
    """The official @anthropic-ai/mcpb CLI, which building and validating a bundle need (npm installs it)."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        missing = "npm (with Node.js) is not installed: building the bundle needs the official @anthropic-ai/mcpb CLI"
        if os.environ.get("REAL_CLIENTS_REQUIRED") == "1":
            pytest.fail(missing + " (REAL_CLIENTS_REQUIRED=1)")
        pytest.skip(missing)
    return build_bundle.ensure_mcpb_cli(build_bundle.cli_prefix())


@pytest.fixture(scope="session")
def built(tmp_path_factory, mcpb_cli) -> dict[str, Bundle]:
    """`make bundles` once per session: every platform bundle and the uv bundle, each unpacked as a host does."""
    work = tmp_path_factory.mktemp("bundles")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_bundle.py"), "--dist", str(work / "dist"),
         "--stage", str(work / "stage"), "--cli-prefix", str(build_bundle.cli_prefix())],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    found = {}
    for line in done.stdout.strip().splitlines():
        archive = Path(line)
        name = archive.stem.removeprefix(f"atoms-logs-mcp-{MANIFEST['version']}-")
        root = work / "unpacked" / name
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(root)
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        found[name] = Bundle(archive, root, manifest, seconds)
        print(f"{archive.name}: {archive.stat().st_size / 1e6:.1f} MB")
    print(f"bundles built in {seconds:.1f} s")
    return found


@pytest.fixture(scope="session")
def bundle(built) -> Bundle:
    """The bundle of this machine (Linux x86_64), which the tests start as a host would."""
    return built["linux-x64"]


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


def bare_python(version: str | None = None) -> Path:
    """A Python with nothing installed (a fresh virtual environment without pip): what a user's python3 may be. The
    interpreter running the tests has every dependency installed, and `-I` would not hide them from the bundle."""
    base = sys.executable if version is None else _interpreter(version)
    folder = BARE / (version or "default")
    if not (folder / "bin" / "python3").exists():
        subprocess.run([str(base), "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    return folder / "bin"


def _interpreter(version: str) -> str:
    installed = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))  # not pyenv's shims
    found = str(installed[-1]) if installed else shutil.which(f"python{version}")
    if found is None:
        pytest.skip(f"no Python {version} on this machine to start the bundle with")
    return found


BARE = Path(tempfile.mkdtemp(prefix="bare-pythons-"))


def server_parameters(config: dict[str, Any], version: str | None = None, **extra_env: str) -> StdioServerParameters:
    """The host's launch: `command` found on a PATH whose first folder holds a bare Python of `version` (default: the
    tests' own), as a host finds the user's; the SDK adds HOME etc. from this process, as a host adds its own."""
    path = f"{bare_python(version)}{os.pathsep}{os.environ.get('PATH', '')}"
    command = shutil.which(config["command"], path=path)
    assert command, f"{config['command']!r} is not on PATH: a host could not start this bundle"
    found = subprocess.run(
        [
            command,
            "-c",
            "import sys, importlib.util as u; print('%d.%d' % sys.version_info[:2], u.find_spec('httpx') is None)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert found[0] in ("3.11", "3.12", "3.13"), f"{command} is Python {found[0]}; the bundles serve 3.11 to 3.13"
    assert found[1] == "True", f"{command} has httpx of its own: the bundle's lib would not be what runs"
    return StdioServerParameters(command=command, args=config["args"], env={**config["env"], "PATH": path, **extra_env})


@pytest.mark.heavy
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

    # The replica's background sync off: whether these questions reach the API would depend on how far it got.
    async with Client(server_parameters(config, ATOMS_SYNC="off")) as client:
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


@pytest.mark.heavy
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


@pytest.mark.heavy
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


async def test_manifest_lists_the_servers_tools_and_prompts_as_it_states_them(sandbox):
    """The default suite's check of what the heavy bundle test checks through a built bundle: a tool or prompt
    description changed in the server and not in manifest.json is caught before the heavy step."""
    async with mcp_client(sandbox) as client:
        tools = (await client.list_tools()).tools
        prompts = (await client.list_prompts()).prompts
    assert {t.name: (t.description or "").splitlines()[0] for t in tools} == {
        t["name"]: t["description"] for t in MANIFEST["tools"]
    }
    assert {p.name: (p.description, [a.name for a in p.arguments or []]) for p in prompts} == {
        p["name"]: (p["description"], p["arguments"]) for p in MANIFEST["prompts"]
    }


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


@pytest.mark.heavy
def test_manifest_validates_with_the_official_cli(mcpb_cli):
    done = subprocess.run(
        [*mcpb_cli, "validate", str(ROOT / "manifest.json")], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "validation passes" in done.stdout


PLATFORMS = {"darwin-arm64": "darwin", "darwin-x64": "darwin", "win32-x64": "win32", "linux-x64": "linux",
             "linux-arm64": "linux"}  # fmt: skip


@pytest.mark.heavy
def test_make_bundles_writes_every_platform_bundle_and_the_uv_bundle(built, mcpb_cli):
    assert set(built) == {*PLATFORMS, "uv"}
    for name, bundle in built.items():
        done = subprocess.run([*mcpb_cli, "validate", str(bundle.root / "manifest.json")],
                              capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        assert done.returncode == 0 and "validation passes" in done.stdout, (name, done.stdout + done.stderr)
        shipped = dict(bundle.manifest)
        compatibility = shipped.pop("compatibility")
        assert compatibility["runtimes"] == {"python": ">=3.11 <3.14"}
        if name == "uv":
            assert compatibility["platforms"] == MANIFEST["compatibility"]["platforms"]
            assert shipped["manifest_version"] == "0.4" and shipped["server"]["type"] == "uv"
            continue
        assert compatibility["platforms"] == [PLATFORMS[name]]
        assert shipped == {k: v for k, v in MANIFEST.items() if k != "compatibility"}
        info = json.loads((bundle.root / "server" / "bundle.json").read_text(encoding="utf-8"))
        assert info["target"] == name and info["pythons"] == ["3.11", "3.12", "3.13"]


@pytest.mark.heavy
def test_each_platform_bundle_holds_the_runtime_and_nothing_else(built):
    for name in PLATFORMS:
        bundle = built[name]
        with zipfile.ZipFile(bundle.archive) as zipped:
            names = set(zipped.namelist())
        assert {"manifest.json", "LICENSE", "server/run_bundle.py", "server/bundle.json"} <= names
        lib = bundle.root / "server" / "lib"
        assert sorted(p.name for p in lib.iterdir()) == ["common", "cp311", "cp312", "cp313"]
        tops = {p.name.split("-")[0].lower() for folder in lib.iterdir() for p in folder.iterdir()}
        assert {"atoms_logs_mcp", "mcp", "httpx", "pydantic", "pydantic_core", "anyio", "stamina", "tzdata"} <= tops
        assert not tops & {"pytest", "syrupy", "hypothesis", "openapi_core", "yaml", "tiktoken", "ruff", "mypy", "bin"}
        assert (lib / "common" / f"atoms_logs_mcp-{MANIFEST['version']}.dist-info").is_dir()
        assert (lib / "cp312" / "pydantic_core").is_dir() and not (lib / "common" / "pydantic_core").exists()
        assert ("pywin32.pth" in {p.name for p in (lib / "cp313").iterdir()}) is (name == "win32-x64")
        assert not any(n.endswith(".pyc") or "__pycache__/" in n for n in names)


@pytest.mark.heavy
def test_every_compiled_file_and_import_is_right_for_each_target(built):
    """The static checks (scripts/bundle_checks.py) on every platform bundle, and that they looked at something."""
    for name in PLATFORMS:
        root = built[name].root
        assert bundle_checks.compiled_problems(root, bundle_checks.TARGETS[name]) == []
        assert bundle_checks.import_problems(root, bundle_checks.TARGETS[name]) == []
        compiled = [p for p in (root / "server" / "lib").rglob("*") if bundle_checks.COMPILED.search(p.name)]
        kinds = {bundle_checks.binary_kind(p) for p in compiled}
        assert len(compiled) >= 9 and len({k[0] for k in kinds if k}) == 1, (name, kinds)


@pytest.mark.heavy
def test_the_static_checks_catch_a_wrong_binary_a_misplaced_one_and_a_missing_module(built, tmp_path):
    darwin = tmp_path / "darwin"
    shutil.copytree(built["darwin-arm64"].root, darwin)
    linux_so = next((built["linux-x64"].root / "server/lib/cp312/pydantic_core").glob("*.so"))
    shutil.copy2(linux_so, darwin / "server/lib/cp312/pydantic_core" / "_pydantic_core.cpython-312-darwin.so")
    intel = next((built["darwin-x64"].root / "server/lib/cp311/pydantic_core").glob("*.so"))
    shutil.copy2(intel, darwin / "server/lib/cp311/pydantic_core" / intel.name)
    shutil.move(str(darwin / "server/lib/cp313/rpds"), darwin / "server/lib/cp311/rpds_from_313")
    shutil.rmtree(darwin / "server/lib/common/httpx")
    target = bundle_checks.TARGETS["darwin-arm64"]
    compiled = "\n".join(bundle_checks.compiled_problems(darwin, target))
    imports = "\n".join(bundle_checks.import_problems(darwin, target))
    assert (
        "cp312/pydantic_core/_pydantic_core.cpython-312-darwin.so: a elf x86_64 binary, not macho for arm64" in compiled
    )
    assert "_pydantic_core.cpython-311-darwin.so: a macho x86_64 binary, not macho for arm64" in compiled
    assert "rpds_from_313/rpds.cpython-313-darwin.so: built for Python 3.13, found in lib/cp311" in compiled
    assert "Python 3.13: atoms_logs_mcp.api.client imports httpx, which is not there" in imports
    assert "Python 3.11: httpx_sse._exceptions imports httpx, which is not there" in imports


def test_the_launcher_picks_the_folder_of_the_running_python_or_says_what_to_install(tmp_path):
    server = tmp_path / "server"
    for folder in ("common", "cp311", "cp312", "cp313"):
        (server / "lib" / folder).mkdir(parents=True)
    built = {"target": "linux-x64", "machine": "x86_64", "pythons": ["3.11", "3.12", "3.13"]}
    run_bundle.HERE = str(server)
    assert run_bundle.dependency_folders(built, (3, 12), "x86_64") == [
        str(server / "lib" / "cp312"), str(server / "lib" / "common")
    ]  # fmt: skip
    assert run_bundle.dependency_folders(built, (3, 13), "AMD64")[0].endswith("cp313")  # Windows names x86_64 so
    with pytest.raises(LookupError, match=r"Python 3.11, 3.12, 3.13, but .* is Python 3.10. Install Python 3.13"):
        run_bundle.dependency_folders(built, (3, 10), "x86_64")
    with pytest.raises(LookupError, match=r"this bundle is for x86_64 processors .* runs on arm64"):
        run_bundle.dependency_folders(built, (3, 12), "arm64")
    run_bundle.HERE = str(ROOT / "server")


def test_the_launcher_refuses_another_python_with_the_message(tmp_path):
    server = tmp_path / "server"
    (server / "lib" / "cp399").mkdir(parents=True)
    shutil.copy2(ROOT / "server" / "run_bundle.py", server)
    (server / "bundle.json").write_text(json.dumps({"pythons": ["3.99"], "machine": platform.machine()}), "utf-8")
    done = subprocess.run(
        [sys.executable, "-I", str(server / "run_bundle.py")], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "carries its dependencies for Python 3.99" in done.stderr and "Install Python 3.99" in done.stderr


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


EVERY_TOOL: dict[str, dict[str, Any]] = {
    "list_logs": {"limit": 5, "statuses": ["completed"]},
    "summarize_logs": {"since": "2026-11-01", "group_by": ["status", "agent"]},
    "list_agents": {"with_calls": True, "since": "2026-11-01"},
    "get_log": {},
    "search_by_call_ids": {},
    "export_logs": {"format": "json", "file_name": "every-tool.json", "max_calls": 20},
    "search_transcripts": {"text": "refund", "since": "2026-11-13", "max_calls": 40},
    "analyze_calls": {"since": "2026-11-13", "aspects": ["tools", "conversation"], "max_calls": 40},
    "compare_calls": {"baseline": {"since": "2026-11-06", "until": "2026-11-12"}, "candidate": {"since": "2026-11-13"}},
    "watch_call": {"seconds": 2},
    "get_agent": {"agent": "Support", "include": ["versions", "tools"]},
    "diff_agent_versions": {"agent": "Support"},
}


@pytest.mark.heavy
async def test_the_linux_bundle_started_as_its_manifest_says_runs_every_tool(
    bundle, sandbox, generated_dataset, tmp_path
):
    completed = [c["callId"] for c in generated_dataset["calls"] if c["status"] == "completed"][:3]
    arguments = {**EVERY_TOOL, "get_log": {"call_id": completed[0]}, "search_by_call_ids": {"call_ids": completed},
                 "watch_call": {"call_id": completed[0], "seconds": 2}}  # fmt: skip
    user_config = {"api_key": SANDBOX_KEY, "base_url": sandbox.base_url, "export_dir": str(tmp_path)}
    config = resolve_mcp_config(bundle, user_config, home=tmp_path)
    async with Client(server_parameters(config)) as client:
        listed = [tool.name for tool in (await client.list_tools()).tools]
        answers = {name: await call_text(client, name, arguments[name]) for name in listed}
    assert sorted(listed) == sorted(EVERY_TOOL)
    assert "what changed from" in answers["diff_agent_versions"] and "ended" in answers["watch_call"]
    assert (tmp_path / "every-tool.json").is_file()


@pytest.mark.heavy
@pytest.mark.parametrize("version", ["3.12", "3.13"])
async def test_the_linux_bundle_starts_under_each_python_it_carries(bundle, sandbox, tmp_path, version):
    config = resolve_mcp_config(bundle, {"api_key": SANDBOX_KEY, "base_url": sandbox.base_url}, home=tmp_path)
    async with Client(server_parameters(config, version)) as client:
        tools = [tool.name for tool in (await client.list_tools()).tools]
        agent = await call_text(client, "get_agent", {"agent": "Support", "include": ["tools"]})
    assert sorted(tools) == sorted(EVERY_TOOL) and "lookup_order" in agent


@pytest.mark.heavy
def test_the_uv_bundle_resolves_with_wheels_on_every_target(built):
    """What the host's uv would install on each platform, from the bundle's lock, without building anything."""
    uv = str(Path(sys.executable).with_name("uv"))
    for target in bundle_checks.TARGETS.values():
        for version in ("3.11", "3.13"):
            done = subprocess.run(
                [uv, "sync", "--frozen", "--no-dev", "--dry-run", "--no-build", "--offline", "--python-platform",
                 target.uv_platform, "--python", _interpreter(version), "--directory", str(built["uv"].root)],
                capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
            assert done.returncode == 0, (target.name, version, done.stderr)


@pytest.mark.heavy
def test_the_bundles_page_says_which_versions_differ_from_the_lock(built):
    page = (ROOT / "docs" / "BUNDLES.md").read_text(encoding="utf-8")
    for name in PLATFORMS:
        info = json.loads((built[name].root / "server" / "bundle.json").read_text(encoding="utf-8"))
        for package, facts in info.get("not_as_locked", {}).items():
            versions = set(facts["installed"].values())
            assert len(versions) == 1, facts
            assert f"{package} {facts['locked']} has no wheel for" in page and f"carries {versions.pop()}" in page
    assert "not_as_locked" in (built["darwin-x64"].root / "server" / "bundle.json").read_text(encoding="utf-8")


@pytest.mark.heavy
async def test_the_uv_bundle_runs_in_the_environment_uv_makes_from_its_lock(built, sandbox, tmp_path):
    """Started as its manifest says, with this machine's uv standing in for the host's: uv makes the environment
    from the bundle's pyproject.toml and uv.lock (from its cache: the test suite's own installs filled it)."""
    bundle = built["uv"]
    assert {p.name for p in bundle.root.iterdir()} >= {
        "manifest.json",
        "pyproject.toml",
        "uv.lock",
        "server",
        "LICENSE",
    }
    assert not (bundle.root / "server" / "lib").exists()
    config = resolve_mcp_config(bundle, {"api_key": SANDBOX_KEY, "base_url": sandbox.base_url}, home=tmp_path)
    assert config["command"] == "uv" and config["args"][:3] == ["run", "--frozen", "--no-dev"]
    uv = str(Path(sys.executable).with_name("uv"))
    parameters = StdioServerParameters(command=uv, args=config["args"], env={**config["env"], "UV_OFFLINE": "1"})
    async with Client(parameters) as client:
        tools = [tool.name for tool in (await client.list_tools()).tools]
        agents = await call_text(client, "list_agents", {})
    assert sorted(tools) == sorted(EVERY_TOOL) and "Support" in agents
    assert (bundle.root / ".venv").is_dir()  # made by uv at first start, as the host's uv does


@pytest.mark.heavy
def test_the_wheel_and_sdist_pass_twine_check_and_run_with_uvx(tmp_path):
    uv = str(Path(sys.executable).with_name("uv"))
    subprocess.run([uv, "build", "--quiet", "--out-dir", str(tmp_path / "dist"), str(ROOT)], check=True, timeout=300)
    files = sorted(f for f in (tmp_path / "dist").iterdir() if f.suffix in (".gz", ".whl"))
    assert sorted(f.suffix for f in files) == [".gz", ".whl"]
    checked = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, files)],
                             capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert checked.returncode == 0 and checked.stdout.count("PASSED") == 2, checked.stdout + checked.stderr
    # A clean environment: an empty HOME, no virtual environment, only uv on PATH besides the system's; the
    # machine's network settings (proxies, certificates) and uv's cache kept.
    home = tmp_path / "home"
    home.mkdir()
    network = {
        k: v for k, v in os.environ.items() if k in ("SSL_CERT_FILE", "SSL_CERT_DIR") or k.lower().endswith("_proxy")
    }
    tools = tmp_path / "bin"
    tools.mkdir()
    shutil.copy2(Path(uv).with_name("uvx"), tools / "uvx")
    shutil.copy2(uv, tools / "uv")
    env = {**network, "PATH": f"{tools}:/usr/bin:/bin", "HOME": str(home), "UV_CACHE_DIR": _uv_cache(uv)}
    wheel = next(f for f in files if f.suffix == ".whl")
    done = subprocess.run([str(tools / "uvx"), "--isolated", "--from", str(wheel), "atoms-logs-mcp", "check", "--demo"],
                          capture_output=True, text=True, timeout=600, env=env, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "OK: every check passed." in done.stdout


def _uv_cache(uv: str) -> str:
    """The machine's uv cache (wheels already downloaded), so the clean environment needs no network."""
    return subprocess.run([uv, "cache", "dir"], capture_output=True, text=True, check=True).stdout.strip()
