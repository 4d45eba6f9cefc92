"""Counts of one read as one: "1 first attempt did not complete and was retried", "1 event emitted"."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest

from conftest import _serve, call_text, mcp_client

pytestmark = pytest.mark.anyio


async def test_one_retried_first_attempt_was_retried(sandbox: Any, generated_dataset: dict[str, Any]) -> None:
    root = next(
        c
        for c in generated_dataset["calls"]
        if c.get("retryCallId") and c["status"] != "completed" and not c["retryAttemptNumber"]
    )
    async with mcp_client(sandbox) as client:
        text = await call_text(client, "summarize_logs", {"search": root["callId"], "since": "30d"})
    assert "Retries: 1 first attempt did not complete and was retried;" in text, text


async def test_one_event_emitted(generated_dataset: dict[str, Any]) -> None:
    dataset = copy.deepcopy(generated_dataset)
    call = next(
        c
        for c in dataset["calls"]
        if any(e.get("event_type") == "call_end" and isinstance(e.get("metadata"), dict) for e in c["events"])
    )
    end = next(e for e in call["events"] if e.get("event_type") == "call_end")
    end["metadata"]["diagnostics"] = {"schema": 1, "counts": {"events_emitted": 1}}
    with contextlib.contextmanager(_serve)(dataset) as server:
        async with mcp_client(server) as client:
            text = await call_text(client, "get_log", {"call_id": call["callId"], "include": ["events"]})
    assert "; 1 event emitted)" in text and "1 events" not in text, text
