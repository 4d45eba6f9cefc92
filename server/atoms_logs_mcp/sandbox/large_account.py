"""A large account: `GET /conversation` requests that sort or range-filter on `createdAt` scan the whole history.

The spec says the default order (`updatedAt` descending) is index-backed and stays fast, while `sortBy=createdAt`,
`dateFrom` and `dateTo` "force a full scan of your conversation history" and "can exceed the gateway timeout and
return a 504". With the large-account mode on, such a request (a *created-at scan*) takes
`ms_per_1000_calls` for every 1,000 calls the organisation holds (all of them, retries included, whatever the
filters or the page), and answers:

- when that time stays within `gateway_timeout_s`: normally, after really waiting that long (while the client is
  connected);
- otherwise: **504** with the body of an AWS API Gateway integration timeout, `{"message": "Endpoint request timed
  out"}` (no Atoms envelope: the gateway answers, not the API), after waiting only `timeout_wait_s` (default
  0.5 s), not the whole gateway timeout.

Defaults: 2,000 ms per 1,000 calls and a 29 s gateway timeout (API Gateway's integration limit), so an account of
more than 14,500 calls times out and one of 20,000 (40 s) clearly does. Requests in the default order, or sorted
on another field without a date filter, are never delayed. Every created-at scan is counted, mode on or off
(`created_at_scans` in `/_sandbox/stats`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from starlette.responses import JSONResponse

from .faults import number_setting

GATEWAY_TIMEOUT_BODY = {"message": "Endpoint request timed out"}
"""What AWS API Gateway answers (504) when the integration behind it outlasts its timeout."""


@dataclass(frozen=True)
class LargeAccount:
    on: bool = False
    ms_per_1000_calls: float = 2000.0
    """How long a created-at scan takes per 1,000 calls the organisation holds."""
    gateway_timeout_s: float = 29.0
    """The gateway's limit: a scan that would take longer answers 504."""
    timeout_wait_s: float = 0.5
    """How long the sandbox waits before that 504 (instead of the whole gateway timeout)."""

    def __post_init__(self) -> None:
        if min(self.ms_per_1000_calls, self.gateway_timeout_s, self.timeout_wait_s) < 0:
            raise ValueError("ms_per_1000_calls, gateway_timeout_s and timeout_wait_s must not be negative")

    def updated(self, changes: Mapping[str, Any]) -> LargeAccount:
        known = {f.name for f in fields(self)}
        if unknown := set(changes) - known:
            raise ValueError(f"unknown large-account settings: {sorted(unknown)}")
        clean: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "on":
                if not isinstance(value, bool):
                    raise ValueError("on must be true or false")
                clean[name] = value
            else:
                clean[name] = number_setting(name, value)
        return replace(self, **clean)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def scan_seconds(self, calls: int) -> float:
        """How long a created-at scan over an account of `calls` calls takes."""
        return self.ms_per_1000_calls * calls / 1000 / 1000

    def wait(self, calls: int) -> tuple[float, bool]:
        """(seconds to wait, whether the answer is then the gateway's 504) for one created-at scan."""
        seconds = self.scan_seconds(calls)
        if seconds > self.gateway_timeout_s:
            return self.timeout_wait_s, True
        return seconds, False


def scans_created_at(params: Mapping[str, str]) -> bool:
    """Whether a `GET /conversation` query sorts or range-filters on `createdAt` (a full scan on the live API)."""
    return params.get("sortBy") == "createdAt" or bool(params.get("dateFrom")) or bool(params.get("dateTo"))


def gateway_timeout() -> JSONResponse:
    return JSONResponse(GATEWAY_TIMEOUT_BODY, status_code=504)
