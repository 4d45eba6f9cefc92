"""One table for settings: every ATOMS_* variable is named once, in its row, and `Settings`, `check`'s listing and
`atoms-logs-mcp settings` all come from the rows (tests/test_help.py: the help pages)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path

import pytest

from atoms_logs_mcp import settings_table
from atoms_logs_mcp.cli import main
from atoms_logs_mcp.config import KEY_VARIABLES, Settings, log_level
from atoms_logs_mcp.settings_table import SETTINGS, env_name, key_names, setting, settings_help

SERVER = Path(__file__).resolve().parents[1] / "server"
TABLE = Path(settings_table.__file__).resolve()
VARIABLE = re.compile(r"\bATOMS_[A-Z0-9_]+")
PLAIN_FIELDS = {"max_attempts", "backoff_initial", "backoff_max", "extra_headers"}  # for code and tests, no variable


def named_in(path: Path) -> list[str]:
    return VARIABLE.findall(path.read_text(encoding="utf-8"))


def test_every_atoms_variable_is_named_once_in_server_and_only_in_the_table() -> None:
    sources = [path for path in sorted(SERVER.rglob("*")) if path.is_file() and path.suffix in {".py", ".js", ".html"}]
    assert TABLE in sources and len(sources) > 40, f"no sources under {SERVER}?"
    elsewhere = {str(path.relative_to(SERVER)): names for path in sources if path != TABLE if (names := named_in(path))}
    assert not elsewhere, f"name variables through settings_table.env_name, not as literals: {elsewhere}"
    counted = Counter(named_in(TABLE))
    assert {name for name, times in counted.items() if times > 1} == set(), counted
    in_rows = {name for row in SETTINGS for name in row.names if name.startswith("ATOMS_")}
    assert set(counted) == in_rows, "the table module names only its rows' variables"


def test_rows_are_distinct_and_each_fills_a_settings_field() -> None:
    names = [name for row in SETTINGS for name in row.names]
    attributes = [row.attribute for row in SETTINGS]
    assert len(names) == len(set(names)) and len(attributes) == len(set(attributes))
    fields = {field.name for field in dataclasses.fields(Settings)}
    assert set(attributes) <= fields
    assert fields - set(attributes) == PLAIN_FIELDS, "a new Settings field needs a row (or is a plain field)"


@pytest.mark.parametrize("row", SETTINGS, ids=[row.env for row in SETTINGS])
def test_each_rows_default_is_the_settings_default(row: settings_table.Setting) -> None:
    field = next(field for field in dataclasses.fields(Settings) if field.name == row.attribute)
    assert field.default == row.default
    assert getattr(Settings(), row.attribute) == row.default
    assert getattr(Settings.from_env({}), row.attribute) == row.default, "an unset variable means the default"


def test_check_lists_one_line_per_row_with_secrets_masked() -> None:
    key, token = "sk_live_listing_1234567890", "token-listing-0987654321"
    listing = Settings(api_key=key, auth_token=token).in_effect()
    assert [name for name, _ in listing] == [row.label or row.env for row in SETTINGS]
    shown = "\n".join(f"{name}: {value}" for name, value in listing)
    assert key not in shown and token not in shown
    assert "API key: sk_liv…7890" in shown and "ATOMS_MCP_AUTH_TOKEN: token-…4321" in shown
    assert "ATOMS_TIMEOUT: 15 s" in shown and "ATOMS_TOOLS: (all)" in shown and "ATOMS_REDACT: (off)" in shown
    assert "ATOMS_EXPORT_DIR: (default: ~/atoms-logs-exports)" in shown
    assert dict(Settings(store="off", redact_phones=True).in_effect())["ATOMS_STORE"] == "off"
    assert dict(Settings(redact_phones=True).in_effect())["ATOMS_REDACT"] == "phone"


def test_help_lists_every_setting_with_its_default_description_and_form() -> None:
    shown = settings_help(width=100)
    assert all(len(line) <= 100 for line in shown.splitlines())
    for row in SETTINGS:
        assert f"{' or '.join(row.names)}  (default: {row.shown_default})" in shown
        assert " ".join(row.description.split()[:4]) in " ".join(shown.split())
        assert f"Accepts {row.accepted}." in " ".join(shown.split())
    assert "ATOMS_LOG_LEVEL  (default: WARNING)" in shown
    assert "Accepts one of DEBUG, INFO, WARNING, ERROR, CRITICAL (letter case forgiven)." in " ".join(shown.split())


def test_the_settings_command_prints_the_table(monkeypatch, capsys) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["settings"]) == 0
    assert capsys.readouterr().out.rstrip() == settings_help(width=98)


def test_the_key_is_read_from_every_key_variable_and_messages_name_them() -> None:
    assert KEY_VARIABLES == setting("api_key").names == ("SMALLEST_API_KEY", "ATOMS_API_KEY")
    assert key_names() == "SMALLEST_API_KEY (or ATOMS_API_KEY)"
    assert Settings.from_env({KEY_VARIABLES[1]: "sk_second_variable_1"}).api_key == "sk_second_variable_1"


def test_names_for_messages_and_the_starting_log_level() -> None:
    assert env_name("scan_ceiling") == "ATOMS_SCAN_CEILING"
    with pytest.raises(KeyError):
        env_name("max_attempts")
    assert log_level({}) == "WARNING"
    assert log_level({"ATOMS_LOG_LEVEL": " debug "}) == "DEBUG"
    assert log_level({"ATOMS_LOG_LEVEL": "loud"}) == "WARNING", "reported with the other settings, not here"


def test_a_value_set_directly_is_still_checked() -> None:
    with pytest.raises(ValueError, match="deep_ceiling must be more than 0"):
        Settings(deep_ceiling=0).validate()
    with pytest.raises(ValueError, match="max_attempts must be more than 0"):
        Settings(max_attempts=0).validate()
    with pytest.raises(ValueError, match="ATOMS_STORE must be an absolute path"):
        Settings.from_env({"ATOMS_STORE": "calls.sqlite3"})
