"""The MCP Apps views over the protocol: which tools are bound to which view, the documents, the data tools,
and hosts without Apps seeing exactly what they saw before (both protocol eras). The views in a real browser:
test_views_browser.py."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

from atoms_logs_mcp.app import TOOLS, create_server
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from atoms_logs_mcp.tools.apps import CALL_VIEW, WINDOW_VIEW
from atoms_logs_mcp.views.documents import ASSETS, document
from conftest import PROTOCOL_MODES, SANDBOX_KEY, call_text, http_server_process, mcp_client, server_env, settings_for


def window_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """summarize_logs' (or a compare side's) arguments as the window view passes them to window_view_data."""
    own = {name: arguments[name] for name in ("group_by", "max_calls") if name in arguments}
    return {"filters": {k: v for k, v in arguments.items() if k not in own}, **own}


pytestmark = pytest.mark.anyio
APPS = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
MAX_VIEW_BYTES = 150 * 1024
PAGES = {CALL_VIEW: "call", WINDOW_VIEW: "window"}


def apps_client(sandbox: Any, mode: str = "auto", **overrides: Any) -> Client:
    return Client(create_server(settings_for(sandbox, **overrides)), mode=mode, extensions=[APPS])  # type: ignore[arg-type]


def ui_of(tool: Any) -> dict[str, Any]:
    return (tool.meta or {}).get("ui") or {}


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_a_host_with_apps_gets_the_bindings_the_data_tools_and_the_documents(sandbox, mode):
    async with apps_client(sandbox, mode) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        resources = {str(r.uri): r for r in (await client.list_resources()).resources}
        read = {uri: (await client.read_resource(uri)).contents[0] for uri in PAGES}
    assert ui_of(tools["get_log"]) == {"resourceUri": CALL_VIEW}
    assert ui_of(tools["summarize_logs"]) == ui_of(tools["compare_calls"]) == {"resourceUri": WINDOW_VIEW}
    assert ui_of(tools["call_view_data"]) == {"resourceUri": CALL_VIEW, "visibility": ["app"]}
    assert ui_of(tools["window_view_data"]) == {"resourceUri": WINDOW_VIEW, "visibility": ["app"]}
    assert ui_of(tools["compare_view_data"]) == {"resourceUri": WINDOW_VIEW, "visibility": ["app"]}
    assert set(tools) == set(TOOLS) | {"call_view_data", "window_view_data", "compare_view_data"}
    for uri, page in PAGES.items():
        assert resources[uri].mime_type == read[uri].mime_type == APP_MIME_TYPE
        assert read[uri].text == document(page)
        assert (resources[uri].meta or {})["ui"] == {"csp": {}, "prefersBorder": True}


# A window of fixed instants: each client's clock runs on from GENERATED_END, so "7d" read by two clients a loaded
# second apart could name two different ends.
FIXED_WEEK = {"since": "2026-11-13T12:00:00Z", "until": "2026-11-20T12:00:00Z"}


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_a_host_without_apps_sees_no_change(sandbox, mode):
    """No binding, no app-only tool, no ui:// resource; and get_log answers the same text to both hosts."""
    async with mcp_client(sandbox, mode) as plain, apps_client(sandbox, mode) as apps:
        tools = (await plain.list_tools()).tools
        resources = (await plain.list_resources()).resources
        call_id = re.search(r"CALL-[\w-]+", await call_text(plain, "list_logs", {"limit": 1})).group()  # type: ignore[union-attr]
        for tool, arguments in (("get_log", {"call_id": call_id}), ("summarize_logs", FIXED_WEEK)):
            assert await call_text(plain, tool, arguments) == await call_text(apps, tool, arguments)
    assert [tool.name for tool in tools] == list(TOOLS)
    assert all(tool.meta is None or "ui" not in tool.meta for tool in tools)
    assert not [r for r in resources if str(r.uri).startswith("ui://")]


async def test_only_the_views_of_the_offered_tools_are_served(sandbox):
    async with apps_client(sandbox, tools=("list_logs", "summarize_logs")) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        uris = {str(r.uri) for r in (await client.list_resources()).resources}
    assert tools == {"list_logs", "summarize_logs", "window_view_data"}
    assert {uri for uri in uris if uri.startswith("ui://")} == {WINDOW_VIEW}


@pytest.mark.parametrize("page", sorted(PAGES.values()))
def test_each_view_is_one_self_contained_document_under_150_kb(page):
    html = document(page)
    assert len(html.encode("utf-8")) <= MAX_VIEW_BYTES
    assert "default-src 'none'" in html  # the document's own policy forbids loading anything
    assert not re.search(r"\b(src|href)\s*=|url\(|@import|https?://", html, re.IGNORECASE)
    assert "<!--" not in html.split("</head>")[1]  # every placeholder was filled


def test_no_asset_turns_text_into_markup():
    """Call content is set with text nodes and attributes; nothing in the views parses strings as HTML."""
    sinks = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|srcdoc")
    for asset in ASSETS.iterdir():
        if asset.name.endswith(".js"):
            assert not sinks.search(asset.read_text(encoding="utf-8")), asset.name


async def test_the_data_tools_answer_json_and_name_a_missing_call(sandbox):
    async with apps_client(sandbox) as client:
        listed = await call_text(client, "list_logs", {"limit": 1})
        call_id = re.search(r"CALL-[\w-]+", listed).group()  # type: ignore[union-attr]
        data = (await client.call_tool("call_view_data", {"call_id": call_id})).structured_content
        window = (await client.call_tool("window_view_data", window_arguments({"since": "30d"}))).structured_content
        missing = await client.call_tool("call_view_data", {"call_id": "CALL-1700000000000-ffffff"})
    assert data is not None and data["callId"] == call_id and data["turns"]
    assert window is not None and sum(bar["count"] for bar in window["groups"]["status"]) == window["calls"]
    assert missing.is_error and "CALL-1700000000000-ffffff" in missing.content[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_apps_over_streamable_http_each_session_by_its_own_capabilities(sandbox, tmp_path, mode):
    """One HTTP server, two hosts: the one that negotiated Apps gets the views, the other does not."""
    with http_server_process(server_env(sandbox), tmp_path / "server.log") as (url, _):
        async with Client(url, mode=mode, extensions=[APPS]) as apps, Client(url, mode=mode) as plain:
            with_apps = {tool.name: tool for tool in (await apps.list_tools()).tools}
            without = {tool.name: tool for tool in (await plain.list_tools()).tools}
            html = (await apps.read_resource(CALL_VIEW)).contents[0]
            call_id = re.search(r"CALL-[\w-]+", await call_text(apps, "list_logs", {"limit": 1})).group()  # type: ignore[union-attr]
            data = (await apps.call_tool("call_view_data", {"call_id": call_id})).structured_content
            await call_text(apps, "summarize_logs", {"since": "30d"})
            listed = _listings(sandbox)
            await apps.call_tool("window_view_data", window_arguments({"since": "30d"}))
            assert _listings(sandbox) == listed  # the window kept across requests of the server's lifetime
    assert ui_of(with_apps["get_log"]) == {"resourceUri": CALL_VIEW} and "call_view_data" in with_apps
    assert not ui_of(without["get_log"]) and "call_view_data" not in without
    assert html.text == document("call") and data is not None and data["callId"] == call_id


async def test_the_view_data_is_redacted_like_the_text(sandbox, generated_dataset):
    spoken = next(
        c
        for c in generated_dataset["calls"]
        if any("555 0199" in t["content"] for t in c["transcript"]) and c["status"] == "completed"
    )
    async with apps_client(sandbox, redact_phones=True) as client:
        data = (await client.call_tool("call_view_data", {"call_id": spoken["callId"]})).structured_content
    shown = json.dumps(data, ensure_ascii=False)
    assert "555 0199" not in shown and "+• ••• ••• 0199" in shown


@pytest.mark.parametrize("which", ["live", "foreign"])
async def test_every_call_of_data_we_did_not_write_reaches_the_view(request, which):
    """Live-shaped calls (eventType keys, JSON-string metadata, epoch times, nulls) and the foreign dataset: every
    call's view data is read, with every transcript turn and every tool call the model's timeline shows."""
    server = request.getfixturevalue(f"{which}_sandbox")
    dataset = request.getfixturevalue(f"{which}_dataset")
    tools = turns = 0
    async with apps_client(server) as client:
        for call in dataset["calls"]:
            result = await client.call_tool("call_view_data", {"call_id": call["callId"]})
            assert not result.is_error, result.content
            data = result.structured_content or {}
            assert len(data["turns"]) == len([t for t in call.get("transcript") or [] if isinstance(t, dict)])
            text = await call_text(client, "get_log", {"call_id": call["callId"], "include": ["events"]})
            tool_lines = [line for line in text.splitlines() if re.match(r"\[[^\]]+\] tool ", line)]
            assert len([e for e in data["events"] if e["kind"] == "tool"]) == len(tool_lines)
            tools, turns = tools + len(tool_lines), turns + len(data["turns"])
    assert tools > 10 and turns > 100  # not vacuous: the datasets carry both


async def test_the_call_view_data_of_a_debugging_call(sandbox, generated_dataset, snapshot):
    """What the call view reads, pinned: a call with a failed tool and latency split into its parts."""
    from test_views_browser import _debug_call

    call = _debug_call(generated_dataset)
    async with apps_client(sandbox) as client:
        data = (await client.call_tool("call_view_data", {"call_id": call["callId"]})).structured_content
    assert data == snapshot


async def test_odd_latency_and_metric_config_never_fail_the_view_or_get_log(live_dataset):
    """All latencies unreadable with more transitions than latencies and as many turn_latency events as latencies;
    an agent whose metric config is not a list, or names a metric with a list: each view and answer still reads."""
    data = copy.deepcopy(live_dataset)
    call = next(c for c in data["calls"] if len([t for t in c.get("transcript") or [] if isinstance(t, dict)]) > 4)
    call["turnLatencyMetrics"] = {
        "latencies": [None],
        "transitions": [{"turn": 1, "bot_start": 2000, "latency": 700}, {"turn": 2, "bot_start": 6000, "latency": 900}],
    }
    event = {"event_type": "turn_latency", "timestamp": call["createdAt"], "total_turn_ms": 700, "llm_api_ms": 300}
    kept = [e for e in call.get("events") or [] if isinstance(e, dict) and "turn_latency" not in e.values()]
    call["events"] = [*kept, dict(event, tts_api_ms=1)]
    call["agent"] = {"name": "odd", "postCallAnalyticsConfig": {"dispositionMetrics": {"identifier": ["x"]}}}
    other = next(c for c in data["calls"] if c is not call and c.get("postCallAnalytics"))
    other["agent"] = {"postCallAnalyticsConfig": {"dispositionMetrics": [{"identifier": ["x"]}, "text", None]}}
    with SandboxServer(CallStore.from_dataset(data), api_key=SANDBOX_KEY) as server:
        async with apps_client(server) as client:
            views = [await client.call_tool("call_view_data", {"call_id": odd["callId"]}) for odd in (call, other)]
            for odd in (call, other):
                await call_text(client, "get_log", {"call_id": odd["callId"]})
    assert not any(view.is_error for view in views), [view.content for view in views]
    replies = (views[0].structured_content or {})["latency"]["replies"]
    assert [reply["totalMs"] for reply in replies] == [700, 900]  # from the transitions; one event for two: no parts
    assert all(set(reply) == {"turn", "totalMs"} for reply in replies)


def _listings(sandbox: Any) -> int:
    return sum(n for route, n in sandbox.stats()["requests"].items() if route.startswith("GET /conversation"))


async def test_the_window_view_draws_the_answer_it_sits_beside_without_reading_the_window_again(sandbox):
    """summarize_logs and compare_calls keep the window they read for the view: its data tool reads nothing more,
    and what it draws is what the answer counted."""
    arguments = {"since": "30d", "statuses": ["completed", "failed"]}
    sides = {"baseline": {"since": "14d", "until": "7d"}, "candidate": {"since": "7d"}}  # the data's two weeks
    async with apps_client(sandbox) as client:
        answer = await call_text(client, "summarize_logs", arguments)
        before = _listings(sandbox)
        window = (await client.call_tool("window_view_data", window_arguments(arguments))).structured_content or {}
        assert _listings(sandbox) == before
        await call_text(client, "compare_calls", sides)
        before = _listings(sandbox)
        drawn = [
            (await client.call_tool("window_view_data", window_arguments(side))).structured_content or {}
            for side in sides.values()
        ]
        assert _listings(sandbox) == before
        fresh = (
            await client.call_tool("window_view_data", window_arguments({**arguments, "max_calls": 5}))
        ).structured_content or {}
        assert _listings(sandbox) > before  # another ceiling is another read
    for bar in window["groups"]["status"]:
        assert re.search(rf"^{bar['value']}\s*\|\s*{bar['count']}\b", answer, re.MULTILINE), bar
    assert all(side["calls"] > 0 for side in drawn) and fresh["calls"] == 5


def test_a_window_is_kept_two_minutes_and_only_the_last_few():
    from atoms_logs_mcp.domain.filters import Filters
    from atoms_logs_mcp.domain.recent_windows import RecentWindows

    now = [0.0]
    recent = RecentWindows(keep=2, seconds=120, clock=lambda: now[0])
    first, second, third = (Filters(since=f"{n}d") for n in (1, 2, 3))
    recent.put(first, 100, "one")  # type: ignore[arg-type]
    recent.put(second, 100, "two")  # type: ignore[arg-type]
    assert recent.get(first, 100) == "one" and recent.get(first, 50) is None and recent.get(Filters(), 100) is None
    recent.put(third, 100, "three")  # type: ignore[arg-type]
    assert recent.get(first, 100) is None and recent.get(third, 100) == "three"
    now[0] = 121
    assert recent.get(third, 100) is None
