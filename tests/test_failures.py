"""Failures the model can act on arrive as one-line tool errors with a hint, and never carry the key."""

from __future__ import annotations

import pytest

from conftest import call_error, mcp_client

pytestmark = pytest.mark.anyio

WRONG_KEY = "sk_live_wrong_key_must_not_leak_123456"


async def test_rejected_key_says_how_to_set_it_and_hides_the_key(sandbox):
    async with mcp_client(sandbox, api_key=WRONG_KEY) as client:
        for tool, arguments in [
            ("list_logs", {}),
            ("get_log", {"call_id": "CALL-1000000000000-abcdef"}),
            ("search_by_call_ids", {"call_ids": ["CALL-1000000000000-abcdef"]}),
        ]:
            error = await call_error(client, tool, arguments)
            assert "The Atoms API rejected the API key (HTTP 401)" in error
            assert "SMALLEST_API_KEY" in error and "--demo" in error
            assert WRONG_KEY not in error and "must_not_leak" not in error


async def test_missing_key_is_a_configuration_error(sandbox):
    async with mcp_client(sandbox, api_key=None) as client:
        error = await call_error(client, "list_logs", {})
    assert "No Atoms API key is configured" in error
    assert sandbox.stats()["total"] == 0


async def test_rate_limited_says_when_to_retry(sandbox):
    sandbox.set_faults(rate_limit_rate=1.0, retry_after=30)
    async with mcp_client(sandbox) as client:
        error = await call_error(client, "list_logs", {"limit": 5})
    assert "The Atoms API is rate limiting this key (HTTP 429). Retry after 30 s." in error


async def test_upstream_down_after_retries(sandbox):
    sandbox.set_faults(error_rate=1.0, seed=3)
    async with mcp_client(sandbox, max_attempts=2) as client:
        error = await call_error(client, "get_log", {"call_id": "CALL-1000000000000-abcdef"})
    assert "The Atoms API is unavailable right now (HTTP 5" in error or "did not answer in time" in error
    assert sandbox.stats()["total"] == 2


async def test_timeout_on_a_date_filtered_query_suggests_narrowing(sandbox):
    sandbox.set_faults(slow_rate=1.0, slow_ms=5000)
    async with mcp_client(sandbox, timeout=0.3, deadline=0.8) as client:
        error = await call_error(client, "list_logs", {"since": "2026-11-01T00:00:00Z"})
        plain = await call_error(client, "list_logs", {})
    assert "narrower since/until window" in error
    assert "did not answer in time" in plain and "narrower" not in plain


async def test_search_batch_failures_are_named_not_hidden(sandbox, generated_dataset):
    ids = [c["callId"] for c in generated_dataset["calls"][:150]]
    # Every request fails: all of it is a tool error, not an empty "not found" list.
    sandbox.set_faults(error_rate=1.0)
    async with mcp_client(sandbox, max_attempts=1) as client:
        error = await call_error(client, "search_by_call_ids", {"call_ids": ids})
    assert "unavailable right now" in error or "did not answer in time" in error
