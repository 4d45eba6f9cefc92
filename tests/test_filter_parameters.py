"""Every filter tool takes every filter, and every filter reaches the API: a mutation-style guard.

Each filter argument is passed alone to each tool that filters calls, through a real MCP session, and the
query the sandbox received over HTTP must carry it. Renaming a tool parameter (the call is then refused
as an unknown argument), dropping it from the query building, or ignoring it turns this suite red on
behaviour, not only on a snapshot. The table below is written out on purpose, apart from the code under
test (the filter table, api/filter_table.py): it is the contract, and it must name every row of the filter
table, so a row added there is sent through every tool here once its line is added below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from atoms_logs_mcp.api.filter_table import FILTERS
from atoms_logs_mcp.domain.filters import FILTER_NAMES
from conftest import call_text, mcp_client

pytestmark = pytest.mark.anyio

FILTER_TOOLS = ("list_logs", "summarize_logs", "export_logs")


def contract(dataset: dict[str, Any]) -> dict[str, tuple[Any, dict[str, str], str | None]]:
    """argument -> (value to pass, query parameters the API must receive, words the Filters line must hold)."""
    call = next(c for c in dataset["calls"] if c.get("campaignId") and c.get("versionId"))
    agent = next(a for a in dataset["agents"] if a["_id"] == call["agentId"])
    return {
        "statuses": (["failed", "no_answer"], {"statusFilter": "failed,no_answer"}, "statuses: failed, no_answer"),
        "disconnect_reasons": (["timeout"], {"disconnectReasonFilter": "timeout"}, "disconnect reasons: timeout"),
        "call_types": (["webcall"], {"callTypes": "webcall"}, "call types: webcall"),
        "agents": ([agent["name"]], {"agentIds": agent["_id"]}, f"agent: {agent['name']} ({agent['_id']})"),
        "campaign_ids": ([call["campaignId"]], {"campaignIds": call["campaignId"]}, f"campaign: {call['campaignId']}"),
        "search": ("555", {"search": "555"}, "search: 555"),
        "attempt": ("all", {"callAttemptFilter": "all"}, "first attempts and retries"),
        "durations": (["1-5", "5+"], {"durationFilter": "1-5,5+"}, "durations: 1-5, 5+"),
        "since": ("2026-11-10T00:00:00Z", {"dateFrom": "2026-11-10T00:00:00.000Z"}, "2026-11-10 00:00:00Z"),
        "until": ("2026-11-12T00:00:00Z", {"dateTo": "2026-11-12T00:00:00.000Z"}, "2026-11-12 00:00:00Z"),
        "version_ids": (
            [call["versionId"]],
            {"versionFilter": call["versionId"]},
            f"version: {agent['name']} v{call['versionNumber']} ({call['versionId']})",  # named wherever it is known
        ),
        # A zone changes how a naive time is read: midnight in Paris is 23:00 UTC the day before.
        "timezone": ("Europe/Paris", {}, "Europe/Paris"),
    }


def test_the_contract_covers_every_filter_field(generated_dataset):
    assert set(contract(generated_dataset)) == {row.name for row in FILTERS} == set(FILTER_NAMES)


async def test_every_filter_tool_takes_every_filter(sandbox, generated_dataset):
    async with mcp_client(sandbox) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    for name in FILTER_TOOLS:
        assert set(contract(generated_dataset)) <= set(tools[name].input_schema["properties"]), name


@pytest.mark.parametrize("tool", FILTER_TOOLS)
async def test_every_filter_reaches_the_api_and_is_stated(sandbox, generated_dataset, tmp_path: Path, tool: str):
    extra: dict[str, Any] = {"format": "json"} if tool == "export_logs" else {}
    async with mcp_client(sandbox, export_dir=str(tmp_path)) as client:
        for argument, (value, sent, stated) in contract(generated_dataset).items():
            arguments = {argument: value, **extra}
            if argument == "timezone":
                arguments["since"] = "2026-11-10T00:00:00"
                sent = {"dateFrom": "2026-11-09T23:00:00.000Z"}
            sandbox.reset_stats()
            text = await call_text(client, tool, arguments)
            queries = [r["query"] for r in sandbox.stats()["recent"] if r["route"] == "GET /conversation"]
            assert queries, f"{tool}({argument}=…) sent no list request"
            for query in queries:
                for parameter, expected in sent.items():
                    assert query.get(parameter) == expected, f"{tool}({argument}=…) sent {query}"
            assert stated in text, f"{tool}({argument}=…) does not state it:\n{text[:600]}"
            if argument not in ("attempt", "since", "until", "timezone"):
                assert "Filters: none" not in text
