"""Live watch: how soon after the sandbox sends a spoken line does a host see it, over stdio.

python bench/live_watch.py [--quick]
"""

from __future__ import annotations

import argparse
import difflib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
from common import SandboxProcess, Section, api_headers, our_server
from mcp import Client

from atoms_logs_mcp.sandbox.data import generate

SPEECH = ("tts_completed", "user_transcription")
LIVE_CALLS = 12
PREFIX = 120
"""Lines are compared on their first characters: a progress notification clips a long line."""


async def _live_calls(sandbox: SandboxProcess) -> list[str]:
    async with httpx.AsyncClient(base_url=sandbox.base_url + "/", headers=api_headers()) as api:
        listing = await api.get("conversation", params={"limit": 100, "statusFilter": "in_progress,active"})
    return [row["callId"] for row in listing.json()["data"]["logs"]]


async def _watch_all(sandbox: SandboxProcess, calls: list[str]) -> tuple[dict[str, list[tuple[float, str]]], float]:
    """Every live call watched at once in one stdio session: each line's arrival time, per call."""
    heard: dict[str, list[tuple[float, str]]] = {call_id: [] for call_id in calls}
    started = time.perf_counter()
    async with Client(our_server(sandbox.base_url), cache=None) as client:

        async def watch(call_id: str) -> None:
            async def progress(done: float, total: float | None, message: str | None) -> None:
                heard[call_id].append((time.time(), message or ""))

            result = await client.call_tool(
                "watch_call", {"call_id": call_id, "seconds": 120}, progress_callback=progress
            )
            if result.is_error or "The call ended" not in str(result.content):
                raise RuntimeError(f"watch_call({call_id}) did not follow the call to its end: {result.content}")

        async with anyio.create_task_group() as group:
            for call_id in calls:
                group.start_soon(watch, call_id)
    return heard, time.perf_counter() - started


def _lags(sandbox: SandboxProcess, heard: dict[str, list[tuple[float, str]]]) -> tuple[list[float], int, int]:
    """Arrival minus sending, per line heard; and lines lost and repeated, from the words heard against the words
    sent, in order (a lost line and a repeated one do not cancel out)."""
    sent: dict[str, list[dict[str, Any]]] = {}
    for frame in sandbox.control("GET", "/_sandbox/live")["sent"]:
        if frame["type"] in SPEECH:
            sent.setdefault(frame["call_id"], []).append(frame)
    lags, lost, repeated = [], 0, 0
    for call_id, lines in heard.items():
        frames = sent.get(call_id, [])
        words = [message.split(": ", 1)[-1][:PREFIX] for _, message in lines]  # progress lines are clipped
        said = [(f["said"] or "")[:PREFIX] for f in frames]
        matcher = difflib.SequenceMatcher(a=said, b=words, autojunk=False)
        for tag, a0, a1, b0, b1 in matcher.get_opcodes():
            if tag == "equal":
                lags += [lines[b][0] - frames[a]["sent_at"] for a, b in zip(range(a0, a1), range(b0, b1), strict=True)]
            else:
                lost, repeated = lost + (a1 - a0), repeated + (b1 - b0)
    return lags, lost, repeated


def _dataset(path: Path, live: int) -> Path:
    """A generated organisation in which `live` calls of 8 to 16 turns are still in progress."""
    data = generate(calls=600, seed=7)
    chosen = [c for c in data["calls"] if c["status"] == "completed" and 8 <= len(c["transcript"]) <= 16][:live]
    for call in chosen:
        call["status"] = "in_progress"
        call["events"] = [e for e in call["events"] if (e.get("event_type") or e.get("eventType")) != "call_end"]
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run(quick: bool = False) -> Section:
    speed = 8.0 if quick else 1.0
    rows = []
    runs = (("clean stream", False), ("first stream of each call cut after 5 frames", True))
    with tempfile.TemporaryDirectory() as folder:
        data = _dataset(Path(folder) / "live.json", LIVE_CALLS)
        for label, drop in runs:
            rows.append(_measure(label, drop, data, speed))
    table = [
        ["run", "watched", "lag median, ms", "lag p95, ms", "lag max, ms", "lines lost / repeated", "wall time"],
        *rows,
    ]
    method = (
        f"The sandbox in its own process serves a generated organisation in which {LIVE_CALLS} more calls of 8 to "
        f"16 turns are in progress, replays every live call at {speed:g}x real time, and logs the wall-clock time "
        "it sends each frame; our server over stdio, as a host starts it, watches all of them at once in one session "
        "(`watch_call`, 120 s each). A line's lag is the time its progress notification reached the client minus "
        "the time the sandbox sent its frame (one machine, one clock). The second run cuts each call's first "
        "stream after five frames: the server resumes it with Last-Event-ID, and the lines heard are compared "
        "with the lines sent."
    )
    return Section("Live watch", method, table)


def _measure(label: str, drop: bool, data: Path, speed: float) -> list[str]:
    with SandboxProcess(calls=0, data=data, live_speed=speed) as sandbox:
        calls = anyio.run(_live_calls, sandbox)
        if drop:
            sandbox.control("POST", "/_sandbox/faults", {"stream_drops": len(calls), "stream_cut_after": 5})
        heard, took = anyio.run(_watch_all, sandbox, calls)
        lags, lost, repeated = _lags(sandbox, heard)
        if not lags:
            raise SystemExit("no line was heard")
        ordered = sorted(lags)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        return [
            label,
            f"{len(calls)} calls, {len(lags)} lines",
            f"{statistics.median(lags) * 1000:.0f}",
            f"{p95 * 1000:.0f}",
            f"{max(lags) * 1000:.0f}",
            f"{lost} / {repeated}",
            f"{took:.1f} s",
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="replay at 8x real time")
    args = parser.parse_args()
    print(run(args.quick).markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
