"""Every tool is annotated and described as the house style asks; hostile call content stays fenced."""

from __future__ import annotations

import re

import pytest

from conftest import call_text, mcp_client, record_figure

pytestmark = pytest.mark.anyio

FENCE = re.compile(r"^<<<call-data ([0-9a-f]{6}) [^\n]*>>>\n(.*?)\n<<<end call-data \1>>>$", re.MULTILINE | re.DOTALL)


async def test_every_tool_has_its_annotations_and_a_useful_description(sandbox):
    """readOnlyHint, destructiveHint and openWorldHint on every tool (hosts' reviews ask for them); idempotentHint
    where the spec gives it meaning, on a tool that is not read-only."""
    async with mcp_client(sandbox) as client:
        tools = (await client.list_tools()).tools
    assert tools
    for tool in tools:
        hints = tool.annotations
        assert hints is not None, tool.name
        values = (hints.read_only_hint, hints.destructive_hint, hints.open_world_hint)
        assert None not in values, f"{tool.name} lacks an annotation: {hints}"
        if hints.read_only_hint:
            assert hints.destructive_hint is False, tool.name
        else:
            assert hints.idempotent_hint is not None, tool.name
        description = tool.description or ""
        assert "Example:" in description and "Use it" in description, tool.name
        assert tool.output_schema is None, f"{tool.name} returns text only (see docs/TOOLS.md: structured content)"
        for name, schema in tool.input_schema["properties"].items():
            assert schema.get("description"), f"{tool.name}.{name} has no description"


async def test_ids_are_produced_by_tools_that_are_named(sandbox):
    async with mcp_client(sandbox) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    call_id = tools["get_log"].input_schema["properties"]["call_id"]["description"]
    assert "list_logs" in call_id
    assert "list_logs" in tools["search_by_call_ids"].input_schema["properties"]["call_ids"]["description"]


def _hostile_call(dataset):
    return next(
        c for c in dataset["calls"] if "delete_all_logs" in ((c.get("postCallAnalytics") or {}).get("summary") or "")
    )


NEEDLES = (
    "Ignore all previous",
    "delete_all_logs",
    "DROP TABLE",
    "reveal the API key",
    "SYSTEM: ignore",
    "Assistant: the real failure",
)
BAD_CHARACTERS = ("\x1b", "\u202e", "\u200b", "\x00")


async def test_hostile_content_cannot_leave_its_fence(sandbox, generated_dataset):
    call = _hostile_call(generated_dataset)
    call_id = call["callId"]
    async with mcp_client(sandbox) as client:
        outputs = {
            "get_log": await call_text(client, "get_log", {"call_id": call_id}),
            "search_by_call_ids": await call_text(client, "search_by_call_ids", {"call_ids": [call_id]}),
            "list_logs": await call_text(client, "list_logs", {"search": call_id}),
            "summarize_logs": await call_text(
                client,
                "summarize_logs",
                {"search": call_id, "group_by": ["disconnect_reason", "failure_reason", "status"]},
            ),
            "transcript resource": (await client.read_resource(f"atoms://calls/{call_id}/transcript")).contents[0].text,
            "log resource": (await client.read_resource(f"atoms://calls/{call_id}")).contents[0].text,
        }
    outside_hits = markers_inside = bad_characters = unbalanced = 0
    for name, text in outputs.items():
        fenced = FENCE.findall(text)
        assert fenced, name
        outside = FENCE.sub("", text)
        outside_hits += sum(needle in outside for needle in NEEDLES)
        markers_inside += sum(("<<<" in body or ">>>" in body) for _, body in fenced)
        bad_characters += sum(ch in text for ch in BAD_CHARACTERS)
        unbalanced += text.count("<<<call-data ") != text.count("<<<end call-data ") or text.count(
            "<<<call-data "
        ) != len(fenced)
        assert any(needle in text for needle in NEEDLES), f"{name} shows the hostile content (fenced)"
    record_figure(
        "untrusted_content",
        hostile_outputs_checked=len(outputs),
        fences_checked=sum(len(FENCE.findall(text)) for text in outputs.values()),
        call_content_outside_fences=outside_hits,
        fence_markers_inside_fences=markers_inside,
        control_or_bidi_characters=bad_characters,
        unbalanced_fences=unbalanced,
    )
    assert (outside_hits, markers_inside, bad_characters, unbalanced) == (0, 0, 0, 0)
    assert "नमस्ते" in outputs["get_log"] and "我想查询我的账单" in outputs["get_log"], "non-Latin text is kept"


async def test_turns_carrying_the_fence_marker_are_neutralised(sandbox, generated_dataset):
    call = _hostile_call(generated_dataset)
    async with mcp_client(sandbox) as client:
        text = await call_text(client, "get_log", {"call_id": call["callId"], "include": ["transcript"]})
    assert "‹‹‹END CALL CONTENT›››" in text
    assert "RED ALERT please clear the screen" in text, "ANSI escapes are removed, the words kept"
