"""compare_calls, statistically sound, through real MCP sessions: a seeded latency regression gets its shift, 95%
interval and verdict (inline, and the v3 -> v4 regression of the round-3 dataset, made by someone else); a window
compared with itself moves no row; calls still running move no share; versions carry their agent's name; money
reads to one precision; the rows tested are counted and only those surviving Holm's correction say they moved."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import SANDBOX_KEY, SUPPORT_WEEK_AFTER_WEEK, call_text, mcp_client

pytestmark = pytest.mark.anyio
FINAL = ("completed", "failed", "no_answer", "cancelled")
VERDICT = re.compile(r"\| ([-+][^|]*?) (higher|lower|within noise after Holm|within noise)$", re.M)
FOOTNOTE = re.compile(r"^(\d+) rows? tested \(shown or not\); (\d+) survives? Holm's correction", re.M)


@contextmanager
def served(dataset: dict[str, Any]) -> Iterator[SandboxServer]:
    with SandboxServer(CallStore.from_dataset(dataset), api_key=SANDBOX_KEY) as server:
        yield server


def twins(generated: dict[str, Any], latency_added: float = 0.0, running: int = 0) -> tuple[dict[str, Any], list[str]]:
    """The generated organisation with Support's v3 calls replaced by copies of its finished v2 calls moved to v3:
    the same calls again, their average turn latency raised by `latency_added` ms, and `running` of them still in
    progress (no reason, no cost yet). Returns the dataset and the two version ids (v2, v3)."""
    data = copy.deepcopy(generated)
    support = next(a for a in data["agents"] if a["name"] == "Support")
    ids = {c["versionNumber"]: c["versionId"] for c in data["calls"] if c["agentId"] == support["_id"]}
    baseline = [c for c in data["calls"] if c["versionId"] == ids[2] and c["status"] in FINAL]
    copies = copy.deepcopy(baseline) + copy.deepcopy(baseline[:running])
    for number, call in enumerate(copies):
        call["_id"] = f"{number:024x}"
        call["callId"] = f"{call['callId'][:-6]}{number:06x}"
        call["versionId"], call["versionNumber"] = ids[3], 3
        if call.get("turnLatencyMetrics"):
            call["turnLatencyMetrics"]["avgLatency"] += latency_added
        if number >= len(baseline):
            call["status"] = "in_progress"
            for key in ("disconnectionReason", "callCost", "postCallAnalytics", "dispositionMetrics"):
                call.pop(key, None)
    data["calls"] = [c for c in data["calls"] if c["versionId"] != ids[3]] + copies
    return data, [ids[2], ids[3]]


def sides(versions: list[str]) -> dict[str, Any]:
    return {
        which: {"agents": ["Support"], "version_ids": [version]}
        for which, version in zip(("baseline", "candidate"), versions, strict=True)
    }


def row(text: str, name: str) -> str:
    found = re.search(rf"^{re.escape(name)}[ :|].*$", text, re.M)
    assert found, f"no {name} row in:\n{text}"
    return found.group(0)


def moved_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.search(r" (higher|lower)$", line)]


def assert_nothing_moved(text: str) -> None:
    assert not moved_rows(text)
    assert VERDICT.findall(text), "the rows carry verdicts"
    assert all(verdict == "within noise" for _, verdict in VERDICT.findall(text))
    tested, survivors = map(int, FOOTNOTE.search(text).groups())
    assert tested >= 10 and survivors == 0


async def test_a_seeded_latency_regression_has_its_shift_interval_and_verdict(generated_dataset):
    """v3 = v2's calls again with 500 ms more latency each: every pairwise difference is a v2 difference + 500, so
    the Hodges-Lehmann shift is exactly +500 ms; nothing else moved."""
    data, versions = twins(generated_dataset, latency_added=500)
    with served(data) as server:
        async with mcp_client(server) as client:
            text = await call_text(client, "compare_calls", sides(versions))
    latency = row(text, "avg turn latency per call")
    shift = re.search(r"\| \+500 ms \[\+(\d+) ms, \+(\d+) ms\] higher$", latency)
    assert shift, latency
    assert 0 < int(shift.group(1)) < 500 < int(shift.group(2))
    assert moved_rows(text) == [latency], "the latency row alone moved"
    assert re.search(r"^duration \|.* \| [-+]0s \[-\d+s, \+\d+s\] within noise$", text, re.M)
    assert FOOTNOTE.search(text).group(2) == "1"
    assert f"Versions: baseline Support v2 ({versions[0]}) " in text
    assert f"; candidate Support v3 ({versions[1]}) " in text


async def test_money_reads_to_four_decimals_on_both_sides(generated_dataset):
    """$0.053 a call against $0.0544 a call: both read to four decimals, as does their difference."""
    data, versions = twins(generated_dataset)
    for call in data["calls"]:
        if call["versionId"] in versions and "callCost" in call:
            call["callCost"] = 0.053 if call["versionId"] == versions[0] else 0.0544
    with served(data) as server:
        async with mcp_client(server) as client:
            text = await call_text(client, "compare_calls", sides(versions))
    cost = row(text, "cost per call")
    assert re.search(
        r"\| mean \$0\.0530, p50 \$0\.0530 \(n=\d+\) \| mean \$0\.0544, p50 \$0\.0544 \(n=\d+\) \|", cost
    ), cost
    assert cost.endswith("| +$0.0014 [+$0.0014, +$0.0014] higher"), cost


async def test_calls_still_running_move_no_share(generated_dataset):
    """The candidate is the baseline's calls again plus six still in progress (no disconnect reason yet)."""
    data, versions = twins(generated_dataset, running=6)
    with served(data) as server:
        async with mcp_client(server) as client:
            text = await call_text(client, "compare_calls", sides(versions))
    assert not moved_rows(text), "no share moved"
    finished = len([c for c in data["calls"] if c["versionId"] == versions[0] and c["status"] in FINAL])
    assert f"calls | {finished} | {finished + 6} |" in text
    finished_line = "finished calls (every share and figure below is of these, not of calls still running)"
    assert f"{finished_line} | {finished} | {finished} |" in text
    none = re.search(r"^  \(none\) \| ([^|]*) \| ([^|]*) \|", text, re.M)
    assert none is None or none.group(1) == none.group(2), "no share of calls without a reason grows"
    assert_nothing_moved(text)


async def test_a_window_compared_with_itself_moves_no_row(sandbox):
    window = {"since": "2026-11-06", "until": "2026-11-20T12:00:00Z"}
    async with mcp_client(sandbox) as client:
        text = await call_text(client, "compare_calls", {"baseline": window, "candidate": window, "deep": True})
    assert_nothing_moved(text)
    assert re.search(r"^avg turn latency per call \|.* \| \+0 ms \[-\d+ ms, \+\d+ ms\] within noise$", text, re.M)
    assert re.search(r"^cost per call \|.* \| \+\$0\.0000 \[-\$0\.\d{4}, \+\$0\.\d{4}\] within noise$", text, re.M)


async def test_the_round3_v3_to_v4_latency_regression(round3_sandbox, round3_expected):
    """The round-3 dataset plants ~500 ms more turn latency in v4; its author's Hodges-Lehmann shift (of per-call
    median turn latencies) lies in the interval of ours (of the per-call averages the list rows carry)."""
    truth = round3_expected["regression"]
    versions = round3_expected["versions"][truth["agent"]]
    side = {"agents": [truth["agent"]]}
    arguments = {
        which: {**side, "version_ids": [versions[number]["versionId"]]}
        for which, number in (("baseline", "v3"), ("candidate", "v4"))
    }
    async with mcp_client(round3_sandbox) as client:
        text = await call_text(client, "compare_calls", arguments)
    latency = row(text, "avg turn latency per call")
    found = re.search(r"\| \+(\d+) ms \[\+(\d+) ms, \+(\d+) ms\] higher$", latency)
    assert found, latency
    estimate, low, high = map(int, found.groups())
    assert 0 < low <= estimate <= high
    assert low <= truth["hl_shift_v4_minus_v3_ms"] <= high
    assert re.search(r"^duration \|.* within noise$", text, re.M)
    assert f"Versions: baseline {truth['agent']} v3 ({versions['v3']['versionId']}) " in text


async def test_a_row_moves_only_if_it_survives_holm(sandbox):
    """Support, last week against the week before, tool failures included: agent hang-ups fell with an interval
    clear of 0 on its own (p = 0.0022), which among the 26 rows tested does not survive Holm's correction
    (0.0022 x 25 > 0.05), and says so; no row says higher or lower without its interval clear of 0."""
    async with mcp_client(sandbox) as client:
        text = await call_text(
            client,
            "compare_calls",
            SUPPORT_WEEK_AFTER_WEEK,
        )
    hangups = row(text, "  agent_hangup")
    assert re.search(r"\| -[\d.]+ pts \[-[\d.]+, -[\d.]+\] within noise after Holm$", hangups), hangups
    tested, survivors = map(int, FOOTNOTE.search(text).groups())
    assert tested > 15 and survivors == len(moved_rows(text)) >= 1
    for line in moved_rows(text):
        low, high = re.search(r"\[([-+][\d.$]+)[^,]*, ([-+][\d.$]+)[^\]]*\] (?:higher|lower)$", line).groups()
        assert (low[0], high[0]) in (("+", "+"), ("-", "-")), line


async def test_versions_carry_their_agents_name_and_tiny_sides_are_not_tested(round3_sandbox, round3_expected):
    """Round 3, before 12 November against the deleted agent's four calls: each version named by its agent (the
    deleted one by its id), the versions past the fourth counted; the candidate's 4 calls too few to test a shift."""
    deleted = round3_expected["unknown_agent"]["agent_ids"][0]
    async with mcp_client(round3_sandbox) as client:
        text = await call_text(
            client, "compare_calls", {"baseline": {"until": "2026-11-12"}, "candidate": {"agents": [deleted]}}
        )
    versions = row(text, "Versions: baseline").split("; candidate ")
    harbor = round3_expected["versions"]["Harbor Fiber Support"]["v3"]["versionId"]
    assert versions[0].startswith(f"Versions: baseline Harbor Fiber Support v3 ({harbor}) 25, ")
    assert re.search(r", [1-9]\d* more versions? \d+$", versions[0]), versions[0]
    assert re.fullmatch(rf"agent {deleted} v\d+ \(\w+\) 4", versions[1]), versions[1]
    for name in ("duration", "avg turn latency per call", "cost per call"):
        assert row(text, name).endswith("| too few calls to test")
