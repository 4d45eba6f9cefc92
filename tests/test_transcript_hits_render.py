"""search_transcripts as the model reads it, on calls shaped as the live API sends them: a creation time with
a local offset is shown in UTC, and two matching turns in a row are each shown once (issue "Truth, round 3",
items 1 and 10)."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import GENERATED_END, SANDBOX_KEY, call_text, mcp_client

pytestmark = pytest.mark.anyio
INDIA = timezone(timedelta(hours=5, minutes=30))


def _odd_call(data: dict) -> dict:
    """A finished root call with at least four turns, its createdAt in +05:30 and turns 2 and 3 both saying
    'zebra'."""
    call = next(
        c for c in data["calls"] if c["status"] == "completed" and len(c.get("transcript") or []) >= 4
        and not c.get("retryAttemptNumber")
    )  # fmt: skip
    created = datetime.fromisoformat(call["createdAt"].replace("Z", "+00:00"))
    call["createdAt"] = created.astimezone(INDIA).isoformat(timespec="milliseconds")
    for turn in call["transcript"][1:3]:
        turn["content"] = "The zebra crossing, " + turn["content"]
    return call


async def test_a_local_creation_time_is_shown_in_utc_and_a_context_turn_once(tmp_path):
    data = copy.deepcopy(generate(calls=60, seed=4, end=GENERATED_END))
    call = _odd_call(data)
    utc = datetime.fromisoformat(call["createdAt"]).astimezone(UTC)
    with SandboxServer(CallStore.from_dataset(data), api_key=SANDBOX_KEY) as server:
        async with mcp_client(server) as client:
            text = await call_text(client, "search_transcripts", {"text": "zebra", "attempt": "all"})
    head = next(line for line in text.splitlines() if line.startswith(call["callId"]))
    assert f"| {utc:%Y-%m-%d %H:%M} UTC |" in head, head
    shown = re.findall(r"^[> ] #(\d+) ", text[text.index(head) :].split("<<<end")[0], re.MULTILINE)
    assert shown == ["1", "2", "3"], shown  # turn 2 is a match and the context of turn 3: shown once


async def test_each_call_of_the_round3_dataset_is_shown_at_its_utc_minute(round3_sandbox, round3_expected):
    """Calls created with +05:30, -08:00, Z and no-fraction times (the round-3 dataset, made by someone else) are each
    headed by the UTC minute its author computed, the -08:00 evening on the next UTC day."""
    expected = {call_id: fact["utc"] for call_id, fact in round3_expected["created_at_utc"].items()}
    said = ['"cleaning next week"', "human", "representative", "operator", '"someone there"', '"real person"']
    heads: dict[str, str] = {}
    async with mcp_client(round3_sandbox) as client:
        for text in said:
            for page in range(1, 30):
                arguments = {"text": text, "speaker": "user", "since": "14d", "attempt": "all", "page": page}
                answer = await call_text(client, "search_transcripts", arguments)
                found = re.findall(r"^(CALL-[\w-]+) \|[^|]*?(\d{4}-\d\d-\d\d \d\d:\d\d) UTC", answer, re.MULTILINE)
                heads.update(found)
                if "page=" not in answer.split("<<<end")[-1]:
                    break
    assert {call_id: heads.get(call_id) for call_id in expected} == expected
