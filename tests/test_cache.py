"""What the call cache keeps, and for how long, against the sandbox over loopback (time is a fake clock)."""

from __future__ import annotations

import pytest

from atoms_logs_mcp.api.client import AtomsClient
from atoms_logs_mcp.domain.calls import DETAIL_TTL, PENDING_TTL, CallReader
from conftest import settings_for

pytestmark = pytest.mark.anyio


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_final_call_is_kept_once_its_analytics_have_arrived(foreign_sandbox, foreign_dataset):
    with_analytics = next(
        c
        for c in foreign_dataset["calls"]
        if c["status"] == "completed" and (c.get("postCallAnalytics") or {}).get("summary")
    )
    without = next(
        c for c in foreign_dataset["calls"] if c["status"] in ("completed", "failed") and "postCallAnalytics" not in c
    )
    in_flight = next(c for c in foreign_dataset["calls"] if c["status"] == "in_progress")
    clock = Clock()
    async with AtomsClient(settings_for(foreign_sandbox)) as client:
        reader = CallReader(client, clock=clock)
        for call in (with_analytics, without, in_flight):
            await reader.detail(call["callId"])
            await reader.detail(call["callId"])
        first = foreign_sandbox.stats()["requests"]["GET /conversation/{callId}"]
        clock.now = PENDING_TTL + 1
        for call in (with_analytics, without):
            await reader.detail(call["callId"])
        later = foreign_sandbox.stats()["requests"]["GET /conversation/{callId}"]
        clock.now = DETAIL_TTL + PENDING_TTL + 2
        await reader.detail(with_analytics["callId"])
    assert first == 4, "one request each for the final calls, two for the call still in progress"
    assert later == first, "the call without analytics ended over an hour ago: none will come, it is settled"
    assert foreign_sandbox.stats()["requests"]["GET /conversation/{callId}"] == later + 1, "and every hour"


async def test_entries_are_keyed_by_api_key(foreign_sandbox, foreign_dataset):
    call_id = next(c["callId"] for c in foreign_dataset["calls"] if c["status"] == "completed")
    async with AtomsClient(settings_for(foreign_sandbox)) as client:
        reader = CallReader(client)
        await reader.detail(call_id)
        assert all(
            key[0] == reader._key and reader._key not in (client.settings.api_key or "")
            for key in reader._details._entries
        )


def test_a_final_call_without_analytics_settles_an_hour_after_its_last_update() -> None:
    from datetime import UTC, datetime, timedelta

    from atoms_logs_mcp.api.models import CallDetail
    from atoms_logs_mcp.domain.calls import settled

    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    call = CallDetail.model_validate({"callId": "CALL-1-a", "status": "completed", "updatedAt": "2026-12-01T11:30:00Z"})
    assert not settled(call, now), "analytics may still come"
    assert settled(call, now + timedelta(minutes=31)), "an hour after its last update, none will"
    analysed = {**call.model_dump(by_alias=True), "postCallAnalytics": {"summary": "Caller asked for a refund."}}
    assert settled(CallDetail.model_validate(analysed), now)
    empty = {**call.model_dump(by_alias=True), "postCallAnalytics": {}}
    assert not settled(CallDetail.model_validate(empty), now), "an empty analytics object is not analytics yet"
    running = CallDetail.model_validate({"callId": "CALL-1-a", "status": "in_progress"})
    assert not settled(running, now + timedelta(days=9))
