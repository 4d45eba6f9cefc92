"""Every investigation gives the same answer from the local replica as from the API, on the same data.

Each dataset is synced into a store of the test's own; then each question is asked through a real MCP session
twice: with the replica off (today's API path) and on (SQL over the replica). The answers must agree line for line,
except the lines that say where the calls came from (the API's requests, or the replica and how fresh it is),
which must say so truly. Datasets: the generated organisation, the foreign dataset, the round-3 and live-shaped
datasets (each made by someone else from the spec and NOTES only).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import SUPPORT_WEEK_AFTER_WEEK, call_text, mcp_client
from replica_support import replica_settings, sync_once

pytestmark = pytest.mark.anyio

WINDOW = {"since": "2026-10-01", "until": "2026-11-20T12:00:00Z"}
"""Every call of every dataset here (each ends at or before GENERATED_END)."""
QUESTIONS: list[tuple[str, dict[str, Any]]] = [
    ("summarize_logs", {**WINDOW}),
    ("summarize_logs", {**WINDOW, "attempt": "all", "group_by": ["status", "agent", "day", "version", "attempt"]}),
    ("summarize_logs", {**WINDOW, "statuses": ["failed", "no_answer"], "group_by": ["disconnect_reason"]}),
    ("list_logs", {**WINDOW, "limit": 40}),
    ("list_logs", {**WINDOW, "sort_by": "created", "sort_order": "asc", "page": 2, "limit": 25}),
    ("list_logs", {**WINDOW, "durations": ["1-5", "5+"], "call_types": ["telephony_outbound"], "limit": 30}),
    ("list_logs", {**WINDOW, "search": "CALL-17", "attempt": "retry", "limit": 30}),
    ("search_transcripts", {**WINDOW, "text": "refund"}),
    ("search_transcripts", {**WINDOW, "any_of": ["manager", "supervisor", "human"], "speaker": "user"}),
    ("analyze_calls", {**WINDOW}),
    ("list_agents", {**WINDOW, "with_calls": True}),
]
SOURCE_LINES = (
    re.compile(
        r"(\n(\w+ opened: )?| )From the local replica: \d+ calls?, synced [^;]+; transcripts local for \d+"
        r"(; \d+ still being fetched)?\."
    ),
    re.compile(r"(\d+ calls? match); (all \d+ scanned \(\d+ list requests?\)|all \d+ read)\."),
    re.compile(r"(Read \d+ calls? of \d+ matching): .*$", re.MULTILINE),
)


def comparable(text: str) -> str:
    """The answer without what says where its calls came from."""
    text = SOURCE_LINES[0].sub("", text)
    text = SOURCE_LINES[1].sub(r"\1.", text)
    return SOURCE_LINES[2].sub(r"\1.", text)


async def ask_both_ways(server: Any, path: Path, tool: str, arguments: dict[str, Any]) -> tuple[str, str]:
    async with mcp_client(server) as client:
        from_api = await call_text(client, tool, arguments)
    server.reset_stats()
    async with mcp_client(server, **replica_settings(server, path)) as client:
        from_replica = await call_text(client, tool, arguments)
    return from_api, from_replica


def list_requests(server: Any) -> int:
    return int(server.stats()["requests"].get("GET /conversation", 0))


@pytest.mark.parametrize("dataset", ["sandbox", "foreign_sandbox", "round3_sandbox", "live_sandbox"])
async def test_every_investigation_answers_the_same_from_the_replica_as_from_the_api(dataset, request, store_location):
    server = request.getfixturevalue(dataset)
    path = store_location
    await sync_once(server, path)
    for tool, arguments in QUESTIONS:
        from_api, from_replica = await ask_both_ways(server, path, tool, arguments)
        assert comparable(from_replica) == comparable(from_api), (tool, arguments)
        if tool != "list_agents":
            assert "From the local replica: " in from_replica, (tool, from_replica)
            assert "From the local replica" not in from_api
        assert list_requests(server) == 0, f"{tool} listed calls from the API though the replica covers the window"


async def test_comparisons_answer_the_same_from_the_replica(sandbox, store_location):
    path = store_location
    await sync_once(sandbox, path)
    from_api, from_replica = await ask_both_ways(sandbox, path, "compare_calls", SUPPORT_WEEK_AFTER_WEEK)
    assert comparable(from_replica) == comparable(from_api)
    assert from_replica.count("From the local replica: ") == 4  # each side's window and each side's deep read


async def test_an_export_writes_the_same_calls_from_the_replica(sandbox, generated_dataset, tmp_path, store_location):
    path = store_location
    await sync_once(sandbox, path)
    files = []
    for replica in (False, True):
        folder = tmp_path / ("replica" if replica else "api")
        overrides = replica_settings(sandbox, path) if replica else {}
        async with mcp_client(sandbox, export_dir=str(folder), **overrides) as client:
            text = await call_text(client, "export_logs", {**WINDOW, "format": "json", "attempt": "all"})
        assert ("From the local replica" in text) is replica
        (written,) = folder.iterdir()
        files.append(json.loads(written.read_text(encoding="utf-8"))["rows"])
    by_id = [{row["call_id"]: row for row in rows} for rows in files]
    assert by_id[0] == by_id[1]
    assert len(by_id[1]) == len(generated_dataset["calls"])


async def test_phone_numbers_are_masked_the_same_from_the_replica(sandbox, generated_dataset, store_location):
    """Rows synced unmasked, read with ATOMS_REDACT=phone: masked as the API path masks them, never in full."""
    path = store_location
    await sync_once(sandbox, path)
    numbers = {call[side] for call in generated_dataset["calls"] for side in ("from", "to") if call.get(side)}
    for tool, arguments in (("list_logs", {**WINDOW, "limit": 60}), ("analyze_calls", {**WINDOW})):
        answers = []
        for overrides in ({}, replica_settings(sandbox, path)):
            async with mcp_client(sandbox, redact_phones=True, **overrides) as client:
                answers.append(await call_text(client, tool, arguments))
        assert comparable(answers[1]) == comparable(answers[0])
        assert not [number for number in numbers if len(number) > 6 and number in answers[1]]
