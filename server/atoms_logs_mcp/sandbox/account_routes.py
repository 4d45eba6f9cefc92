"""The /_sandbox controls of the account itself: its calls changed at run time, and the large-account mode.

    GET    /_sandbox/calls           {"calls": N, "pending": scheduled changes not applied yet}
    POST   /_sandbox/calls           [record...] | {"calls": [...], "delete": [...], "after_list_requests": K}
    DELETE /_sandbox/calls           {"callIds": [...], "after_list_requests": K}
    GET    /_sandbox/large-account   the settings (large_account.py)
    POST   /_sandbox/large-account   {"on": bool, "ms_per_1000_calls": x, "gateway_timeout_s": x, "timeout_wait_s": x}

The calls controls act on the account an `Authorization: Bearer KEY` header names, else the first (tenants.py).
A change applied at once answers `{"added", "replaced", "deleted", "calls"}`; a scheduled one `{"pending",
"calls"}` (account_changes.py has the exact timing). A malformed body answers 400 `{"error": ...}`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .account_changes import parse_change
from .tenants import account_of

if TYPE_CHECKING:
    from .app import SandboxState


def _state(request: Request) -> SandboxState:
    return request.app.state.sandbox  # type: ignore[no-any-return]


async def _body(request: Request) -> Any:
    return json.loads(await request.body() or b"{}")


def _bad(error: Exception) -> Response:
    return JSONResponse({"error": str(error)}, status_code=400)


async def get_calls(request: Request) -> Response:
    account = account_of(request)
    return JSONResponse({"calls": len(account.store.calls), "pending": len(account.changes.pending)})


async def _change(request: Request, ids_key: str) -> Response:
    account = account_of(request)
    try:
        change = parse_change(await _body(request), ids_key)
    except (ValueError, RecursionError) as error:
        return _bad(error)
    done = account.changes.submit(change)
    return JSONResponse({**done, "calls": len(account.store.calls)})


async def post_calls(request: Request) -> Response:
    return await _change(request, "delete")


async def delete_calls(request: Request) -> Response:
    return await _change(request, "callIds")


async def get_large_account(request: Request) -> Response:
    return JSONResponse(_state(request).large_account.as_dict())


async def set_large_account(request: Request) -> Response:
    state = _state(request)
    try:
        changes = await _body(request)
        if not isinstance(changes, dict):
            raise ValueError("expected a JSON object")
        state.large_account = state.large_account.updated(changes)
    except (ValueError, RecursionError) as error:
        return _bad(error)
    return JSONResponse(state.large_account.as_dict())


ROUTES = [
    ("GET", "/_sandbox/calls", get_calls),
    ("POST", "/_sandbox/calls", post_calls),
    ("DELETE", "/_sandbox/calls", delete_calls),
    ("GET", "/_sandbox/large-account", get_large_account),
    ("POST", "/_sandbox/large-account", set_large_account),
]
