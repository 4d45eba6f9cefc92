"""The views in a real browser (Debian's chromium, driven by Playwright): a test host page plays the host's side
of MCP Apps, a real get_log / summarize_logs / compare_calls result from the sandbox is delivered to the view, and
the view's own tool calls go through a real MCP client session to our server, which reads the sandbox over
loopback HTTP. Assertions read the rendered DOM. Screenshots for the README: WRITE_VIEW_SCREENSHOTS=1."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from playwright.async_api import Frame, Page, async_playwright

from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import GENERATED_END, SANDBOX_KEY, SUPPORT_WEEK_AFTER_WEEK, call_text
from test_views import apps_client
from test_views_charts import FINAL, ODD, answer_table, in_window

pytestmark = pytest.mark.anyio
HOST_PAGE = (Path(__file__).parent / "views" / "host.html").read_text(encoding="utf-8")
DOCS = Path(__file__).resolve().parents[1] / "docs"
FULL_HOST = {"serverTools": {}, "message": {"text": {}}}
SECONDS = "events => events.map(event => event.dataset.seconds ?? 'NaN')"
WINDOW = {"since": (GENERATED_END - timedelta(days=14)).isoformat(), "until": GENERATED_END.isoformat()}
"""The generated data's two weeks (its calls start 14 days before its end)."""


@pytest.fixture
def chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("no chromium here: CI must run the browser tests (.ci/run installs Debian's chromium)")
    pytest.skip("no chromium on PATH (apt install chromium, or set CHROMIUM)")


class View:
    """One view in the test host: its frame, and what reached the network or the host."""

    def __init__(self, page: Page, frame: Frame, requests: list[str], errors: list[str]) -> None:
        self.page, self.frame, self.requests, self.errors = page, frame, requests, errors

    async def host_log(self) -> dict[str, Any]:
        return await self.page.evaluate("window.hostLog")

    async def texts(self, selector: str) -> list[str]:
        return await self.frame.locator(selector).all_text_contents()

    async def screenshot(self, name: str, tmp_path: Path) -> None:
        """The view at the height it asked the host for, the whole of it in the browser's viewport."""
        height = await self.frame.evaluate("document.documentElement.scrollHeight")
        await self.page.set_viewport_size({"width": 980, "height": height})
        await self.page.wait_for_function(f"document.getElementById('view').offsetHeight >= {height}")
        shot = await self.page.locator("#view").screenshot(animations="disabled")
        (tmp_path / name).write_bytes(shot)
        if os.environ.get("WRITE_VIEW_SCREENSHOTS"):
            (DOCS / name).write_bytes(shot)


@asynccontextmanager
async def open_view(
    chromium: str,
    client: Client,
    tool: str,
    arguments: dict[str, Any],
    *,
    theme: str = "light",
    capabilities: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
) -> AsyncIterator[View]:
    """As a host does it: the view the tool is bound to read from the server, the tool called for real and its
    arguments and result delivered to the view. No script error may happen in the view while it is open."""
    bound = next(t for t in (await client.list_tools()).tools if t.name == tool)
    html = (await client.read_resource((bound.meta or {})["ui"]["resourceUri"])).contents[0].text  # type: ignore[union-attr]
    result = await client.call_tool(tool, arguments)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium)
        try:
            page = await browser.new_page(viewport={"width": 980, "height": 700})
            requests: list[str] = []
            errors: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: message.type == "error" and errors.append(message.text))

            async def call_server_tool(name: str, args: dict[str, Any]) -> dict[str, Any]:
                answer = await client.call_tool(name, args)
                return answer.model_dump(mode="json", by_alias=True, exclude_none=True)

            await page.expose_function("callServerTool", call_server_tool)
            await page.set_content(HOST_PAGE)
            await page.evaluate(
                "([html, input, result, theme, caps, options]) => startView(html, input, result, theme, caps, options)",
                [
                    html,
                    arguments,
                    result.model_dump(mode="json", by_alias=True, exclude_none=True),
                    theme,
                    FULL_HOST if capabilities is None else capabilities,
                    options or {},
                ],
            )
            frame = next(f for f in page.frames if f != page.main_frame)
            yield View(page, frame, requests, errors)
            assert errors == []
        finally:
            await browser.close()


@contextmanager
def _odd_server() -> Iterator[SandboxServer]:
    with SandboxServer(CallStore.from_dataset(ODD), api_key=SANDBOX_KEY) as server:
        yield server


def _tools_of(call: dict[str, Any]) -> list[tuple[str, str]]:
    ends = [e for e in call["events"] if e.get("event_type") in ("tool_call_end", "tool_call_error")]
    return [(e["function_name"], "failed" if e["event_type"] == "tool_call_error" else "ok") for e in ends]


def _at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _debug_call(dataset: dict[str, Any]) -> dict[str, Any]:
    """A completed call with a failed tool, every tool call ended, and latency split into its parts."""
    return next(
        call
        for call in dataset["calls"]
        if call["status"] == "completed"
        and 8 <= len(call["transcript"]) <= 24
        and any(name == "failed" for _, name in _tools_of(call))
        and len(_tools_of(call)) == sum(e.get("event_type") == "tool_call_start" for e in call["events"])
        and any(e.get("event_type") == "turn_latency" for e in call["events"])
    )


def _hostile_call(dataset: dict[str, Any]) -> dict[str, Any]:
    return next(
        c for c in dataset["calls"] if "delete_all_logs" in ((c.get("postCallAnalytics") or {}).get("summary") or "")
    )


async def test_the_call_view_draws_every_turn_and_tool_call_of_a_real_get_log(
    sandbox, generated_dataset, chromium, tmp_path
):
    call = _debug_call(generated_dataset)
    async with (
        apps_client(sandbox) as client,
        open_view(chromium, client, "get_log", {"call_id": call["callId"]}) as view,
    ):
        await view.frame.locator(".turn").first.wait_for()
        assert await view.texts(".turn .text") == [turn["content"] for turn in call["transcript"]]
        assert await view.texts(".turn .speaker") == [turn["role"] for turn in call["transcript"]]
        tools = view.frame.locator(".event.kind-tool")
        shown = [
            (
                await tools.nth(i).locator(".text").text_content() or "",
                await tools.nth(i).locator(".badge").text_content(),
            )
            for i in range(await tools.count())
        ]
        assert [outcome for _, outcome in shown] == [outcome for _, outcome in _tools_of(call)]
        assert all(name in text for (text, _), (name, _) in zip(shown, _tools_of(call), strict=True))
        latencies = call["turnLatencyMetrics"]["latencies"]
        assert await view.frame.locator("button.bar-row").count() == len(latencies)
        assert await view.frame.locator("button.bar-row").first.locator(".part-llm").count() == 1
        header = " ".join(await view.texts("header"))
        assert call["callId"] in header and call["status"] in header
        await view.screenshot("call-view.png", tmp_path)
        assert view.requests == []


def _owned(call: dict[str, Any], number: int) -> tuple[float, float]:
    """From the raw call, seconds from its start: the span of turn `number` (from its start to the next turn's;
    an agent turn answering a caller's turn from that turn's start)."""
    created = _at(call["createdAt"])
    starts = [(_at(turn["timestamp"]) - created).total_seconds() for turn in call["transcript"]]
    turns = call["transcript"]
    answers = number > 1 and turns[number - 1]["role"] == "agent" and turns[number - 2]["role"] == "user"
    return starts[number - 2 if answers else number - 1], starts[number] if number < len(starts) else float("inf")


async def _highlighted(frame: Frame) -> list[bool]:
    return await frame.locator(".event").evaluate_all("events => events.map(e => e.classList.contains('in-turn'))")


async def test_selecting_a_turn_highlights_its_events_by_click_and_by_keyboard(sandbox, generated_dataset, chromium):
    call = _debug_call(generated_dataset)
    async with (
        apps_client(sandbox) as client,
        open_view(chromium, client, "get_log", {"call_id": call["callId"]}) as view,
    ):
        frame = view.frame
        await frame.locator(".turn").first.wait_for()
        at = [float(s) for s in await frame.locator(".event").evaluate_all(SECONDS)]
        failed_index = await frame.locator(".event").evaluate_all(
            "events => events.findIndex(e => e.classList.contains('outcome-failed'))"
        )
        for number in range(1, len(call["transcript"]) + 1):
            await frame.locator(f"#turn-{number}").click()
            assert await frame.locator(f"#turn-{number}").get_attribute("aria-selected") == "true"
            start, end = _owned(call, number)
            assert await _highlighted(frame) == [start <= second < end for second in at], number
            bars = await frame.locator("button.bar-row.in-turn").evaluate_all("bars => bars.map(b => b.dataset.turn)")
            assert bars in ([], [str(number)])
        turns = range(1, len(call["transcript"]) + 1)
        assert any(_owned(call, n)[0] <= at[failed_index] < _owned(call, n)[1] for n in turns)  # the failure is in one
        await frame.locator(".turns").focus()
        await view.page.keyboard.press("Home")
        assert await frame.locator("#turn-1").get_attribute("aria-selected") == "true"
        await view.page.keyboard.press("ArrowDown")
        assert await frame.locator("#turn-2").get_attribute("aria-selected") == "true"
        assert await frame.locator(".turns").get_attribute("aria-activedescendant") == "turn-2"
        assert await _highlighted(frame) == [_owned(call, 2)[0] <= second < _owned(call, 2)[1] for second in at]
        await view.page.keyboard.press("End")
        last = len(call["transcript"])
        assert await frame.locator(f"#turn-{last}").get_attribute("aria-selected") == "true"


async def test_the_hostile_call_renders_inert(sandbox, generated_dataset, chromium):
    call = _hostile_call(generated_dataset)
    async with (
        apps_client(sandbox) as client,
        open_view(chromium, client, "get_log", {"call_id": call["callId"]}) as view,
    ):
        frame = view.frame
        await frame.locator(".turn").first.wait_for()
        await view.page.wait_for_timeout(300)  # time for an onerror or a script to have run, if one could
        assert await frame.evaluate("document.title") == "Call view"
        for tag in ("img", "a", "b", "system"):
            assert await frame.locator(f"#app {tag}").count() == 0, tag
        assert await frame.locator("script").count() == 1  # the view's own
        assert "pwned" not in (await view.host_log())["methods"]
        shown = await view.texts(".turn .text")
        # Shown as sent, but for terminal escapes and invisible or direction-changing characters, left out.
        hidden = re.compile("\x1b\\[[0-9;]*[A-Za-z]|[\u200b\u202a-\u202e]")
        assert shown == [hidden.sub("", turn["content"]) for turn in call["transcript"]]
        assert any("<script>" in text for text in shown)
        assert call["postCallAnalytics"]["summary"] in await view.texts(".summary")
        assert view.requests == []


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_the_view_follows_the_host_theme(sandbox, generated_dataset, chromium, theme):
    call = _debug_call(generated_dataset)
    background = "getComputedStyle(document.body).backgroundColor"
    async with (
        apps_client(sandbox) as client,
        open_view(chromium, client, "get_log", {"call_id": call["callId"]}, theme=theme) as view,
    ):
        await view.frame.locator(".turn").first.wait_for()
        first = await view.frame.evaluate(background)
        other = "dark" if theme == "light" else "light"
        await view.page.evaluate(f"setTheme('{other}')")
        await view.frame.locator(f"html[data-theme='{other}']").wait_for(state="attached")
        second = await view.frame.evaluate(background)
    dark, light = (first, second) if theme == "dark" else (second, first)
    assert dark == "rgb(27, 27, 29)" and light == "rgb(255, 255, 255)"


def _expected_statuses(dataset: dict[str, Any]) -> dict[str, int]:
    since, until = (WINDOW["since"], WINDOW["until"])
    counts: dict[str, int] = {}
    for call in dataset["calls"]:
        if since <= call["createdAt"].replace("Z", "+00:00") < until and not call.get("retryAttemptNumber"):
            counts[call["status"]] = counts.get(call["status"], 0) + 1
    return counts


async def test_the_window_view_draws_the_window_and_opens_an_example_through_the_host(
    sandbox, generated_dataset, chromium, tmp_path
):
    async with (
        apps_client(sandbox) as client,
        open_view(chromium, client, "summarize_logs", {**WINDOW, "group_by": ["agent"]}) as view,
    ):
        frame = view.frame
        status = frame.locator("section[aria-label='By status'] .bar-row")
        await status.first.wait_for()
        labels = [text.replace(" ", "_") for text in await status.locator(".bar-label").all_text_contents()]
        counts = [int(text.split(" ")[0]) for text in await status.locator(".bar-value").all_text_contents()]
        assert dict(zip(labels, counts, strict=True)) == _expected_statuses(generated_dataset)
        assert await frame.locator("section[aria-label='By hour'] .bar-row").count() >= 20
        assert await frame.locator("section[aria-label='By disconnect reason'] .bar-row").count() >= 3
        percentiles = await frame.locator("section[aria-label='Percentiles'] tbody tr").all_text_contents()
        assert percentiles[0].startswith("Reply latency") and " ms" in percentiles[0]
        await view.screenshot("window-view.png", tmp_path)
        example = frame.locator(".example").first
        wanted = (await example.get_attribute("title") or "").removeprefix("Open ")
        await example.click()
        await view.page.wait_for_function("window.hostLog.messages.length === 1")
        message = (await view.host_log())["messages"][0]
        assert message == {"role": "user", "content": [{"type": "text", "text": f"Open call {wanted} with get_log."}]}
        assert wanted in {call["callId"] for call in generated_dataset["calls"]}
        assert view.requests == []


async def test_the_window_view_draws_calls_per_day_by_status_and_the_answers_groups(
    sandbox, generated_dataset, chromium
):
    arguments = {**WINDOW, "group_by": ["agent", "day"]}
    async with apps_client(sandbox) as client:
        answer = await call_text(client, "summarize_logs", arguments)
        async with open_view(chromium, client, "summarize_logs", arguments) as view:
            frame = view.frame
            days = frame.locator("section[aria-label='By day'] .day")
            await days.first.wait_for()
            drawn = {
                await day.get_attribute("data-day"): int(await day.get_attribute("data-count") or -1)
                for day in await days.all()
            }
            parts = await days.evaluate_all(
                "days => days.map(d => [d.dataset.day, [...d.querySelectorAll('.segment')]"
                ".map(s => [s.dataset.status, Number(s.dataset.count), s.getBoundingClientRect().height])])"
            )
            legend = await view.texts("section[aria-label='By day'] .legend-item")
            groups = frame.locator("section[aria-label='By agent'] .group-row")
            rows = {
                await row.locator("th").text_content(): await row.locator(".failed-share .bar-value").text_content()
                for row in await groups.all()
            }
    assert {day: count for day, count in drawn.items() if count} == answer_table(answer, "day")
    assert len(drawn) == 15  # every day of the window, those without calls too
    calls = in_window(generated_dataset, WINDOW)
    expected: dict[str, dict[str, int]] = {}
    for call in calls:
        day = datetime.fromisoformat(call["createdAt"].replace("Z", "+00:00")).strftime("%Y-%m-%d %a")
        expected.setdefault(day, {}).setdefault(call["status"], 0)
        expected[day][call["status"]] += 1
    assert {day: {status: n for status, n, _ in segments} for day, segments in parts if segments} == expected
    assert all(height > 0 for _, segments in parts for _, _, height in segments)  # every part of a bar is seen
    assert sorted(legend) == sorted({call["status"].replace("_", " ") for call in calls})
    names = {agent["_id"]: agent["name"] for agent in generated_dataset["agents"]}
    shares = {}
    for name in set(names.values()):
        mine = [call["status"] for call in calls if names[call["agentId"]] == name]
        finished = sum(status in FINAL for status in mine)
        if mine:
            shares[name] = f"{100 * mine.count('failed') / finished:.1f}%"
    assert rows == shares


async def test_odd_windows_and_a_comparison_with_nothing_to_test_still_draw(sandbox, chromium):
    """One day, a status no list names and one missing, a group that never finished, hostile text; a comparison
    whose candidate has no calls: drawn, with no script error (open_view checks)."""
    with _odd_server() as odd:
        async with apps_client(odd) as client:
            window = {"since": "2026-11-18T00:00:00Z", "until": "2026-11-19T00:00:00Z", "group_by": ["campaign"]}
            async with open_view(chromium, client, "summarize_logs", window) as view:
                frame = view.frame
                await frame.locator(".group-row").first.wait_for()
                assert await frame.locator(".day").count() == 1
                statuses = await frame.locator(".segment").evaluate_all("s => s.map(e => e.dataset.status)")
                assert {"voicemail", "(none)", "in_progress"} <= set(statuses)
                running = frame.locator(
                    ".group-row[data-value='running'] .failed-share, .group-row[data-value='running'] td"
                )
                assert "- (none finished)" in await running.all_text_contents()
                assert "<img src=x onerror=alert(1)>" in await view.texts(".group-row th")
                assert await frame.locator("#app img").count() == 0
    sides = {"baseline": {"since": "2026-11-13", "until": "2026-11-19"}, "candidate": {"since": "2020-01-01"}}
    sides["candidate"]["until"] = "2020-01-02"
    async with apps_client(sandbox) as client, open_view(chromium, client, "compare_calls", sides) as view:
        await view.frame.locator(".panel").nth(1).wait_for()
        rows = view.frame.locator(".forest-row")
        assert await rows.count() >= 7  # four status shares, three per-call measures, reasons and metric values
        assert await view.frame.locator(".forest-row .point").count() == 0
        assert set(await view.texts(".forest-row .verdict")) == {"not tested"}
        assert "No calls in this window." in await view.texts(".panel p")


async def test_the_compare_view_draws_the_comparison_as_the_answer_marks_it(sandbox, chromium, tmp_path):
    async with apps_client(sandbox) as client:
        answer = await call_text(client, "compare_calls", SUPPORT_WEEK_AFTER_WEEK)
        async with open_view(chromium, client, "compare_calls", SUPPORT_WEEK_AFTER_WEEK) as view:
            frame = view.frame
            await frame.locator(".panel").nth(1).wait_for()
            rows = frame.locator(".forest-row")
            drawn = [
                (
                    await row.locator(".forest-name").text_content() or "",
                    await row.locator(".forest-diff").text_content() or "",
                    await row.locator(".verdict").text_content() or "",
                    await row.get_attribute("class") or "",
                )
                for row in await rows.all()
            ]
            zero = await frame.locator(".forest-plot .zero").count()
            points = await frame.locator(".forest-plot .point").count()
            await view.screenshot("compare-view.png", tmp_path)
    lines = [line.strip() for line in answer.splitlines() if " | " in line]
    assert len(drawn) == zero == points >= 7 + 5
    for name, difference, verdict, _ in drawn:
        assert any(line.startswith(name[:40]) and line.endswith(f"{difference} {verdict}") for line in lines), name
    assert {name for name, _, _, classes in drawn if "moved" in classes.split()} == {
        "avg turn latency per call",
        "lookup_order",
    }
    assert "within noise after Holm" in {verdict for _, _, verdict, _ in drawn}


async def test_compare_calls_shows_both_sides(sandbox, generated_dataset, chromium):
    middle = (GENERATED_END - timedelta(days=7)).isoformat()
    sides = {
        "baseline": {"since": WINDOW["since"], "until": middle},
        "candidate": {"since": middle, "until": WINDOW["until"]},
    }
    async with (
        apps_client(sandbox) as client,
        open_view(chromium, client, "compare_calls", sides) as view,
    ):
        await view.frame.locator(".panel").nth(1).wait_for()
        assert await view.texts(".panel h1") == ["Baseline", "Candidate"]
        first, second = [int(t.split(" ")[0]) for t in await view.texts(".panel > header > p:last-child")]
        assert first + second == sum(_expected_statuses(generated_dataset).values())


async def test_a_host_that_cannot_pass_tool_calls_gets_a_plain_notice_at_its_own_height(
    sandbox, generated_dataset, chromium
):
    call = _debug_call(generated_dataset)
    async with (
        apps_client(sandbox) as client,
        open_view(chromium, client, "get_log", {"call_id": call["callId"]}, capabilities={}) as view,
    ):
        # A locator, not wait_for_function: that evaluates its text as a script, which the view's policy refuses.
        await view.frame.locator(".notice", has_text="text answer").wait_for()
        log = await view.host_log()
        assert "tools/call" not in log["methods"]
        # The host's frame starts 200 px high; a view of one line asks for less (it can shrink, not only grow).
        await view.page.wait_for_function("window.hostLog.sizes.length > 0")
        assert 0 < (await view.host_log())["sizes"][-1]["height"] < 120


async def test_the_view_takes_the_host_style_variables(sandbox, generated_dataset, chromium):
    call = _debug_call(generated_dataset)
    styles = {"variables": {"--color-background-primary": "rgb(1, 2, 3)", "--font-sans": "serif"}}
    async with (
        apps_client(sandbox) as client,
        open_view(chromium, client, "get_log", {"call_id": call["callId"]}, options={"styles": styles}) as view,
    ):
        await view.frame.locator(".turn").first.wait_for()
        assert await view.frame.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(1, 2, 3)"


async def test_an_example_call_a_host_will_not_message_names_the_get_log_to_ask_for(sandbox, chromium):
    async with (
        apps_client(sandbox) as client,
        open_view(chromium, client, "summarize_logs", WINDOW, options={"refuseMessages": True}) as view,
    ):
        example = view.frame.locator(".example").first
        await example.wait_for()
        wanted = (await example.get_attribute("title") or "").removeprefix("Open ")
        await example.click()
        status = view.frame.locator(".panel > p[role=status]")
        await status.filter(has_text="get_log").wait_for()
        assert f'ask for get_log(call_id="{wanted}")' in (await status.text_content() or "")


async def test_compare_calls_with_its_sides_sent_as_json_text(sandbox, generated_dataset, chromium):
    """Some hosts send nested arguments as JSON strings; the SDK reads them, and so does the view."""
    middle = (GENERATED_END - timedelta(days=7)).isoformat()
    sides = {
        "baseline": json.dumps({"since": WINDOW["since"], "until": middle}),
        "candidate": json.dumps({"since": middle, "until": WINDOW["until"]}),
    }
    async with (
        apps_client(sandbox) as client,
        open_view(chromium, client, "compare_calls", sides) as view,
    ):
        await view.frame.locator(".panel").nth(1).wait_for()
        first, second = [int(t.split(" ")[0]) for t in await view.texts(".panel > header > p:last-child")]
        assert first + second == sum(_expected_statuses(generated_dataset).values())


async def test_live_shaped_calls_render_without_a_script_error(live_sandbox, live_dataset, live_expected, chromium):
    """The odd calls of the live-shaped dataset (started twice, a null among the latencies, no end...)."""
    async with apps_client(live_sandbox) as client:
        for call_id in live_expected["odd_calls"]:
            call = next(c for c in live_dataset["calls"] if c["callId"] == call_id)
            async with open_view(chromium, client, "get_log", {"call_id": call_id}) as view:
                await view.frame.locator("header.call-header").wait_for()
                turns = [turn for turn in call.get("transcript") or [] if isinstance(turn, dict)]
                assert await view.frame.locator(".turn").count() == len(turns)
