"""Retries under injected faults: what is retried, how often, Retry-After, the deadline, and the figures.

Each test drives the real client against the sandbox over loopback with faults injected at the
HTTP boundary, and reads the upstream traffic back from `/_sandbox/stats`.
"""

from __future__ import annotations

import time

import anyio
import httpx
import pytest

from atoms_logs_mcp.api.client import AtomsClient
from atoms_logs_mcp.api.errors import (
    AtomsAPIError,
    RateLimitedError,
    UnreachableError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from atoms_logs_mcp.api.query import LogQuery
from conftest import settings_for

pytestmark = pytest.mark.anyio


async def _one_of_each(client: AtomsClient, call_ids: list[str], index: int) -> None:
    match index % 3:
        case 0:
            await client.list_logs(LogQuery(page=1 + index % 5, limit=10))
        case 1:
            await client.get_call(call_ids[index % len(call_ids)])
        case _:
            await client.search(call_ids[:20])


@pytest.mark.parametrize(
    ("faults", "calls"),
    [
        ({"error_rate": 0.2, "rate_limit_rate": 0.1}, 300),
        ({"error_rate": 0.2, "rate_limit_rate": 0.1, "malformed_rate": 0.02, "drop_rate": 0.02}, 300),
    ],
    ids=["5xx-20pct_429-10pct", "5xx-20pct_429-10pct_malformed-2pct_drop-2pct"],
)
async def test_fault_matrix_every_call_succeeds_or_raises_typed_error_within_deadline(sandbox, faults, calls):
    sandbox.set_faults(seed=1234, retry_after=0.05, **faults)
    settings = settings_for(sandbox, deadline=5.0, timeout=2.0, max_attempts=4)
    async with AtomsClient(settings) as client:
        call_ids = [row.call_id for row in (await _unfaulted_ids(sandbox))]
        sandbox.reset_stats()
        outcomes: list[tuple[str, float]] = []

        async def run(index: int) -> None:
            started = time.perf_counter()
            try:
                await _one_of_each(client, call_ids, index)
                outcome = "ok"
            except (RateLimitedError, UpstreamUnavailableError) as error:
                outcome = type(error).__name__
            outcomes.append((outcome, time.perf_counter() - started))

        limiter = anyio.CapacityLimiter(10)

        async def bounded(index: int) -> None:
            async with limiter:
                await run(index)

        async with anyio.create_task_group() as group:
            for index in range(calls):
                group.start_soon(bounded, index)

    succeeded = sum(1 for outcome, _ in outcomes if outcome == "ok")
    longest = max(elapsed for _, elapsed in outcomes)
    upstream = sandbox.stats()["total"]
    print(
        f"\n{faults}: {calls} calls, {succeeded} succeeded, {calls - succeeded} typed errors, "
        f"{upstream} upstream requests, longest {longest:.2f} s (deadline {settings.deadline:g} s)"
    )
    assert len(outcomes) == calls
    assert longest < settings.deadline + 2.0  # the deadline, plus slack for a loaded machine
    # Four attempts at ~30-34% failure each: about 1% of calls may still fail, never more than a few.
    assert succeeded >= calls * 0.97
    assert upstream > calls, "faults were injected and retried"


async def _unfaulted_ids(sandbox):
    faults = sandbox.set_faults()
    sandbox.set_faults(reset=True)
    async with AtomsClient(settings_for(sandbox)) as client:
        page = await client.list_logs(LogQuery(limit=30))
    sandbox.set_faults(**{k: v for k, v in faults.items() if v is not None})
    return page.logs


async def test_retry_after_is_honoured_then_rate_limited_error(sandbox):
    sandbox.set_faults(rate_limit_rate=1.0, retry_after=0.3)
    settings = settings_for(sandbox, max_attempts=3, deadline=10.0)
    async with AtomsClient(settings) as client:
        started = time.perf_counter()
        with pytest.raises(RateLimitedError) as error:
            await client.list_logs()
        elapsed = time.perf_counter() - started
    assert error.value.retry_after == pytest.approx(0.3)
    assert sandbox.stats()["requests"]["GET /conversation"] == 3
    assert elapsed >= 0.6, "two waits of Retry-After between three attempts"


async def test_retry_after_beyond_the_deadline_fails_at_once(sandbox):
    sandbox.set_faults(rate_limit_rate=1.0, retry_after=30)
    async with AtomsClient(settings_for(sandbox, deadline=5.0)) as client:
        with pytest.raises(RateLimitedError) as error:
            await client.list_logs()
    assert error.value.retry_after == 30
    assert sandbox.stats()["total"] == 1, "no retry: waiting as asked would break the deadline"


async def test_deadline_holds_when_the_api_hangs(sandbox):
    sandbox.set_faults(slow_rate=1.0, slow_ms=10_000)
    settings = settings_for(sandbox, timeout=0.4, deadline=1.0, max_attempts=10)
    async with AtomsClient(settings) as client:
        with pytest.raises(UpstreamTimeoutError) as error:
            await client.list_logs()
    # Bounded by the 1 s deadline, not by 10 attempts of the 10 s the API takes: at most the attempts that
    # can start within the deadline (each times out at 0.4 s), and the error says the deadline passed.
    assert sandbox.stats()["requests"]["GET /conversation"] <= 3
    assert "did not answer within" in str(error.value)


@pytest.mark.parametrize("fault", ["error_rate", "malformed_rate", "drop_rate"])
async def test_idempotent_requests_are_retried_up_to_max_attempts(sandbox, fault):
    sandbox.set_faults(**{fault: 1.0})
    async with AtomsClient(settings_for(sandbox, max_attempts=3)) as client:
        with pytest.raises(UpstreamUnavailableError):
            await client.get_call("CALL-1000000000000-abcdef")
    assert sandbox.stats()["requests"]["GET /conversation/{callId}"] == 3


async def test_search_is_a_read_and_is_retried(sandbox):
    sandbox.set_faults(error_rate=1.0)
    async with AtomsClient(settings_for(sandbox, max_attempts=3)) as client:
        with pytest.raises(UpstreamUnavailableError):
            await client.search(["CALL-1000000000000-abcdef"])
    assert sandbox.stats()["requests"]["POST /conversation/search"] == 3


async def test_non_idempotent_request_is_not_retried_after_it_was_sent(sandbox):
    sandbox.set_faults(error_rate=1.0)
    async with AtomsClient(settings_for(sandbox, max_attempts=3)) as client:
        with pytest.raises(UpstreamUnavailableError):
            await client.request("POST", "conversation/search", json={"callIds": ["x"]}, idempotent=False)
    assert sandbox.stats()["requests"]["POST /conversation/search"] == 1


async def test_non_idempotent_request_is_retried_when_rate_limited(sandbox):
    # A 429 means the request was refused, not processed: repeating it is safe.
    sandbox.set_faults(rate_limit_rate=1.0, retry_after=0.01)
    async with AtomsClient(settings_for(sandbox, max_attempts=3)) as client:
        with pytest.raises(RateLimitedError):
            await client.request("POST", "conversation/search", json={"callIds": ["x"]}, idempotent=False)
    assert sandbox.stats()["requests"]["POST /conversation/search"] == 3


async def test_connection_refused_is_retried_even_when_not_idempotent():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    from atoms_logs_mcp.config import Settings

    attempts = 0

    class Counting(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request):
            nonlocal attempts
            attempts += 1
            return await super().handle_async_request(request)

    settings = Settings(
        api_key="sk_x_123456789012",
        base_url=f"http://127.0.0.1:{port}/atoms/v1",
        max_attempts=3,
        backoff_initial=0.01,
        deadline=5,
    )
    async with AtomsClient(settings, transport=Counting()) as client:
        with pytest.raises(UnreachableError, match="connection refused") as error:
            await client.request("POST", "conversation/search", json={}, idempotent=False)
    assert attempts == 3, "nothing reached the API, so repeating is safe"
    assert "sk_x_123456789012" not in str(error.value)


async def test_retry_after_on_a_503_is_honoured(sandbox):
    sandbox.set_faults(error_rate=1.0, error_status=503, retry_after=0.3)
    async with AtomsClient(settings_for(sandbox, max_attempts=3, deadline=10.0)) as client:
        started = time.perf_counter()
        with pytest.raises(UpstreamUnavailableError) as error:
            await client.list_logs()
    assert error.value.status == 503 and error.value.retry_after == pytest.approx(0.3)
    assert time.perf_counter() - started >= 0.6, "two waits of Retry-After between three attempts"
    assert sandbox.stats()["requests"]["GET /conversation"] == 3


async def test_client_errors_are_never_retried(sandbox):
    async with AtomsClient(settings_for(sandbox, max_attempts=5)) as client:
        with pytest.raises(AtomsAPIError):
            await client.list_logs(LogQuery(extra={"limit": "zero"}))
        with pytest.raises(AtomsAPIError):
            await client.get_call("CALL-1000000000000-abcdef")
    assert sandbox.stats()["total"] == 2
