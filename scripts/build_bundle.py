#!/usr/bin/env python3
"""Build the Claude Desktop bundle: dist/atoms-logs-mcp-<version>.mcpb (`make bundle`).

1. Check that manifest.json names this project and carries pyproject.toml's version.
2. Get the official MCPB CLI (@anthropic-ai/mcpb, pinned) from the npm registry into a local prefix,
   and validate manifest.json with it.
3. Stage the bundle: build this project's wheel and install it with its runtime dependencies (never the
   test or dev extras) into <stage>/server/lib with the running interpreter's pip; add the launcher
   server/run_bundle.py, a server/bundle.json naming the Python it was built for, LICENSE, and
   manifest.json with `compatibility` narrowed to this platform and Python version.
4. `mcpb pack` the stage, then check that the archive holds every staged file (pack silently leaves out
   names on its own ignore list).

Some dependencies are compiled (pydantic-core, rpds-py, cryptography, cffi), so a bundle works only on
the operating system, processor and Python minor version that built it: build it once per target, on
that target. pip cannot do this from elsewhere: `--platform` fetches foreign wheels but still evaluates
dependency markers such as `sys_platform == 'win32'` for the machine it runs on.

Needs Python 3.11+ with pip, Node.js with npm (tested with Node 20), and access to PyPI and the npm registry.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MCPB_PACKAGE = "@anthropic-ai/mcpb"
MCPB_VERSION = "2.1.2"
DEFAULT_CLI_PREFIX = ROOT / "build" / "mcpb-cli"
CLI_PREFIX_VARIABLE = "MCPB_CLI_PREFIX"
LAUNCHER = "server/run_bundle.py"


class BuildError(Exception):
    pass


def log(message: str) -> None:
    print(f"build_bundle: {message}", file=sys.stderr, flush=True)


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run one of the build's own commands (pip, npm, mcpb); its output is shown only if it fails."""
    result = subprocess.run(command, text=True, capture_output=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BuildError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


# Project facts ------------------------------------------------------------------------------------


def project() -> dict[str, str]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        meta = tomllib.load(file)["project"]
    return {"name": meta["name"], "version": meta["version"]}


def read_manifest() -> dict[str, object]:
    return json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def check_manifest_matches_project(manifest: dict[str, object]) -> None:
    meta = project()
    for field in ("name", "version"):
        if manifest.get(field) != meta[field]:
            raise BuildError(
                f"manifest.json {field} is {manifest.get(field)!r} but pyproject.toml says {meta[field]!r}: "
                "keep them in sync"
            )
    entry = manifest["server"]["entry_point"]  # type: ignore[index]
    if entry != LAUNCHER:
        raise BuildError(f"manifest.json server.entry_point is {entry!r}; the build stages {LAUNCHER}")


def bundle_platform() -> str:
    """This machine as the manifest's `compatibility.platforms` names it (Node's process.platform)."""
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform in ("darwin", "win32"):
        return sys.platform
    raise BuildError(f"MCP bundles support darwin, win32 and linux, not {sys.platform}")


def python_minor() -> str:
    return "{}.{}".format(*sys.version_info[:2])


def staged_manifest(manifest: dict[str, object]) -> dict[str, object]:
    """The manifest as shipped: compatibility narrowed to what this build's compiled wheels run on."""
    major, minor = sys.version_info[:2]
    staged = json.loads(json.dumps(manifest))
    staged["compatibility"] = {
        **manifest.get("compatibility", {}),  # type: ignore[dict-item]
        "platforms": [bundle_platform()],
        "runtimes": {"python": f">={major}.{minor} <{major}.{minor + 1}"},
    }
    return staged  # type: ignore[no-any-return]


# The MCPB CLI -------------------------------------------------------------------------------------


def cli_prefix() -> Path:
    """Where the MCPB CLI is installed: $MCPB_CLI_PREFIX, or build/mcpb-cli."""
    return Path(os.environ.get(CLI_PREFIX_VARIABLE) or DEFAULT_CLI_PREFIX).resolve()


def mcpb_package_dir(prefix: Path) -> Path:
    return prefix / "node_modules" / "@anthropic-ai" / "mcpb"


def ensure_mcpb_cli(prefix: Path) -> list[str]:
    """`node <cli.js>` of the pinned @anthropic-ai/mcpb, installed into `prefix` from the npm registry if needed."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    if not node or not npm:
        raise BuildError("Node.js and npm are needed for the official MCPB CLI (@anthropic-ai/mcpb)")
    package = mcpb_package_dir(prefix)
    manifest = package / "package.json"
    if not manifest.is_file() or json.loads(manifest.read_text(encoding="utf-8")).get("version") != MCPB_VERSION:
        log(f"installing {MCPB_PACKAGE}@{MCPB_VERSION} into {prefix}")
        prefix.mkdir(parents=True, exist_ok=True)
        run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error",
             f"{MCPB_PACKAGE}@{MCPB_VERSION}"]
        )  # fmt: skip
    bin_entry = json.loads(manifest.read_text(encoding="utf-8"))["bin"]
    script = bin_entry if isinstance(bin_entry, str) else bin_entry["mcpb"]
    return [node, str(package / script)]


def mcpb_validate(cli: list[str], manifest_path: Path) -> str:
    return run([*cli, "validate", str(manifest_path)]).stdout


# Staging ------------------------------------------------------------------------------------------


def vendor_runtime(lib: Path, work: Path) -> None:
    """This project's wheel and its runtime dependencies, installed into `lib` by the running interpreter."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    wheels = work / "wheel"
    run([*pip, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(ROOT)])
    (wheel,) = wheels.glob("*.whl")
    run(
        [*pip, "install", "--quiet", "--target", str(lib), "--only-binary=:all:", "--no-compile",
         "--no-warn-script-location", str(wheel)]
    )  # fmt: skip
    # Console scripts point at this machine's interpreter, and direct_url.json at the temporary wheel.
    shutil.rmtree(lib / "bin", ignore_errors=True)
    for record in lib.glob("*.dist-info/direct_url.json"):
        record.unlink()
    for cache in list(lib.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)


def stage(manifest: dict[str, object], stage_dir: Path) -> None:
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    server = stage_dir / "server"
    server.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="atoms-bundle-") as work:
        vendor_runtime(server / "lib", Path(work))
    shutil.copy2(ROOT / LAUNCHER, stage_dir / LAUNCHER)
    info = {"python": python_minor(), "platform": bundle_platform(), "machine": platform.machine()}
    (server / "bundle.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    shutil.copy2(ROOT / "LICENSE", stage_dir / "LICENSE")
    (stage_dir / "manifest.json").write_text(json.dumps(staged_manifest(manifest), indent=2) + "\n", encoding="utf-8")


def staged_files(stage_dir: Path) -> set[str]:
    return {path.relative_to(stage_dir).as_posix() for path in stage_dir.rglob("*") if path.is_file()}


def pack(cli: list[str], stage_dir: Path, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    run([*cli, "pack", str(stage_dir), str(output)])
    with zipfile.ZipFile(output) as archive:
        packed = {name for name in archive.namelist() if not name.endswith("/")}
    missing = staged_files(stage_dir) - packed
    if missing:
        raise BuildError(f"mcpb pack left out {len(missing)} staged files, e.g. {sorted(missing)[:5]}")


# Main ---------------------------------------------------------------------------------------------


def build(dist: Path, stage_dir: Path, prefix: Path) -> Path:
    started = time.monotonic()
    manifest = read_manifest()
    check_manifest_matches_project(manifest)
    cli = ensure_mcpb_cli(prefix)
    mcpb_validate(cli, ROOT / "manifest.json")
    log(f"manifest.json valid; staging into {stage_dir} with {sys.executable} (Python {platform.python_version()})")
    stage(manifest, stage_dir)
    mcpb_validate(cli, stage_dir / "manifest.json")
    output = dist / f"{manifest['name']}-{manifest['version']}.mcpb"
    pack(cli, stage_dir, output)
    digest = hashlib.sha256(output.read_bytes()).hexdigest()
    log(
        f"{output} ({output.stat().st_size / 1e6:.1f} MB, {len(staged_files(stage_dir))} files, sha256 {digest[:16]}…) "
        f"for {bundle_platform()}-{platform.machine()}, Python {python_minor()}, "
        f"in {time.monotonic() - started:.1f} s"
    )
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the .mcpb goes (default dist/)")
    parser.add_argument("--stage", type=Path, default=ROOT / "build" / "bundle", help="staging directory")
    parser.add_argument(
        "--cli-prefix",
        type=Path,
        default=cli_prefix(),
        help=f"npm prefix holding {MCPB_PACKAGE}@{MCPB_VERSION} (default ${CLI_PREFIX_VARIABLE} or build/mcpb-cli)",
    )
    parser.add_argument("--check", action="store_true", help="only check and validate manifest.json; build nothing")
    args = parser.parse_args(argv)
    try:
        if args.check:
            check_manifest_matches_project(read_manifest())
            print(mcpb_validate(ensure_mcpb_cli(args.cli_prefix.resolve()), ROOT / "manifest.json"), end="")
            return 0
        output = build(args.dist.resolve(), args.stage.resolve(), args.cli_prefix.resolve())
    except BuildError as error:
        log(f"error: {error}")
        return 1
    print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
