"""The sandbox as an ASGI app: the Atoms API's routes under /atoms/v1, plus /_sandbox controls.

Routes, envelopes and status codes follow the official spec and NOTES.md; `store.py` holds the
query semantics. The /_sandbox routes are not part of the Atoms API: they set faults at run time
(`POST /_sandbox/faults`), count requests per route (`GET /_sandbox/stats`, with `created_at_scans`: the
`GET /conversation` requests that sort or range-filter on createdAt), restart live calls (`POST /_sandbox/live`),
set the versioning model (`POST /_sandbox/versioning`), change the calls and turn on the large-account mode
(`/_sandbox/calls`, `/_sandbox/large-account`: account_routes.py).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import account_routes, agent_routes, envelope
from .faults import FaultConfig, FaultInjector
from .large_account import LargeAccount, gateway_timeout, scans_created_at
from .live import CutStream, LiveCalls
from .store import CALL_ID, CallStore, InvalidQuery
from .tenants import Account, account_of, bearer_token, find_account

logger = logging.getLogger(__name__)

API_PREFIX = "/atoms/v1"
DEFAULT_SANDBOX_KEY = "sk_sandbox_local_demo_key"

Handler = Callable[[Request], Awaitable[Response]]


class DroppedConnection(Exception):
    """Raised inside the app to make the server abandon a response half-way."""


class _HalfResponse(Response):
    """Promises a body, sends part of it, then gives up: the client sees the connection close early."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"status": true, "da', "more_body": True})
        raise DroppedConnection


class SandboxState:
    """Everything one sandbox app holds: each key's account (data, live calls, changes: tenants.py), faults, the
    large-account mode, traffic counters. `store`, `live`, `changes` and `api_key` are the first account's."""

    def __init__(
        self,
        accounts: Mapping[str, CallStore],
        faults: FaultConfig | None = None,
        live_speed: float = 1.0,
        large_account: LargeAccount | None = None,
    ):
        if not accounts:
            raise ValueError("the sandbox needs at least one account")
        self.accounts = {key: Account(store, live_speed) for key, store in accounts.items()}
        self.api_key = next(iter(self.accounts))
        self.first = self.accounts[self.api_key]
        self.faults = FaultInjector(faults)
        self.large_account = large_account or LargeAccount()
        self.counts: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.recent: deque[dict[str, Any]] = deque(maxlen=500)
        self.created_at_scans = 0

    @property
    def store(self) -> CallStore:
        return self.first.store

    @property
    def live(self) -> LiveCalls:
        return self.first.live

    def reset_stats(self) -> None:
        self.counts.clear()
        self.statuses.clear()
        self.recent.clear()
        self.created_at_scans = 0


async def _sleep_while_connected(request: Request, seconds: float) -> None:
    """Wait, but stop as soon as the client hangs up (so shutdown never waits on a slow fault)."""
    deadline = anyio.current_time() + seconds
    while (left := deadline - anyio.current_time()) > 0:
        await anyio.sleep(min(0.05, left))
        if await request.is_disconnected():
            return


def _state(request: Request) -> SandboxState:
    return request.app.state.sandbox  # type: ignore[no-any-return]


def _api(route: str, handler: Handler) -> Handler:
    """Auth, faults, 400 on bad input and traffic counting around one Atoms API handler."""

    async def endpoint(request: Request) -> Response:
        state = _state(request)
        state.counts[route] += 1
        state.recent.append({"route": route, "query": dict(request.query_params)})
        response = await _guarded(state, route, handler, request)
        state.statuses[f"{route} {response.status_code}"] += 1
        return response

    return endpoint


async def _guarded(state: SandboxState, route: str, handler: Handler, request: Request) -> Response:
    account = find_account(state.accounts, bearer_token(request))
    if account is None:
        return envelope.error(401, "Unauthorized: User not found")
    request.state.account = account
    account.live.settle()  # a live call whose replay is over is completed in every answer
    fault = await _fault(state, request)
    if fault is not None:
        return fault
    try:
        return await handler(request)
    except InvalidQuery as error:
        logger.debug("400 on %s: %s", route, error)
        return envelope.error(400, "Invalid input")


async def _fault(state: SandboxState, request: Request) -> Response | None:
    """The fault drawn for this request, as the response it makes (None: answer normally, perhaps late)."""
    config = state.faults.config
    if config.latency_ms:
        await anyio.sleep(config.latency_ms / 1000)
    match state.faults.draw():
        case "drop" if request.url.path.endswith("/events"):
            request.state.cut_after = config.stream_cut_after  # a stream is cut after a few frames, not before
        case "drop":
            return _HalfResponse()
        case "malformed":
            return Response('{"status": true, "data": {"logs": [', media_type="application/json")
        case "rate_limit":
            body = {
                "message": "Rate limit exceeded",
                "rateLimit": {"routeClass": "logs", "limit": 60, "retryAfterSec": config.retry_after},
            }
            return JSONResponse(body, status_code=429, headers={"Retry-After": f"{config.retry_after:g}"})
        case "error":
            status = state.faults.pick_error_status()
            response = envelope.error(status, "Gateway timeout" if status == 504 else "Internal server error")
            if status == 503:  # "try again later", said the usual way
                response.headers["Retry-After"] = f"{config.retry_after:g}"
            return response
        case "slow":
            await _sleep_while_connected(request, config.slow_ms / 1000)
    return None


async def list_conversations(request: Request) -> Response:
    """A page of the list. A created-at scan is counted and, on a large account, slow or a gateway 504; a page
    answered lets the changes scheduled after it apply (account_changes.py)."""
    state, account = _state(request), account_of(request)
    page = account.store.list_calls(request.query_params)
    if scans_created_at(request.query_params):
        state.created_at_scans += 1
        if state.large_account.on:
            seconds, times_out = state.large_account.wait(len(account.store.calls))
            await _sleep_while_connected(request, seconds)
            if times_out:
                return gateway_timeout()
    response = envelope.ok(page)
    account.changes.page_served()
    return response


async def search_conversations(request: Request) -> Response:
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):
        raise InvalidQuery("the body is not JSON (or nests too deep)") from None
    return envelope.ok(account_of(request).store.search(body))


async def get_conversation(request: Request) -> Response:
    store = account_of(request).store
    call = store.get(request.path_params["call_id"])
    if call is None:
        return envelope.error(404, "Conversation log not found")
    return envelope.ok(store.detail(call))


async def live_events(request: Request) -> Response:
    """`GET /events?callId=`: an active call's events as Server-Sent Events; 400 for any other call."""
    state, account = _state(request), account_of(request)
    call_id = request.query_params.get("callId", "")
    call = account.store.get(call_id) if CALL_ID.fullmatch(call_id) else None
    if call is None:
        return envelope.error(400, "Invalid callId")
    if not account.live.is_live(call):
        status = call.record.get("status")
        return envelope.error(400, f"Call is not active (status {status}); only active calls can be subscribed to")
    cut_after = getattr(request.state, "cut_after", None) or state.faults.take_stream_cut()
    frames = account.live.stream(call, request.headers.get("last-event-id"), cut_after)
    headers = {"Cache-Control": "no-cache"}
    return StreamingResponse(_cut_as_drop(frames), media_type="text/event-stream", headers=headers)


async def _cut_as_drop(frames: Any) -> Any:
    try:
        async for frame in frames:
            yield frame
    except CutStream:
        raise DroppedConnection from None


async def get_retries(request: Request) -> Response:
    store = account_of(request).store
    call = store.get(request.path_params["call_id"])
    if call is None:
        return envelope.error(404, "Call not found")
    return envelope.ok({"retries": [member.row() for member in store.family(call)]})


async def get_recording(request: Request) -> Response:
    call_id = request.path_params["call_id"]
    if not CALL_ID.fullmatch(call_id):
        return envelope.error(400, "Invalid call ID format")
    call = account_of(request).store.get(call_id)
    url = call.record.get("recordingUrl") if call else None
    if not url:
        return envelope.error(404, "No recording found for this call")
    return envelope.ok({"presignedUrl": f"{url}?X-Amz-Expires=300&X-Amz-Signature={secrets.token_hex(16)}"})


async def list_agents(request: Request) -> Response:
    return envelope.ok(account_of(request).store.list_agents(request.query_params))


async def get_live(request: Request) -> Response:
    live = account_of(request).live
    return JSONResponse({"speed": live.speed, "ended": live.ended, "sent": list(live.sent)})


async def set_live(request: Request) -> Response:
    """Start every live call afresh (nothing heard, nothing ended), at `speed` when given."""
    live = account_of(request).live
    try:
        body = json.loads(await request.body() or b"{}")
        live.configure(float(body.get("speed", live.speed)) if isinstance(body, dict) else live.speed)
    except (ValueError, TypeError) as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    return JSONResponse({"speed": live.speed})


async def get_versioning(request: Request) -> Response:
    return JSONResponse({"mode": account_of(request).store.versions.mode})


async def set_versioning(request: Request) -> Response:
    """`{"mode": "v2"}`: the branch model (v1 list reads answer 409); `"v1"`: no v2 branch routes."""
    try:
        mode = json.loads(await request.body() or b"{}").get("mode", "v2")
    except (ValueError, AttributeError):
        mode = None
    if mode not in ("v2", "v1"):
        return JSONResponse({"error": "mode must be v2 or v1"}, status_code=400)
    account_of(request).store.versions.mode = mode
    return JSONResponse({"mode": mode})


async def get_faults(request: Request) -> Response:
    return JSONResponse(_state(request).faults.config.as_dict())


async def set_faults(request: Request) -> Response:
    faults = _state(request).faults
    try:
        changes = json.loads(await request.body() or b"{}")
        if not isinstance(changes, dict):
            raise ValueError("expected a JSON object")
        faults.configure(
            FaultConfig().updated(changes) if changes.pop("reset", False) else faults.config.updated(changes)
        )
    except (ValueError, TypeError) as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    return JSONResponse(faults.config.as_dict())


async def get_stats(request: Request) -> Response:
    state = _state(request)
    return JSONResponse(
        {
            "total": sum(state.counts.values()),
            "created_at_scans": state.created_at_scans,
            "requests": dict(state.counts),
            "statuses": dict(state.statuses),
            "recent": list(state.recent),
        }
    )


async def reset_stats(request: Request) -> Response:
    _state(request).reset_stats()
    return JSONResponse({"total": 0, "created_at_scans": 0})


API_ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/conversation", list_conversations),
    ("POST", "/conversation/search", search_conversations),
    ("GET", "/conversation/{callId}/retries", get_retries),
    ("GET", "/conversation/{callId}/recording/download-url", get_recording),
    ("GET", "/conversation/{callId}", get_conversation),
    ("GET", "/agent", list_agents),
    *agent_routes.ROUTES,
    ("GET", "/events", live_events),
]
"""(method, path as the spec writes it, handler); the spec's path names the route in the traffic counters."""


def _route(method: str, path: str, handler: Handler) -> Route:
    starlette_path = path.replace("{callId}", "{call_id}").replace("{id}", "{agent_id}")
    return Route(f"{API_PREFIX}{starlette_path}", _api(f"{method} {path}", handler), methods=[method])


def create_app(
    store: CallStore | Mapping[str, CallStore],
    *,
    api_key: str = DEFAULT_SANDBOX_KEY,
    faults: FaultConfig | None = None,
    in_process: bool = False,
    live_speed: float = 1.0,
    large_account: LargeAccount | None = None,
) -> Starlette:
    """The sandbox app. `store`: one organisation's calls, read with `api_key`; or each key's own store (tenants.py).
    `in_process` apps let DroppedConnection escape for an in-process transport."""
    routes = [_route(method, path, handler) for method, path, handler in API_ROUTES]
    routes += [
        Route("/_sandbox/faults", get_faults, methods=["GET"]),
        Route("/_sandbox/faults", set_faults, methods=["POST"]),
        Route("/_sandbox/stats", get_stats, methods=["GET"]),
        Route("/_sandbox/stats/reset", reset_stats, methods=["POST"]),
        Route("/_sandbox/live", get_live, methods=["GET"]),
        Route("/_sandbox/live", set_live, methods=["POST"]),
        Route("/_sandbox/versioning", get_versioning, methods=["GET"]),
        Route("/_sandbox/versioning", set_versioning, methods=["POST"]),
        *(Route(path, handler, methods=[method]) for method, path, handler in account_routes.ROUTES),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_allowed, Exception: _crashed})
    accounts = dict(store) if isinstance(store, Mapping) else {api_key: store}
    app.state.sandbox = SandboxState(accounts, faults, live_speed, large_account)
    return _CatchAll(app, reraise_drops=in_process)  # type: ignore[return-value]


async def _not_found(request: Request, exc: Exception) -> Response:
    return envelope.error(404, "Not found")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return envelope.error(405, "Method not allowed")


async def _crashed(request: Request, exc: Exception) -> Response:
    if isinstance(exc, DroppedConnection):
        raise exc
    logger.error("sandbox handler crashed on %s %s", request.method, request.url.path, exc_info=exc)
    return envelope.error(500, "Internal server error")


class _CatchAll:
    """Keeps crashes inside the app: the 500 envelope was already sent by `_crashed`, and a
    DroppedConnection ends the response half-way (re-raised for the in-process transport)."""

    def __init__(self, app: Starlette, *, reraise_drops: bool) -> None:
        self.app = app
        self.state = app.state
        self.reraise_drops = reraise_drops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except DroppedConnection:
            if self.reraise_drops:
                raise
            # Returning with the response incomplete makes uvicorn close the connection.
        except Exception:  # noqa: S110 - logged and answered by _crashed already
            pass
