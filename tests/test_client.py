"""The API client against the sandbox over loopback: operations, typed errors, headers, configuration."""

from __future__ import annotations

import httpx
import pytest

from atoms_logs_mcp import __version__
from atoms_logs_mcp.api.client import AtomsClient
from atoms_logs_mcp.api.diagnosis import parse_retry_after
from atoms_logs_mcp.api.errors import (
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    scrub,
)
from atoms_logs_mcp.api.models import CallDetail, CallRow
from atoms_logs_mcp.api.pool import USER_AGENT
from atoms_logs_mcp.api.query import LogQuery
from atoms_logs_mcp.config import Settings, mask_secret
from conftest import SANDBOX_KEY, settings_for

pytestmark = pytest.mark.anyio


async def test_every_operation_round_trips(sandbox):
    async with AtomsClient(settings_for(sandbox)) as client:
        page = await client.list_logs(LogQuery(limit=7, where={"statuses": ("completed",)}))
        assert len(page.logs) == 7 and page.pagination.total and page.pagination.total > 7
        assert all(row.status == "completed" for row in page.logs)
        call = await client.get_call(page.logs[0].call_id or "")
        assert isinstance(call, CallDetail) and call.call_id == page.logs[0].call_id and call.transcript
        family = await client.get_retries(call.call_id or "")
        assert family and all(isinstance(row, CallRow) for row in family)
        found = await client.search([call.call_id or "", "CALL-1000000000000-abcdef"])
        assert found.total == 1 and found.requested_count == 2
        url = await client.get_recording_url(call.call_id or "")
        assert url.startswith("https://")
        agents = await client.list_agents()
        assert agents.total == len(agents.agents) == 5
        agent = await client.get_agent(agents.agents[0].id or "")
        assert agent.name == agents.agents[0].name
    assert sandbox.stats()["requests"] == {
        "GET /conversation": 1,
        "GET /conversation/{callId}": 1,
        "GET /conversation/{callId}/retries": 1,
        "POST /conversation/search": 1,
        "GET /conversation/{callId}/recording/download-url": 1,
        "GET /agent": 1,
        "GET /agent/{id}": 1,
    }


async def test_unknown_ids_are_not_found(sandbox):
    async with AtomsClient(settings_for(sandbox)) as client:
        with pytest.raises(NotFoundError) as call_error:
            await client.get_call("CALL-1000000000000-abcdef")
        with pytest.raises(NotFoundError) as agent_error:
            await client.get_agent("0123456789abcdef01234567")
    assert call_error.value.status == 404
    assert "CALL-1000000000000-abcdef not found" in str(call_error.value)
    # The agent route answers 400 "No agent found"; the client names it for what it is.
    assert agent_error.value.status == 400


async def test_wrong_key_is_an_authentication_error_without_the_key(sandbox):
    wrong = "sk_live_THIS_KEY_MUST_NEVER_BE_SHOWN_42"
    async with AtomsClient(settings_for(sandbox, api_key=wrong)) as client:
        with pytest.raises(AuthenticationError) as error:
            await client.list_logs()
    assert error.value.status == 401
    assert error.value.upstream_message == "Unauthorized: User not found"
    text = f"{error.value} {error.value!r} {error.value.args}"
    assert wrong not in text and "THIS_KEY" not in text
    assert sandbox.stats()["total"] == 1, "a rejected key is not retried"


async def test_rejected_input_is_a_bad_request(sandbox):
    async with AtomsClient(settings_for(sandbox)) as client:
        with pytest.raises(BadRequestError) as error:
            await client.list_logs(LogQuery(extra={"sortBy": "nonsense"}))
    assert error.value.status == 400 and error.value.upstream_message == "Invalid input"


async def test_no_key_fails_before_any_request(sandbox):
    async with AtomsClient(settings_for(sandbox, api_key=None)) as client:
        with pytest.raises(ConfigurationError, match="SMALLEST_API_KEY"):
            await client.list_logs()
    assert sandbox.stats()["total"] == 0


async def test_requests_carry_versioned_user_agent_and_bearer_key():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": True, "data": {"logs": [], "pagination": {"total": 0}}})

    settings = Settings(api_key="sk_abc_1234567890", base_url="https://api.example.test/atoms/v1")
    async with AtomsClient(settings, transport=httpx.MockTransport(handler)) as client:
        await client.list_logs(LogQuery(where={"statuses": ("failed", "no_answer")}, page=2, limit=50))
    (request,) = seen
    assert request.headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith(f"atoms-logs-mcp/{__version__} ")
    assert request.headers["authorization"] == "Bearer sk_abc_1234567890"
    assert str(request.url).startswith("https://api.example.test/atoms/v1/conversation?")
    assert request.url.params["statusFilter"] == "failed,no_answer"
    assert request.url.params["page"] == "2" and request.url.params["limit"] == "50"


def test_query_translation_covers_every_list_parameter():
    from datetime import UTC, datetime

    query = LogQuery(
        page=3,
        limit=100,
        where={
            "agent_ids": ("a1", "a2"),
            "campaign_ids": ("c1",),
            "call_types": ("webcall",),
            "statuses": ("failed",),
            "disconnect_reasons": ("timeout", "user_hangup"),
            "durations": ("0-30", "5+"),
            "version_ids": ("v1",),
            "search": "+1415",
            "attempt": "all",
        },
        sort_by="duration",
        sort_order="asc",
        since=datetime(2026, 11, 1, tzinfo=UTC),
        until=datetime(2026, 11, 2, 12, 30, 0, 250000, tzinfo=UTC),
    )
    assert query.to_params() == {
        "page": "3",
        "limit": "100",
        "agentIds": "a1,a2",
        "campaignIds": "c1",
        "callTypes": "webcall",
        "statusFilter": "failed",
        "disconnectReasonFilter": "timeout,user_hangup",
        "durationFilter": "0-30,5+",
        "versionFilter": "v1",
        "search": "+1415",
        "callAttemptFilter": "all",
        "sortBy": "callDuration",
        "sortOrder": "asc",
        "dateFrom": "2026-11-01T00:00:00.000Z",
        "dateTo": "2026-11-02T12:30:00.250Z",
    }
    assert LogQuery().to_params() == {"page": "1", "limit": "20"}, "no filter is sent unless asked"


def test_settings_from_env_and_masking():
    env = {"ATOMS_API_KEY": "sk_from_atoms_var_99999", "ATOMS_BASE_URL": "http://localhost:1/atoms/v1/"}
    settings = Settings.from_env(env)
    assert settings.api_key == "sk_from_atoms_var_99999"
    assert settings.base_url == "http://localhost:1/atoms/v1"
    both = Settings.from_env({"SMALLEST_API_KEY": "sk_smallest_first_1", "ATOMS_API_KEY": "sk_other_2222222"})
    assert both.api_key == "sk_smallest_first_1", "the official SDK's variable wins"
    assert Settings.from_env({}).api_key is None
    assert Settings.from_env({}).base_url == "https://api.smallest.ai/atoms/v1"
    assert "sk_from_atoms_var_99999" not in repr(settings) + str(settings)
    assert mask_secret("sk_live_1234567890abcdef") == "sk_liv…cdef"
    assert mask_secret("short") == "………" and mask_secret(None) == "(not set)"


def test_scrub_removes_key_control_characters_and_length():
    text = scrub("bad key sk_live_ABCDEFGHIJ and \x1b[31mred\x1b[0m" + "x" * 500, secret="sk_live_ABCDEFGHIJ")
    assert "ABCDEFGHIJ" not in text and "\x1b" not in text and len(text) <= 200
    assert "sk_[redacted]" in scrub("echo sk_test_0000000000000")


def test_retry_after_forms():
    request = httpx.Request("GET", "https://x.test/")
    assert parse_retry_after(httpx.Response(429, headers={"Retry-After": "7"}, request=request)) == 7
    assert parse_retry_after(httpx.Response(429, headers={"retry-after-ms": "1500"}, request=request)) == 1.5
    http_date = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, request=request)
    assert parse_retry_after(http_date) == 0.0, "a date in the past means: now"
    body = {"message": "Rate limit exceeded", "rateLimit": {"retryAfterSec": 12}}
    assert parse_retry_after(httpx.Response(429, request=request), body) == 12
    assert parse_retry_after(httpx.Response(429, headers={"Retry-After": "soon"}, request=request)) is None
    assert SANDBOX_KEY  # the fixture key is what the sandbox expects


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SMALLEST_API_KEY": "sk_live_abc\u201d123456"}, "contains a quote character"),
        ({"SMALLEST_API_KEY": "sk_live abc123456"}, "contains a space or line break"),
        ({"SMALLEST_API_KEY": "sk_ab12"}, "is only 7 characters long"),
        ({"SMALLEST_API_KEY": "sk_live_\u00e9abc123456"}, "not plain ASCII"),
        ({"ATOMS_BASE_URL": "api.smallest.ai/atoms/v1"}, "must start with https://"),
        ({"ATOMS_SCAN_CEILING": "0"}, "ATOMS_SCAN_CEILING must be more than 0"),
        ({"ATOMS_TIMEOUT": "-1"}, "ATOMS_TIMEOUT must be more than 0: seconds per HTTP attempt"),
        ({"ATOMS_TIMEOUT": "soon"}, "ATOMS_TIMEOUT must be seconds per HTTP attempt, e.g. 15, not 'soon'"),
        ({"ATOMS_SCAN_CEILING": "2.5"}, "ATOMS_SCAN_CEILING must be a whole number of calls"),
        ({"ATOMS_LOG_LEVEL": "loud"}, "ATOMS_LOG_LEVEL takes one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ({"ATOMS_TIMEZONE": "Mars/Olympus"}, "ATOMS_TIMEZONE must be an IANA time zone"),
        ({"ATOMS_TIMEZONE": "Europe"}, "ATOMS_TIMEZONE must be an IANA time zone"),
        ({"ATOMS_EXPORT_DIR": "exports"}, "ATOMS_EXPORT_DIR must be an absolute path"),
        ({"ATOMS_REDACT": "emails"}, "ATOMS_REDACT takes one of phone, none, off"),
    ],
)
def test_unusable_settings_are_refused_at_start_without_echoing_the_key(env, message):
    with pytest.raises(ValueError, match=message) as error:
        Settings.from_env(env)
    assert "abc" not in str(error.value)
