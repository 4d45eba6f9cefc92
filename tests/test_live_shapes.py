"""Data in the shapes the live API has been seen to send (NOTES.md), through real MCP sessions.

The dataset (tests/data/make_live_dataset.py) was written from NOTES and the spec by someone who had not
read this server's code: a third of its calls name event types under `eventType` and send `metadata` as
JSON strings with epoch-second timestamps; tool ends often carry only the function name; one call has a
null among its latencies, another `latencies: null`, another numbers as strings. The expected facts
(tests/data/live_dataset_expected.json) were computed by that script from the records.
"""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Any

import pytest

from conftest import PROTOCOL_MODES, call_text, mcp_client, text_of

pytestmark = pytest.mark.anyio

TOOL_LINE = re.compile(
    r"^\[(?P<at>[^\]]+)\] tool (?P<name>\S+) "
    r"(?P<outcome>ok|FAILED|started; no result was recorded|ended, outcome not recorded)"
    r"(?::\s(?P<error>.*?))?(?: \((?P<ms>\d+) ms\))?(?: before the call ended at \[[^\]]+\])?$"
)
LATENCY_LINE = re.compile(
    r"(?P<count>\d+) agent repl(?:y|ies) timed \(from (?P<source>[^)]+)\): avg (?P<avg>\d+) ms, "
    r"median (?P<median>\d+) ms, p95 (?P<p95>\d+) ms, min (?P<min>\d+) ms, max (?P<max>\d+) ms\."
)
OUTCOMES = {"ok": "ok", "FAILED": "failed", "started; no result was recorded": "no_result"}
NEVER = ("unavailable right now", "Try again in a minute", "was not found")


def exported_rows(folder: Path) -> list[Any]:
    return json.loads(next(folder.glob("*.json")).read_text(encoding="utf-8"))["rows"]  # type: ignore[no-any-return]


def calls_of(expected: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in expected.items() if key.startswith("CALL-")}


def tool_lines(text: str) -> list[re.Match[str]]:
    return [match for line in text.splitlines() if (match := TOOL_LINE.match(line))]


async def test_every_tool_call_is_one_line_with_its_outcome_time_and_latency(live_sandbox, live_expected):
    checked = 0
    async with mcp_client(live_sandbox) as client:
        for call_id, facts in calls_of(live_expected).items():
            text = await call_text(client, "get_log", {"call_id": call_id, "include": ["events"]})
            lines = tool_lines(text)
            assert len(lines) == len(facts["tool_calls"]), (call_id, text)
            for line, tool in zip(lines, facts["tool_calls"], strict=True):
                assert line["name"] == tool["function_name"], (call_id, line.group(0))
                assert OUTCOMES[line["outcome"]] == tool["outcome"], (call_id, line.group(0))
                assert line["at"].strip() != "?", f"{call_id}: every tool-call line has its time: {line.group(0)}"
                if tool["latency_ms"] is not None:
                    assert line["ms"] is not None and int(line["ms"]) == round(float(tool["latency_ms"])), line.group(0)
                if tool["error"]:
                    assert line["error"] and tool["error"][:40] in line["error"], (call_id, line.group(0))
                checked += 1
    assert checked == sum(len(f["tool_calls"]) for f in calls_of(live_expected).values()) > 40


async def test_no_tool_call_reads_no_result_when_its_end_event_exists(live_sandbox, live_expected):
    async with mcp_client(live_sandbox) as client:
        for call_id, facts in calls_of(live_expected).items():
            if not facts["tool_calls"]:
                continue
            text = await call_text(client, "get_log", {"call_id": call_id, "include": ["events"]})
            unanswered = sum(1 for tool in facts["tool_calls"] if tool["outcome"] == "no_result")
            assert text.count("no result was recorded") == unanswered, (call_id, text)
            if unanswered:
                assert "before the call ended at [" in text


def measured(record: dict[str, Any]) -> list[float]:
    """The latency values of a record, read by hand: numbers (or numeric strings) in `latencies`, else in
    `transitions`."""

    def numbers(values: list[Any]) -> list[float]:
        out = []
        for value in values:
            try:
                out.append(float(value))
            except (TypeError, ValueError):
                continue
        return out

    metrics = record.get("turnLatencyMetrics") or {}
    return numbers(metrics.get("latencies") or []) or numbers(
        [t.get("latency") for t in metrics.get("transitions") or [] if isinstance(t, dict)]
    )


def p95(values: list[float]) -> float:
    ordered, position = sorted(values), (len(values) - 1) * 0.95
    low, high = int(position), min(int(position) + 1, len(values) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


async def test_latency_counts_and_percentiles_come_from_the_same_measured_values(
    live_sandbox, live_expected, live_dataset
):
    records = {record["callId"]: record for record in live_dataset["calls"]}
    seen = 0
    async with mcp_client(live_sandbox) as client:
        for call_id, facts in calls_of(live_expected).items():
            text = await call_text(client, "get_log", {"call_id": call_id, "include": ["latency"]})
            match = LATENCY_LINE.search(text)
            if match is None:
                assert "No turn latency recorded" in text, (call_id, text)
                assert facts["measured_latencies"] == facts["transition_latencies"] == 0
                continue
            seen += 1
            values = {name: int(match[name]) for name in ("count", "avg", "median", "p95", "min", "max")}
            assert values["min"] <= values["median"] <= values["p95"] <= values["max"], (call_id, match.group(0))
            assert values["min"] <= values["avg"] <= values["max"]
            truth = measured(records[call_id])
            if truth:
                assert values == {
                    "count": len(truth),
                    "avg": round(statistics.fmean(truth)),
                    "median": round(statistics.median(truth)),
                    "p95": round(p95(truth)),
                    "min": round(min(truth)),
                    "max": round(max(truth)),
                }, (call_id, match.group(0))
            if facts["measured_latencies"]:
                assert values["count"] == facts["measured_latencies"], (call_id, match.group(0))
                assert match["source"] == "turnLatencyMetrics.latencies"
            elif facts["transition_latencies"]:
                assert values["count"] == facts["transition_latencies"], (call_id, match.group(0))
                assert match["source"] == "turnLatencyMetrics.transitions"
            else:
                assert match["source"] == "turn_latency events"
            unreadable = facts["unreadable_latencies"]
            said = "latency value the API sent was not a number" in text or "latency values the API sent" in text
            assert said == bool(unreadable), (call_id, text)
    assert seen >= 30


async def test_the_odd_calls_answer_and_say_what_is_odd(live_sandbox, live_expected):
    odd = live_expected["odd_calls"]
    assert len(odd) >= 10
    async with mcp_client(live_sandbox) as client:
        for call_id in odd:
            text = await call_text(client, "get_log", {"call_id": call_id})
            assert "## Transcript" in text and "## Events" in text and "## Turn latency" in text
            for words in NEVER:
                assert words not in text
        null_inside = next(c for c, d in odd.items() if "one null" in d and "latencies" in d)
        text = await call_text(client, "get_log", {"call_id": null_inside, "include": ["latency"]})
        assert "1 latency value the API sent was not a number, left out." in text
        strings = next(c for c, d in odd.items() if "numbers as strings" in d)
        text = await call_text(client, "get_log", {"call_id": strings, "include": ["overview"]})
        assert "duration: 1m04s" in text and "cost: $0.0993" in text


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_every_tool_and_resource_answers_on_live_shapes(live_sandbox, live_dataset, tmp_path: Path, mode):
    call_ids = [call["callId"] for call in live_dataset["calls"]]
    async with mcp_client(live_sandbox, mode=mode, export_dir=str(tmp_path)) as client:
        answers = [
            await call_text(client, "list_logs", {"limit": 100, "attempt": "all"}),
            await call_text(client, "list_logs", {"sort_by": "latency", "limit": 10}),
            await call_text(client, "list_logs", {"search": "CALL-179", "durations": ["30-60", "1-5"]}),
            await call_text(
                client,
                "summarize_logs",
                {"attempt": "all", "group_by": ["status", "disconnect_reason", "failure_reason", "agent", "day"]},
            ),
            await call_text(client, "list_agents", {"with_calls": True}),
            await call_text(client, "search_by_call_ids", {"call_ids": call_ids}),
            await call_text(client, "export_logs", {"format": "json", "attempt": "all"}),
            await call_text(client, "export_logs", {"format": "csv", "attempt": "all"}),
        ]
        for call_id in call_ids:
            answers.append(await call_text(client, "get_log", {"call_id": call_id}))
            for uri in (f"atoms://calls/{call_id}", f"atoms://calls/{call_id}/transcript"):
                resource = await client.read_resource(uri)
                answers.append(resource.contents[0].text)  # type: ignore[union-attr]
    for text in answers:
        for words in NEVER:
            assert words not in text
    listing, by_latency = answers[0], answers[1]
    assert f"{len(call_ids)} calls match" in listing
    assert "avg latency" in by_latency.splitlines()[5]
    assert f"{len(call_ids)} of {len(call_ids)} requested calls found" in answers[5]
    assert len(exported_rows(tmp_path)) == len(call_ids)


async def test_pending_and_queued_calls_say_they_have_not_connected(live_sandbox, live_dataset):
    waiting = [c["callId"] for c in live_dataset["calls"] if c["status"] in ("pending", "in_queue")]
    assert waiting
    async with mcp_client(live_sandbox) as client:
        for call_id in waiting:
            result = await client.call_tool("get_log", {"call_id": call_id, "include": ["transcript"]})
            text = text_of(result)
            assert "has not connected yet" in text and "nobody spoke" not in text
