#!/usr/bin/env python3
"""Build the Claude Desktop bundles (`make bundles`): dist/atoms-logs-mcp-<version>-<target>.mcpb for each platform
and processor, and dist/atoms-logs-mcp-<version>-uv.mcpb.

A platform bundle carries the runtime dependencies compiled for its target (macOS arm64 and x86_64, Windows x64,
Linux x86_64 and arm64) for CPython 3.11, 3.12 and 3.13: `uv pip install --target --python-platform
--python-version --only-binary :all:` resolves each set for the target (dependency markers such as
`sys_platform == 'win32'` are evaluated for it, not for this machine), constrained to uv.lock's versions.
Distributions that come out identical for the three versions go to server/lib/common, the rest to
server/lib/cp3XX; server/run_bundle.py picks the set of the Python it runs under, or says which to install.
The uv bundle (manifest 0.4, `server.type: "uv"`, experimental in the MCPB spec) carries the package's source and a
pyproject.toml with uv.lock's pins: the host provides Python and installs the dependencies.

Each manifest is validated and each bundle packed with the official MCPB CLI (@anthropic-ai/mcpb, pinned, from
the npm registry); then the archive is checked to hold every staged file, and each platform bundle is checked
statically (scripts/bundle_checks.py): every compiled file is for its target and Python version, and every import
the runtime makes resolves to a file present for that target.

Needs Python 3.11+ with uv (the test extra installs it), Node.js with npm, and the npm registry and PyPI.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bundle_checks import PYTHONS, TARGETS, Target, compiled_problems, import_problems

ROOT = Path(__file__).resolve().parents[1]
MCPB_PACKAGE = "@anthropic-ai/mcpb"
MCPB_VERSION = "2.1.2"
DEFAULT_CLI_PREFIX = ROOT / "build" / "mcpb-cli"
CLI_PREFIX_VARIABLE = "MCPB_CLI_PREFIX"
LAUNCHER = "server/run_bundle.py"
PYTHON_RANGE = ">=3.11 <3.14"


class BuildError(Exception):
    pass


def log(message: str) -> None:
    print(f"build_bundle: {message}", file=sys.stderr, flush=True)


def run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run one of the build's own commands (uv, npm, mcpb); its output is shown only if it fails."""
    result = subprocess.run(command, text=True, capture_output=True, check=False, cwd=cwd)  # noqa: S603
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


def uv() -> list[str]:
    candidates = [
        Path(sys.executable).with_name("uv"),
        ROOT / ".venv" / "bin" / "uv",
        ROOT / ".venv" / "Scripts" / "uv.exe",
    ]
    found = shutil.which("uv") or next((str(path) for path in candidates if path.exists()), None)
    if not found:
        raise BuildError("uv is needed to resolve each target's dependencies: pip install uv (the test extra has it)")
    return [found]


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


@dataclass(frozen=True)
class Inputs:
    """What every bundle is made of: this project's wheel and uv.lock's runtime pins."""

    wheel: Path
    pins: Path


def inputs(work: Path) -> Inputs:
    run([*uv(), "build", "--wheel", "--quiet", "--out-dir", str(work / "wheel"), str(ROOT)])
    (wheel,) = (work / "wheel").glob("*.whl")
    pins = work / "pins.txt"
    run(
        [*uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet",
         "--project", str(ROOT), "--output-file", str(pins)]
    )  # fmt: skip
    return Inputs(wheel, pins)


NO_WHEEL = re.compile(r"Because ([A-Za-z0-9_.-]+)==(\S+) has no usable wheels")
NOT_AS_LOCKED = {("cryptography", "darwin-x64"): "50.0.2 and the releases since 49 ship no x86_64 macOS wheel"}
"""The only (package, target) pairs that may carry another version than uv.lock's: an older one that has a wheel."""


def vendor(target: Target, python: str, given: Inputs, lib: Path, work: Path) -> dict[str, str]:
    """The wheel and its runtime dependencies for `target` and `python`, installed into `lib`, at uv.lock's versions.
    A locked version with no wheel for the target is left to the resolver (the newest that has one); the
    packages so freed are returned with their locked version."""
    pins = given.pins.read_text(encoding="utf-8").splitlines()
    freed: dict[str, str] = {}
    while True:
        constraints = work / f"constraints-{target.name}-{python}.txt"
        constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
        command = [*uv(), "pip", "install", "--quiet", "--target", str(lib), "--python-platform", target.uv_platform,
                   "--python-version", python, "--only-binary", ":all:", "--constraints", str(constraints),
                   "--no-compile", str(given.wheel)]  # fmt: skip
        done = subprocess.run(command, text=True, capture_output=True, check=False)  # noqa: S603
        missing = NO_WHEEL.search(done.stderr)
        if done.returncode == 0:
            break
        if missing is None or missing.group(1) in freed:
            raise BuildError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        package, locked = missing.group(1), missing.group(2)
        if (package, target.name) not in NOT_AS_LOCKED:
            raise BuildError(
                f"uv.lock's {package} {locked} has no wheel for {target.name}; no other version is allowed"
            )
        freed[package] = locked
        pins = [pin if not pin.lower().startswith(f"{package.lower()}==") else f"{package}<{locked}" for pin in pins]
    # Console scripts point at this machine, direct_url.json at the temporary wheel.
    shutil.rmtree(lib / "bin", ignore_errors=True)
    for record in lib.glob("*.dist-info/direct_url.json"):
        record.unlink()
    for cache in list(lib.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    return freed


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _versions(lib: Path) -> dict[str, str]:
    """Installed distribution (normalised name) -> version."""
    pairs = (p.name.removesuffix(".dist-info").rsplit("-", 1) for p in lib.glob("*.dist-info"))
    return {_normal(name): version for name, version in pairs}


def exceptions(given: Inputs, work: Path) -> list[tuple[str, str, str, Target]]:
    """(package, locked version, version installed instead, target) for each allowed exception to uv.lock."""
    found = []
    for _, target_name in NOT_AS_LOCKED:
        target = TARGETS[target_name]
        folder = work / f"probe-{target_name}"
        for name, locked in vendor(target, PYTHONS[0], given, folder, work).items():
            found.append((name, locked, _versions(folder).get(_normal(name), "?"), target))
        shutil.rmtree(folder, ignore_errors=True)
    return found


def distributions(lib: Path) -> dict[str, tuple[str, set[str]]]:
    """dist-info name -> (its RECORD, the top-level names it installed)."""
    found = {}
    for info in lib.glob("*.dist-info"):
        record = (info / "RECORD").read_text(encoding="utf-8")
        tops = {line.split(",")[0].split("/")[0] for line in record.splitlines() if line and not line.startswith("..")}
        found[info.name] = (record, {top for top in tops if (lib / top).exists()} | {info.name})  # bin/ is gone
    return found


def share_identical(libs: dict[str, Path], common: Path) -> None:
    """Move each distribution installed identically for every Python version (same RECORD: same files, same hashes)
    into `common`; a distribution that differs anywhere stays whole in each version's folder (pywin32's .pth and the
    folders it names must stay together)."""
    common.mkdir(parents=True, exist_ok=True)
    found = {version: distributions(lib) for version, lib in libs.items()}
    first, *others = found.values()
    same = {name for name, (record, _) in first.items() if all(o.get(name, ("", set()))[0] == record for o in others)}
    kept = {top for name, (_, tops) in first.items() if name not in same for top in tops}
    for name in sorted(same):
        tops = first[name][1]
        if tops & kept:
            continue  # a folder (a namespace package) shared with a distribution that differs: all of it stays
        for version, lib in libs.items():
            for top in tops:
                source = lib / top
                if not source.exists():
                    continue  # a console script, removed; or moved with another distribution of the folder
                if version == PYTHONS[0]:
                    shutil.move(str(source), common / top)
                elif source.is_dir():
                    shutil.rmtree(source)
                else:
                    source.unlink()


def platform_manifest(manifest: dict[str, object], target: Target) -> dict[str, object]:
    staged = json.loads(json.dumps(manifest))
    staged["compatibility"] = {
        **manifest.get("compatibility", {}),  # type: ignore[dict-item]
        "platforms": [target.os],
        "runtimes": {"python": PYTHON_RANGE},
    }
    return staged  # type: ignore[no-any-return]


def stage_platform(manifest: dict[str, object], target: Target, given: Inputs, stage_dir: Path, work: Path) -> None:
    shutil.rmtree(stage_dir, ignore_errors=True)
    lib = stage_dir / "server" / "lib"
    libs = {python: lib / f"cp{python.replace('.', '')}" for python in PYTHONS}
    freed: dict[str, str] = {}
    for python, folder in libs.items():
        freed |= vendor(target, python, given, folder, work)
    installed = {python: _versions(folder) for python, folder in libs.items()}
    share_identical(libs, lib / "common")
    shutil.copy2(ROOT / LAUNCHER, stage_dir / LAUNCHER)
    info: dict[str, object] = {
        "target": target.name, "platform": target.os, "machine": target.machine, "pythons": list(PYTHONS)
    }  # fmt: skip
    if freed:
        info["not_as_locked"] = {
            name: {
                "locked": locked,
                "installed": {python: versions.get(_normal(name), "?") for python, versions in installed.items()},
                "why": NOT_AS_LOCKED[(name, target.name)],
            }
            for name, locked in freed.items()
        }
        log(f"{target.name}: not as locked: {info['not_as_locked']}")
    (stage_dir / "server" / "bundle.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    shutil.copy2(ROOT / "LICENSE", stage_dir / "LICENSE")
    staged = platform_manifest(manifest, target)
    (stage_dir / "manifest.json").write_text(json.dumps(staged, indent=2) + "\n", encoding="utf-8")


def uv_manifest(manifest: dict[str, object]) -> dict[str, object]:
    """Manifest 0.4 with the uv server type: the host's uv runs the launcher in an environment it makes from the
    bundle's pyproject.toml and uv.lock."""
    staged = json.loads(json.dumps(manifest))
    staged["$schema"] = str(staged["$schema"]).replace("v0.3", "v0.4")
    staged["manifest_version"] = "0.4"
    server = staged["server"]
    server["type"] = "uv"
    server["mcp_config"] = {
        "command": "uv",
        "args": ["run", "--frozen", "--no-dev", "--directory", "${__dirname}", "python", "-I", LAUNCHER],
        "env": server["mcp_config"]["env"],
    }
    staged["compatibility"] = {**staged["compatibility"], "runtimes": {"python": PYTHON_RANGE}}
    described = str(staged["long_description"]).split("\n\nThis bundle carries")[0]
    staged["long_description"] = described + (
        "\n\nThis bundle carries only the server's source: on first start, uv installs Python 3.11-3.13 if needed and"
        " the locked dependencies (it needs the network once). For a bundle that works offline, install the one"
        " for your platform."
    )
    return staged  # type: ignore[no-any-return]


def stage_uv(manifest: dict[str, object], given: Inputs, stage_dir: Path, work: Path) -> None:
    shutil.rmtree(stage_dir, ignore_errors=True)
    (stage_dir / "server").mkdir(parents=True)
    shutil.copytree(ROOT / "server" / "atoms_logs_mcp", stage_dir / "server" / "atoms_logs_mcp",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip
    shutil.copy2(ROOT / LAUNCHER, stage_dir / LAUNCHER)
    pins = [
        line.split("#")[0].strip() for line in given.pins.read_text(encoding="utf-8").splitlines() if line[:1].isalnum()
    ]
    for package, locked, instead, target in exceptions(given, work):
        pins = [pin for pin in pins if not pin.lower().startswith(f"{package.lower()}==")]
        elsewhere = " or ".join(part.replace(" == ", " != ") for part in target.marker.split(" and "))
        pins += [f"{package}=={instead} ; {target.marker}", f"{package}=={locked} ; {elsewhere}"]
    pyproject = (
        '[project]\nname = "atoms-logs-mcp-bundle"\nversion = "' + project()["version"] + '"\n'
        'requires-python = ">=3.11,<3.14"\ndependencies = [\n'
        + "".join(f"    {json.dumps(pin.strip())},\n" for pin in pins)
        + "]\n\n[tool.uv]\npackage = false\n"
    )
    (stage_dir / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    run([*uv(), "lock", "--quiet", "--directory", str(stage_dir)])
    (stage_dir / ".mcpbignore").write_text(".venv/\n__pycache__/\n*.pyc\n", encoding="utf-8")
    shutil.copy2(ROOT / "LICENSE", stage_dir / "LICENSE")
    (stage_dir / "manifest.json").write_text(json.dumps(uv_manifest(manifest), indent=2) + "\n", encoding="utf-8")


def staged_files(stage_dir: Path) -> set[str]:
    return {
        p.relative_to(stage_dir).as_posix() for p in stage_dir.rglob("*") if p.is_file() and p.name != ".mcpbignore"
    }


def pack(cli: list[str], stage_dir: Path, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    mcpb_validate(cli, stage_dir / "manifest.json")
    run([*cli, "pack", str(stage_dir), str(output)])
    with zipfile.ZipFile(output) as archive:
        packed = {name for name in archive.namelist() if not name.endswith("/")}
    missing = staged_files(stage_dir) - packed
    if missing:
        raise BuildError(f"mcpb pack left out {len(missing)} staged files, e.g. {sorted(missing)[:5]}")


# Main ---------------------------------------------------------------------------------------------


def build(dist: Path, stage_root: Path, prefix: Path, targets: list[str]) -> list[Path]:
    started = time.monotonic()
    manifest = read_manifest()
    check_manifest_matches_project(manifest)
    cli = ensure_mcpb_cli(prefix)
    mcpb_validate(cli, ROOT / "manifest.json")
    outputs = []
    with tempfile.TemporaryDirectory(prefix="atoms-bundle-") as work:
        given = inputs(Path(work))
        for name in targets:
            stage_dir = stage_root / name
            output = dist / f"{manifest['name']}-{manifest['version']}-{name}.mcpb"
            if name == "uv":
                stage_uv(manifest, given, stage_dir, Path(work))
            else:
                target = TARGETS[name]
                stage_platform(manifest, target, given, stage_dir, Path(work))
                problems = compiled_problems(stage_dir, target) + import_problems(stage_dir, target)
                if problems:
                    raise BuildError(
                        f"{name}: {len(problems)} static check problems, e.g.\n" + "\n".join(problems[:10])
                    )
            pack(cli, stage_dir, output)
            digest = hashlib.sha256(output.read_bytes()).hexdigest()
            log(f"{output.name}: {output.stat().st_size / 1e6:.1f} MB, sha256 {digest[:16]}…")
            outputs.append(output)
    log(f"{len(outputs)} bundles in {time.monotonic() - started:.1f} s")
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the .mcpb files go (default dist/)")
    parser.add_argument("--stage", type=Path, default=ROOT / "build" / "bundles", help="staging directory")
    parser.add_argument(
        "--cli-prefix",
        type=Path,
        default=cli_prefix(),
        help=f"npm prefix holding {MCPB_PACKAGE}@{MCPB_VERSION} (default ${CLI_PREFIX_VARIABLE} or build/mcpb-cli)",
    )
    parser.add_argument(
        "--target", action="append", choices=[*TARGETS, "uv"], help="build only these (default: every target and uv)"
    )
    parser.add_argument("--check", action="store_true", help="only check and validate manifest.json; build nothing")
    args = parser.parse_args(argv)
    try:
        if args.check:
            check_manifest_matches_project(read_manifest())
            print(mcpb_validate(ensure_mcpb_cli(args.cli_prefix.resolve()), ROOT / "manifest.json"), end="")
            return 0
        targets = args.target or [*TARGETS, "uv"]
        outputs = build(args.dist.resolve(), args.stage.resolve(), args.cli_prefix.resolve(), targets)
    except BuildError as error:
        log(f"error: {error}")
        return 1
    print("\n".join(str(output) for output in outputs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
