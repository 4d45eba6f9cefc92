"""What the model reads, in full, for every tool and resource: any change shows in review.

The generated organisation (fixed seed and end time) is served by the sandbox over loopback; the
snapshots live in tests/__snapshots__/test_snapshots.ambr (update with `pytest --snapshot-update`).
"""

from __future__ import annotations

import json

import pytest

from conftest import SUPPORT_WEEK_AFTER_WEEK, call_text, mcp_client

pytestmark = pytest.mark.anyio


def pick(dataset, predicate):
    return next(c["callId"] for c in dataset["calls"] if predicate(c))


def rich(call):
    return (
        call["status"] == "completed"
        and 10 <= len(call["transcript"]) <= 30
        and any(e.get("event_type") in ("tool_call_error", "tool_call_end") for e in call["events"])
    )


def hostile(call):
    return "delete_all_logs" in ((call.get("postCallAnalytics") or {}).get("summary") or "")


async def test_get_log_of_live_shaped_calls(live_sandbox, live_expected, snapshot):
    """eventType keys, JSON-string metadata, epoch times; name-only tool ends; a null among the latencies."""
    odd = live_expected["odd_calls"]
    picks = [
        next(c for c, d in odd.items() if "started twice" in d),
        next(c for c, d in odd.items() if "one null" in d and "latencies" in d),
        next(c for c, d in odd.items() if "has no end" in d),
    ]
    async with mcp_client(live_sandbox) as client:
        texts = [await call_text(client, "get_log", {"call_id": call_id}) for call_id in picks]
    assert "\n\n=====\n\n".join(texts) == snapshot


async def test_tool_list(sandbox, snapshot):
    async with mcp_client(sandbox) as client:
        tools = (await client.list_tools()).tools
        templates = (await client.list_resource_templates()).resource_templates
    listed = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]
    listed += [template.model_dump(mode="json", by_alias=True, exclude_none=True) for template in templates]
    assert json.dumps(listed, indent=1, ensure_ascii=False) == snapshot


async def test_list_logs_default(sandbox, snapshot):
    async with mcp_client(sandbox) as client:
        assert await call_text(client, "list_logs", {}) == snapshot


async def test_list_logs_filtered(sandbox, snapshot):
    async with mcp_client(sandbox) as client:
        text = await call_text(
            client,
            "list_logs",
            {
                "statuses": ["failed", "no_answer"],
                "call_types": ["telephony_outbound"],
                "attempt": "all",
                "since": "2026-11-10T00:00:00Z",
                "until": "2026-11-20T00:00:00Z",
                "sort_by": "created",
                "limit": 8,
            },
        )
    assert text == snapshot


async def test_get_log_of_a_call_with_tool_calls(sandbox, generated_dataset, snapshot):
    async with mcp_client(sandbox) as client:
        assert await call_text(client, "get_log", {"call_id": pick(generated_dataset, rich)}) == snapshot


async def test_get_log_of_a_failed_retried_call(sandbox, generated_dataset, snapshot):
    call_id = pick(generated_dataset, lambda c: c["status"] == "failed" and c.get("retryCallId"))
    async with mcp_client(sandbox) as client:
        assert await call_text(client, "get_log", {"call_id": call_id}) == snapshot


async def test_get_log_of_the_hostile_call(sandbox, generated_dataset, snapshot):
    async with mcp_client(sandbox) as client:
        assert await call_text(client, "get_log", {"call_id": pick(generated_dataset, hostile)}) == snapshot


async def test_search_by_call_ids(sandbox, generated_dataset, snapshot):
    ids = [c["callId"] for c in generated_dataset["calls"][:4]]
    retry = pick(generated_dataset, lambda c: c["retryAttemptNumber"] > 0)
    async with mcp_client(sandbox) as client:
        text = await call_text(
            client, "search_by_call_ids", {"call_ids": [*ids, retry, "CALL-1000000000000-abcdef", ids[0]]}
        )
    assert text == snapshot


async def test_transcript_resource(sandbox, generated_dataset, snapshot):
    call_id = pick(generated_dataset, rich)
    async with mcp_client(sandbox) as client:
        resource = await client.read_resource(f"atoms://calls/{call_id}/transcript")
    assert resource.contents[0].text == snapshot


async def test_call_log_resource(sandbox, generated_dataset, snapshot):
    call_id = pick(generated_dataset, rich)
    async with mcp_client(sandbox) as client:
        resource = await client.read_resource(f"atoms://calls/{call_id}")
    assert resource.contents[0].text == snapshot


async def test_error_texts(sandbox, snapshot):
    async with mcp_client(sandbox) as client:
        errors = [
            (await client.call_tool("get_log", {"call_id": "CALL-1000000000000-abcdef"})).content[0].text,
            (await client.call_tool("list_logs", {"limit": 0, "statuses": ["done"]})).content[0].text,
            (await client.call_tool("search_by_call_ids", {"call_ids": ["abc"]})).content[0].text,
        ]
    async with mcp_client(sandbox, api_key="sk_wrong_key_0000000000") as client:
        errors.append((await client.call_tool("list_logs", {})).content[0].text)
    assert "\n\n".join(errors) == snapshot


async def test_summarize_logs(sandbox, snapshot):
    async with mcp_client(sandbox) as client:
        text = await call_text(
            client,
            "summarize_logs",
            {
                "statuses": ["failed", "no_answer"],
                "group_by": ["disconnect_reason", "failure_reason", "agent", "day"],
                "since": "2026-11-13",
                "until": "2026-11-19",
                "timezone": "America/New_York",
            },
        )
    assert text == snapshot


async def test_list_agents_with_calls(sandbox, snapshot):
    async with mcp_client(sandbox) as client:
        text = await call_text(
            client,
            "list_agents",
            {"with_calls": True, "since": "2026-11-19T00:00:00Z", "until": "2026-11-20T00:00:00Z"},
        )
    assert text == snapshot


async def test_export_logs(sandbox, tmp_path, snapshot):
    async with mcp_client(sandbox, export_dir=str(tmp_path)) as client:
        text = await call_text(
            client,
            "export_logs",
            {"format": "csv", "agents": ["sales outbound"], "statuses": ["completed"], "file_name": "sales-completed"},
        )
    assert text.replace(str(tmp_path), "<export dir>") == snapshot


async def test_prompts(sandbox, snapshot):
    async with mcp_client(sandbox) as client:
        triage = await client.get_prompt("triage_failed_calls", {"agent": "Support", "window": "last week"})
        debug = await client.get_prompt("debug_call", {"call_id": "CALL-1737000000000-abc123"})
    assert triage.messages[0].content.text + "\n\n" + debug.messages[0].content.text == snapshot


async def test_search_transcripts(sandbox, snapshot):
    async with mcp_client(sandbox) as client:
        text = await call_text(
            client,
            "search_transcripts",
            {"text": '"speak to a human"', "speaker": "user", "since": "2026-11-13", "until": "2026-11-19"},
        )
    assert text == snapshot


async def test_analyze_calls(sandbox, snapshot):
    async with mcp_client(sandbox) as client:
        text = await call_text(
            client, "analyze_calls", {"agents": ["Support"], "since": "2026-11-13", "until": "2026-11-19"}
        )
    assert text == snapshot


async def test_compare_calls(sandbox, snapshot):
    async with mcp_client(sandbox) as client:
        text = await call_text(
            client,
            "compare_calls",
            SUPPORT_WEEK_AFTER_WEEK,
        )
    assert text == snapshot


async def test_watch_call(live_sandbox, live_dataset, snapshot):
    """A whole live call heard (the sandbox replays it at 50x), then the same call once it has ended, and a call
    that has not started."""
    live_sandbox.reset_live(speed=50)
    live = max((c for c in live_dataset["calls"] if c["status"] == "in_progress"), key=lambda c: len(c["events"]))
    pending = next(c["callId"] for c in live_dataset["calls"] if c["status"] == "pending")
    async with mcp_client(live_sandbox) as client:
        texts = [await call_text(client, "watch_call", {"call_id": live["callId"], "seconds": 60})]
        texts.append(await call_text(client, "watch_call", {"call_id": live["callId"]}))
        texts.append(await call_text(client, "watch_call", {"call_id": pending}))
    assert "\n\n=====\n\n".join(texts) == snapshot


async def test_get_agent_and_diff_agent_versions(sandbox, snapshot):
    """The regressed Support agent: its active version (prompt, tools, metrics), an older one by number, and what
    changed in the newest version."""
    async with mcp_client(sandbox) as client:
        texts = [await call_text(client, "get_agent", {"agent": "Support"})]
        texts.append(await call_text(client, "get_agent", {"agent": "Support", "version": "v1", "include": ["tools"]}))
        texts.append(await call_text(client, "diff_agent_versions", {"agent": "Support"}))
    assert "\n\n=====\n\n".join(texts) == snapshot
