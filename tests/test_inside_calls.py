"""The investigations against a dataset of someone else's making, with its author's answers.

`tests/data/live_investigations_expected.json` was written by a separate helper from the dataset, NOTES.md and
the spec only (`make_investigations_expected.py`, without reading this project's code). Every answer below goes
through a real MCP session to the sandbox serving that dataset over loopback HTTP, with the call store on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from atoms_logs_mcp.api.models import CallDetail
from atoms_logs_mcp.app import create_server
from atoms_logs_mcp.domain.digest import transcript_rows
from atoms_logs_mcp.domain.transcript_search import TextQuery
from atoms_logs_mcp.sandbox.serve import SandboxServer
from conftest import call_text, mcp_client, settings_for
from store_support import store_for

pytestmark = pytest.mark.anyio
EXPECTED = json.loads((Path(__file__).parent / "data" / "live_investigations_expected.json").read_text())
DETAIL = "GET /conversation/{callId}"
ROW = re.compile(r"^(CALL-\S+) \| ", re.M)


@pytest.fixture
def expected() -> dict[str, Any]:
    return EXPECTED


async def _search_all_pages(client: Any, query: str, speaker: str | None) -> list[str]:
    found: list[str] = []
    for page in range(1, 50):
        arguments = {"text": query, "attempt": "all", "page": page, **({"speaker": speaker} if speaker else {})}
        text = await call_text(client, "search_transcripts", arguments)
        found += ROW.findall(text)
        if "Next page" not in text:
            return found
    raise AssertionError("more pages than calls")


OFF_CASES = 5
"""Queries run again with the store off (every call read from the API): the in-memory path end to end. Every
query is checked against that path's matcher directly in the next test."""


@pytest.mark.parametrize("store", ["sqlite", "postgresql", "off"])
async def test_search_transcripts_finds_exactly_the_calls_the_author_found(
    live_sandbox: SandboxServer, tmp_path: Path, store: str, request: pytest.FixtureRequest
) -> None:
    """Every query of the answer key from the store's index on each engine (the first query fills it, every later
    one reads it), and the first few from calls just read (store off)."""
    path = store_for(request, store, tmp_path)
    cases = EXPECTED["transcript_search"] if store != "off" else EXPECTED["transcript_search"][:OFF_CASES]
    async with mcp_client(live_sandbox, store=path) as client:
        for case in cases:
            found = await _search_all_pages(client, case["query"], case["speaker"])
            assert sorted(found) == sorted(case["call_ids"]), (case["query"], case["speaker"])
            assert len(found) == len(set(found)), "each call once"
        last = await call_text(client, "search_transcripts", {"text": "order", "attempt": "all"})
    finished = EXPECTED["finished_calls"]
    expected_line = f"{finished} from the local store" if store != "off" else "0 from the local store"
    assert expected_line in last and "could not be used" not in last, last[:400]


def test_the_in_memory_matcher_finds_exactly_the_calls_the_author_found(live_dataset: dict[str, Any]) -> None:
    """The rules calls just read from the API are matched by, on every query of the answer key."""
    calls = {call["callId"]: CallDetail.model_validate(call) for call in live_dataset["calls"]}
    for case in EXPECTED["transcript_search"]:
        query = TextQuery.parse(case["query"], case["speaker"])
        found = [
            call_id
            for call_id, call in calls.items()
            if any(query.matches(content, role) for _, role, _, content in transcript_rows(call))
        ]
        assert sorted(found) == sorted(case["call_ids"]), (case["query"], case["speaker"])


async def test_matching_turns_are_numbered_as_get_log_numbers_them(
    live_sandbox: SandboxServer, live_dataset: dict[str, Any]
) -> None:
    case = next(c for c in EXPECTED["transcript_search"] if c["query"] == "book thursday")
    whole = {c["callId"] for c in live_dataset["calls"] if all(isinstance(t, dict) for t in c.get("transcript") or [])}
    async with mcp_client(live_sandbox) as client:
        text = await call_text(client, "search_transcripts", {"text": "book thursday", "attempt": "all"})
        checked = [call_id for call_id in ROW.findall(text) if call_id in whole][:3]
        assert checked
        for call_id in checked:  # the author numbers null rows too; these calls have none
            block = text.split(call_id, 1)[1].split("<<<end call-data", 1)[0]
            marked = [int(n) for n in re.findall(r"^> #(\d+) ", block, re.M)]
            assert marked and set(marked) <= set(case["turns"][call_id])
            detail = await call_text(client, "get_log", {"call_id": call_id, "include": ["transcript"]})
            for number in marked:
                line = re.search(rf"^#{number} \[[^\]]*\] (\w+): (.*)$", detail, re.M)
                assert line and "thursday" in line.group(2).lower() and "book" in line.group(2).lower()


async def test_tool_failures_per_function_equal_the_answer_key(live_sandbox: SandboxServer) -> None:
    async with mcp_client(live_sandbox) as client:
        text = await call_text(client, "analyze_calls", {"attempt": "all", "aspects": ["tools"]})
    for name, truth in EXPECTED["tools"].items():
        row = re.search(rf"^{name} \| (\d+) \| (\d+) \| [^|]+ \| (\d+) \|", text, re.M)
        assert row, name
        assert [int(v) for v in row.groups()] == [truth["calls"], truth["failed"], truth["no_result"]], name
        for error, count in truth["errors"].items():
            assert f"{name}: {count}x {error} (e.g." in text


async def test_disposition_metric_distributions_equal_the_answer_key(live_sandbox: SandboxServer) -> None:
    async with mcp_client(live_sandbox) as client:
        text = await call_text(client, "analyze_calls", {"attempt": "all", "aspects": ["metrics"]})
    for identifier, counts in EXPECTED["disposition_metrics"].items():
        line = re.search(rf"^{identifier} \((\d+) calls\): (.*)$", text, re.M)
        assert line, identifier
        assert int(line.group(1)) == sum(counts.values()), identifier
        shown = dict(re.findall(r"(\S[^,]*?) (\d+)(?:, |$)", line.group(2)))
        for value, count in list(shown.items()):
            assert counts.get(value) == int(count), (identifier, value)
        assert len(shown) == min(len(counts), 10)


@pytest.mark.parametrize("attempt", ["all", None])
async def test_per_version_call_counts_equal_the_answer_key(live_sandbox: SandboxServer, attempt: str | None) -> None:
    async with mcp_client(live_sandbox) as client:
        arguments = {"group_by": ["version"], **({"attempt": attempt} if attempt else {})}
        text = await call_text(client, "summarize_logs", arguments)
    key = "calls" if attempt == "all" else "first_attempt_calls"
    for version in EXPECTED["versions"]:
        if not version[key]:
            continue
        label = f"v{version['version_number']} ({version['version_id']})"
        row = re.search(rf"^[^|\n]* {re.escape(label)} \| (\d+) \|", text, re.M)
        assert row and int(row.group(1)) == version[key], label


async def test_hang_up_lines_equal_the_answer_key(live_sandbox: SandboxServer) -> None:
    truth = EXPECTED["hangups"]
    async with mcp_client(live_sandbox) as client:
        text = await call_text(client, "analyze_calls", {"attempt": "all", "aspects": ["outcomes"]})
    assert f"{truth['calls']} calls ended with the caller hanging up" in text
    shown = {
        line.lower().rstrip(".!?"): int(n) for n, line in re.findall(r"^\([\d.]+%\) (\d+)x (.*?) \(e\.g\.", text, re.M)
    }
    key = {k.rstrip(".!?"): v for k, v in truth["last_agent_lines_normalised"].items()}
    assert all(key[line] == count for line, count in shown.items())
    more = re.search(r"\.\.\. (\d+) more distinct lines", text)
    assert len(shown) + (int(more.group(1)) if more else 0) == len(key)
    assert sorted(shown.values(), reverse=True) == sorted(key.values(), reverse=True)[: len(shown)], "commonest first"


@pytest.mark.parametrize("pair", ["by_version", "by_date"])
async def test_compare_calls_shows_each_sides_true_counts(live_sandbox: SandboxServer, pair: str) -> None:
    truth = EXPECTED["comparisons"][pair]
    if pair == "by_version":
        agent = truth["agent_id"]
        ids = {v["version_number"]: v["version_id"] for v in EXPECTED["versions"] if v["agent_id"] == agent}
        sides = [{"agents": [agent], "version_ids": [ids[n]]} for n in (1, 2)]
        a, b = truth["A"], truth["B"]
    else:
        sides = [
            {"until": "2026-11-09T23:59:59.999Z"},
            {"since": "2026-11-10T00:00:00Z", "until": "2026-11-20T23:59:59Z"},
        ]
        a, b = truth["A"], truth["B"]
    async with mcp_client(live_sandbox) as client:
        text = await call_text(client, "compare_calls", {"baseline": sides[0], "candidate": sides[1], "deep": True})
    assert f"calls | {a['calls']} | {b['calls']} |" in text
    for status in ("completed", "failed"):
        row = re.search(rf"^{status} share \| ([\d.]+)% \[[^]]*\] \| ([\d.]+)%", text, re.M)
        assert row, status
        for shown, side in zip(row.groups(), (a, b), strict=True):
            finished = sum(side["by_status"].get(s, 0) for s in ("completed", "failed", "no_answer", "cancelled"))
            assert float(shown) == pytest.approx(100 * side["by_status"].get(status, 0) / finished, abs=0.05)


async def test_repeats_and_restarts_read_only_unfinished_calls_from_the_api(
    live_sandbox: SandboxServer, tmp_path: Path, expected: dict[str, Any], store_location: str
) -> None:
    server_store = store_location.startswith("postgresql://")
    path = Path(store_location) if server_store else tmp_path / "store" / "calls.sqlite3"
    unfinished = expected["calls"] - expected["finished_calls"]
    arguments = {"attempt": "all"}
    async with mcp_client(live_sandbox, store=store_location if server_store else str(path)) as client:
        first = await call_text(client, "analyze_calls", arguments)
        assert live_sandbox.stats()["requests"][DETAIL] == expected["calls"]
        assert "0 from the local store" in first
        live_sandbox.reset_stats()
        again = await call_text(client, "search_transcripts", {"text": "order", **arguments})
        assert live_sandbox.stats()["requests"].get(DETAIL, 0) == unfinished
        assert f"{expected['finished_calls']} from the local store, {unfinished} from the API" in again
    live_sandbox.reset_stats()
    async with mcp_client(live_sandbox, store=store_location if server_store else str(path)) as client:
        await call_text(client, "analyze_calls", arguments)  # a new server process reads the same store
        assert live_sandbox.stats()["requests"].get(DETAIL, 0) == unfinished
    if server_store:
        return
    for file in path.parent.iterdir():
        assert file.stat().st_mode & 0o777 == 0o600, file.name
    assert path.parent.stat().st_mode & 0o777 == 0o700


async def test_a_store_overwritten_with_garbage_breaks_no_tool(live_sandbox: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "calls.sqlite3"
    path.write_bytes(b"this is not a database\x00" * 512)
    async with mcp_client(live_sandbox, store=str(path)) as client:
        text = await call_text(client, "analyze_calls", {"attempt": "all", "aspects": ["tools"]})
        assert "could not be used" in text and "atoms-logs-mcp store clear" in text
        assert re.search(r"^lookup_order \| 9 \| 4 \|", text, re.M), "the answer itself is whole"
        found = await _search_all_pages(client, "later", None)
        assert sorted(found) == sorted(
            next(c for c in EXPECTED["transcript_search"] if c["query"] == "later")["call_ids"]
        )
        await call_text(
            client, "compare_calls", {"baseline": {"since": "30d"}, "candidate": {"since": "7d"}, "deep": True}
        )
        await call_text(client, "get_log", {"call_id": found[0]})


LIST_ONLY = ("createdAt", "disconnectionReason", "versionId", "versionNumber", "campaignId", "agentId", "updatedAt")


class SpecShapedDetails(httpx.AsyncBaseTransport):
    """The sandbox, with each call detail cut to the spec's shape: the fields only list rows carry removed."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not re.search(r"/conversation/CALL-[^/]+$", request.url.path):
            return response
        body = json.loads(await response.aread())
        for key in LIST_ONLY:
            body["data"].pop(key, None)
        return httpx.Response(response.status_code, json=body, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("store", ["sqlite", "postgresql", "off"])
async def test_details_without_the_list_only_fields_still_give_true_answers(
    live_sandbox: SandboxServer,
    live_dataset: dict[str, Any],
    tmp_path: Path,
    store: str,
    request: pytest.FixtureRequest,
) -> None:
    """The spec's detail has no creation time, disconnect reason, version or agent id: the investigations take
    them from the list rows, so hang-ups, versions and dates stay true, also for calls first opened alone with
    get_log (stored from their detail only)."""
    path = store_for(request, store, tmp_path)
    server = create_server(settings_for(live_sandbox, store=path), transport=SpecShapedDetails())
    hung_up = [c["callId"] for c in live_dataset["calls"] if c.get("disconnectionReason") == "user_hangup"]
    async with Client(server) as client:
        for call_id in hung_up[:6]:
            await call_text(client, "get_log", {"call_id": call_id, "include": ["overview"]})
        for _ in range(2 if store != "off" else 1):  # on: the second answer comes from the store
            outcomes = await call_text(client, "analyze_calls", {"attempt": "all", "aspects": ["outcomes", "latency"]})
            assert f"{EXPECTED['hangups']['calls']} calls ended with the caller hanging up" in outcomes
            for version in EXPECTED["versions"]:
                assert f"v{version['version_number']} ({version['version_id']})" in outcomes
            found = await call_text(client, "search_transcripts", {"text": "later", "attempt": "all"})
            assert not re.search(r"^CALL-\S+ \| \?", found, re.MULTILINE), found  # every call's time is known
            assert "UTC |" in found


async def test_tool_failures_on_the_foreign_dataset_count_each_call_once(foreign_sandbox: SandboxServer) -> None:
    """The foreign dataset sends a failed tool call as an end (success false) and then an error event with the
    text: its events hold 44 lookup_order ends and 16 errors, each a millisecond after a failed end. That is 44
    calls of which 16 failed, not 60 of which 32."""
    async with mcp_client(foreign_sandbox) as client:
        text = await call_text(client, "analyze_calls", {"attempt": "all", "aspects": ["tools"]})
    assert re.search(r"^lookup_order \| 44 \| 16 \|", text, re.M), text[:800]
    assert "lookup_order: 16x upstream 502" in text and "(no error text)" not in text
