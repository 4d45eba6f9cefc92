"""Event fields are read in one place (api/event_fields.py): the modules above the api name no event field, and
each reader reads every shape the live API sends (NOTES.md, "What the live API has been seen to send")."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

from atoms_logs_mcp.api import event_fields as ef
from atoms_logs_mcp.api.event_fields import FIELDS, EventKind, kind_of
from atoms_logs_mcp.api.events import CallEvent, read_event, read_events
from atoms_logs_mcp.api.models import CallDetail
from atoms_logs_mcp.domain.analysis import latency_report
from atoms_logs_mcp.domain.live_watch import LiveWatch
from atoms_logs_mcp.domain.signals import signals
from atoms_logs_mcp.render.events import timeline
from atoms_logs_mcp.render.live import LIVE_COUNTED

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "server" / "atoms_logs_mcp"
READERS_LIVE_IN = {"api", "sandbox"}
"""The api layer reads events; the sandbox writes them (its data names the fields)."""

# Words that are event field names and also something else above the api layer; each is allowed there for the
# reason given. A word that is only an event field (total_turn_ms, turn_index, function_name, event_type,
# metadata, ...) is allowed nowhere above the api.
ALSO_SOMETHING_ELSE = {
    "status": "a call's status (list rows, filters, export columns, overview lines)",
    "call_id": "a call's id (export columns, store rows, completions, the check command)",
    "attempt": "a call's retry attempt (callAttemptFilter, export columns) and the word in 'N attempts'",
    "reason": "the list's disconnection-reason column",
    "transcript": "a call's transcript: get_log's section name",
    "variables": "a call's input variables: get_log's overview line",
    "content": "a table name suffix of sqlite's full-text index (the store)",
    "latency": "get_log's section and analyze_calls' aspect, and the list's average-latency column",
    "metrics": "get_log's section and analyze_calls' aspect (disposition metrics), and the word 'metrics'",
    "turn": "the word 'turn' in answers, and the view's per-reply key (a transcript turn number)",
    "text": "the view's JSON key for a line's text, and the MCP content type 'text'",
    "type": "the view's JSON key for an entry's type, JSON Schema's 'type', pydantic's error type",
    "error": "the view's JSON key for a tool call's error, and the HTTP error envelope",
    "message": "the HTTP error envelope",
    "name": "an agent's or a disposition metric's name (agent list, agent config, the view)",
    "source": "the view's JSON key for where the latency figures came from",
    "outcome": "the view's JSON key for a tool call's outcome",
}


EVENT_LAYERS = {"domain", "render", "views", "tools"}
"""The layers above the api that take read events (config's and the store's lookups by name are not events')."""


def _outside_the_api(layers: set[str] | None = None) -> list[tuple[str, ast.AST]]:
    return [
        (str(path.relative_to(PACKAGE)), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
        if (top := path.relative_to(PACKAGE).parts[0]) not in READERS_LIVE_IN
        and (layers is None or top in layers)
        and "__pycache__" not in path.parts
    ]


def test_the_modules_above_the_api_name_no_event_field_and_no_event_kind() -> None:
    names = {alias for aliases in FIELDS.values() for alias in aliases} | {kind.value for kind in EventKind}
    assert {"total_turn_ms", "llm_api_ms", "turn_index", "function_name", "tool_call_id", "event_type"} <= names
    assert set(ALSO_SOMETHING_ELSE) <= names, "an allowed word no alias list holds any more: drop it from the list"
    found = [
        f"{module}:{node.lineno} {node.value!r}"
        for module, tree in _outside_the_api()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in names and node.value not in ALSO_SOMETHING_ELSE
    ]
    assert not found, "read event fields and kinds through api/event_fields.py: " + ", ".join(found)


def test_the_modules_above_the_api_do_not_look_inside_an_event() -> None:
    """No `event.number("...")` / `.text("...")` / `.value("...")` by name, and no `.nested` or `.fields`: the
    generic lookups are the readers' tools, so an allowed word above cannot be read as an event field either."""
    found = []
    for module, tree in _outside_the_api(EVENT_LAYERS):
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("nested", "fields"):
                found.append(f"{module}:{node.lineno} .{node.attr}")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("number", "text", "value")
                and any(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args)
            ):
                found.append(f"{module}:{node.lineno} .{node.func.attr}(...)")
    assert not found, found


def test_the_kinds_are_the_spec_list_and_those_seen_live() -> None:
    notes = (ROOT / "docs" / "atoms-api" / "NOTES.md").read_text(encoding="utf-8")
    listed = re.search(r"Types: ([a-z_, ]+)\.", notes)
    assert listed, "the spec's event-type list moved in NOTES.md"
    spec = {name.strip() for name in listed.group(1).split(",")}
    seen = {"call_queued", "turn_outcome", "barge_in", "llm_full_response_end", "agent.log"}
    assert {kind.value for kind in EventKind} == spec | seen


def one(**raw: Any) -> CallEvent:
    return read_event({"event_type": "turn_latency", **raw})


@pytest.mark.parametrize(
    "event",
    [
        one(total_turn_ms=900),
        one(metadata={"total_turn_ms": 900}),
        one(metrics={"total_turn_ms": 900}),
        one(context={"total_turn_ms": 900}),
        one(metadata=json.dumps({"total_turn_ms": "900"})),
        one(metrics=' {"total_turn_ms": " 900 "}'),
        one(total_turn_ms=None, metadata={"total_turn_ms": 900.0}),
        one(turn_latency="900"),
        one(latency_ms=900),
        one(metadata={"latency": 900}),
    ],
    ids=[
        "top-level",
        "metadata",
        "metrics",
        "context",
        "metadata-json-string",
        "metrics-json-string-padded",
        "top-level-null-falls-through",
        "turn_latency-alias",
        "latency_ms-alias",
        "latency-alias-nested",
    ],
)
def test_the_total_turn_time_in_every_shape(event: CallEvent) -> None:
    assert ef.total_turn_ms(event) == 900.0


def test_the_first_name_and_the_top_level_win() -> None:
    both = one(latency=1, total_turn_ms=2)
    assert ef.total_turn_ms(both) == 2.0
    assert ef.total_turn_ms(one(total_turn_ms="x", latency_ms=3)) == 3.0  # an unreadable value is skipped
    assert ef.total_turn_ms(one(total_turn_ms=4, metadata={"total_turn_ms": 5})) == 4.0
    assert ef.total_turn_ms(one(metadata={"total_turn_ms": 5}, metrics={"total_turn_ms": 6})) == 5.0


def test_numbers_as_strings_and_what_is_not_a_number() -> None:
    event = one(turn_index=" 3 ", llm_api_ms="410.5", tts_api_ms=True, stt_api_ms=None, attempt="2")
    assert (ef.turn_index(event), ef.llm_ms(event), ef.tts_ms(event), ef.stt_ms(event)) == (3, 410.5, None, None)
    assert ef.latency_parts(event) == {"llm": 410.5, "tts": None, "stt": None}
    assert ef.attempt(event) == 2.0
    assert ef.turn_index(one(turn="4.6")) == 5 and ef.turn_index(one(turn_index="n/a")) is None


def test_nulls_and_an_unreadable_nested_object_give_none() -> None:
    event = read_event({"event_type": "turn_latency", "total_turn_ms": None, "metadata": None, "metrics": "{not json"})
    assert ef.total_turn_ms(event) is None and ef.turn_index(event) is None
    assert ef.metadata(event) == {} and ef.error_value(event) is None and ef.error_text(event) is None
    assert ef.events_emitted(event) is None and ef.latency_parts(event) == {"llm": None, "tts": None, "stt": None}


def test_the_kind_under_any_of_its_names_and_an_unknown_kind_kept() -> None:
    kinds = read_events(
        [{"event_type": "call_end"}, {"eventType": "call_end"}, {"type": "call_end"}, {"event_type": "new_thing"}, {}]
    )
    assert [e.kind for e in kinds] == ["call_end", "call_end", "call_end", "new_thing", ""]
    assert [kind_of(e) for e in kinds] == [EventKind.CALL_END] * 3 + [None, None]
    unknown = read_event({"event_type": "new_thing", "eventId": 7, "metadata": '{"x": 1}', "y": [1]})
    assert (unknown.event_id, ef.all_fields(unknown)) == ("7", {"y": [1], "x": 1})
    assert ef.total_turn_ms(unknown) is None and ef.tool_name(unknown) is None
    assert timeline([unknown], None) == (["[  ?  ] new_thing: y=[1], x=1"], 0)


def test_tool_fields_under_each_name() -> None:
    start = read_event({"event_type": "tool_call_start", "metadata": {"tool_name": " lookup ", "toolCallId": "c1"}})
    assert (ef.tool_name(start), ef.tool_call_id(start)) == ("lookup", "c1")
    named = read_event({"event_type": "tool_call_end", "name": "f", "function_name": "g", "duration_ms": "12"})
    assert (ef.tool_name(named), ef.latency_ms(named), ef.success(named)) == ("g", 12.0, None)
    assert ef.success(read_event({"success": "false"})) is False and ef.success(read_event({"success": 1})) is None


def test_error_text_and_words() -> None:
    as_text = read_event({"event_type": "agent_error", "error": "timeout"})
    as_object = read_event({"event_type": "agent_error", "metadata": json.dumps({"error": {"message": "boom"}})})
    bare = read_event({"event_type": "agent_error", "error": {"code": 5}})
    assert (ef.error_text(as_text), ef.error_words(as_text)) == ("timeout", "timeout")
    assert (ef.error_text(as_object), ef.error_words(as_object)) == ('{"message": "boom"}', "boom")
    assert (ef.error_text(bare), ef.error_words(bare)) == ('{"code": 5}', "{'code': 5}")


def test_call_end_diagnostics_as_objects_or_json_strings() -> None:
    nested = {"diagnostics": json.dumps({"counts": json.dumps({"events_emitted": "12"})}), "call_status": "completed"}
    for raw in ({"metadata": nested}, {"metadata": json.dumps(nested)}, nested):
        event = read_event({"event_type": "call_end", **raw})
        assert (ef.events_emitted(event), ef.call_status(event)) == (12.0, "completed")
    assert ef.events_emitted(read_event({"diagnostics": {"counts": {"events_emitted": 0}}})) == 0.0


def test_speech_heard_live_and_a_transcription_not_final() -> None:
    watch = LiveWatch(None)
    watch.add({"event_type": "user_transcription", "metadata": json.dumps({"transcript": "hello"})})
    watch.add({"event_type": "tts_completed", "text": "hi there", "is_final": True})
    watch.add({"event_type": "user_transcription", "text": "not yet", "is_final": False})
    watch.add({"event_type": "call_end", "metadata": {"status": "completed"}})
    assert [(line.speaker, line.text) for line in watch.lines] == [("user", "hello"), ("agent", "hi there")]
    assert watch.end_status == "completed"


def test_the_modules_that_once_disagreed_now_read_alike() -> None:
    """A turn_latency sending only `latency` and a turn_outcome sending only `turn`: once read by one module and
    not another, now by the latency section, the signals and the timeline alike."""
    call = CallDetail.model_validate(
        {
            "callId": "CALL-1795168800000-abc123",
            "status": "completed",
            "transcript": [{"role": "user", "content": "hi"}, {"role": "agent", "content": "hello"}],
            "events": [
                {"event_type": "turn_latency", "turn": 2, "metadata": {"latency": "4200"}},
                {"event_type": "turn_outcome", "turn": 2, "outcome": "no_reply"},
            ],
        }
    )
    report = latency_report(call)
    assert report is not None and report.values == (4200.0,)
    found = signals(call)
    assert found.dead_air == [(2, 4200.0)] and found.unanswered_turns == [2]
    lines, _ = timeline(call.timeline, None, counted_kinds=LIVE_COUNTED)  # as watch_call shows them
    assert lines[:2] == ["[  ?  ] turn 2 latency 4200 ms", "[  ?  ] agent turn 2: no_reply"]


@pytest.mark.parametrize("kind", ["tool_call_end", "pre_call_api", "post_call_api", "knowledgebase"])
def test_a_time_sent_under_two_names_reads_alike_for_every_kind(kind: str) -> None:
    """`latency_ms` (the name NOTES gives) wins over `latency` for tool calls, API calls and lookups alike."""
    event = read_event({"event_type": kind, "latency_ms": 120, "latency": 999, "duration_ms": 5})
    assert ef.latency_ms(event) == 120
    assert ef.latency_ms(read_event({"event_type": kind, "metadata": {"latency": "999"}})) == 999
