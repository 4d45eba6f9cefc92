"""The prompts walk the model through tools that exist, with arguments those tools take: every `tool(...)` a
prompt names is in tools/list, each `name=` in it is a parameter of that tool, and each value it offers from a
list of choices is one of them. triage_failed_calls groups first (summarize_logs), measures the groups
(analyze_calls), and only then opens a call or two per group (get_log)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from conftest import mcp_client

pytestmark = pytest.mark.anyio
CALL = re.compile(r"\b([a-z]+(?:_[a-z]+)+)\(([^()]*)\)")
ARGUMENT = re.compile(r"(\w+)=(\[[^\]]*\]|\"[^\"]*\"|\w+)")


def _calls(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Each `name(arg=value, ...)` in the text whose name looks like a tool's (snake_case), arguments parsed."""
    found = []
    for name, inside in CALL.findall(text):
        arguments = {key: json.loads(value) if value[0] in '["' else value for key, value in ARGUMENT.findall(inside)}
        found.append((name, arguments))
    return found


def _choices(schema: dict[str, Any]) -> list[str] | None:
    return schema.get("enum") or (schema.get("items") or {}).get("enum")


async def _prompts_and_tools(sandbox: Any) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    async with mcp_client(sandbox) as client:
        tools = {tool.name: tool.input_schema for tool in (await client.list_tools()).tools}
        triage = await client.get_prompt("triage_failed_calls", {"agent": "Support", "window": "last week"})
        plain = await client.get_prompt("triage_failed_calls", {})
        debug = await client.get_prompt("debug_call", {"call_id": "CALL-1737000000000-abc123"})
    texts = {
        "triage": triage.messages[0].content.text,
        "triage, no arguments": plain.messages[0].content.text,
        "debug": debug.messages[0].content.text,
    }
    return texts, tools


async def test_every_tool_and_argument_a_prompt_names_exists(sandbox):
    texts, tools = await _prompts_and_tools(sandbox)
    for label, text in texts.items():
        calls = _calls(text)
        assert calls, label
        for name, arguments in calls:
            assert name in tools, f"{label} names {name}(), which tools/list does not have"
            properties = tools[name]["properties"]
            for argument, value in arguments.items():
                assert argument in properties, f"{label}: {name} has no argument {argument!r}"
                allowed = _choices(properties[argument])
                values = value if isinstance(value, list) else [value]
                if allowed and not any("<" in str(v) for v in values):
                    assert set(values) <= set(allowed), f"{label}: {name}({argument}={value!r})"


async def test_triage_groups_then_measures_then_reads_examples(sandbox):
    texts, _ = await _prompts_and_tools(sandbox)
    text = texts["triage"]
    order = [name for name, _ in _calls(text)]
    assert order == ["summarize_logs", "analyze_calls", "get_log"], order
    (_, summarize), (_, analyze), (_, read) = _calls(text)
    assert {"failure_reason", "disconnect_reason"} <= set(summarize["group_by"])
    assert summarize["statuses"] == analyze["statuses"] == ["failed", "no_answer"]
    assert summarize["agents"] == analyze["agents"] == ["Support"] and analyze["since"] == "last week"
    assert "disconnect_reasons" in analyze and "errors" in analyze["aspects"] and "tools" in analyze["aspects"]
    assert "call_id" in read and re.search(r"one or two example calls per (large )?group", text)
