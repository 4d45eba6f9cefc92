"""Sanity checks of the round-3 dataset and its answer key (tests/data/make_round3_dataset.py).

Only the two JSON files are read: this checks that the answer key agrees with the records it names,
not the server."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
FINISHED = {"completed", "failed", "no_answer", "cancelled"}


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / "round3_dataset.json").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def exp() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / "round3_dataset_expected.json").read_text(encoding="utf-8"))
    return loaded


def _instant(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def _ids_in(obj: Any) -> set[str]:
    found: set[str] = set()
    text = json.dumps(obj)
    found.update(re.findall(r"CALL-\d{13}-[0-9a-f]{6}", text))
    return found


def test_every_call_id_named_in_expected_exists(data: dict[str, Any], exp: dict[str, Any]) -> None:
    ids = {c["callId"] for c in data["calls"]}
    assert len(ids) == len(data["calls"]) == exp["n_calls"]
    assert _ids_in(exp) <= ids
    for lower, canon in exp["lowercase_ids"].items():
        assert lower == canon.lower() and canon in ids and lower != canon


def test_call_ids_and_dates(data: dict[str, Any]) -> None:
    lo = dt.datetime(2026, 11, 6, tzinfo=dt.UTC)
    hi = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    assert 120 <= len(data["calls"]) <= 200
    for c in data["calls"]:
        t = _instant(c["createdAt"])
        assert lo <= t < hi
        assert int(c["callId"].split("-")[1]) == round(t.timestamp() * 1000)


def test_created_at_utc(data: dict[str, Any], exp: dict[str, Any]) -> None:
    by_id = {c["callId"]: c for c in data["calls"]}
    forms = set()
    for cid, v in exp["created_at_utc"].items():
        assert by_id[cid]["createdAt"] == v["createdAt"]
        assert _instant(v["createdAt"]).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") == v["utc"]
        forms.add(v["createdAt"][-6:] if v["createdAt"][-6] in "+-" else "Z")
    assert {"+05:30", "-08:00", "Z"} <= forms


def test_counts_add_up(data: dict[str, Any], exp: dict[str, Any]) -> None:
    assert sum(exp["calls_per_agent_id"].values()) == len(data["calls"])
    dr = exp["disconnect_reasons"]
    with_reason = sum(1 for c in data["calls"] if c.get("disconnectionReason"))
    assert sum(dr["all"].values()) == with_reason == len(data["calls"]) - len(dr["no_reason_call_ids"])
    roots_finished = sum(
        1
        for c in data["calls"]
        if c["status"] in FINISHED and c.get("retryAttemptNumber", 0) == 0 and c.get("disconnectionReason")
    )
    assert sum(dr["finished_first_attempts"].values()) == roots_finished
    assert len([r for r, n in dr["all"].items() if n <= 2]) >= 4
    assert set(dr["open_call_ids"]) <= set(dr["no_reason_call_ids"])
    unknown = exp["unknown_agent"]
    assert sum(exp["calls_per_agent_id"][a] for a in unknown["agent_ids"]) == len(unknown["call_ids"])
    assert not set(unknown["agent_ids"]) & {a["_id"] for a in data["agents"]}


def test_versions(data: dict[str, Any], exp: dict[str, Any]) -> None:
    by_id = {c["callId"]: c for c in data["calls"]}
    listed = set()
    for vs in exp["versions"].values():
        for v in vs.values():
            assert set(v["root_call_ids"]) <= set(v["all_call_ids"])
            for cid in v["all_call_ids"]:
                assert by_id[cid]["versionId"] == v["versionId"]
                listed.add(cid)
            for cid in v["root_call_ids"]:
                assert by_id[cid].get("retryAttemptNumber", 0) == 0
    a = exp["versions"][exp["regression"]["agent"]]
    assert all(a[v]["all_call_ids"] for v in ("v3", "v4", "v5"))
    assert len(exp["version_number_agents"]["v4"]) >= 2
    rest = {c["callId"] for c in data["calls"]} - listed
    assert rest == set(exp["unknown_agent"]["call_ids"]) | set(exp["unknown_version_call_ids"])


def test_regression_figures(exp: dict[str, Any]) -> None:
    r = exp["regression"]
    assert r["v3"]["calls"] >= 20 and r["v4"]["calls"] >= 20
    assert 400 <= r["v4"]["median_turn_ms"] - r["v3"]["median_turn_ms"] <= 600
    assert 400 <= r["hl_shift_v4_minus_v3_ms"] <= 600
    assert 0.7 < r["v4"]["median_duration_s"] / r["v3"]["median_duration_s"] < 1.3


def test_dedup_per_call_within_dataset_totals(exp: dict[str, Any]) -> None:
    d = exp["dedup"]
    assert d["per_call"]
    for v in d["per_call"].values():
        assert v["events_distinct"] < v["events_stored"]
        for fn, t in v["tools"].items():
            assert t["failures"] <= t["calls"] <= d["dataset_tools"][fn]["calls"]
        assert v["latency"]["turns"] <= d["dataset_latency"]["turns"]


def test_transcriptless(data: dict[str, Any], exp: dict[str, Any]) -> None:
    by_id = {c["callId"]: c for c in data["calls"]}
    kinds = set()
    for cid, v in exp["transcriptless"].items():
        c = by_id[cid]
        assert c["status"] == "completed" and not c.get("transcript")
        kinds.add(v["transcript_field"])
        assert v["lines"] and {w for w, _ in v["lines"]} == {"agent", "user"}
        assert v["dead_air_gaps_ms"] == [g for g in v["response_gaps_ms"] if g >= 3000]
        assert v["turn_latency"]["turns"] > 0
    assert kinds == {"absent", "null", "empty"}


def test_phrases_union_and_diagnostics(exp: dict[str, Any]) -> None:
    p = exp["phrases"]
    union = {tuple(x) for hits in p["matches"].values() for x in hits}
    assert union == {tuple(x) for x in p["union"]}
    assert all(p["matches"][k] for k in p["matches"])
    assert sum(len(h) for h in p["matches"].values()) > len(union)  # some entries match two phrases
    assert p["emoji_\U0001f600"]
    for d in exp["diagnostics"]["per_call"].values():
        keys = [(t[0], t[1]) for t in d["turn_outcomes"]]
        assert keys == sorted(keys)
        assert [b[0] for b in d["barge_ins"]] == sorted(b[0] for b in d["barge_ins"])
        assert d["no_reply_turns"] == sorted({t[0] for t in d["turn_outcomes"] if t[2] == "no_reply"})
        assert [tuple(x) for x in d["stored_order_turns"]] != keys  # stored shuffled
    assert len(exp["diagnostics"]["diagnostics_without_counts"]) == 1
    for offs in exp["pre_call"].values():
        assert offs and all(o["offset_s"] < 0 for o in offs)


def test_string_numbers_parse(exp: dict[str, Any]) -> None:
    for v in exp["hostile"]["string_numbers"].values():
        assert isinstance(v["duration"], str) and float(v["duration"]) > 0 and float(v["callCost"]) > 0
    assert exp["hostile"]["unknown_status"] and exp["hostile"]["injection_call_ids"]
