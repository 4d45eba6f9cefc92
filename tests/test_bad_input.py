"""Bad arguments, invented or hostile: every one is a clear tool error and costs no API request.

A property-based part (hypothesis) breaks one argument of a valid call at a time, for every tool; a
hand-written corpus adds the cases people worry about (10 MB strings, NUL bytes, path traversal in
export names, injection-looking ids, absurd dates). Figures go to RELIABILITY.md.
"""

from __future__ import annotations

import json
import re
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atoms_logs_mcp.api.query import Status
from conftest import count_figure, mcp_client, record_figure, text_of

pytestmark = pytest.mark.anyio

STATUSES = set(get_args(Status))
CLEAR = re.compile(r"^Error executing tool (\w+): (?!$)\S")
VALID = {
    "list_logs": {},
    "summarize_logs": {},
    "list_agents": {},
    "get_log": {"call_id": "CALL-1737000000000-abc123"},
    "search_by_call_ids": {"call_ids": ["CALL-1737000000000-abc123"]},
    "export_logs": {"format": "csv"},
    "watch_call": {"call_id": "CALL-1737000000000-abc123"},
    "get_agent": {"agent": "Support"},
    "diff_agent_versions": {"agent": "Support"},
}
WRONG_TYPES = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
NOT_A_CALL_ID = st.text(max_size=40).filter(lambda s: not re.fullmatch(r"CALL-\d{13}-[0-9a-fA-F]{6}", s))
JUNK_TIME = st.text(min_size=1, max_size=30).map(lambda s: "§" + s)
NOT_A_VERSION = st.one_of(
    st.text(max_size=30).filter(
        lambda s: not re.fullmatch(r"[vV]?\d{1,6}|[0-9a-fA-F]{24}|active", s.strip()) and not _json_the_sdk_decodes(s)
    ),
    WRONG_TYPES,
)
NOT_AN_AGENT = st.one_of(
    st.just(""), st.just("   "), st.text(min_size=65, max_size=100).filter(lambda s: len(s.strip()) > 64)
)


def _json_the_sdk_decodes(text: str) -> bool:
    """The SDK decodes a string argument that is JSON for a null, list or object (Claude Desktop sends lists that
    way): "null" for an optional argument is then no argument, not bad input."""
    try:
        return not isinstance(json.loads(text), str | int | float)
    except ValueError:
        return False


# tool -> argument -> strategy of values that must be rejected
BREAKERS: dict[str, dict[str, st.SearchStrategy]] = {
    "list_logs": {
        "statuses": st.one_of(
            WRONG_TYPES, st.lists(st.text(max_size=12).filter(lambda s: s not in STATUSES), min_size=1, max_size=3)
        ),
        "call_types": st.lists(st.sampled_from(["chat", "sms", "", "WEBCALL"]), min_size=1, max_size=2),
        "limit": st.one_of(
            st.integers(max_value=0),
            st.integers(min_value=101),
            st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=5),
        ),
        "page": st.one_of(st.integers(max_value=0), st.integers(min_value=100_001)),
        "since": JUNK_TIME,
        "until": JUNK_TIME,
        "search": st.one_of(st.just(""), st.text(min_size=101, max_size=300)),
        "agents": st.one_of(st.just([""]), st.lists(st.just("x" * 65), min_size=1, max_size=1)),
        "timezone": st.sampled_from(["Mars/Base", "UTC+25", "", "../etc/localtime"]),
        "sort_by": st.text(max_size=10).filter(
            lambda s: s not in {"created", "updated", "duration", "latency"} and not _json_the_sdk_decodes(s)
        ),
    },
    "summarize_logs": {
        "group_by": st.one_of(st.just([]), st.lists(st.sampled_from(["week", "caller", "cost"]), min_size=1)),
        "max_calls": st.one_of(st.integers(max_value=0), st.integers(min_value=200_001)),
        "durations": st.lists(st.sampled_from(["0-10", "60+", "long"]), min_size=1, max_size=2),
    },
    "list_agents": {"with_calls": st.sampled_from(["maybe", 3, [True]]), "since": JUNK_TIME},
    "get_log": {
        "call_id": NOT_A_CALL_ID,
        "include": st.lists(st.sampled_from(["everything", "audio", ""]), min_size=1, max_size=2),
        "transcript_from": st.integers(max_value=0),
    },
    "search_by_call_ids": {
        "call_ids": st.one_of(st.just([]), st.lists(NOT_A_CALL_ID, min_size=1, max_size=3), WRONG_TYPES),
        "start": st.integers(max_value=0),
    },
    "watch_call": {
        "call_id": NOT_A_CALL_ID,
        "seconds": st.one_of(st.floats(max_value=0), st.floats(min_value=120.001), st.sampled_from(["soon", [30]])),
        "after_event": st.one_of(st.just(""), st.text(min_size=201, max_size=400), WRONG_TYPES),
    },
    "get_agent": {
        "agent": NOT_AN_AGENT,
        "version": NOT_A_VERSION,
        "include": st.lists(st.sampled_from(["everything", "settings", ""]), min_size=1, max_size=2),
        "prompt_from": st.integers(max_value=0),
    },
    "diff_agent_versions": {"agent": NOT_AN_AGENT, "base": NOT_A_VERSION, "target": NOT_A_VERSION},
    "export_logs": {
        "format": st.text(max_size=6).filter(lambda s: s not in {"csv", "json"}),
        "file_name": st.sampled_from(
            ["../x.csv", "/etc/passwd", "a/b.csv", "..", ".hidden.csv", "x\x00.csv", "report.exe", "CON.csv", "x" * 121]
        ),
    },
}
CASES = [(tool, argument) for tool, arguments in BREAKERS.items() for argument in arguments]

CORPUS: list[tuple[str, dict]] = [
    ("list_logs", {"search": "x" * 10_000_000}),
    ("list_logs", {"since": "9999-12-31T23:59:59Z"}),
    ("list_logs", {"since": "1900-01-01"}),
    ("list_logs", {"until": "0000-00-00"}),
    ("list_logs", {"since": "2026-02-30"}),
    ("list_logs", {"since": "100000d"}),
    ("list_logs", {"since": "2026-11-20", "until": "2026-11-01"}),
    ("list_logs", {"statuses": ["failed"] * 10}),
    ("list_logs", {"agents": ["a"] * 51}),
    ("list_logs", {"campaign_ids": ["x\x00y"] * 60}),
    ("list_logs", {"limit": "20; DROP TABLE calls"}),
    ("list_logs", {"limit": 1e300}),
    ("list_logs", {"statuses": "failed,completed"}),
    ("get_log", {}),
    ("get_log", {"call_id": "CALL-1737000000000-abc123' OR '1'='1"}),
    ("get_log", {"call_id": "../../conversation?limit=500"}),
    ("get_log", {"call_id": "CALL-1737000000000-abc123\x00"}),
    ("get_log", {"call_id": "CALL-1737000000000-abc123/retries"}),
    ("get_log", {"call_id": "\u202eCALL-1737000000000-abc123"}),
    ("get_log", {"call_id": "x" * 10_000_000}),
    ("get_log", {"call_id": None}),
    ("search_by_call_ids", {"call_ids": ["CALL-1737000000000-abc123"] * 1001}),
    ("search_by_call_ids", {"call_ids": "CALL-1737000000000-abc123"}),
    ("search_by_call_ids", {"call_ids": [["CALL-1737000000000-abc123"]]}),
    ("export_logs", {"format": "csv", "file_name": "..\\..\\windows\\system32\\x.csv"}),
    ("export_logs", {"format": "csv", "file_name": "%2e%2e%2fx.csv"}),
    ("export_logs", {"format": "csv", "file_name": "x" * 10_000_000}),
    ("export_logs", {"format": "csv", "file_name": "~/.ssh/authorized_keys"}),
    ("export_logs", {"format": "xlsx"}),
    ("summarize_logs", {"group_by": ["status"] * 11}),
    ("summarize_logs", {"timezone": "Europe/Paris\x00"}),
    ("list_agents", {"page": -5}),
    ("search_by_call_ids", {"call_ids": ["CALL-1737000000000-abc123"], "page": 2}),
    ("list_logs", {"status": ["failed"]}),
    ("get_log", {"call_id": "CALL-1737000000000-abc123", "\x00evil": 1}),
]


def _unclear(tool: str, result) -> list[str]:
    """What is wrong with the answer to a bad call ([] when it is a short, clear tool error)."""
    text = text_of(result)
    if not result.is_error:
        return [f"{tool} accepted bad input: {text[:200]}"]
    match = CLEAR.match(text)
    if not (match and match.group(1) == tool):
        return [f"unclear error: {text[:200]!r}"]
    return [] if len(text) < 2_000 else [f"a message of {len(text)} characters: it must stay short"]


def _count(kind: str, tried: int, clear: int, requests: int) -> None:
    """What one test tried, for RELIABILITY.md (the report adds every test's counts)."""
    count_figure(
        "bad_input",
        **{kind: tried},
        cases_tried=tried,
        rejected_with_clear_message=clear,
        not_rejected_clearly=tried - clear,
        api_requests_for_them=requests,
    )


@pytest.fixture(scope="module")
async def client(_generated_server):
    """One MCP session for every example of this module (a session per example cost a minute of the suite)."""
    async with mcp_client(_generated_server, export_dir="/nonexistent/atoms-exports") as session:
        yield session


@pytest.mark.parametrize(("tool", "argument"), CASES, ids=[f"{t}.{a}" for t, a in CASES])
async def test_one_broken_argument_is_rejected_before_any_request(sandbox, client, tool, argument):
    """Hypothesis draws the broken values (up to 15 per argument); each goes through the module's one session."""
    values: list[object] = []

    @settings(max_examples=15, deadline=None, database=None)
    @given(value=BREAKERS[tool][argument])
    def drawn(value: object) -> None:
        values.append(value)

    drawn()
    sandbox.reset_stats()
    unclear = []
    for value in values:
        unclear += _unclear(tool, await client.call_tool(tool, {**VALID[tool], argument: value}))
    _count("property_cases", len(values), len(values) - len(unclear), sandbox.stats()["total"])
    assert values and not unclear, unclear[:3]
    assert sandbox.stats()["total"] == 0


async def test_hand_written_corpus_is_rejected_before_any_request(sandbox, tmp_path):
    sandbox.reset_stats()
    async with mcp_client(sandbox, export_dir=str(tmp_path / "exports")) as session:
        unclear = [
            problem
            for tool, arguments in CORPUS
            for problem in _unclear(tool, await session.call_tool(tool, arguments))
        ]
    _count("corpus_cases", len(CORPUS), len(CORPUS) - len(unclear), sandbox.stats()["total"])
    assert not unclear, unclear[:3]
    record_figure("bad_input", tools_covered=len(BREAKERS))
    assert sandbox.stats()["total"] == 0
    assert not (tmp_path / "exports").exists() or not any((tmp_path / "exports").iterdir())
