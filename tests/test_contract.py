"""Contract tests against the official spec subset (docs/atoms-api/openapi.yaml), with openapi-core.

(a) Every response the sandbox gives to a broad set of requests (each list filter alone and
    combined, every sort, paging, search, detail of every call including the 160-turn one, retry
    families, recording URLs, agents, and the 400/401/404 errors) validates against the response
    schema the spec declares for that operation and status. This runs on both datasets:
    - the generated one, strictly: not a single schema error is tolerated;
    - the foreign one, which drifts from the spec on purpose (tests/data/make_foreign_dataset.py:
      "Some records deliberately drift from the spec ... because the live API does"). There, only
      the drift listed in FOREIGN_DRIFT is accepted, only when the stored record holds exactly that
      value (the sandbox passed it through, it did not invent it), and every listed kind of drift
      must actually occur, so the list cannot silently grow stale.
(b) Every request `AtomsClient` sends (every method; `list_logs` with every `LogQuery` field set)
    validates against the spec's parameters, request body and security (the Bearer header).

The spec is used unmodified. The sandbox serves /atoms/v1 on http://127.0.0.1:PORT while the spec's
server is https://api.smallest.ai/atoms/v1, so the request adapter presents each request with the
spec server's scheme and host (the path, /atoms/v1/..., is kept as sent).

Where the spec itself cannot be validated against, the workaround is explicit:
- `callTypes` is declared `type: string, enum: [...]` but documented as a "Comma-separated list"
  (its own example, `telephony_outbound,telephony_inbound`, fails its enum). A comma-separated
  value is validated by openapi-core once per item, each item in place of the whole value.
- Several error statuses are declared without a body schema (404 on detail, retries and recording;
  400 on recording). openapi-core then checks nothing; these bodies are additionally held to the
  spec's own error-envelope schema (BadRequestErrorResponse), as NOTES.md says every error uses it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import PathNotFound
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.request.exceptions import (
    InvalidParameter,
    InvalidRequestBody,
    SecurityValidationError,
)
from openapi_core.validation.response.exceptions import InvalidData
from openapi_schema_validator import OAS30Validator
from werkzeug.datastructures import Headers, ImmutableMultiDict

from atoms_logs_mcp.api.client import AtomsClient
from atoms_logs_mcp.api.errors import AtomsAPIError
from atoms_logs_mcp.api.filter_table import QUERY_KEYS
from atoms_logs_mcp.api.query import LogQuery, QueryValue
from conftest import SANDBOX_KEY, settings_for

AUTH = {"Authorization": f"Bearer {SANDBOX_KEY}"}
UNKNOWN_CALL = "CALL-1000000000000-abcdef"
UNKNOWN_AGENT = "0123456789abcdef01234567"


# The spec ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    api: OpenAPI
    document: dict[str, Any]

    @property
    def server_url(self) -> str:
        return str(self.document["servers"][0]["url"])

    @property
    def error_envelope(self) -> dict[str, Any]:
        return self.document["components"]["schemas"]["BadRequestErrorResponse"]  # type: ignore[no-any-return]


@functools.cache
def _load_spec(path: str) -> Spec:
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return Spec(api=OpenAPI.from_file_path(path), document=document)


@pytest.fixture
def spec(openapi_spec_path: Path) -> Spec:
    """Every test in this module asks for it, so the module skips when the spec is absent."""
    return _load_spec(str(openapi_spec_path))


# Adapters: httpx objects as openapi-core's Request and Response protocols ------------------------


class HttpxOpenAPIRequest:
    """openapi-core's `Request` protocol for an `httpx.Request`, presented on the spec's server."""

    def __init__(self, request: httpx.Request, server_url: str, query: list[tuple[str, str]] | None = None):
        server = urlsplit(server_url)
        if not request.url.path.startswith(server.path + "/"):
            raise AssertionError(f"{request.url} is not under the spec's base path {server.path}")
        self.request = request
        self.host_url = f"{server.scheme}://{server.netloc}"
        self.path = request.url.path
        self.method = request.method.lower()
        self.body: bytes | None = request.content or None
        self.content_type = request.headers.get("content-type", "")
        if query is None:
            query = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query),
            header=Headers(list(request.headers.multi_items())),
        )


class HttpxOpenAPIResponse:
    """openapi-core's `Response` protocol for an `httpx.Response`."""

    def __init__(self, response: httpx.Response):
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "")
        self.headers = Headers(list(response.headers.multi_items()))
        self.data: bytes | None = response.content


# (a) Responses ----------------------------------------------------------------------------------

# Drift the foreign dataset carries on purpose, as (field, value): the spec types these fields as
# non-nullable strings or closes them with an enum, the live API does not keep to it.
FOREIGN_DRIFT: dict[tuple[str, Any], str] = {
    ("callFailureReason", None): "null when the call did not fail",
    ("retryCallId", None): "null on the last attempt and on calls never retried",
    ("disconnectionReason", None): "null on calls that never ended (dataset docstring)",
    ("status", "busy"): "NOTES 'Older docs': status `busy`; accept values outside the enums",
}


@dataclass
class Contract:
    """Validates responses of one sandbox against the spec, accepting only the allowed drift."""

    spec: Spec
    records: dict[str, dict[str, Any]]
    allowed_drift: dict[tuple[str, Any], str]
    checked: int = 0
    drift_seen: set[tuple[str, Any]] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def check(self, response: httpx.Response) -> None:
        self.checked += 1
        where = f"{response.request.method} {response.request.url.path}?{response.request.url.query.decode()}"
        where = f"{where} -> {response.status_code}"
        request = HttpxOpenAPIRequest(response.request, self.spec.server_url)
        try:
            self.spec.api.validate_response(request, HttpxOpenAPIResponse(response))
        except InvalidData as error:
            body = response.json()
            for schema_error in getattr(error.__cause__, "schema_errors", ()):
                self._judge(where, body, schema_error)
        # Any other failure (undeclared status, wrong media type, no such operation) is raised as is.
        if response.status_code >= 400:
            self._check_error_envelope(where, response)

    def _judge(self, where: str, body: Any, schema_error: Any) -> None:
        path = list(schema_error.absolute_path)
        pointer = "/" + "/".join(str(p) for p in path)
        problem = f"{where}: {pointer}: {schema_error.message[:160]}"
        if not path or not isinstance(path[-1], str):
            self.problems.append(problem)
            return
        key = (path[-1], schema_error.instance)
        if key not in self.allowed_drift:
            self.problems.append(problem)
            return
        container = body
        for part in path[:-1]:
            container = container[part]
        stored = self.records.get(container.get("callId")) if isinstance(container, dict) else None
        if stored is None or stored.get(path[-1], "<absent>") != schema_error.instance:
            self.problems.append(f"{problem} (the stored record does not hold this value)")
            return
        self.drift_seen.add(key)

    def _check_error_envelope(self, where: str, response: httpx.Response) -> None:
        # Declared without a schema in places (see the module docstring): hold every error body
        # to the spec's error envelope, and require what that schema leaves optional.
        try:
            body = response.json()
            OAS30Validator(self.spec.error_envelope).validate(body)
            assert body["status"] is False and body["errors"], body
        except Exception as error:  # not JSON, schema error or empty errors: all reported alike
            self.problems.append(f"{where}: not the error envelope: {error!s:.200}")

    def assert_clean(self) -> None:
        assert self.checked, "nothing was validated"
        assert not self.problems, f"{len(self.problems)} contract violations:\n" + "\n".join(self.problems[:40])


@dataclass
class Target:
    name: str
    client: httpx.Client
    contract: Contract
    records: dict[str, dict[str, Any]]
    agents: list[dict[str, Any]]

    def get(self, path: str, **params: Any) -> httpx.Response:
        response = self.client.get(path, params=params)
        self.contract.check(response)
        return response

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        response = self.client.post(path, **kwargs)
        self.contract.check(response)
        return response


@pytest.fixture(params=["generated", "foreign"])
def target(request: pytest.FixtureRequest, spec: Spec) -> Iterator[Target]:
    server = request.getfixturevalue("sandbox" if request.param == "generated" else "foreign_sandbox")
    dataset = request.getfixturevalue(f"{request.param}_dataset")
    records = {r["callId"]: r for r in dataset["calls"]}
    drift = {} if request.param == "generated" else FOREIGN_DRIFT
    contract = Contract(spec, records, drift)
    with httpx.Client(base_url=server.base_url, headers=AUTH, timeout=10) as client:
        yield Target(request.param, client, contract, records, dataset["agents"])


def _pick(records: dict[str, dict[str, Any]], name: str) -> list[str]:
    return sorted({str(r[name]) for r in records.values() if r.get(name)})


def test_list_responses_validate(target: Target):
    records = target.records
    agents, campaigns, versions = (
        _pick(records, "agentId"),
        _pick(records, "campaignId"),
        _pick(records, "versionId"),
    )
    single: list[dict[str, Any]] = [
        {},
        {"statusFilter": "completed"},
        {"statusFilter": "failed"},
        {"disconnectReasonFilter": "user_hangup"},
        {"agentIds": agents[0]},
        {"campaignIds": campaigns[0]},
        {"versionFilter": versions[0]},
        {"search": "+91"},
        {"search": "call-"},
        {"dateFrom": "2026-10-10T00:00:00.000Z"},
        {"dateTo": "2026-10-12T23:59:59.999Z"},
        {"dateFrom": "2026-10-10T00:00:00.000Z", "dateTo": "2026-10-12T23:59:59.999Z"},
        {"limit": 500},
        {"limit": 1000},  # clamped
        {"page": 3, "limit": 7},
        {"page": 999, "limit": 50},  # past the end
        {"statusFilter": "no-such-status"},  # empty
    ]
    single += [{"callTypes": t} for t in ("telephony_inbound", "telephony_outbound", "webcall")]
    single += [{"durationFilter": d} for d in ("0-30", "30-60", "1-5", "5+")]
    single += [{"callAttemptFilter": a} for a in ("initial", "retry", "all")]
    single += [
        {"sortBy": s, "sortOrder": o}
        for s in ("createdAt", "updatedAt", "callDuration", "avgLatency")
        for o in ("asc", "desc")
    ]
    combined: list[dict[str, Any]] = [
        {
            "statusFilter": "completed,failed",
            "callTypes": "telephony_outbound,webcall",
            "durationFilter": "1-5,5+",
            "sortBy": "callDuration",
            "sortOrder": "desc",
            "limit": 50,
        },
        {
            "agentIds": ",".join(agents[:2]),
            "callAttemptFilter": "all",
            "sortBy": "createdAt",
            "page": 2,
            "limit": 10,
        },
        {"campaignIds": ",".join(campaigns), "disconnectReasonFilter": "timeout,user_hangup", "search": "+1"},
        {
            "versionFilter": ",".join(versions[:3]),
            "dateFrom": "2026-01-01T00:00:00Z",
            "sortBy": "avgLatency",
            "sortOrder": "asc",
            "limit": 500,
            "callAttemptFilter": "retry",
        },
    ]
    for params in single + combined:
        response = target.get("/conversation", **params)
        assert response.status_code == 200, (params, response.text[:200])
    target.contract.assert_clean()


def test_search_responses_validate(target: Target):
    call_ids = list(target.records)
    retries = [c for c, r in target.records.items() if r.get("retryAttemptNumber")]
    assert retries
    for batch in (call_ids[:100], call_ids[100:200], [*retries[:50], UNKNOWN_CALL], [UNKNOWN_CALL]):
        response = target.post("/conversation/search", json={"callIds": batch})
        assert response.status_code == 200
    target.contract.assert_clean()


def test_every_call_detail_validates(target: Target):
    longest = max(target.records.values(), key=lambda r: len(r.get("transcript") or []))
    assert len(longest["transcript"]) >= 160
    for call_id in target.records:
        assert target.get(f"/conversation/{call_id}").status_code == 200
    target.contract.assert_clean()


def test_retry_families_validate(target: Target):
    in_families = [c for c, r in target.records.items() if r.get("retryCount") or r.get("retryAttemptNumber")]
    never_retried = [c for c in target.records if c not in in_families]
    assert in_families
    for call_id in in_families + never_retried[:20]:
        assert target.get(f"/conversation/{call_id}/retries").status_code == 200
    target.contract.assert_clean()


def test_recording_url_responses_validate(target: Target):
    with_audio = [c for c, r in target.records.items() if r.get("recordingUrl")]
    without = [c for c, r in target.records.items() if not r.get("recordingUrl")]
    assert with_audio and without
    for call_id in with_audio[:20]:
        assert target.get(f"/conversation/{call_id}/recording/download-url").status_code == 200
    for call_id in [*without[:5], UNKNOWN_CALL]:
        assert target.get(f"/conversation/{call_id}/recording/download-url").status_code == 404
    mongo_id = next(iter(target.records.values()))["_id"]
    assert target.get(f"/conversation/{mongo_id}/recording/download-url").status_code == 400
    target.contract.assert_clean()


def test_agent_responses_validate(target: Target):
    for params in (
        {},
        {"page": 1, "offset": 2},
        {"page": 2, "offset": 2},
        {"search": "s"},
        {"sortField": "name", "sortOrder": "asc"},
        {"sortField": "totalCalls"},
        {"archived": "true"},
        {"type": "single_prompt"},
    ):
        assert target.get("/agent", **params).status_code == 200
    for agent in target.agents:
        assert target.get(f"/agent/{agent['_id']}").status_code == 200
    assert target.get(f"/agent/{UNKNOWN_AGENT}").status_code == 400
    target.contract.assert_clean()


def test_error_responses_validate(target: Target, spec: Spec):
    for params in (
        {"page": 0},
        {"limit": "ten"},
        {"sortBy": "name"},
        {"sortOrder": "up"},
        {"callTypes": "chat"},
        {"callAttemptFilter": "first"},
        {"durationFilter": "10-20"},
        {"dateFrom": "yesterday"},
    ):
        assert target.get("/conversation", **params).status_code == 400
    for body in (
        b"not json",
        b"{}",
        json.dumps({"callIds": []}).encode(),
        json.dumps({"callIds": [UNKNOWN_CALL] * 101}).encode(),
    ):
        response = target.post("/conversation/search", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400
    assert target.get(f"/conversation/{UNKNOWN_CALL}").status_code == 404
    assert target.get(f"/conversation/{UNKNOWN_CALL}/retries").status_code == 404
    some_call = next(iter(target.records))
    routes = [
        ("GET", "/conversation"),
        ("POST", "/conversation/search"),
        ("GET", f"/conversation/{some_call}"),
        ("GET", f"/conversation/{some_call}/retries"),
        ("GET", f"/conversation/{some_call}/recording/download-url"),
        ("GET", "/agent"),
        ("GET", f"/agent/{target.agents[0]['_id']}"),
    ]
    for headers in ({}, {"Authorization": "Bearer sk_wrong_key_0000000000"}):
        with httpx.Client(base_url=str(target.client.base_url), headers=headers, timeout=10) as anonymous:
            for method, path in routes:
                body = {"callIds": [some_call]} if method == "POST" else None
                response = anonymous.request(method, path, json=body)
                assert response.status_code == 401
                target.contract.check(response)
    target.contract.assert_clean()


def test_foreign_drift_allowance_is_exactly_what_occurs(spec: Spec, foreign_sandbox, foreign_dataset, foreign_expected):
    """Every allowed kind of drift really occurs in the foreign data (else it must leave FOREIGN_DRIFT)."""
    records = {r["callId"]: r for r in foreign_dataset["calls"]}
    contract = Contract(spec, records, FOREIGN_DRIFT)
    with httpx.Client(base_url=foreign_sandbox.base_url, headers=AUTH, timeout=10) as client:
        contract.check(client.get("/conversation", params={"limit": 500, "callAttemptFilter": "all"}))
        contract.check(client.get(f"/conversation/{foreign_expected['long_transcript_callId']}"))
    contract.assert_clean()
    assert contract.drift_seen == set(FOREIGN_DRIFT)


def test_the_response_validator_is_not_vacuous(spec: Spec, sandbox):
    """The same path, with a row broken three ways, is rejected: the checks above can fail."""
    with httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=10) as client:
        good = client.get("/conversation", params={"limit": 1})
    body = good.json()
    body["data"]["logs"][0].update(status="exploded", duration="long", isTest="no")
    bad = httpx.Response(200, json=body, request=good.request)
    contract = Contract(spec, {}, {})
    contract.check(bad)
    assert len(contract.problems) >= 3, contract.problems
    with pytest.raises(ResponseNotFound):  # 404 is not declared for the list at all
        Contract(spec, {}, {}).check(httpx.Response(404, json={"status": False, "errors": ["x"]}, request=good.request))
    contract = Contract(spec, {}, {})
    detail = httpx.Request("GET", f"{sandbox.base_url}/conversation/{UNKNOWN_CALL}", headers=AUTH)
    contract.check(httpx.Response(404, text="Not here", request=detail))
    assert len(contract.problems) == 1  # declared without a schema: the envelope check catches it


# (b) Requests the client sends ------------------------------------------------------------------


class RecordingTransport(httpx.AsyncHTTPTransport):
    """Forwards every request to the real loopback sandbox, keeping a copy of it first."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return await super().handle_async_request(request)


def request_problems(spec: Spec, request: httpx.Request) -> list[str]:
    """openapi-core's verdict on one request; [] when it is valid."""
    query = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
    variants = [query]
    # callTypes: declared as a single enum string, documented as comma-separated (module docstring).
    for name, value in query:
        if name == "callTypes" and "," in value:
            rest = [(k, v) for k, v in query if k != "callTypes"]
            variants = [[*rest, ("callTypes", item)] for item in value.split(",")]
    problems = []
    for variant in variants:
        try:
            spec.api.validate_request(HttpxOpenAPIRequest(request, spec.server_url, variant))
        except Exception as error:  # every kind of rejection (parameter, body, security, path)
            cause = getattr(error, "__cause__", None)
            problems.append(f"{request.method} {request.url}: {type(error).__name__}: {error} ({cause})")
    return problems


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


EVERY_FILTER: dict[str, QueryValue] = {
    "agent_ids": ("0f1e2d3c4b5a69788796a5b4", "1a2b3c4d5e6f708192a3b4c5"),
    "campaign_ids": ("892f902bd23f0824128b2f33",),
    "call_types": ("telephony_outbound",),
    "statuses": ("completed", "failed"),
    "disconnect_reasons": ("user_hangup", "agent_hangup"),
    "durations": ("1-5", "5+"),
    "version_ids": ("8f6d05584ef8aa3892276658", "0f4205b4907a70c31012f037"),
    "search": "+91",
    "attempt": "all",
}
EVERY_FIELD: dict[str, Any] = dict(
    page=2,
    limit=25,
    where=EVERY_FILTER,
    sort_by="duration",
    sort_order="asc",
    since=datetime(2026, 10, 1, tzinfo=UTC),
    until=datetime(2026, 10, 31, 23, 59, 59, 999000, tzinfo=UTC),
    # Passed through verbatim; an unknown name is ignored by openapi-core (query parameters are open).
    extra={"x-future-filter": "1"},
)


@pytest.mark.anyio
async def test_every_client_request_validates(spec: Spec, foreign_sandbox, foreign_expected):
    transport = RecordingTransport()
    family_root = next(iter(foreign_expected["retry_families"]))
    long_call = foreign_expected["long_transcript_callId"]
    agent_id = next(iter(foreign_expected["agent_names"]))
    assert set(EVERY_FIELD) == set(LogQuery.__dataclass_fields__), "a LogQuery field is not exercised"
    assert set(EVERY_FILTER) == set(QUERY_KEYS), "a filter of the table is not exercised"
    queries = [
        LogQuery(),
        LogQuery(**EVERY_FIELD),
        LogQuery(**EVERY_FIELD).narrowed(call_types=("telephony_inbound", "webcall"), attempt="retry"),
        *(
            LogQuery(sort_by=s, sort_order=o)
            for s in ("created", "updated", "duration", "latency")
            for o in ("asc", "desc")
        ),
        *(LogQuery(where={"attempt": a}) for a in ("initial", "retry", "all")),
        LogQuery(limit=500),
        LogQuery(since=datetime(2026, 10, 10, 5, 30, tzinfo=UTC)),
    ]
    settings = settings_for(foreign_sandbox)
    async with AtomsClient(settings, transport=transport) as client:
        for query in queries:
            await client.list_logs(query)
        await client.search(foreign_expected["search_test"]["batches"][0]["callIds"])
        await client.search([long_call])
        await client.get_call(long_call)
        await client.get_retries(family_root)
        await client.get_recording_url(long_call)
        await client.list_agents()
        await client.list_agents(page=2, per_page=2, search="Sales", archived=False)
        await client.list_agents(archived=True)
        await client.get_agent(agent_id)
        for unknown in (client.get_call(UNKNOWN_CALL), client.get_agent(UNKNOWN_AGENT)):
            with pytest.raises(AtomsAPIError):
                await unknown
    sent = transport.requests
    assert len(sent) == len(queries) + 11  # one request per call: no retries were needed
    suffixes = {
        "/conversation",
        "/conversation/search",
        f"/conversation/{long_call}",
        "/retries",
        "/recording/download-url",
        "/agent",
        f"/agent/{agent_id}",
    }
    assert all(any(r.url.path.endswith(suffix) for r in sent) for suffix in suffixes)
    problems = [p for request in sent for p in request_problems(spec, request)]
    assert not problems, "\n".join(problems[:20])
    for request in sent:
        assert request.headers["authorization"] == f"Bearer {SANDBOX_KEY}"


def test_the_request_validator_is_not_vacuous(spec: Spec, foreign_sandbox):
    """Requests that break the spec are rejected through the same adapter, each for its reason."""
    base = foreign_sandbox.base_url
    bad = {
        InvalidParameter: [
            httpx.Request("GET", f"{base}/conversation", params={"limit": "501"}, headers=AUTH),
            httpx.Request("GET", f"{base}/conversation", params={"page": "0"}, headers=AUTH),
            httpx.Request("GET", f"{base}/conversation", params={"callTypes": "chat"}, headers=AUTH),
            httpx.Request("GET", f"{base}/conversation", params={"dateFrom": "yesterday"}, headers=AUTH),
            httpx.Request("GET", f"{base}/conversation", params={"sortBy": "name"}, headers=AUTH),
        ],
        InvalidRequestBody: [
            httpx.Request("POST", f"{base}/conversation/search", json={"callIds": [UNKNOWN_CALL] * 101}, headers=AUTH),
            httpx.Request("POST", f"{base}/conversation/search", json={"callIds": []}, headers=AUTH),
        ],
        SecurityValidationError: [
            httpx.Request("GET", f"{base}/conversation"),
            httpx.Request("GET", f"{base}/conversation", headers={"Authorization": f"Basic {SANDBOX_KEY}"}),
        ],
        PathNotFound: [httpx.Request("GET", f"{base}/conversations", headers=AUTH)],
    }
    for expected, requests in bad.items():
        for request in requests:
            with pytest.raises(expected):
                spec.api.validate_request(HttpxOpenAPIRequest(request, spec.server_url))
    # A comma-separated callTypes with one unknown item is still caught, item by item.
    mixed = httpx.Request("GET", f"{base}/conversation", params={"callTypes": "webcall,chat"}, headers=AUTH)
    assert len(request_problems(spec, mixed)) == 1
    fine = httpx.Request("GET", f"{base}/conversation", params={"callTypes": "webcall,telephony_inbound"}, headers=AUTH)
    assert request_problems(spec, fine) == []
