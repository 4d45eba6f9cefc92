"""What the window view draws beyond the bars, over the protocol: calls per day by status, the answer's groups with
their failed share, and compare_calls' comparison as a forest plot with the answer's own verdicts. Odd data (an
unknown or missing status, one day, no calls, a group that never finished, too few calls to test) still draws.
The same in a real browser: test_views_browser.py."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import SANDBOX_KEY, SUPPORT_WEEK_AFTER_WEEK, call_text
from test_views import FIXED_WEEK, apps_client, window_arguments

pytestmark = pytest.mark.anyio
FINAL = {"completed", "failed", "no_answer", "cancelled"}


def answer_table(answer: str, title: str) -> dict[str, int]:
    """A table of summarize_logs' answer (`title | calls | share | examples`): each value's calls."""
    lines = answer.split(f"\n{title} | calls | share | examples\n", 1)[1].split("\n\n")[0].split("\n<<<")[0]
    return {line.split(" | ")[0]: int(line.split(" | ")[1]) for line in lines.splitlines()}


def in_window(dataset: dict[str, Any], window: dict[str, str]) -> list[dict[str, Any]]:
    """The first attempts created in the window, from the raw records."""
    since, until = (datetime.fromisoformat(window[k].replace("Z", "+00:00")) for k in ("since", "until"))
    return [
        call
        for call in dataset["calls"]
        if since <= datetime.fromisoformat(call["createdAt"].replace("Z", "+00:00")) < until
        and not call.get("retryAttemptNumber")
    ]


async def test_the_window_view_counts_each_day_by_status_as_the_answer_counts_its_days(sandbox, generated_dataset):
    arguments = {**FIXED_WEEK, "group_by": ["day"]}
    async with apps_client(sandbox) as client:
        answer = await call_text(client, "summarize_logs", arguments)
        data = (await client.call_tool("window_view_data", window_arguments(arguments))).structured_content or {}
    days = data["days"]
    assert {bar["value"]: bar["count"] for bar in days["bars"] if bar["count"]} == answer_table(answer, "day")
    expected: dict[str, Counter[str]] = {}
    for call in in_window(generated_dataset, FIXED_WEEK):
        day = datetime.fromisoformat(call["createdAt"].replace("Z", "+00:00")).astimezone(UTC).strftime("%Y-%m-%d %a")
        expected.setdefault(day, Counter())[call["status"]] += 1
    assert {bar["value"]: {p["status"]: p["count"] for p in bar["statuses"]} for bar in days["bars"]} == expected
    every = Counter(call["status"] for call in in_window(generated_dataset, FIXED_WEEK))
    assert sorted(days["statuses"]) == sorted(every) and len(every) > 5  # each status the calls carry, in the legend
    assert days["statuses"][:2] == ["completed", "failed"] or days["statuses"][0] == every.most_common(1)[0][0]


async def test_the_days_follow_the_answers_time_zone(sandbox):
    arguments = {**FIXED_WEEK, "group_by": ["day"], "timezone": "Pacific/Auckland"}
    async with apps_client(sandbox) as client:
        answer = await call_text(client, "summarize_logs", arguments)
        data = (await client.call_tool("window_view_data", window_arguments(arguments))).structured_content or {}
    assert {bar["value"]: bar["count"] for bar in data["days"]["bars"] if bar["count"]} == answer_table(answer, "day")
    assert data["days"]["bars"][0]["value"] == "2026-11-14 Sat"  # 12:00Z on the 13th is past midnight in Auckland


async def test_each_group_of_the_answer_gets_its_calls_and_failed_share(sandbox, generated_dataset):
    arguments = {**FIXED_WEEK, "group_by": ["agent", "status"]}
    async with apps_client(sandbox) as client:
        answer = await call_text(client, "summarize_logs", arguments)
        data = (await client.call_tool("window_view_data", window_arguments(arguments))).structured_content or {}
    assert [table["key"] for table in data["tables"]] == ["agent"]  # status is drawn as bars already
    rows = data["tables"][0]["rows"]
    assert {row["value"]: row["calls"] for row in rows} == answer_table(answer, "agent")
    names = {agent["_id"]: agent["name"] for agent in generated_dataset["agents"]}
    counted: dict[str, Counter[str]] = {}
    for call in in_window(generated_dataset, FIXED_WEEK):
        counted.setdefault(names[call["agentId"]], Counter())[call["status"]] += 1
    for row in rows:
        statuses = counted[row["value"]]
        finished = sum(n for status, n in statuses.items() if status in FINAL)
        assert (row["failed"], row["finished"]) == (statuses["failed"], finished), row
        share = row["failedShare"]
        assert share["share"] == pytest.approx(statuses["failed"] / finished)
        assert share["low"] <= share["share"] <= share["high"]
    assert any(row["failed"] for row in rows)


def _odd_call(index: int, status: Any, campaign: str, day: int = 0) -> dict[str, Any]:
    created = datetime(2026, 11, 18, 9, tzinfo=UTC) + timedelta(days=day, minutes=index)
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "_id": f"{index:024x}",
        "callId": f"CALL-{int(created.timestamp() * 1000)}-{index:06x}",
        "agentId": "a" * 24,
        "status": status,
        "type": "webcall",
        "duration": None,
        "createdAt": stamp,
        "updatedAt": stamp,
        "retryAttemptNumber": 0,
        "campaignId": campaign,
        "transcript": [],
    }


ODD = {
    "agents": [{"_id": "a" * 24, "name": "Odd <b>agent</b>"}],
    "calls": [
        _odd_call(1, "completed", "steady"),
        _odd_call(2, "completed", "steady"),
        _odd_call(3, "voicemail", "new-status"),  # a status no list names
        _odd_call(4, None, "new-status"),
        _odd_call(5, "in_progress", "running"),  # nothing finished: no share to take
        _odd_call(6, "failed", "<img src=x onerror=alert(1)>"),
        *(_odd_call(100 + day, "completed", "daily", day=-day) for day in range(1, 70)),  # more days than a table
    ],
}


@pytest.fixture(scope="module")
def odd_sandbox():
    with SandboxServer(CallStore.from_dataset(ODD), api_key=SANDBOX_KEY) as server:
        yield server


async def test_odd_windows_draw_every_status_and_every_group_without_a_figure_made_up(odd_sandbox):
    one_day = {"since": "2026-11-18T00:00:00Z", "until": "2026-11-19T00:00:00Z", "group_by": ["campaign"]}
    empty = {"since": "2026-06-01T00:00:00Z", "until": "2026-06-02T00:00:00Z", "group_by": ["campaign"]}
    async with apps_client(odd_sandbox) as client:
        answer = await call_text(client, "summarize_logs", one_day)
        data = (await client.call_tool("window_view_data", window_arguments(one_day))).structured_content or {}
        nothing = await client.call_tool("window_view_data", window_arguments(empty))
    [bar] = data["days"]["bars"]
    assert bar["count"] == 6 and sum(part["count"] for part in bar["statuses"]) == 6
    assert {"voicemail", "(none)", "in_progress"} <= set(data["days"]["statuses"])
    rows = {row["value"]: row for row in data["tables"][0]["rows"]}
    assert {value: row["calls"] for value, row in rows.items()} == answer_table(answer, "campaign")
    assert rows["steady"]["failedShare"]["share"] == 0 and rows["steady"]["failed"] == 0
    assert rows["running"]["failedShare"] is None and rows["new-status"]["failedShare"] is None
    assert rows["<img src=x onerror=alert(1)>"]["failedShare"]["share"] == 1
    assert not nothing.is_error
    drawn = nothing.structured_content or {}
    assert drawn["calls"] == 0 and drawn["days"]["bars"] == [] and drawn["tables"][0]["rows"] == []


async def test_more_days_than_the_answers_day_table_holds_are_drawn_by_week_as_it_does(odd_sandbox):
    window = {"since": "2026-09-01T00:00:00Z", "until": "2026-11-19T00:00:00Z", "group_by": ["day"]}
    async with apps_client(odd_sandbox) as client:
        answer = await call_text(client, "summarize_logs", window)
        days = ((await client.call_tool("window_view_data", window_arguments(window))).structured_content or {})["days"]
    assert days["title"] == "week (more than 62 days)"
    drawn = {bar["value"]: bar["count"] for bar in days["bars"]}
    assert {week: count for week, count in drawn.items() if count} == answer_table(answer, days["title"])
    assert (list(drawn)[:1], list(drawn)[-1:]) == (["2026-W36"], ["2026-W47"])  # every week, empty ones too
    assert sum(sum(part["count"] for part in bar["statuses"]) for bar in days["bars"]) == 75


def _answer_rows(answer: str) -> list[str]:
    return [line.strip() for line in answer.splitlines() if " | " in line]


async def test_the_compare_view_marks_every_row_as_the_answer_does(sandbox):
    """Every drawn row carries the answer's own difference and verdict; the rows that moved are the answer's."""
    async with apps_client(sandbox) as client:
        answer = await call_text(client, "compare_calls", SUPPORT_WEEK_AFTER_WEEK)
        kept = (await client.call_tool("compare_view_data", SUPPORT_WEEK_AFTER_WEEK)).structured_content or {}
    async with apps_client(sandbox) as fresh:  # nothing kept: read anew, the same rows
        read = (await fresh.call_tool("compare_view_data", SUPPORT_WEEK_AFTER_WEEK)).structured_content or {}
    assert read == kept
    lines = _answer_rows(answer)
    drawn = [row for panel in kept["panels"] for row in panel["rows"]]
    for row in drawn:
        said = f"{row['difference']} {row['verdict']}"
        assert any(line.startswith(row["name"][:40]) and line.endswith(said) for line in lines), row
        if row["estimate"] is not None:
            assert row["low"] <= row["estimate"] <= row["high"] and row["extent"] >= max(abs(row["low"]), row["high"])
    moved = {row["name"] for row in drawn if row["moved"]}
    assert moved == {"avg turn latency per call", "lookup_order"}
    assert {row["verdict"] for row in drawn if row["moved"]} == {"higher"}
    assert re.search(rf"{kept['tested']} rows tested \(shown or not\); {kept['survivors']} survive", answer)
    assert [panel["title"] for panel in kept["panels"]][:2] == [
        "Status shares (of finished calls)",
        "Per call (each on its own scale)",
    ]


async def test_a_comparison_with_nothing_to_test_draws_rows_without_intervals(sandbox):
    sides = {"baseline": {"since": "2026-11-13", "until": "2026-11-19"}, "candidate": {"since": "2020-01-01"}}
    sides["candidate"]["until"] = "2020-01-02"
    async with apps_client(sandbox) as client:
        answer = await call_text(client, "compare_calls", sides)
        data = (await client.call_tool("compare_view_data", sides)).structured_content or {}
        wrong = await client.call_tool("compare_view_data", {"baseline": {"statuses": ["done"]}, "candidate": {}})
    rows = [row for panel in data["panels"] for row in panel["rows"]]
    assert rows and all(row["estimate"] is None and row["verdict"] is None for row in rows)
    assert all(row["difference"] in answer for row in rows) and data["tested"] == 0
    assert wrong.is_error and "Not filters the tools take" in wrong.content[0].text  # type: ignore[union-attr]


async def test_filters_sent_as_json_text_are_read_as_the_tools_read_them(sandbox):
    """Some hosts send a list as its JSON text. The SDK parses top-level arguments (summarize_logs' own), not
    filters nested in one argument (the views' data tools, compare_calls' sides): those are parsed alike."""
    as_list = {**FIXED_WEEK, "statuses": ["failed", "no_answer"]}
    as_text = {**FIXED_WEEK, "statuses": '["failed", "no_answer"]'}
    async with apps_client(sandbox) as client:
        listed = (await client.call_tool("window_view_data", {"filters": as_list})).structured_content or {}
        texted = (await client.call_tool("window_view_data", {"filters": as_text})).structured_content or {}
        compared = await call_text(client, "compare_calls", {"baseline": as_text, "candidate": as_list})
        wrong = await client.call_tool("window_view_data", {"filters": {"statuses": "failed"}})
    assert texted == listed and listed["calls"] > 0
    assert compared.count("failed, no_answer") >= 2  # both sides' filters, as each side's header states them
    assert wrong.is_error and "statuses" in wrong.content[0].text  # type: ignore[union-attr]  # names the filter


async def test_days_without_calls_are_drawn_empty_not_left_out(odd_sandbox):
    """The "steady" campaign's calls are all on 2026-11-18: the window's other days are drawn at 0 (a day without
    calls is news), an end at midnight ends the day before, and a start years before any call is not a chart of
    empty years."""
    week = {"since": "2026-11-16T00:00:00Z", "until": "2026-11-20T00:00:00Z", "campaign_ids": ["steady"]}
    years = {**week, "since": "2019-01-01T00:00:00Z"}
    async with apps_client(odd_sandbox) as client:
        drawn = [
            ((await client.call_tool("window_view_data", {"filters": side})).structured_content or {})["days"]
            for side in (week, years)
        ]
    bars = {bar["value"]: bar["count"] for bar in drawn[0]["bars"]}
    assert bars == {"2026-11-16 Mon": 0, "2026-11-17 Tue": 0, "2026-11-18 Wed": 2, "2026-11-19 Thu": 0}
    assert [bar["statuses"] for bar in drawn[0]["bars"] if not bar["count"]] == [[], [], []]
    assert [bar["value"] for bar in drawn[1]["bars"]] == ["2026-11-18 Wed", "2026-11-19 Thu"]


async def test_a_group_the_view_already_charts_gets_no_second_table(sandbox):
    """group_by=["disconnect_reason"] (the README's first question) is drawn once: as the reasons' bars."""
    arguments = {**FIXED_WEEK, "group_by": ["disconnect_reason", "agent"]}
    async with apps_client(sandbox) as client:
        data = (await client.call_tool("window_view_data", window_arguments(arguments))).structured_content or {}
    assert [table["key"] for table in data["tables"]] == ["agent"] and data["groups"]["disconnect_reason"]
