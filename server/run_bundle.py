"""Entry point of the Claude Desktop bundle (manifest.json `server.entry_point`; built by scripts/build_bundle.py).

Runs `atoms_logs_mcp.cli.main()` with the dependencies vendored for this Python (`server/lib/cp3XX` and
`server/lib/common`; the uv bundle has none: the host's uv made the environment), after two translations the
manifest's `${user_config.*}` substitution cannot express: the "Mask phone numbers" checkbox arrives as
true/false in the redact variable and becomes "phone"/"", and an optional setting the host left as a literal
`${user_config.…}` placeholder is dropped so the server's own default applies. Nothing newer than Python 3.7
here, so that the wrong interpreter gets a clear message rather than a SyntaxError.
"""

from __future__ import annotations

import json
import os
import platform
import site
import sys
from collections.abc import MutableMapping
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))


def bundle_environment(environ: MutableMapping[str, str]) -> None:
    """The host's environment as the server reads it. Only once the package is importable (`put_first`): its
    settings table names the variables."""
    from atoms_logs_mcp.settings_table import env_name

    for name in [name for name, value in environ.items() if value.startswith("${user_config.")]:
        del environ[name]
    variable = env_name("redact_phones")
    redact = environ.get(variable, "").strip().lower()
    if redact in ("true", "false"):
        environ[variable] = "phone" if redact == "true" else ""


MACHINES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "arm64", "aarch64": "arm64"}


def dependency_folders(built: dict[str, Any], version: tuple[int, ...], machine: str) -> list[str]:
    """Where this Python finds the dependencies: lib/cp3XX and lib/common of a platform bundle, this folder
    of the uv bundle (the package beside this file, its dependencies in the environment uv made). Raises
    LookupError with what to do when this bundle has nothing for this interpreter."""
    lib = os.path.join(HERE, "lib")
    if not os.path.isdir(lib):
        return [HERE]
    pythons = built.get("pythons") or []
    wanted = built.get("machine", machine)
    versioned = os.path.join(lib, f"cp{version[0]}{version[1]}")
    if MACHINES.get(machine.lower(), machine) != MACHINES.get(wanted.lower(), wanted):
        raise LookupError(
            f"this bundle is for {wanted} processors ({built.get('target', '?')}), but {sys.executable} runs on "
            f"{machine}: install the bundle for your processor, or the uv bundle where there is none"
        )
    if not os.path.isdir(versioned):
        carried = ", ".join(pythons) or "?"
        newest = (pythons or ["3.13"])[-1]
        raise LookupError(
            f"this bundle carries its dependencies for Python {carried}, but {sys.executable} is Python "
            f'{version[0]}.{version[1]}. Install Python {newest} from python.org (on Windows, tick "Add python.exe to '
            'PATH"), make it the first python3 (python on Windows) on your PATH, and restart Claude Desktop; or '
            "install the uv bundle, which brings its own Python."
        )
    return [versioned, os.path.join(lib, "common")]


def put_first(folders: list[str]) -> None:
    """Each folder at the front of sys.path, its .pth files processed (pywin32's name its folders and DLLs)."""
    before = list(sys.path)
    for folder in folders:
        dlls = os.path.join(folder, "pywin32_system32")  # pywin32's DLLs, before any other copy of them
        if hasattr(os, "add_dll_directory") and os.path.isdir(dlls):
            os.add_dll_directory(dlls)
        site.addsitedir(folder)
    added = [path for path in sys.path if path not in before]
    sys.path[:] = added + [path for path in before if path not in added]


def main() -> int:
    try:
        with open(os.path.join(HERE, "bundle.json"), encoding="utf-8") as file:
            built = json.load(file)
    except (OSError, ValueError):
        built = {}
    try:
        folders = dependency_folders(built, (sys.version_info[0], sys.version_info[1]), platform.machine())
    except LookupError as problem:
        print(f"atoms-logs-mcp: {problem}", file=sys.stderr)
        return 2
    put_first(folders)
    bundle_environment(os.environ)
    from atoms_logs_mcp.cli import main as serve  # importable only now that its folders are on sys.path

    return serve()


if __name__ == "__main__":
    sys.exit(main())
