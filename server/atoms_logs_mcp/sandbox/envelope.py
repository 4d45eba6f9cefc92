"""The Atoms API's JSON envelope: `{"status": true, "data": ...}`, or `{"status": false, "errors": [...]}`."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"status": True, "data": data})


def error(status: int, *messages: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"status": False, **extra, "errors": list(messages)}, status_code=status)
