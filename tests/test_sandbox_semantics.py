"""The sandbox answers exactly as NOTES.md says the Atoms API does, on a dataset we did not make.

Every request here is a plain HTTP request over loopback against `foreign_sandbox`, which serves
tests/data/foreign_dataset.json (built from the spec alone). The expected answers come from
tests/data/foreign_dataset_expected.json, computed independently by the dataset's author; where
that file has no answer (campaign and version counts, boundary durations), the expectation is
counted with plain logic straight from the foreign records, never from the sandbox's own code.

What this proves, per NOTES.md: the list defaults (limit 5, root calls only, `updatedAt desc`), the
500 clamp, every filter alone and comma-separated, the inclusive date window, sorting and the
pagination block across pages, search by ids (1..100, retries included, three fields omitted),
detail, retry families, recording URLs, agents, the 401/400/404 envelopes, and that no query
string or JSON body, however hostile, makes the sandbox answer anything but 200 or 400.
"""

from __future__ import annotations

import json
import math
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SANDBOX_KEY

AUTH = {"Authorization": f"Bearer {SANDBOX_KEY}"}
LIST_PARAMS = (
    "page",
    "limit",
    "agentIds",
    "campaignIds",
    "callTypes",
    "search",
    "statusFilter",
    "disconnectReasonFilter",
    "callAttemptFilter",
    "durationFilter",
    "sortBy",
    "sortOrder",
    "dateFrom",
    "dateTo",
    "versionFilter",
)
SEARCH_OMITTED = ("dispositionMetrics", "agentDispositionConfig", "versionNumber")
UNKNOWN_CALL = "CALL-1000000000000-abcdef"


# Helpers ----------------------------------------------------------------------------------------


@pytest.fixture
def api(foreign_sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=foreign_sandbox.base_url, headers=AUTH, timeout=10) as client:
        yield client


def listing(api: httpx.Client, **params: Any) -> dict[str, Any]:
    response = api.get("/conversation", params=params)
    assert response.status_code == 200, (params, response.text[:300])
    body = response.json()
    assert body["status"] is True
    return body["data"]  # type: ignore[no-any-return]


def total(api: httpx.Client, **params: Any) -> int:
    return int(listing(api, limit=1, **params)["pagination"]["total"])


def every_row(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    """All matching rows: the dataset has 220 calls, so one page of 500 holds them all."""
    data = listing(api, limit=500, **params)
    assert data["pagination"]["hasMore"] is False
    assert len(data["logs"]) == data["pagination"]["total"]
    return data["logs"]  # type: ignore[no-any-return]


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["callId"] for row in rows]


def assert_error(response: httpx.Response, status: int, *messages: str) -> None:
    """The spec's error envelope: `{"status": false, "errors": ["..."]}`."""
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "errors"}, body
    assert body["status"] is False
    assert isinstance(body["errors"], list) and body["errors"]
    assert all(isinstance(error, str) and error for error in body["errors"])
    if messages:
        assert body["errors"] == list(messages)


def is_root(record: dict[str, Any]) -> bool:
    # As the dataset's author counts them: retryAttemptNumber 0 or missing.
    return not record.get("retryAttemptNumber")


@pytest.fixture(scope="module")
def records(foreign_dataset) -> dict[str, dict[str, Any]]:
    return {record["callId"]: record for record in foreign_dataset["calls"]}


@pytest.fixture(scope="module")
def root_ids(foreign_dataset) -> set[str]:
    return {record["callId"] for record in foreign_dataset["calls"] if is_root(record)}


# Defaults and the limit clamp -------------------------------------------------------------------


def test_default_page_is_five_root_calls_newest_update_first(api, foreign_expected):
    data = listing(api)
    assert ids(data["logs"]) == foreign_expected["roots_updatedAt_desc_first10"][:5]
    assert data["pagination"] == {
        "total": foreign_expected["root_calls"],
        "page": 1,
        "limit": 5,
        "hasMore": True,
        "totalPages": math.ceil(foreign_expected["root_calls"] / 5),
    }
    assert all(not row.get("retryAttemptNumber") for row in data["logs"])
    assert isinstance(data["dispositionMetricsConfig"], list)


def test_default_lists_only_root_calls(api, foreign_expected, root_ids):
    rows = every_row(api)
    assert len(rows) == foreign_expected["root_calls"]
    assert set(ids(rows)) == root_ids


@pytest.mark.parametrize("asked", ["500", "501", "1000", "99999"])
def test_limit_is_clamped_at_500(api, foreign_expected, asked):
    data = listing(api, limit=asked, callAttemptFilter="all")
    assert data["pagination"]["limit"] == 500
    assert data["pagination"]["totalPages"] == 1 and data["pagination"]["hasMore"] is False
    assert len(data["logs"]) == foreign_expected["total_calls"]


# Filters ----------------------------------------------------------------------------------------


def test_status_filter_counts(api, foreign_expected):
    for status, count in foreign_expected["roots_by_status"].items():
        rows = every_row(api, statusFilter=status)
        assert len(rows) == count, status
        assert {row["status"] for row in rows} == {status}


def test_status_filter_counts_retries_too_with_attempt_all(api, foreign_expected):
    for status, count in foreign_expected["all_by_status"].items():
        assert total(api, statusFilter=status, callAttemptFilter="all") == count, status


def test_disconnect_reason_filter_counts(api, foreign_expected):
    # "(none)" is the expected file's bucket for absent/null/"" reasons: nothing to filter on.
    named = {k: v for k, v in foreign_expected["roots_by_disconnectionReason"].items() if k != "(none)"}
    for reason, count in named.items():
        rows = every_row(api, disconnectReasonFilter=reason)
        assert len(rows) == count, reason
        assert {row["disconnectionReason"] for row in rows} == {reason}
    assert sum(named.values()) + foreign_expected["roots_by_disconnectionReason"]["(none)"] == total(api)


def test_agent_filter_counts(api, foreign_expected):
    for agent_id, count in foreign_expected["roots_by_agentId"].items():
        rows = every_row(api, agentIds=agent_id)
        assert len(rows) == count and {row["agentId"] for row in rows} == {agent_id}


def test_call_type_filter_counts(api, foreign_expected):
    for call_type, count in foreign_expected["roots_by_type"].items():
        rows = every_row(api, callTypes=call_type)
        assert len(rows) == count and {row["type"] for row in rows} == {call_type}


def test_campaign_and_version_filters_match_the_records(api, foreign_dataset):
    roots = [r for r in foreign_dataset["calls"] if is_root(r)]
    campaigns = {r["campaignId"] for r in roots if r.get("campaignId")}
    versions = {r["versionId"] for r in roots if r.get("versionId")}
    assert len(campaigns) >= 2 and len(versions) >= 5
    for campaign in campaigns:
        expected = sorted(r["callId"] for r in roots if r.get("campaignId") == campaign)
        assert sorted(ids(every_row(api, campaignIds=campaign))) == expected
    for version in versions:
        expected = sorted(r["callId"] for r in roots if r.get("versionId") == version)
        assert sorted(ids(every_row(api, versionFilter=version))) == expected


BUCKET_BOUNDS = {"0-30": (0, 30), "30-60": (30, 60), "1-5": (60, 300), "5+": (300, math.inf)}


def test_duration_filter_counts_and_bounds(api, foreign_expected):
    for bucket, count in foreign_expected["roots_by_duration_bucket"].items():
        rows = every_row(api, durationFilter=bucket)
        assert len(rows) == count, bucket
        low, high = BUCKET_BOUNDS[bucket]
        assert all(low <= row["duration"] < high for row in rows), bucket


@pytest.mark.parametrize(
    ("duration", "bucket"),
    [
        (0, "0-30"),
        (29.9, "0-30"),
        (30, "30-60"),
        (59, "30-60"),
        (59.99, "30-60"),
        (60, "1-5"),
        (299, "1-5"),
        (299.999, "1-5"),
        (300, "5+"),
    ],
)
def test_duration_boundaries_fall_in_the_notes_bucket(api, duration, bucket):
    """NOTES: `0-30` is 0 <= d < 30, `30-60` 30 <= d < 60, `1-5` 60 <= d < 300, `5+` d >= 300."""
    durations = {}
    for name in BUCKET_BOUNDS:
        durations[name] = {row["duration"] for row in every_row(api, durationFilter=name)}
    holders = [name for name, values in durations.items() if duration in values]
    assert holders == [bucket]


def test_search_is_a_substring_of_from_or_to(api, foreign_expected):
    case = foreign_expected["phone_search"]
    rows = every_row(api, search=case["search"])
    assert sorted(ids(rows)) == sorted(case["callIds"])
    assert all(case["search"] in row["from"] + " " + row["to"] for row in rows)


def test_search_matches_call_ids_case_insensitively(api, foreign_expected):
    long_call = foreign_expected["long_transcript_callId"]
    assert ids(every_row(api, search=long_call.lower())) == [long_call]
    assert ids(every_row(api, search=long_call[5:18])) == [long_call]  # the timestamp part alone
    assert every_row(api, search="no-such-call-anywhere") == []


def test_call_attempt_filter(api, foreign_expected):
    assert total(api, callAttemptFilter="initial") == foreign_expected["root_calls"]
    assert total(api, callAttemptFilter="all") == foreign_expected["total_calls"]
    retries = every_row(api, callAttemptFilter="retry")
    assert len(retries) == foreign_expected["retry_calls"]
    assert all(row["retryAttemptNumber"] >= 1 for row in retries)
    # Comma-separated, like every other list filter.
    assert total(api, callAttemptFilter="initial,retry") == foreign_expected["total_calls"]


def test_comma_separated_values_are_a_union(api, foreign_expected):
    by_status = foreign_expected["roots_by_status"]
    by_type = foreign_expected["roots_by_type"]
    by_bucket = foreign_expected["roots_by_duration_bucket"]
    by_reason = foreign_expected["roots_by_disconnectionReason"]
    by_agent = foreign_expected["roots_by_agentId"]
    assert total(api, statusFilter="completed,failed") == by_status["completed"] + by_status["failed"]
    assert total(api, statusFilter="busy,no_answer") == by_status["busy"] + by_status["no_answer"]
    assert total(api, callTypes="webcall,telephony_inbound") == by_type["webcall"] + by_type["telephony_inbound"]
    assert total(api, durationFilter="0-30,5+") == by_bucket["0-30"] + by_bucket["5+"]
    assert total(api, disconnectReasonFilter="voicemail,dial_no_answer,busy") == (
        by_reason["voicemail"] + by_reason["dial_no_answer"] + by_reason["busy"]
    )
    two_agents = list(by_agent)[:2]
    assert total(api, agentIds=",".join(two_agents)) == sum(by_agent[a] for a in two_agents)
    assert total(api, durationFilter=",".join(BUCKET_BOUNDS)) == foreign_expected["root_calls"]


def test_filters_combine_as_an_intersection(api, foreign_dataset):
    roots = [r for r in foreign_dataset["calls"] if is_root(r)]
    expected = sorted(
        r["callId"]
        for r in roots
        if r["status"] in ("completed", "failed") and r["type"] == "telephony_outbound" and r["duration"] >= 60
    )
    rows = every_row(api, statusFilter="completed,failed", callTypes="telephony_outbound", durationFilter="1-5,5+")
    assert sorted(ids(rows)) == expected and expected


def test_date_window_is_inclusive_on_created_at(api, foreign_expected):
    window = foreign_expected["date_window"]
    rows = every_row(api, dateFrom=window["dateFrom"], dateTo=window["dateTo"], sortBy="createdAt", sortOrder="asc")
    assert ids(rows) == window["callIds"]
    assert len(rows) == window["count"]
    # The calls created exactly on each edge are in; one millisecond outside is out.
    assert ids(every_row(api, dateFrom=window["dateFrom"], dateTo=window["dateFrom"])) == [window["callIds"][0]]
    assert ids(every_row(api, dateFrom=window["dateTo"], dateTo=window["dateTo"])) == [window["callIds"][-1]]
    assert every_row(api, dateFrom="2026-10-09T23:59:59.999Z", dateTo="2026-10-09T23:59:59.999Z")
    assert every_row(api, dateFrom="2026-10-13T00:00:00.000Z", dateTo="2026-10-13T00:00:00.000Z")


def test_date_bounds_alone(api, foreign_expected, records, root_ids):
    start = "2026-10-20T00:00:00.000Z"
    after = {c for c in root_ids if records[c]["createdAt"] >= start}
    assert set(ids(every_row(api, dateFrom=start))) == after
    assert set(ids(every_row(api, dateTo=start))) == root_ids - after
    # An equivalent instant in another offset selects the same calls.
    assert set(ids(every_row(api, dateFrom="2026-10-20T05:30:00.000+05:30"))) == after


# Sorting and pagination -------------------------------------------------------------------------


def test_default_sort_is_updated_at_descending(api, foreign_expected):
    expected = foreign_expected["roots_updatedAt_desc_first10"]
    assert ids(listing(api, limit=10)["logs"]) == expected
    assert ids(listing(api, limit=10, sortBy="updatedAt", sortOrder="desc")["logs"]) == expected
    assert ids(listing(api, limit=10, sortBy="updatedAt")["logs"]) == expected


def test_sort_by_duration_ascending(api, foreign_expected):
    rows = listing(api, limit=10, sortBy="callDuration", sortOrder="asc")["logs"]
    assert [row["duration"] for row in rows] == foreign_expected["roots_callDuration_asc_first10_durations"]


def _sort_key(field: str, row: dict[str, Any]) -> Any:
    match field:
        case "createdAt" | "updatedAt":
            return datetime.fromisoformat(row[field].replace("Z", "+00:00"))
        case "callDuration":
            return row["duration"]
        case _:
            return (row.get("turnLatencyMetrics") or {}).get("avgLatency")


@pytest.mark.parametrize("field", ["createdAt", "updatedAt", "callDuration", "avgLatency"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_every_sort_orders_the_whole_set(api, foreign_expected, field, order):
    rows = every_row(api, sortBy=field, sortOrder=order, callAttemptFilter="all")
    assert len(rows) == foreign_expected["total_calls"]
    # Calls without the value (no turnLatencyMetrics) have no place the spec defines: only the
    # calls that have one are checked for order.
    keys = [k for k in (_sort_key(field, row) for row in rows) if k is not None]
    assert keys == sorted(keys, reverse=order == "desc")
    assert len(keys) > 50


@pytest.mark.parametrize("page_size", [7, 50, 199])
def test_pages_concatenate_to_the_whole_set(api, foreign_expected, root_ids, page_size):
    expected_total = foreign_expected["root_calls"]
    pages = math.ceil(expected_total / page_size)
    seen: list[str] = []
    for page in range(1, pages + 1):
        data = listing(api, page=page, limit=page_size)
        assert data["pagination"] == {
            "total": expected_total,
            "page": page,
            "limit": page_size,
            "hasMore": page < pages,
            "totalPages": pages,
        }
        expected_size = page_size if page < pages else expected_total - page_size * (pages - 1)
        assert len(data["logs"]) == expected_size
        seen += ids(data["logs"])
    assert len(seen) == len(set(seen)) == expected_total
    assert set(seen) == root_ids
    assert seen == ids(every_row(api))  # same order as the single big page
    beyond = listing(api, page=pages + 1, limit=page_size)
    assert beyond["logs"] == [] and beyond["pagination"]["hasMore"] is False
    assert beyond["pagination"]["total"] == expected_total


def test_pagination_follows_filters(api, foreign_expected):
    count = foreign_expected["roots_by_status"]["failed"]
    data = listing(api, statusFilter="failed", limit=10, page=2)
    assert data["pagination"] == {
        "total": count,
        "page": 2,
        "limit": 10,
        "hasMore": count > 20,
        "totalPages": math.ceil(count / 10),
    }
    empty = listing(api, statusFilter="no-such-status")
    assert empty["logs"] == [] and empty["pagination"]["total"] == 0 and empty["pagination"]["hasMore"] is False


# Search by ids ----------------------------------------------------------------------------------


def test_search_in_batches_finds_the_expected_calls(api, foreign_expected, records):
    case = foreign_expected["search_test"]
    found: list[str] = []
    for batch in case["batches"]:
        response = api.post("/conversation/search", json={"callIds": batch["callIds"]})
        assert response.status_code == 200, response.text[:300]
        data = response.json()["data"]
        assert set(data) == {"logs", "total", "requestedCount"}
        assert sorted(ids(data["logs"])) == batch["expected_found"]
        assert data["total"] == len(batch["expected_found"]) == len(data["logs"])
        assert data["requestedCount"] == len(batch["callIds"])
        for row in data["logs"]:
            for field in SEARCH_OMITTED:
                assert field not in row, (row["callId"], field)
        found += ids(data["logs"])
    assert sorted(found) == case["expected_found"]
    assert not set(found) & set(case["unknown"])
    # Unlike the list, search returns retry calls.
    assert any(records[c].get("retryAttemptNumber") for c in found)


def test_search_of_all_150_ids_at_once_is_rejected(api, foreign_expected):
    response = api.post("/conversation/search", json={"callIds": foreign_expected["search_test"]["callIds"]})
    assert_error(response, 400, "Invalid input")


def test_search_of_only_unknown_ids_is_empty(api, foreign_expected):
    unknown = foreign_expected["search_test"]["unknown"]
    response = api.post("/conversation/search", json={"callIds": unknown})
    assert response.status_code == 200
    assert response.json()["data"] == {"logs": [], "total": 0, "requestedCount": len(unknown)}


def test_search_rows_carry_the_list_row_fields(api, foreign_expected):
    """A searched row is the list row minus the three omitted fields."""
    first_ten = foreign_expected["roots_updatedAt_desc_first10"]
    listed = {row["callId"]: row for row in listing(api, limit=10)["logs"]}
    searched = api.post("/conversation/search", json={"callIds": first_ten}).json()["data"]["logs"]
    assert len(searched) == 10
    for row in searched:
        assert row == {k: v for k, v in listed[row["callId"]].items() if k not in SEARCH_OMITTED}


# One call ---------------------------------------------------------------------------------------


def test_detail_of_the_160_turn_call(api, foreign_expected, records):
    call_id = foreign_expected["long_transcript_callId"]
    response = api.get(f"/conversation/{call_id}")
    assert response.status_code == 200
    data = response.json()["data"]
    transcript = data["transcript"]
    assert len(transcript) == 160
    assert [turn["role"] for turn in transcript] == ["agent", "user"] * 80
    assert transcript == records[call_id]["transcript"]
    assert data["agent"]["name"] == foreign_expected["agent_names"][data["agentId"]]
    assert data["turnLatencyMetrics"]["turns"] == 160


def test_detail_returns_the_record_as_stored(api, records):
    """Extra fields (NOTES "Detail omissions"), unknown fields and odd events are all passed through."""
    sample = list(records)[::9] + [c for c, r in records.items() if "legacyChannel" in r or "x_shard" in r]
    sample += [c for c, r in records.items() if any(e.get("event_type") == "custom_thing" for e in r["events"])]
    for call_id in sample:
        response = api.get(f"/conversation/{call_id}")
        assert response.status_code == 200, call_id
        assert response.json()["data"] == records[call_id], call_id


def test_detail_of_an_unknown_call_is_404(api):
    assert_error(api.get(f"/conversation/{UNKNOWN_CALL}"), 404)


# Retry families ---------------------------------------------------------------------------------


def test_retries_return_the_family_parent_first_from_any_member(api, foreign_expected, records):
    families = foreign_expected["retry_families"]
    assert families
    for family in families.values():
        for member in family:
            response = api.get(f"/conversation/{member}/retries")
            assert response.status_code == 200, member
            rows = response.json()["data"]["retries"]
            assert ids(rows) == family, member
            assert [row.get("retryAttemptNumber", 0) for row in rows] == list(range(len(family)))
            assert all("transcript" not in row for row in rows)  # shaped like list rows


def test_retries_of_a_call_never_retried_is_itself(api, foreign_expected, records):
    family_members = {c for family in foreign_expected["retry_families"].values() for c in family}
    lonely = next(c for c, r in records.items() if c not in family_members)
    rows = api.get(f"/conversation/{lonely}/retries").json()["data"]["retries"]
    assert ids(rows) == [lonely]


def test_retries_of_an_unknown_call_is_404(api):
    assert_error(api.get(f"/conversation/{UNKNOWN_CALL}/retries"), 404)


# Recordings -------------------------------------------------------------------------------------


def test_recording_url_for_a_call_with_audio(api, records):
    call_id = next(c for c, r in records.items() if r.get("recordingUrl"))
    response = api.get(f"/conversation/{call_id}/recording/download-url")
    assert response.status_code == 200
    url = response.json()["data"]["presignedUrl"]
    assert url.startswith("https://") and call_id in url


def test_recording_url_is_404_without_audio(api, records):
    silent = [c for c, r in records.items() if not r.get("recordingUrl")]
    assert silent
    for call_id in silent[:5]:
        assert_error(api.get(f"/conversation/{call_id}/recording/download-url"), 404)
    assert_error(api.get(f"/conversation/{UNKNOWN_CALL}/recording/download-url"), 404)


@pytest.mark.parametrize("bad_id", ["abc", "CALL-123-abc", "CALL-1790857732395-A502E8", "CALL-1790857732395-a502e8x"])
def test_recording_url_is_400_for_a_malformed_call_id(api, bad_id):
    assert_error(api.get(f"/conversation/{bad_id}/recording/download-url"), 400, "Invalid call ID format")


def test_recording_url_is_400_for_a_mongo_id(api, records):
    """The spec's own example of a malformed id: the Mongo `_id` instead of the callId."""
    mongo_id = next(iter(records.values()))["_id"]
    assert_error(api.get(f"/conversation/{mongo_id}/recording/download-url"), 400, "Invalid call ID format")


def test_recording_url_is_400_for_a_call_id_with_a_trailing_newline(api, records):
    """`CALL-...-a502e8\\n` is not `CALL-{13 digits}-{6 hex}`, so it is a malformed id (400), not an
    unknown one (404). Regression: `CALL_ID.match` with a `$`-terminated pattern let the newline through."""
    call_id = next(c for c, r in records.items() if r.get("recordingUrl"))
    assert_error(api.get(f"/conversation/{call_id}%0A/recording/download-url"), 400, "Invalid call ID format")


# Agents -----------------------------------------------------------------------------------------


def test_agent_list(api, foreign_expected, foreign_dataset):
    response = api.get("/agent")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["total"] == len(foreign_expected["agent_names"]) == len(data["agents"])
    assert {a["_id"]: a["name"] for a in data["agents"]} == foreign_expected["agent_names"]
    # Default sort per the spec: createdAt desc.
    newest_first = sorted(foreign_dataset["agents"], key=lambda a: a["createdAt"], reverse=True)
    assert [a["_id"] for a in data["agents"]] == [a["_id"] for a in newest_first]


def test_agent_list_pages_by_offset(api, foreign_expected):
    first = api.get("/agent", params={"offset": 3}).json()["data"]
    second = api.get("/agent", params={"offset": 3, "page": 2}).json()["data"]
    assert first["total"] == second["total"] == len(foreign_expected["agent_names"])
    assert len(first["agents"]) == 3 and len(second["agents"]) == 1
    assert {a["_id"] for a in first["agents"] + second["agents"]} == set(foreign_expected["agent_names"])


def test_agent_detail(api, foreign_expected):
    for agent_id, name in foreign_expected["agent_names"].items():
        response = api.get(f"/agent/{agent_id}")
        assert response.status_code == 200
        data = response.json()["data"]
        assert data["_id"] == agent_id and data["name"] == name


def test_unknown_agent_is_400_no_agent_found(api):
    assert_error(api.get("/agent/0123456789abcdef01234567"), 400, "No agent found")


# Authentication ---------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/conversation", None),
    ("GET", "/conversation?page=0&limit=abc", None),  # auth is checked before input
    ("POST", "/conversation/search", {"callIds": [UNKNOWN_CALL]}),
    ("GET", f"/conversation/{UNKNOWN_CALL}", None),
    ("GET", f"/conversation/{UNKNOWN_CALL}/retries", None),
    ("GET", f"/conversation/{UNKNOWN_CALL}/recording/download-url", None),
    ("GET", "/agent", None),
    ("GET", "/agent/0123456789abcdef01234567", None),
]
BAD_AUTH = {
    "missing": {},
    "wrong key": {"Authorization": "Bearer sk_wrong_key_0000000000"},
    "scheme without key": {"Authorization": "Bearer"},
    "basic scheme": {"Authorization": f"Basic {SANDBOX_KEY}"},
    "bare key": {"Authorization": SANDBOX_KEY},
    "key prefix": {"Authorization": f"Bearer {SANDBOX_KEY[:-1]}"},
}


@pytest.mark.parametrize("auth", list(BAD_AUTH), ids=list(BAD_AUTH))
@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_bad_credentials_are_401_with_the_spec_envelope(foreign_sandbox, auth, method, path, body):
    with httpx.Client(base_url=foreign_sandbox.base_url, headers=BAD_AUTH[auth], timeout=10) as client:
        response = client.request(method, path, json=body)
    assert_error(response, 401, "Unauthorized: User not found")


# Bad input --------------------------------------------------------------------------------------

BAD_LIST_QUERIES = {
    "page not an integer": {"page": "abc"},
    "page a float": {"page": "1.5"},
    "limit not an integer": {"limit": "ten"},
    "limit a float": {"limit": "2.0"},
    "page 0": {"page": "0"},
    "page negative": {"page": "-1"},
    "limit 0": {"limit": "0"},
    "sortBy unknown": {"sortBy": "duration"},
    "sortOrder unknown": {"sortOrder": "up"},
    "callTypes unknown": {"callTypes": "chat"},
    "callTypes one unknown of two": {"callTypes": "webcall,fax"},
    "callAttemptFilter unknown": {"callAttemptFilter": "first"},
    "durationFilter unknown": {"durationFilter": "10-20"},
    "durationFilter one unknown of two": {"durationFilter": "0-30,60+"},
    "dateFrom not a date": {"dateFrom": "yesterday"},
    "dateTo impossible": {"dateTo": "2026-13-45T00:00:00Z"},
}


@pytest.mark.parametrize("params", list(BAD_LIST_QUERIES.values()), ids=list(BAD_LIST_QUERIES))
def test_bad_list_input_is_400(api, params):
    assert_error(api.get("/conversation", params=params), 400, "Invalid input")


BAD_SEARCH_BODIES = {
    "not JSON": b"callIds=CALL-1790857732395-a502e8",
    "truncated JSON": b'{"callIds": ["CALL-1790857732395-a502e8"',
    "callIds a string": json.dumps({"callIds": "CALL-1790857732395-a502e8"}).encode(),
    "callIds missing": b"{}",
    "top-level array": json.dumps(["CALL-1790857732395-a502e8"]).encode(),
    "callIds of numbers": json.dumps({"callIds": [1, 2]}).encode(),
    "0 ids": json.dumps({"callIds": []}).encode(),
    "101 ids": json.dumps({"callIds": [f"CALL-{1790000000000 + i}-abcdef" for i in range(101)]}).encode(),
    "empty body": b"",
}


@pytest.mark.parametrize("body", list(BAD_SEARCH_BODIES.values()), ids=list(BAD_SEARCH_BODIES))
def test_bad_search_body_is_400(api, body):
    response = api.post("/conversation/search", content=body, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "Invalid input")


def test_search_accepts_exactly_100_ids(api):
    body = {"callIds": [f"CALL-{1790000000000 + i}-abcdef" for i in range(100)]}
    response = api.post("/conversation/search", json=body)
    assert response.status_code == 200
    assert response.json()["data"] == {"logs": [], "total": 0, "requestedCount": 100}


def test_deeply_nested_search_body_is_400_not_500(api):
    """Bad input is a 400. Regression: json.loads raised RecursionError (not a ValueError), which
    came back as a plain-text 500, not even the spec's 500 envelope."""
    response = api.post("/conversation/search", content=b"[" * 100_000, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "Invalid input")


# Robustness: random queries and bodies ----------------------------------------------------------

junk_text = st.text(max_size=200)  # any unicode, NUL included (surrogates cannot be sent)
long_text = st.text(alphabet=string.ascii_letters + string.digits, min_size=1000, max_size=3000)
fixed_offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
date_like = st.datetimes(timezones=st.one_of(st.none(), st.just(UTC), fixed_offsets)).map(datetime.isoformat)
number_like = st.integers(-(10**30), 10**30).map(str)
plausible = st.sampled_from(
    [
        "initial",
        "retry",
        "all",
        "asc",
        "desc",
        "createdAt",
        "updatedAt",
        "callDuration",
        "avgLatency",
        "0-30",
        "30-60",
        "1-5",
        "5+",
        "webcall",
        "telephony_inbound",
        "completed",
        "busy",
        ",",
        ",,",
        " ",
        "",
        "\x00",
        "%00",
        "null",
        "undefined",
        "[]",
        "NaN",
        "-0",
        "1e3",
        "9" * 40,
    ]
)
query_values = st.one_of(
    junk_text,
    long_text,
    date_like,
    number_like,
    plausible,
    st.lists(plausible, min_size=1, max_size=4).map(",".join),
)
query_keys = st.one_of(st.sampled_from(LIST_PARAMS), st.text(max_size=30))


def assert_envelope(response: httpx.Response) -> None:
    assert response.status_code in (200, 400), (response.status_code, response.text[:300])
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("status"), bool)
    if response.status_code == 200:
        assert body["status"] is True and isinstance(body["data"], dict)
    else:
        assert body["status"] is False
        assert isinstance(body["errors"], list) and all(isinstance(e, str) for e in body["errors"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.lists(st.tuples(query_keys, query_values), max_size=3))
def test_random_query_strings_get_200_or_400(api, params):
    assert_envelope(api.get("/conversation", params=params))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)
call_id_lists = st.lists(
    st.one_of(st.from_regex(r"\ACALL-\d{13}-[0-9a-f]{6}\Z"), st.text(max_size=40), json_values),
    max_size=120,
)
search_bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"callIds": call_id_lists}).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"callIds": json_values}).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=300),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=search_bodies)
def test_random_search_bodies_get_200_or_400(api, body):
    response = api.post("/conversation/search", content=body, headers={"Content-Type": "application/json"})
    assert_envelope(response)
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    call_ids = parsed.get("callIds") if isinstance(parsed, dict) else None
    well_formed = isinstance(call_ids, list) and 1 <= len(call_ids) <= 100 and all(isinstance(i, str) for i in call_ids)
    assert response.status_code == (200 if well_formed else 400)
