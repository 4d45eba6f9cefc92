"""watch_call through real MCP sessions (both protocol eras) against the sandbox over loopback HTTP.

The live call is one of the live-shaped dataset (tests/data/live_dataset.json, made by someone else from NOTES
and the spec): its speech arrives as `tts_completed` / `user_transcription` events with a plain `text`, its
metadata as objects, its timestamps as ISO strings. The sandbox replays it at LIVE_SPEED times real time and
logs when it sent each frame; the test logs when each line reached the client as a progress notification.
"""

from __future__ import annotations

import re
import statistics
import time
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import ResourceUpdatedNotification

from atoms_logs_mcp.app import create_server
from conftest import (
    PROTOCOL_MODES,
    call_error,
    call_text,
    http_server_process,
    mcp_client,
    record_figure,
    server_env,
    settings_for,
    text_of,
)

pytestmark = pytest.mark.anyio
LIVE_SPEED = 16.0
SPEECH = ("tts_completed", "user_transcription")
UNKNOWN_CALL = "CALL-1000000000000-abcdef"


def _live_call(dataset: dict[str, Any]) -> dict[str, Any]:
    return max((c for c in dataset["calls"] if c["status"] == "in_progress"), key=lambda c: len(c["events"]))


def _spoken(call: dict[str, Any]) -> list[str]:
    """What the call's own events say was spoken, in order: the truth a watcher must hear."""
    return [e["text"] for e in call["events"] if e.get("event_type") in SPEECH]


def _heard(answer: str) -> list[str]:
    return re.findall(r"^#\d+ \[[\d:.]+\] (?:Agent|User): (.*)$", answer, flags=re.MULTILINE)


class Progress:
    def __init__(self) -> None:
        self.started = time.time()
        self.messages: list[tuple[float, float, str]] = []

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.messages.append((time.time(), progress, message or ""))


@pytest.fixture
def live(live_sandbox):
    live_sandbox.reset_live(speed=LIVE_SPEED)
    return live_sandbox


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_lines_arrive_within_a_second_of_being_sent_and_the_end_points_to_get_log(live, live_dataset, mode):
    call = _live_call(live_dataset)
    progress = Progress()
    async with mcp_client(live, mode) as client:
        result = await client.call_tool(
            "watch_call", {"call_id": call["callId"], "seconds": 60}, progress_callback=progress
        )
        answer = text_of(result)
        assert not result.is_error, answer
        after = await call_text(client, "get_log", {"call_id": call["callId"], "include": ["overview"]})
        still_live = await call_text(client, "list_logs", {"statuses": ["in_progress", "active"]})
    assert _heard(answer) == _spoken(call), answer
    assert f'get_log(call_id="{call["callId"]}")' in answer and "The call ended at" in answer
    assert "completed" in after.split("## Overview")[1][:400], "the sandbox tells the call is over once it ended"
    assert call["callId"] not in still_live, "and no longer lists it among the live calls"
    elapsed = time.time() - progress.started
    assert elapsed < 30, "the watch ended with the call, not when its seconds ran out"

    sent = [f for f in live.live()["sent"] if f["call_id"] == call["callId"] and f["type"] in SPEECH]
    assert [m[1] for m in progress.messages] == list(range(1, len(sent) + 1)), "progress goes up, one per line"
    assert [m[2].split(": ", 1)[1] for m in progress.messages] == _spoken(call)
    lags = [received - frame["sent_at"] for (received, _, _), frame in zip(progress.messages, sent, strict=True)]
    print(
        f"{mode}: {len(lags)} lines, lag median {statistics.median(lags) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms"
    )
    record_figure(
        f"watch_call ({mode})",
        lines=len(lags),
        lag_median_ms=round(statistics.median(lags) * 1000),
        lag_max_ms=round(max(lags) * 1000),
    )
    assert max(lags) < 1.0, lags
    assert min(lags) >= 0


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_a_dropped_stream_is_resumed_with_no_line_lost_or_repeated(live, live_dataset, mode):
    call = _live_call(live_dataset)
    live.set_faults(stream_drops=1, stream_cut_after=6)  # the first stream is cut after six frames
    async with mcp_client(live, mode) as client:
        answer = await call_text(client, "watch_call", {"call_id": call["callId"], "seconds": 60})
    assert _heard(answer) == _spoken(call), answer
    assert "dropped and was reopened" in answer
    assert live.stats()["requests"]["GET /events"] == 2
    sent = [f["event_id"] for f in live.live()["sent"] if f["call_id"] == call["callId"]]
    # Every frame went out once: the call's events and the call_end the sandbox closes it with. The resume
    # asked for the rest (Last-Event-ID), not for the call from the start.
    assert len(sent) == len(set(sent)) == len(call["events"]) + 1


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_continuing_after_the_last_event_hears_the_rest_once(live, live_dataset, mode):
    """Three one-second watches (about 12 s of the 32 s call at 4x), each continued from the last event, then one
    that stays to the end: every line once, in order. The call keeps talking between watches; the continuation
    hears what was said meanwhile."""
    live.reset_live(speed=4)
    call = _live_call(live_dataset)
    heard: list[str] = []
    async with mcp_client(live, mode) as client:
        arguments: dict[str, Any] = {"call_id": call["callId"]}
        for seconds in (1, 1, 1, 60):
            answer = await call_text(client, "watch_call", {**arguments, "seconds": seconds})
            heard += _heard(answer)
            continuing = re.search(r'watch_call\(call_id="[^"]+", after_event="([^"]+)"\)', answer)
            if continuing is None:
                break
            arguments["after_event"] = continuing.group(1)
    assert "The call ended" in answer and seconds == 60
    assert heard == _spoken(call)


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_finished_unknown_not_started_and_malformed_calls(live, live_dataset, mode):
    finished = next(c["callId"] for c in live_dataset["calls"] if c["status"] == "completed")
    pending = next(c["callId"] for c in live_dataset["calls"] if c["status"] == "pending")
    async with mcp_client(live, mode) as client:
        ended = await call_text(client, "watch_call", {"call_id": finished})
        waiting = await call_text(client, "watch_call", {"call_id": pending})
        unknown = await call_error(client, "watch_call", {"call_id": UNKNOWN_CALL})
        as_get_log = await call_error(client, "get_log", {"call_id": UNKNOWN_CALL})
        malformed = await call_error(client, "watch_call", {"call_id": "CALL-123"})
        too_long = await call_error(client, "watch_call", {"call_id": finished, "seconds": 600})
    assert "is not live (status completed)" in ended and f'get_log(call_id="{finished}")' in ended
    assert "has not started yet (status pending)" in waiting
    assert unknown == as_get_log.replace("get_log", "watch_call") or unknown == as_get_log
    assert "CALL-123" in malformed and "call_id" in malformed
    assert "seconds" in too_long and "120" in too_long
    assert "GET /events" not in live.stats()["requests"], "no stream is opened for a call that is not live"


async def test_subscribers_hear_the_call_change_in_the_2026_era(live, live_dataset):
    call = _live_call(live_dataset)
    uri = f"atoms://calls/{call['callId']}"
    updates: list[str] = []
    reads: list[str] = []
    ended = anyio.Event()
    async with mcp_client(live, "auto") as client, client.listen(resource_subscriptions=[uri]) as subscription:

        async def collect() -> None:
            async for event in subscription:
                updates.append(event.uri)
                reads.append((await client.read_resource(uri)).contents[0].text)  # type: ignore[union-attr]
                if "Heard live" not in reads[-1]:
                    ended.set()

        async with anyio.create_task_group() as group:
            group.start_soon(collect)
            answer = await call_text(client, "watch_call", {"call_id": call["callId"], "seconds": 60})
            with anyio.move_on_after(10):  # the notice sent at the end, and the read it prompts
                await ended.wait()
            group.cancel_scope.cancel()
    assert "The call ended" in answer
    assert len(updates) >= 3 and set(updates) == {uri}, updates
    # Read on a notice while the call is live, the resource shows what the watch has heard so far.
    heard = [int(m.group(1)) for text in reads if (m := re.search(r"Heard live by watch_call \((\d+) lines?", text))]
    assert heard and max(heard) >= 1 and heard == sorted(heard), reads[-1][-600:]
    assert "Heard live" not in reads[-1], "once the call has ended, the resource is the stored call"


@pytest.mark.filterwarnings("ignore:resources/.*subscribe is removed:mcp.shared.exceptions.MCPDeprecationWarning")
async def test_subscribers_hear_the_call_change_in_the_2025_era(live, live_dataset):
    """resources/subscribe is the 2025-11-25 era's way (the SDK marks it deprecated for the 2026 era)."""
    call = _live_call(live_dataset)
    uri = f"atoms://calls/{call['callId']}"
    updates: list[str] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, ResourceUpdatedNotification):
            updates.append(str(message.params.uri))

    server = create_server(settings_for(live))
    async with Client(server, mode="legacy", message_handler=on_message) as client:  # type: ignore[arg-type]
        capabilities = client.server_capabilities
        assert capabilities.resources is not None and capabilities.resources.subscribe
        await client.subscribe_resource(uri)
        answer = await call_text(client, "watch_call", {"call_id": call["callId"], "seconds": 60})
        await anyio.sleep(0.3)
        count = len(updates)
        await client.unsubscribe_resource(uri)
    assert "The call ended" in answer
    assert count >= 3 and set(updates) == {uri}, updates


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_watching_over_streamable_http_sends_each_line_as_progress(live, live_dataset, tmp_path, mode):
    """The server as users run it over HTTP (stateless in the 2026 era): progress rides the request's stream."""
    call = _live_call(live_dataset)
    progress = Progress()
    with http_server_process(server_env(live), tmp_path / "server.log") as (url, _):
        async with Client(url, mode=mode) as client:
            result = await client.call_tool(
                "watch_call", {"call_id": call["callId"], "seconds": 60}, progress_callback=progress
            )
    answer = text_of(result)
    assert not result.is_error and _heard(answer) == _spoken(call), answer
    assert [m[2].split(": ", 1)[1] for m in progress.messages] == _spoken(call)
