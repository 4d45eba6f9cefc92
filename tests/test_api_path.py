"""The API path, faster: call rows read without pydantic's per-field dispatch read exactly as before, and get_log asks
for a call's retry family alongside its detail when the detail cannot tell whether the call was retried."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atoms_logs_mcp.api.models import CallRow, read_row
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import SANDBOX_KEY, call_text, mcp_client

DETAIL = "GET /conversation/{callId}"
RETRIES = "GET /conversation/{callId}/retries"

# Rows -------------------------------------------------------------------------------------------

_ODD_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=False),
    st.sampled_from(["", " 12.5 ", "1e3", "NaN", "inf", "true", "False", "1737000000", "1737000000000", "-5"]),
    st.sampled_from(["2026-01-05T10:00:00Z", "2026-01-05T10:00:00", "2026-01-05 10:00:00+05:30", "2026-01-05"]),
    st.sampled_from(["completed", "failed", "in_progress", "a status nobody documented", "CALL-1737000000000-abc"]),
    st.text(max_size=12),
)
_ODD_VALUES = st.recursive(
    _ODD_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=8,
)
_TRANSITION = st.dictionaries(st.sampled_from(["turn", "user_end", "bot_start", "latency", "extra"]), _ODD_VALUES)
_LATENCY = st.dictionaries(
    st.sampled_from(["turns", "avgLatency", "medianLatency", "minLatency", "maxLatency", "processedAt", "odd"]),
    _ODD_VALUES,
) | st.fixed_dictionaries(
    {"latencies": st.lists(_ODD_SCALARS, max_size=5), "transitions": st.lists(_TRANSITION | _ODD_VALUES, max_size=4)}
)
_ANALYTICS = st.fixed_dictionaries(
    {},
    optional={
        "summary": _ODD_VALUES,
        "dispositionMetrics": st.lists(
            st.dictionaries(st.sampled_from(["identifier", "value", "confidence", "new"]), _ODD_VALUES) | _ODD_VALUES,
            max_size=3,
        )
        | _ODD_VALUES,
    },
)
_KEYS = sorted(field.alias or name for name, field in CallRow.model_fields.items())
_NESTED = ("turnLatencyMetrics", "postCallAnalytics", "agentDispositionConfig", "call_id")
_ROWS = (
    st.dictionaries(
        st.sampled_from([*_KEYS, "unknownField", "updated"]) | st.text(max_size=8), _ODD_VALUES, max_size=12
    )
    .map(lambda row: {key: value for key, value in row.items() if key not in _NESTED})
    .flatmap(
        lambda row: st.fixed_dictionaries(
            {key: st.just(value) for key, value in row.items()},
            optional={
                "turnLatencyMetrics": _LATENCY | _ODD_VALUES,
                "postCallAnalytics": _ANALYTICS | _ODD_VALUES,
                "agentDispositionConfig": st.lists(
                    st.dictionaries(st.sampled_from(["identifier", "type", "more"]), _ODD_VALUES) | _ODD_VALUES,
                    max_size=3,
                ),
                "call_id": _ODD_VALUES,  # a Python field name: pydantic reads it too (populate_by_name)
            },
        )
    )
)


def _as_read(row: CallRow) -> Any:
    """Everything a reader of the row can see: values, nested models, unknown keys, which fields were sent."""

    def shape(value: Any) -> Any:
        if isinstance(value, CallRow.__mro__[1]):  # ApiModel: our models, nested too
            fields = {name: shape(getattr(value, name)) for name in type(value).model_fields}
            return (type(value).__name__, fields, value.model_extra, sorted(value.model_fields_set))
        if isinstance(value, list):
            return [shape(item) for item in value]
        return (type(value).__name__, repr(value))

    return shape(row), row.model_dump(mode="json", by_alias=True)


@settings(max_examples=400, deadline=None, database=None)
@given(row=_ROWS)
def test_a_row_reads_as_pydantic_reads_it_whatever_its_values(row):
    assert _as_read(read_row(row)) == _as_read(CallRow.model_validate(row))


def test_a_typical_row_reads_as_pydantic_reads_it(generated_dataset):
    for call in generated_dataset["calls"][:300]:
        row = {key: value for key, value in call.items() if key in {*_KEYS, "unknownField"}}
        assert _as_read(read_row(row)) == _as_read(CallRow.model_validate(row))


# get_log ------------------------------------------------------------------------------------------


def _spec_shaped(generated_dataset: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The dataset with details that, like the spec's, say nothing of retries; and the id of a last retry."""
    data = {"agents": generated_dataset["agents"], "calls": [dict(c) for c in generated_dataset["calls"]]}
    child = next(c for c in data["calls"] if c["retryAttemptNumber"] > 0 and not c.get("retryCallId"))
    for call in data["calls"]:
        call.pop("retryCount")
        call.pop("retryAttemptNumber")
    return data, child["callId"]


@pytest.mark.anyio
async def test_get_log_asks_for_the_family_while_the_detail_is_on_its_way(generated_dataset):
    data, call_id = _spec_shaped(generated_dataset)
    with SandboxServer(CallStore(data["agents"], data["calls"]), api_key=SANDBOX_KEY) as server:
        async with mcp_client(server) as client:
            retried = {c.get("retryCallId") for c in data["calls"]}
            other = next(c["callId"] for c in data["calls"] if not c.get("retryCallId") and c["callId"] not in retried)
            await call_text(client, "get_log", {"call_id": other})  # the API's details say nothing of retries
            server.set_faults(latency_ms=700)
            server.reset_stats()
            text: list[str] = []
            together = False

            async def read() -> None:
                text.append(await call_text(client, "get_log", {"call_id": call_id, "include": ["overview"]}))

            async with anyio.create_task_group() as group:
                group.start_soon(read)
                while not text:
                    stats = await anyio.to_thread.run_sync(server.stats)
                    asked = {request["route"] for request in stats["recent"]}
                    detail_answered = any(status.startswith(DETAIL + " ") for status in stats["statuses"])
                    together = together or (RETRIES in asked and DETAIL in asked and not detail_answered)
                    await anyio.sleep(0.05)
    assert together, "the /retries request was made only after the detail's answer"
    assert "attempts: first attempt CALL-" in text[0] and f"{call_id} (this call)" in text[0]


@pytest.mark.anyio
async def test_get_log_of_a_call_never_retried_asks_no_family_when_details_tell(generated_dataset, sandbox):
    lonely = [c["callId"] for c in generated_dataset["calls"] if not c["retryCount"] and not c["retryAttemptNumber"]]
    async with mcp_client(sandbox) as client:
        await call_text(client, "list_agents", {})
        sandbox.reset_stats()
        for call_id in lonely[:3]:
            await call_text(client, "get_log", {"call_id": call_id})
    requests = sandbox.stats()["requests"]
    assert requests[DETAIL] == 3 and RETRIES not in requests
