"""Async client of the Atoms REST API: one pooled httpx client, bounded retries, typed errors."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from urllib.parse import quote

import anyio
import httpx
import stamina
from pydantic import BaseModel, ValidationError

from .. import __version__
from ..config import Settings
from ..settings_table import key_names
from .agent_models import AgentDetail
from .collector import without_collection
from .diagnosis import address, connect_failure, describe_body, parse_retry_after
from .errors import (
    AtomsAPIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UnreachableError,
    UnreadableResponseError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
    WrongServiceError,
    scrub,
)
from .models import AgentPage, CallDetail, CallRow, LogPage, SearchResult, read_row
from .query import LogQuery
from .redact import redact

logger = logging.getLogger(__name__)

USER_AGENT = f"atoms-logs-mcp/{__version__} python-httpx/{httpx.__version__}"
SEARCH_BATCH_LIMIT = 100
Parsed = TypeVar("Parsed", bound=BaseModel)
Transport = httpx.AsyncBaseTransport  # the network by default, or (tests, --demo) an app in process
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "cf-ray")


def parse_data(model: type[Parsed], data: Any, operation: str) -> Parsed:
    """The payload as `model`. Every field is lenient, so only a `data` that is not an object fails."""
    try:
        return without_collection(model.model_validate, data)
    except ValidationError:
        raise UnreadableResponseError(
            f"The Atoms API sent a `data` that is {type(data).__name__}, not an object,", operation=operation
        ) from None


def open_pool(settings: Settings, transport: Transport | None = None) -> httpx.AsyncClient:
    """The HTTP client (connection pool) the Atoms API is read through: one per server lifetime."""
    return httpx.AsyncClient(
        base_url=settings.base_url + "/",
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", **settings.extra_headers},
        timeout=httpx.Timeout(settings.timeout),
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        transport=transport,
        follow_redirects=False,
    )


class _NotSent(UnreachableError):
    """The connection failed before the request left: safe to retry even when not idempotent."""


class AtomsClient:
    """The Atoms API, one method per operation. Use as an async context manager.

    Every method retries 429, 5xx, timeouts, dropped connections and malformed bodies with
    exponential back-off and jitter (honouring `Retry-After`), all within `settings.deadline`;
    then raises a subclass of `AtomsAPIError`.
    """

    def __init__(
        self, settings: Settings, *, transport: Transport | None = None, pool: httpx.AsyncClient | None = None
    ) -> None:
        """`pool`: an HTTP client shared with other AtomsClients (the team server's one per key), left open here;
        without it this client opens its own. The key is sent with each request, never kept in a shared pool."""
        self.settings = settings
        self._auth = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self._owns_http = pool is None
        self._http = pool or open_pool(settings, transport)
        self.reached = False
        """True once the API answered a request with its JSON envelope: the base URL is right."""

    async def __aenter__(self) -> AtomsClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # Operations ---------------------------------------------------------------------------------

    async def list_logs(self, query: LogQuery | None = None) -> LogPage:
        """`GET /conversation`: one page of calls matching the filters."""
        data = await self.request("GET", "conversation", params=(query or LogQuery()).to_params())
        return parse_data(LogPage, data, "GET /conversation")

    async def search(self, call_ids: Sequence[str]) -> SearchResult:
        """`POST /conversation/search`: up to 100 calls by id (unknown ids are simply absent)."""
        if not 1 <= len(call_ids) <= SEARCH_BATCH_LIMIT:
            raise ValueError(f"search takes 1 to {SEARCH_BATCH_LIMIT} call ids, got {len(call_ids)}")
        # A POST, but a read: repeating it changes nothing, so it is retried like a GET.
        data = await self.request("POST", "conversation/search", json={"callIds": list(call_ids)}, idempotent=True)
        return parse_data(SearchResult, data, "POST /conversation/search")

    async def get_call(self, call_id: str) -> CallDetail:
        """`GET /conversation/{callId}`: one call in full."""
        data = await self.request("GET", f"conversation/{quote(call_id, safe='')}", subject=f"call {call_id}")
        return parse_data(CallDetail, data, "GET /conversation/{callId}")

    async def get_retries(self, call_id: str) -> list[CallRow]:
        """`GET /conversation/{callId}/retries`: the retry family, parent first."""
        data = await self.request("GET", f"conversation/{quote(call_id, safe='')}/retries", subject=f"call {call_id}")
        rows = data.get("retries") if isinstance(data, dict) else None
        return [read_row(row) for row in rows or [] if isinstance(row, dict)]

    async def get_recording_url(self, call_id: str) -> str:
        """`GET /conversation/{callId}/recording/download-url`: a short-lived link to the audio."""
        data = await self.request(
            "GET",
            f"conversation/{quote(call_id, safe='')}/recording/download-url",
            subject=f"recording of call {call_id}",
        )
        url = data.get("presignedUrl") if isinstance(data, dict) else None
        if not isinstance(url, str) or not url:
            raise UpstreamUnavailableError("The Atoms API sent no recording URL", operation="recording")
        return url

    async def list_agents(
        self, *, page: int = 1, per_page: int = 100, search: str | None = None, archived: bool | None = None
    ) -> AgentPage:
        """`GET /agent`: one page of agents (`offset` is the API's name for the page size)."""
        params = {"page": str(page), "offset": str(per_page)}
        if search:
            params["search"] = search
        if archived is not None:
            params["archived"] = "true" if archived else "false"
        return parse_data(AgentPage, await self.request("GET", "agent", params=params), "GET /agent")

    async def get_agent(self, agent_id: str) -> AgentDetail:
        """`GET /agent/{id}` with `_resolvedConfig`. An unknown id answers 400 "No agent found": raised as NotFound."""
        try:
            data = await self.request("GET", f"agent/{quote(agent_id, safe='')}", subject=f"agent {agent_id}")
        except BadRequestError as error:
            if "no agent found" in (error.upstream_message or "").lower():
                raise NotFoundError(
                    f"No agent {agent_id} in this organisation",
                    status=error.status,
                    upstream_message=error.upstream_message,
                    request_id=error.request_id,
                    operation="get_agent",
                ) from None
            raise
        return parse_data(AgentDetail, data, "GET /agent/{id}")

    # Transport ----------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        subject: str | None = None,
    ) -> Any:
        """Send one API request with retries under the deadline; return the envelope's `data`."""
        unsent_only = not (method in ("GET", "HEAD") if idempotent is None else idempotent)
        send = functools.partial(self._send_once, method, path, params, json, subject)
        return await self._retrying(f"{method} /{path}", subject, unsent_only, send)

    @asynccontextmanager
    async def open_stream(
        self, path: str, *, params: dict[str, str], headers: dict[str, str], within: float | None = None
    ) -> AsyncIterator[Any]:
        """`GET path` as an open stream (the response, once it is a 2xx). Opening is retried like any GET, for at
        most `within` seconds (default the deadline); other answers raise as `request` raises them. No read
        timeout: the caller bounds how long it listens."""
        operation = f"GET /{path}"

        async def open_once() -> httpx.Response:
            request = self._http.build_request("GET", path, params=params, headers={**self._auth, **headers})
            request.extensions["timeout"] = httpx.Timeout(self.settings.timeout, read=None).as_dict()
            try:
                response = await self._http.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                raise self._unreachable(error, operation) from None
            except httpx.TransportError as error:
                message = f"The stream failed to open ({type(error).__name__})"
                raise UpstreamUnavailableError(message, operation=operation) from None
            if not 200 <= response.status_code < 300:
                try:
                    await response.aread()
                finally:
                    await response.aclose()
                self._unwrap(response, operation, None)
            return response

        response = await self._retrying(operation, None, False, open_once, within)
        try:
            yield response
        finally:
            await response.aclose()

    async def _retrying(
        self,
        operation: str,
        subject: str | None,
        unsent_only: bool,
        send: Callable[[], Awaitable[Any]],
        within: float | None = None,
    ) -> Any:
        """`send()`, retried on 429, 5xx, timeouts and drops with back-off, all within `settings.deadline` (or
        `within`, when sooner)."""
        if not self.settings.api_key:
            raise ConfigurationError(f"No Atoms API key: set {key_names()}.")
        budget = self.settings.deadline if within is None else min(within, self.settings.deadline)
        deadline = anyio.current_time() + budget

        def should_retry(error: Exception) -> bool | float:
            if isinstance(error, _NotSent):
                return True
            refused = isinstance(error, RateLimitedError)  # a 429 was not processed: safe even when not idempotent
            if not refused and not (isinstance(error, UpstreamUnavailableError) and not unsent_only):
                return False
            wait = getattr(error, "retry_after", None)
            if wait is None:
                return True
            if anyio.current_time() + wait >= deadline:
                return False  # waiting as asked would break the deadline: let the caller decide
            return float(wait)

        try:
            with anyio.fail_after(budget):
                async for attempt in stamina.retry_context(
                    on=should_retry,
                    attempts=self.settings.max_attempts,
                    timeout=budget,
                    wait_initial=self.settings.backoff_initial,
                    wait_max=self.settings.backoff_max,
                    wait_jitter=self.settings.backoff_initial,
                ):
                    with attempt:
                        return await send()
        except NotFoundError:
            if subject and not self.reached:
                await self._confirm_base_url()
            raise
        except TimeoutError:
            raise UpstreamTimeoutError(
                f"The Atoms API did not answer within {budget:g} s (retries included)",
                operation=operation,
            ) from None
        except _NotSent as error:
            raise UnreachableError(
                error.args[0], address=error.address, cause=error.cause, operation=error.operation, url=error.url
            ) from None
        raise AssertionError("unreachable: stamina either returns or raises")  # pragma: no cover

    async def _send_once(
        self, method: str, path: str, params: dict[str, str] | None, json: Any, subject: str | None
    ) -> Any:
        operation = f"{method} /{path}"
        started = time.perf_counter()
        try:
            response = await self._http.request(method, path, params=params, json=json, headers=self._auth)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise self._unreachable(error, operation) from None
        except httpx.TimeoutException:
            raise UpstreamTimeoutError(
                f"The Atoms API did not answer within {self.settings.timeout:g} s", operation=operation
            ) from None
        except httpx.TransportError as error:
            raise UpstreamUnavailableError(
                f"The connection to the Atoms API failed ({type(error).__name__})", operation=operation
            ) from None
        logger.debug(
            "%s %s -> %s in %.0f ms",
            method,
            path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return self._unwrap(response, operation, subject)

    async def _confirm_base_url(self) -> None:
        """After a 404 for one item, before the API has answered anything: is the base URL the API at all?

        A base URL without `/atoms/v1` answers 404 for every call id; asking for the first page of the
        call list tells that apart from an id that does not exist. Only a WrongServiceError is raised.
        """
        try:
            await self._send_once("GET", "conversation", {"page": "1", "limit": "1"}, None, None)
        except WrongServiceError:
            raise
        except AtomsAPIError:
            pass

    def _unreachable(self, error: httpx.TransportError, operation: str) -> UnreachableError:
        """A refused connection fails at once and may pass (a restart): retried. A wrong name, a TLS failure or a
        connect timeout (which has already taken the per-attempt timeout) is not."""
        cause = connect_failure(error)
        url = self._http.base_url
        kind = _NotSent if cause.startswith("connection refused") else UnreachableError
        return kind(
            f"Could not connect to the Atoms API at {address(url)}: {cause}",
            address=address(url),
            cause=cause,
            operation=operation,
            url=self._shown_url(url),
        )

    def _shown_url(self, url: httpx.URL) -> str:
        """A URL to show: no credentials, no query string (it can hold phone numbers)."""
        return scrub(str(url.copy_with(username=None, password=None, query=None)), self.settings.api_key, 160)

    def _unwrap(self, response: httpx.Response, operation: str, subject: str | None) -> Any:
        status = response.status_code
        request_id = next((response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), None)
        try:
            body: Any = without_collection(response.json)
        except ValueError:
            body = None
        context: dict[str, Any] = {
            "status": status,
            "request_id": scrub(request_id, self.settings.api_key, 80) if request_id else None,
            "upstream_message": self._upstream_message(body, response),
            "operation": operation,
            "url": self._shown_url(response.request.url),
        }
        if isinstance(body, dict) and "status" in body and status != 404:
            self.reached = True  # the API's own envelope: this is the API, whatever the status
        if 200 <= status < 300:
            return self._data(response, body, context)
        if status in (401, 403) and body is None and (page := describe_body(response)).startswith("an HTML page"):
            # A login page or a proxy's refusal, not the API's answer about the key.
            raise WrongServiceError("An HTML page refused the request", answer=f"{page} with HTTP {status}", **context)
        if status in (401, 403):
            refused = (AuthenticationError if status == 401 else PermissionDeniedError)(**context)
            refused.request_key = self.settings.auth_mode == "passthrough"
            raise refused
        if status == 404 and subject is None:
            raise WrongServiceError(
                f"The Atoms API has {operation.split(' ')[-1]}, but this server answered 404 for it",
                answer=f"HTTP 404 for {operation}",
                **context,
            )
        if status == 404 and subject is not None:
            raise NotFoundError(f"{subject[0].upper()}{subject[1:]} not found", **context)
        if status == 429:
            raise RateLimitedError(retry_after=parse_retry_after(response, body), **context)
        if status in (408, 504):
            raise UpstreamTimeoutError(
                "The Atoms API timed out answering", retry_after=parse_retry_after(response, body), **context
            )
        if status >= 500:
            raise UpstreamUnavailableError(
                "The Atoms API failed with a server error", retry_after=parse_retry_after(response, body), **context
            )
        if status in (400, 409, 422):
            raise BadRequestError(**context)
        raise AtomsAPIError(f"The Atoms API answered with unexpected HTTP {status}", **context)

    def _data(self, response: httpx.Response, body: Any, context: dict[str, Any]) -> Any:
        """The envelope's `data`. A cut-short body is retried; HTML or another JSON shape is a wrong address."""
        if body is None:
            described = describe_body(response)
            if described.startswith("an HTML page"):
                raise WrongServiceError("An HTML page answered instead of the Atoms API", answer=described, **context)
            raise UnreadableResponseError(f"The Atoms API sent {described}", **context)
        if not isinstance(body, dict) or ("data" not in body and "status" not in body):
            raise WrongServiceError(
                "A JSON answer without the Atoms API's envelope", answer="JSON without `status` and `data`", **context
            )
        if body.get("status") is False:
            raise BadRequestError(**context)
        if "data" not in body:
            raise UnreadableResponseError("The Atoms API sent its envelope without `data`", **context)
        return redact(body["data"]) if self.settings.redact_phones else body["data"]

    def _upstream_message(self, body: Any, response: httpx.Response) -> str | None:
        message: Any = None
        if isinstance(body, dict):
            errors = body.get("errors")
            if isinstance(errors, list) and errors:
                message = "; ".join(str(e) for e in errors[:3])
            elif isinstance(body.get("message"), str):
                message = body["message"]
        elif response.status_code >= 400 and response.text and "<html" not in response.text[:200].lower():
            message = response.text
        return scrub(str(message), self.settings.api_key) if message else None
