"""Static checks of a staged platform bundle, for targets this machine cannot run (scripts/build_bundle.py).

- `compiled_problems`: every compiled file (extension module or shared library) is a binary of the target's
  format and processor (ELF, Mach-O including universal binaries, PE: read from its header), an extension module
  tagged for a Python version sits in that version's folder (lib/cp3XX) and none in lib/common, and every wheel
  tag recorded in a dist-info names the target's platform (or `any`) and a Python the folder serves.
- `import_problems`: every import that runs when a module loads (module level, and inside `if`s whose test is the
  platform, the Python version or TYPE_CHECKING, evaluated for the target; not in `try` blocks that catch
  ImportError, and not in functions, which import lazily) names a module present for that target and Python:
  the standard library of that version and platform, or a module in lib/common, lib/cp3XX or a folder their `.pth`
  files add. A best effort, not a proof: dynamic imports are not seen.
"""

from __future__ import annotations

import ast
import re
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PYTHONS = ("3.11", "3.12", "3.13")


@dataclass(frozen=True)
class Target:
    name: str
    os: str
    """As the manifest's `compatibility.platforms` and `sys.platform` name it."""
    uv_platform: str
    machine: str
    """`platform.machine()` on the target."""
    arch: str
    """x86_64 or arm64."""
    wheel_platform: str
    """A regular expression every platform wheel tag must match."""
    marker: str
    """A PEP 508 marker true on the target."""


TARGETS = {
    "darwin-arm64": Target("darwin-arm64", "darwin", "aarch64-apple-darwin", "arm64", "arm64",
                           r"macosx_\d+_\d+_(arm64|universal2)",
                           "sys_platform == 'darwin' and platform_machine == 'arm64'"),
    "darwin-x64": Target("darwin-x64", "darwin", "x86_64-apple-darwin", "x86_64", "x86_64",
                         r"macosx_\d+_\d+_(x86_64|universal2|intel)",
                         "sys_platform == 'darwin' and platform_machine == 'x86_64'"),
    "win32-x64": Target("win32-x64", "win32", "x86_64-pc-windows-msvc", "AMD64", "x86_64", r"win_amd64",
                        "sys_platform == 'win32' and platform_machine == 'AMD64'"),
    "linux-x64": Target("linux-x64", "linux", "x86_64-manylinux_2_17", "x86_64", "x86_64",
                        r"(manylinux\d*|manylinux_2_\d+)_x86_64",
                        "sys_platform == 'linux' and platform_machine == 'x86_64'"),
    "linux-arm64": Target("linux-arm64", "linux", "aarch64-manylinux_2_17", "aarch64", "arm64",
                          r"(manylinux\d*|manylinux_2_\d+)_aarch64",
                          "sys_platform == 'linux' and platform_machine == 'aarch64'"),
}  # fmt: skip
COMPILED = re.compile(r"\.(so|pyd|dll|dylib)$|\.so\.")
VERSION_TAG = re.compile(r"(?:cpython-|\.cp)3(\d+)")
ELF_MACHINES = {62: "x86_64", 183: "arm64"}
MACHO_CPUS = {0x01000007: "x86_64", 0x0100000C: "arm64"}
PE_MACHINES = {0x8664: "x86_64", 0xAA64: "arm64", 0x14C: "x86"}
REMOVED = {
    "3.12": {"distutils", "imp", "asynchat", "asyncore", "smtpd"},
    "3.13": {"cgi", "cgitb", "crypt", "nntplib", "telnetlib", "uu", "xdrlib", "sndhdr", "sunau", "spwd", "pipes",
             "msilib", "nis", "ossaudiodev", "imghdr", "mailcap", "audioop", "chunk", "aifc", "lib2to3"},
}  # fmt: skip
WINDOWS_ONLY = {"msvcrt", "winreg", "_winapi", "winsound", "_overlapped", "nt", "_msi"}
POSIX_ONLY = {"fcntl", "termios", "pwd", "grp", "resource", "posix", "tty", "pty", "syslog", "_posixsubprocess",
              "readline", "curses", "_curses", "posixpath_unused"}  # fmt: skip


def binary_kind(path: Path) -> tuple[str, frozenset[str]] | None:
    """(format, processors) from a compiled file's header, or None when it is none of ELF, Mach-O and PE."""
    head = path.read_bytes()[:4096]
    if head[:4] == b"\x7fELF":
        order = "<" if head[5] == 1 else ">"
        return "elf", frozenset({ELF_MACHINES.get(struct.unpack_from(order + "H", head, 18)[0], "other")})
    if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"):
        return "macho", frozenset({MACHO_CPUS.get(struct.unpack_from("<i", head, 4)[0], "other")})
    if head[:4] == b"\xca\xfe\xba\xbe":
        count = struct.unpack_from(">I", head, 4)[0]
        return "macho", frozenset(
            MACHO_CPUS.get(struct.unpack_from(">i", head, 8 + 20 * i)[0], "other") for i in range(count)
        )
    if head[:2] == b"MZ":
        offset = struct.unpack_from("<I", head, 0x3C)[0]
        data = path.read_bytes()[offset : offset + 6]
        if data[:4] == b"PE\0\0":
            return "pe", frozenset({PE_MACHINES.get(struct.unpack_from("<H", data, 4)[0], "other")})
    return None


def _folders(stage_dir: Path) -> dict[str, Path]:
    lib = stage_dir / "server" / "lib"
    return {"common": lib / "common", **{python: lib / f"cp{python.replace('.', '')}" for python in PYTHONS}}


def compiled_problems(stage_dir: Path, target: Target) -> list[str]:
    expected_format = {"darwin": "macho", "win32": "pe", "linux": "elf"}[target.os]
    problems = []
    for folder, root in _folders(stage_dir).items():
        for path in sorted(root.rglob("*")):
            where = f"{target.name} {path.relative_to(stage_dir).as_posix()}"
            if path.is_file() and COMPILED.search(path.name):
                kind = binary_kind(path)
                if kind is None or kind[0] != expected_format or target.arch not in kind[1]:
                    shown = f"{kind[0]} {'/'.join(sorted(kind[1]))}" if kind else "unknown"
                    problems.append(f"{where}: a {shown} binary, not {expected_format} for {target.arch}")
                tag = VERSION_TAG.search(path.name)
                if tag and (folder == "common" or f"3.{tag.group(1)}" != folder):
                    problems.append(f"{where}: built for Python 3.{tag.group(1)}, found in lib/{root.name}")
            elif path.name == "WHEEL" and path.parent.name.endswith(".dist-info"):
                problems += _wheel_tag_problems(path, folder, target, where, root.name)
    return problems


def _wheel_tag_problems(path: Path, folder: str, target: Target, where: str, shown: str) -> list[str]:
    problems = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("Tag:"):
            continue
        python, abi, plat = line.split(":", 1)[1].strip().split("-")
        if plat != "any" and not re.fullmatch(target.wheel_platform, plat):
            problems.append(f"{where}: wheel tag {python}-{abi}-{plat} is not for {target.name}")
        version = re.fullmatch(r"cp3(\d+)", python)
        if version and abi != "abi3" and (folder == "common" or f"3.{version.group(1)}" != folder):
            problems.append(f"{where}: wheel tag {python}-{abi}-{plat} found in lib/{shown}")
    return problems


# Imports ------------------------------------------------------------------------------------------


def _condition(test: ast.expr, target: Target, python: str) -> bool | None:
    """The value of an `if` test on the target, or None when it depends on something else."""
    text = ast.unparse(test)
    if text in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
        return False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _condition(test.operand, target, python)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [_condition(value, target, python) for value in test.values]
        if isinstance(test.op, ast.And):
            return False if False in values else (None if None in values else True)
        return True if True in values else (None if None in values else False)
    facts: dict[str, object] = {
        "sys.platform": target.os,
        "os.name": "nt" if target.os == "win32" else "posix",
        "platform.system()": {"win32": "Windows", "darwin": "Darwin", "linux": "Linux"}[target.os],
        "sys.version_info": (*(int(part) for part in python.split(".")), 0),
    }
    try:
        return _truth(test, facts)
    except LookupError:
        return None


COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def _truth(test: ast.expr, facts: dict[str, object]) -> bool:
    """A comparison of a known fact with constants; LookupError for anything else."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in COMPARE:
        return bool(COMPARE[type(test.ops[0])](_value(test.left, facts), _value(test.comparators[0], facts)))
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "startswith":
        subject, prefix = _value(test.func.value, facts), _value(test.args[0], facts) if test.args else None
        if isinstance(subject, str) and isinstance(prefix, str | tuple):
            return subject.startswith(prefix)
    raise LookupError(ast.unparse(test))


def _value(node: ast.expr, facts: dict[str, object]) -> object:
    text = ast.unparse(node)
    if text in facts:
        return facts[text]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(_value(element, facts) for element in node.elts)
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "sys.version_info":
        version = facts["sys.version_info"]
        index = node.slice
        upper = _value(index.upper, facts) if isinstance(index, ast.Slice) and index.upper is not None else None
        if isinstance(version, tuple) and isinstance(index, ast.Slice) and index.lower is None:
            return version[:upper] if isinstance(upper, int) else version
        if isinstance(version, tuple) and isinstance(index, ast.Constant) and isinstance(index.value, int):
            return version[index.value]
    raise LookupError(text)


def _catches_import_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        names = {ast.unparse(part) for part in ([] if handler.type is None else
                 handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type])}  # fmt: skip
        if handler.type is None or names & {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}:
            return True
    return False


def load_time_imports(body: list[ast.stmt], target: Target, python: str) -> list[tuple[int, str, list[str]]]:
    """The imports that run when a module with this body loads on the target: (level, module, names imported)."""
    found: list[tuple[int, str, list[str]]] = []
    for node in body:
        if isinstance(node, ast.Import):
            found += [(0, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or "", [alias.name for alias in node.names]))
        elif isinstance(node, ast.If):
            value = _condition(node.test, target, python)
            if value is not None:
                found += load_time_imports(node.body if value else node.orelse, target, python)
        elif isinstance(node, ast.Try) and not _catches_import_error(node):
            found += load_time_imports(node.body + node.orelse + node.finalbody, target, python)
        elif isinstance(node, ast.ClassDef | ast.With):
            found += load_time_imports(node.body, target, python)
    return found


def _has_code(folder: Path) -> bool:
    return any(p.suffix == ".py" or COMPILED.search(p.name) for p in folder.rglob("*") if p.is_file())


def find_module(dotted: str, roots: list[Path]) -> Path | None:
    """The file (or namespace folder) that `dotted` imports from these folders, or None."""
    *parents, last = dotted.split(".")
    for root in roots:
        folder = root.joinpath(*parents)
        for candidate in (folder / last / "__init__.py", folder / f"{last}.py"):
            if candidate.is_file():
                return candidate
        if folder.is_dir():
            extension = next((p for p in folder.glob(f"{last}.*") if COMPILED.search(p.name)), None)
            if extension is not None:
                return extension
        if (folder / last).is_dir() and _has_code(folder / last):
            return folder / last  # a namespace package (a folder of type stubs alone is not one)
    return None


def _pth_folders(roots: list[Path]) -> list[Path]:
    added = []
    for root in roots:
        for pth in root.glob("*.pth"):
            for line in pth.read_text(encoding="utf-8").splitlines():
                line = line.strip().replace("\\", "/")
                if line and not line.startswith(("#", "import ")) and (root / line).is_dir():
                    added.append(root / line)
    return added


def stdlib(target: Target, python: str) -> set[str]:
    names = set(sys.stdlib_module_names) - set().union(*(REMOVED[v] for v in REMOVED if v <= python))
    return names - (POSIX_ONLY if target.os == "win32" else WINDOWS_ONLY)


TEAM_ONLY = frozenset({"atoms_logs_mcp.store.postgres_engine", "atoms_logs_mcp.store.postgres_locks"})
"""Modules of the team server's PostgreSQL store: imported only for a postgresql:// store, from the `team` extra
(psycopg), which the desktop bundles do not carry; store/engine.py says so when it is missing."""


def import_problems(stage_dir: Path, target: Target, start: str = "atoms_logs_mcp") -> list[str]:
    """Every module the server's package reaches through imports that run at load time, resolved for each Python."""
    folders = _folders(stage_dir)
    problems = []
    for python in PYTHONS:
        roots = [folders["common"], folders[python]]
        roots += _pth_folders(roots)
        standard = stdlib(target, python) | {"__future__"}
        package = find_module(start, roots)
        if package is None:
            return [f"{target.name} Python {python}: {start} is not in the bundle"]
        every = [(_dotted(p.relative_to(package.parent.parent)), p) for p in sorted(package.parent.rglob("*.py"))]
        queue = [(name, path) for name, path in every if name not in TEAM_ONLY]
        seen = {name for name, _ in queue}
        while queue:
            name, path = queue.pop()
            for wanted, problem in _imports_of(name, path, roots, standard, target, python):
                if problem:
                    problems.append(f"{target.name} Python {python}: {name} imports {wanted}, which is not there")
                elif wanted not in seen:
                    seen.add(wanted)
                    found = find_module(wanted, roots)
                    if found is not None and found.suffix == ".py":
                        queue.append((wanted, found))
    return sorted(set(problems))


def _dotted(relative: Path) -> str:
    parts = relative.with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports_of(
    name: str, path: Path, roots: list[Path], standard: set[str], target: Target, python: str
) -> list[tuple[str, bool]]:
    """(module, missing?) for each module `name` imports at load time, parents included."""
    try:
        tree = ast.parse(path.read_bytes())
    except SyntaxError:
        return []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, bool]] = []
    for level, module, names in load_time_imports(tree.body, target, python):
        base = (
            module
            if level == 0
            else ".".join([*package.split(".")[: len(package.split(".")) - level + 1], *([module] if module else [])])
        )
        if not base or base.split(".")[0] in standard:
            continue
        parts = base.split(".")
        for index in range(1, len(parts) + 1):
            dotted = ".".join(parts[:index])
            found.append((dotted, find_module(dotted, roots) is None))
        for item in names:  # `from package import submodule`: a module when one is there, else an attribute
            if item != "*" and find_module(f"{base}.{item}", roots) is not None:
                found.append((f"{base}.{item}", False))
    return found
