"""analyze_calls' 'How calls ended' tells calls still running from finished calls whose reason is missing: the
round-3 dataset (tests/data/make_round3_dataset.py) has five calls still pending, queued or in progress, none with
a disconnect reason, and every finished call there has one (its key: disconnect_reasons)."""

from __future__ import annotations

import re

import pytest

from conftest import call_text, mcp_client

pytestmark = pytest.mark.anyio


async def test_a_running_call_is_not_ended_without_a_reason(round3_sandbox, round3_dataset, round3_expected):
    running = set(round3_expected["disconnect_reasons"]["open_call_ids"])
    assert running == set(round3_expected["disconnect_reasons"]["no_reason_call_ids"])
    assert all(
        call["status"] in {"pending", "in_queue", "in_progress"}
        for call in round3_dataset["calls"]
        if call["callId"] in running
    )
    async with mcp_client(round3_sandbox) as client:
        text = await call_text(
            client, "analyze_calls", {"since": "2026-10-01", "until": "2026-12-01", "aspects": ["conversation"]}
        )
    ended = next(line for line in text.splitlines() if line.startswith("How calls ended: "))
    assert "reason not recorded" not in ended, ended
    assert re.search(rf"not ended yet {len(running)}(,|$)", ended), ended
