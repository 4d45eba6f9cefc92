"""A call id pasted in another case or with spaces (`call-...`) is read as the API writes it (issue "Truth, round 3",
item 15)."""

from __future__ import annotations

import re

import pytest

from atoms_logs_mcp.sandbox.serve import SandboxServer
from conftest import call_text, mcp_client

pytestmark = pytest.mark.anyio


async def test_a_call_id_in_lower_case_or_with_spaces_is_found(sandbox: SandboxServer) -> None:
    async with mcp_client(sandbox) as client:
        listed = await call_text(client, "list_logs", {"limit": 1, "statuses": ["completed"]})
        call_id = re.search(r"CALL-\d{13}-[0-9a-f]{6}", listed).group(0)  # type: ignore[union-attr]
        found = await call_text(client, "search_by_call_ids", {"call_ids": [f"  {call_id.lower()} ", "Call-x"]})
        opened = await call_text(client, "get_log", {"call_id": f" call-{call_id[5:]}"})
    assert call_id in found and "not found" not in found.split(call_id)[0], found
    assert call_id in opened


async def test_the_round3_lower_case_ids_are_found(round3_sandbox: SandboxServer, round3_expected: dict) -> None:
    pasted = round3_expected["lowercase_ids"]
    async with mcp_client(round3_sandbox) as client:
        found = await call_text(client, "search_by_call_ids", {"call_ids": list(pasted)})
    rows = re.findall(r"^(CALL-\d{13}-[0-9a-f]{6}) ", found, re.M)
    assert sorted(rows) == sorted(pasted.values()) and "not a call id" not in found.lower(), found
