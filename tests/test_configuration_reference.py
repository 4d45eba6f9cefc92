"""docs/CONFIGURATION.md is what the settings table and the parser say (scripts/configuration_reference.py writes
it), and every environment variable the server reads is a row of the table, listed by `atoms-logs-mcp settings` and
in docs/CONFIGURATION.md."""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from atoms_logs_mcp.cli import main
from atoms_logs_mcp.config import Settings, log_level
from atoms_logs_mcp.settings_table import SETTINGS
from conftest import script_module

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "server"
SCRIPT = ROOT / "scripts" / "configuration_reference.py"
DOC = ROOT / "docs" / "CONFIGURATION.md"
VARIABLE = re.compile(r"\b(?:ATOMS|SMALLEST)_[A-Z0-9_]+")
ENVIRONMENT_READERS = {"atoms_logs_mcp/config.py", "atoms_logs_mcp/cli.py", "run_bundle.py"}
"""The modules that touch the process environment; each reads it through the table's rows (asserted below)."""
ROWS = {name for row in SETTINGS for name in row.names}


class Recorder(Mapping[str, str]):
    """An empty environment that notes every variable asked for."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        raise KeyError(name)

    def get(self, name: str, default=None):  # type: ignore[no-untyped-def, override]
        self.asked.add(name)
        return default

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def sources() -> list[Path]:
    return [path for path in sorted(SERVER.rglob("*")) if path.is_file() and path.suffix in {".py", ".js", ".html"}]


def environment_touched(path: Path) -> bool:
    """Whether a module names os.environ, environ or getenv (an attribute or a name) anywhere."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
        if name in ("environ", "getenv", "getenvb"):
            return True
    return False


def variables_the_code_reads() -> set[str]:
    """Every ATOMS_*/SMALLEST_* name written in the server's sources and the bundle's manifest, and every
    variable the settings' readers ask for."""
    named = {name for path in sources() for name in VARIABLE.findall(path.read_text(encoding="utf-8"))}
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    named |= set(manifest["server"]["mcp_config"]["env"])
    recorder = Recorder()
    Settings.from_env(recorder)
    log_level(recorder)
    return named | recorder.asked


def test_the_reference_in_docs_is_current() -> None:
    reference = script_module("configuration_reference")
    doc = DOC.read_text(encoding="utf-8")
    assert reference.updated(doc) == doc, (
        "docs/CONFIGURATION.md drifted from the settings table or the parser: run python "
        "scripts/configuration_reference.py"
    )


def test_only_the_known_modules_touch_the_environment() -> None:
    assert not [path for path in sources() if "dotenv" in path.read_text(encoding="utf-8")], "docs: no .env file"
    touching = {path.relative_to(SERVER).as_posix() for path in sources() if path.suffix == ".py"}
    touching = {name for name in touching if environment_touched(SERVER / name)}
    assert touching == ENVIRONMENT_READERS, (
        "a module reads the environment: read settings through settings_table's rows (config.Settings.from_env), "
        f"then list it here: {sorted(touching ^ ENVIRONMENT_READERS)}"
    )


def test_the_settings_readers_ask_for_every_row_and_nothing_else() -> None:
    recorder = Recorder()
    Settings.from_env(recorder)
    assert recorder.asked == ROWS
    sys.path.insert(0, str(SERVER))
    try:
        from run_bundle import bundle_environment
    finally:
        sys.path.remove(str(SERVER))
    bundled = Recorder()
    bundle_environment(bundled)  # type: ignore[arg-type]
    assert bundled.asked <= ROWS


def test_every_variable_the_code_reads_is_a_setting_listed_by_the_command_and_the_docs(capsys) -> None:
    read = variables_the_code_reads()
    assert len(read) >= len(ROWS) > 20, read
    assert read <= ROWS, f"read but not in the settings table: {sorted(read - ROWS)}"
    assert main(["settings"]) == 0
    listed, doc = capsys.readouterr().out, DOC.read_text(encoding="utf-8")
    for name in sorted(read):
        assert re.search(rf"\b{name}\b", listed), f"`atoms-logs-mcp settings` does not list {name}"
        assert f"`{name}`" in doc, f"docs/CONFIGURATION.md does not list {name}"


@pytest.mark.parametrize("part", ["settings", "bundle", "commands"])
def test_each_generated_part_is_in_the_doc(part: str) -> None:
    reference = script_module("configuration_reference")
    start, end = reference.markers(part)
    doc = DOC.read_text(encoding="utf-8")
    assert doc.index(start) < doc.index(end)
    assert reference.render(part) in doc
