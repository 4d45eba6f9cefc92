"""Reading events and latency in any shape the API sends: the edge cases one at a time."""

from __future__ import annotations

import json

from atoms_logs_mcp.api.events import moment, number, read_events, tool_calls
from atoms_logs_mcp.api.models import CallDetail
from atoms_logs_mcp.domain.analysis import call_end, latency_report
from atoms_logs_mcp.render.events import timeline


def test_numbers_and_times_in_every_form_or_none():
    assert [number(v) for v in (3, "4.5", " 6 ", True, None, "x", float("nan"), 10**400, "1e400")] == [
        3.0,
        4.5,
        6.0,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    iso, epoch, millis = moment("2026-11-20T10:00:00Z"), moment(1795168800.0), moment("1795168800000")
    assert iso == epoch == millis
    assert moment("not a time") is None and moment({"a": 1}) is None


def test_both_type_keys_and_json_string_metadata_read_alike():
    plain = {"event_type": "tool_call_end", "timestamp": "2026-11-20T10:00:00Z", "function_name": "f", "success": True}
    live = {
        "eventType": "tool_call_end",
        "timestamp": 1795168800,
        "source": "atoms-orchestrator",
        "metadata": json.dumps({"function_name": "f", "success": True}),
    }
    first, second = read_events([plain, None, "junk", live])
    assert (first.kind, first.at, first.text("function_name")) == (second.kind, second.at, second.text("function_name"))
    assert second.source == "atoms-orchestrator"
    nested = "{" * 5000 + "}" * 5000
    assert read_events([{"event_type": "x", "metadata": nested}])[0].nested == {"metadata": {}}


def event(kind: str, at: float | None, **fields: object) -> dict[str, object]:
    return {"event_type": kind, **({"timestamp": 1795168800 + at} if at is not None else {}), **fields}


def test_tool_calls_pair_by_id_when_both_carry_one_else_by_name_in_order():
    tools = tool_calls(
        read_events(
            [
                event("tool_call_start", 1, function_name="lookup", tool_call_id="a"),
                event("tool_call_start", 2, function_name="lookup", tool_call_id="b"),
                event("tool_call_error", 3, function_name="lookup", tool_call_id="b", error="boom"),
                event("tool_call_end", 4, function_name="lookup", success="true", latency_ms="250"),
                event("tool_call_start", 5, function_name="end_call", tool_call_id="c"),
            ]
        )
    )
    assert [(t.call_id, t.outcome, t.latency_ms, t.error) for t in tools] == [
        ("a", "ok", 250.0, None),
        ("b", "failed", 1000.0, "boom"),
        ("c", "no result", None, None),
    ]


def test_an_end_with_another_id_does_not_take_a_start_it_does_not_name():
    tools = tool_calls(
        read_events(
            [
                event("tool_call_start", 1, function_name="f", tool_call_id="a"),
                event("tool_call_error", 2, function_name="f", tool_call_id="b", error="x"),
                event("tool_call_end", 3, function_name="f", tool_call_id="a", success=True),
            ]
        )
    )
    assert sorted((t.call_id, t.outcome) for t in tools) == [("a", "ok"), ("b", "failed")]


def test_an_error_right_after_its_calls_end_is_that_calls_error_not_another_call():
    """Seen in data shaped by others: an end with success false, then a tool_call_error with the text, no ids."""
    tools = tool_calls(
        read_events(
            [
                event("tool_call_start", 1, function_name="lookup"),
                event("tool_call_end", 2, function_name="lookup", success=False, latency_ms=725),
                event("tool_call_error", 2.001, function_name="lookup", error="upstream 502"),
                event("tool_call_error", 30, function_name="lookup", error="later, on its own"),
            ]
        )
    )
    assert [(t.outcome, t.latency_ms, t.error) for t in tools] == [
        ("failed", 725.0, "upstream 502"),
        ("failed", None, "later, on its own"),
    ]


def test_a_start_without_a_time_keeps_the_order_sent():
    tools = tool_calls(
        read_events([event("tool_call_start", None, function_name="f"), event("tool_call_end", 3, function_name="f")])
    )
    assert [(t.name, t.outcome) for t in tools] == [("f", "ok")]


def detail(**fields: object) -> CallDetail:
    return CallDetail.model_validate(
        {"callId": "CALL-1795168800000-abcdef", "createdAt": "2026-11-20T10:00:00Z", **fields}
    )


def test_all_unreadable_latencies_fall_back_to_transitions_then_events():
    transitions = [{"turn": 1, "latency": 700}, {"turn": 2, "latency": 900}]
    report = latency_report(detail(turnLatencyMetrics={"latencies": [None, "x"], "transitions": transitions}))
    assert report is not None and (report.measured, report.source) == (2, "turnLatencyMetrics.transitions")
    events = [event("turn_latency", 2, total_turn_ms=500, llm_api_ms=300, tts_api_ms=100, stt_api_ms=100)]
    report = latency_report(detail(turnLatencyMetrics={"latencies": [None]}, events=events))
    assert report is not None and (report.measured, report.source) == (1, "turn_latency events")
    assert report.components == {"llm": 0.6, "tts": 0.2, "stt": 0.2}
    assert latency_report(detail(turnLatencyMetrics={"latencies": None})) is None


def test_the_slowest_turn_is_located_by_its_own_position_after_a_null():
    transcript = [{"role": "agent" if i % 2 == 0 else "user", "content": f"line {i + 1}"} for i in range(8)]
    report = latency_report(detail(transcript=transcript, turnLatencyMetrics={"latencies": [100, None, 900]}))
    assert report is not None and (report.measured, report.unreadable) == (2, 1)
    # Latency n (from 0) comes before agent turn n + 1: the third latency before the fourth agent line, #7.
    assert report.slowest[0].latency_ms == 900 and report.slowest[0].turn_number == 7


def test_every_figure_comes_from_the_same_values_whatever_the_api_says():
    report = latency_report(
        detail(turnLatencyMetrics={"latencies": [100, 200, 300, 400], "medianLatency": 5000, "turns": 40})
    )
    assert report is not None
    assert (report.measured, report.median, report.avg, report.minimum, report.maximum) == (4, 250, 250, 100, 400)
    assert report.median <= report.p95 <= report.maximum


def test_an_impossible_duration_does_not_fail():
    assert call_end(detail(status="completed", duration=1e300)) is None
    assert detail(duration=10**400).duration is None


def test_a_count_of_one_reads_in_the_singular():
    events = read_events(
        [
            {"event_type": "turn_latency", "total_turn_ms": 900},
            {"event_type": "turn_outcome", "metadata": {"outcome": "replied"}},
            {"event_type": "metrics"},
            {"event_type": "metrics"},
        ]
    )
    lines, _ = timeline(events, None)
    assert lines[-1] == (
        "also: 2 pipeline metrics; 1 turn latency measurement (see Turn latency); 1 agent turn replied normally"
    )


def test_a_call_reads_each_event_once_and_in_order():
    """An id names one event of a kind (a tool call's id on its start and end names two); without an id, an event
    identical to an earlier one with its timestamp is that one again, while identical untimed events are kept."""
    start = event("tool_call_start", 1, event_id="x", function_name="f")
    end = event("tool_call_end", 2, event_id="x", function_name="f", success=True)
    untimed = {"event_type": "metrics", "value": 1}
    call = CallDetail.model_validate({"events": [end, start, start, end, {**end}, untimed, untimed]})
    # Timed events in time order in the places timed events hold, even beside untimed ones (they were left as sent).
    assert [e.kind for e in call.timeline] == ["tool_call_start", "tool_call_end", "metrics", "metrics"]
    timed = CallDetail.model_validate({"events": [end, start, start, end]})
    assert [e.kind for e in timed.timeline] == ["tool_call_start", "tool_call_end"], "all timed: in time order"
    assert [(t.outcome, t.latency_ms) for t in tool_calls(timed.timeline)] == [("ok", 1000.0)]
