"""Help that answers: every command's `--help`, run as a user runs it, lists every option of its parser with a help
line and its default (an option that falls back on a setting names the setting), and points to
`atoms-logs-mcp settings`, which lists every setting of the table."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

import pytest

from atoms_logs_mcp.cli_parser import parser, shown_default, subcommands
from atoms_logs_mcp.settings_table import SETTINGS, env_name, setting, settings_help

WIDTH = 100
COMMANDS = [[], *([name] for name in subcommands(parser()))]
FALLS_BACK_ON = {"redact": "redact_phones", "auth_token": "auth_token", "auth_mode": "auth_mode"}
"""Options that, when not given, take a setting's value (cli.py: `_settings_and_transport` and `_serve`)."""


def run(*arguments: str) -> str:
    env = {"PATH": os.environ.get("PATH", ""), "COLUMNS": str(WIDTH), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp", *arguments], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def options_of(command: argparse.ArgumentParser) -> list[argparse.Action]:
    """What a user can give: every action but --help, --version and the command list."""
    return [
        action
        for action in command._actions
        if not isinstance(action, argparse._HelpAction | argparse._VersionAction | argparse._SubParsersAction)
    ]


def entry(text: str, action: argparse.Action) -> str:
    """The option's lines in a help page: from its name up to the next option (joined into one line)."""
    lines = text.splitlines()
    name = action.option_strings[0] if action.option_strings else "{" + ",".join(map(str, action.choices or ())) + "}"
    start = next(i for i, line in enumerate(lines) if re.match(rf"\s+{re.escape(name)}(\s|,|$)", line))
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith(" " * 6) or re.match(r"\s{2,4}-", line):
            break
        block.append(line)
    return " ".join(" ".join(block).split())


@pytest.mark.parametrize("command", COMMANDS, ids=["top", *(name for [name] in COMMANDS[1:])])
def test_every_option_of_every_command_has_help_and_its_default(command: list[str]) -> None:
    text = run(*command, "--help")
    own = subcommands(parser())[command[0]] if command else parser()
    for action in options_of(own):
        assert action.help, f"{action.dest} has no help text in the parser"
        shown = entry(text, action)
        assert " ".join(action.help.split()[:3]) in shown, f"{action.dest}'s help is not in --help: {shown!r}"
        assert "(default: " in shown, f"{action.dest} does not say its default: {shown!r}"
        if action.dest in FALLS_BACK_ON:
            row = setting(FALLS_BACK_ON[action.dest])
            assert f"(default: ${row.env} or {row.shown_default})" in shown, shown
        elif action.default not in (None, False, []):
            assert f"(default: {shown_default(action.default)})" in shown, shown


def test_every_command_is_listed_with_a_help_line() -> None:
    text = run("--help")
    for name, command in subcommands(parser()).items():
        assert re.search(rf"^\s+{name}\s+\S", text, re.MULTILINE), f"{name} has no help line in --help"
        assert command.description, name


@pytest.mark.parametrize("command", [[], ["serve"], ["check"], ["store"], ["sync"]])
def test_help_of_what_reads_settings_points_to_the_settings_command(command: list[str]) -> None:
    text = " ".join(run(*command, "--help").split())
    assert text.endswith("those in effect."), text[-300:]
    assert "`atoms-logs-mcp settings` lists every one with its default and meaning" in text
    assert env_name("api_key") in text


def test_the_settings_command_lists_every_setting_with_its_default_meaning_and_form() -> None:
    text = run("settings")
    assert text.rstrip() == settings_help(width=WIDTH - 2)
    flat = " ".join(text.split())
    for row in SETTINGS:
        assert f"{' or '.join(row.names)} (default: {row.shown_default})" in flat, row.env
        assert " ".join(row.description.split()) in flat, row.env
        assert f"Accepts {row.accepted}." in flat, row.env


@pytest.mark.parametrize("arguments", [["settings"], ["serve", "--help"]])
def test_a_reader_that_stops_early_gets_no_traceback(arguments: list[str]) -> None:
    """`atoms-logs-mcp settings | head -3`: the reader is gone before the page is written (its end of the pipe is
    closed before the command starts), so every write meets a broken pipe."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        shown = subprocess.run(
            [sys.executable, "-m", "atoms_logs_mcp", *arguments], stdout=write_end, stderr=subprocess.PIPE,
            text=True, timeout=60, env={**os.environ, "COLUMNS": "80"},
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert "Traceback" not in shown.stderr, shown.stderr
    assert shown.returncode == 0
