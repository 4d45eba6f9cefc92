"""The sandbox without a socket (`--demo`): an httpx transport that runs the app in process and streams.

httpx's own ASGITransport collects a whole response before returning it, so a live-event stream would arrive
only when the call ends. This transport hands the response over as soon as its headers are sent and passes
each body chunk on as the app sends it; a dropped connection surfaces as httpx raises it from a socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx

from .app import DEFAULT_SANDBOX_KEY, create_app
from .faults import FaultConfig
from .store import CallStore

_END = object()
_DROPPED = object()


class _Body(httpx.AsyncByteStream):
    def __init__(
        self, chunks: asyncio.Queue[Any], task: asyncio.Task[None], gone: asyncio.Event, request: httpx.Request
    ) -> None:
        self._chunks, self._task, self._gone, self._request = chunks, task, gone, request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := await self._chunks.get()) is not _END:
            if chunk is _DROPPED:
                raise httpx.RemoteProtocolError("peer closed connection mid-response", request=self._request)
            yield chunk

    async def aclose(self) -> None:
        self._gone.set()
        if not self._task.done():
            self._task.cancel()
            await asyncio.wait([self._task], timeout=5)  # waits for the app to stop without taking its cancellation


class InProcessTransport(httpx.AsyncBaseTransport):
    """Requests go straight to the sandbox app; responses stream as the app writes them."""

    def __init__(
        self,
        store: CallStore,
        api_key: str = DEFAULT_SANDBOX_KEY,
        faults: FaultConfig | None = None,
        live_speed: float = 1.0,
    ) -> None:
        self.app = create_app(store, api_key=api_key, faults=faults, in_process=True, live_speed=live_speed)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = b"".join([part async for part in request.stream])  # type: ignore[union-attr]
        started: asyncio.Future[MutableMapping[str, Any]] = asyncio.get_running_loop().create_future()
        chunks: asyncio.Queue[Any] = asyncio.Queue()
        gone = asyncio.Event()
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start" and not started.done():
                started.set_result(message)
            elif message["type"] == "http.response.body":
                if message.get("body"):
                    chunks.put_nowait(message["body"])
                if not message.get("more_body", False):
                    chunks.put_nowait(_END)

        async def run() -> None:
            try:
                await self.app(_scope(request), receive, send)
            except asyncio.CancelledError:
                raise
            except BaseException:  # a drop (the app answers every other failure itself)
                chunks.put_nowait(_DROPPED)
            finally:
                if not started.done():
                    started.set_exception(httpx.RemoteProtocolError("no response from the sandbox", request=request))
                chunks.put_nowait(_END)

        task = asyncio.create_task(run())
        try:
            message = await started
        except BaseException:
            task.cancel()
            raise
        headers = [(key, value) for key, value in message.get("headers", [])]
        return httpx.Response(message["status"], headers=headers, stream=_Body(chunks, task, gone, request))


def _scope(request: httpx.Request) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "headers": [(key.lower(), value) for key, value in request.headers.raw],
        "scheme": request.url.scheme,
        "path": request.url.path,
        "raw_path": request.url.raw_path.split(b"?")[0],
        "query_string": request.url.query,
        "server": (request.url.host, request.url.port),
        "client": ("127.0.0.1", 123),
        "root_path": "",
    }
