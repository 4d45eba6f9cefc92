"""The tool reference in docs/TOOLS.md is what the live server lists (scripts/tool_reference.py writes it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from atoms_logs_mcp.app import TOOLS
from conftest import script_module

pytestmark = pytest.mark.anyio
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "tool_reference.py"


async def test_the_tool_reference_in_docs_matches_the_live_tool_list():
    reference = script_module("tool_reference")
    page = reference.PAGE.read_text(encoding="utf-8")
    assert reference.updated_page(await reference.render(), page) == page, (
        "docs/TOOLS.md's tool reference drifted from the server: run python scripts/tool_reference.py"
    )


def test_the_reference_is_written_into_docs_tools_md():
    assert SCRIPT.parents[1] / "docs" / "TOOLS.md" == script_module("tool_reference").PAGE


async def test_the_reference_names_every_tool_prompt_and_template():
    text = await script_module("tool_reference").render()
    for name in (
        *TOOLS,
        "triage_failed_calls",
        "debug_call",
        "atoms://calls/{call_id}/transcript",
    ):
        assert name in text
