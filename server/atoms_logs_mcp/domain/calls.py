"""One call's detail and retry family, cached while they cannot change.

A call in a final status (completed, failed, no_answer, cancelled) no longer changes once its post-call
analytics have arrived (they come some time after the call ends), so its detail is then kept (bounded,
with a TTL) and a repeated `get_log` or resource read costs no API request; before that it is kept only
a minute. A retry family can still grow while its last attempt may be retried, so families are kept
only briefly.
Entries are keyed by a fingerprint of the API key as well: nothing is ever shared across keys.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from ..api.client import AtomsClient
from ..api.models import CallDetail, CallRow
from ..api.query import FINAL_STATUSES
from .cache import TTLCache

DETAIL_TTL = 3600.0
FAMILY_TTL = 60.0
PENDING_TTL = 60.0
"""A final call whose analytics have not arrived yet may still gain a summary and metrics."""
MAX_CACHED_CALLS = 512


class CallReader:
    def __init__(self, client: AtomsClient, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._key = hashlib.sha256((client.settings.api_key or "").encode()).hexdigest()[:16]
        self._details: TTLCache[CallDetail] = TTLCache(MAX_CACHED_CALLS, DETAIL_TTL, clock)
        self._families: TTLCache[list[CallRow]] = TTLCache(MAX_CACHED_CALLS, FAMILY_TTL, clock)

    async def detail(self, call_id: str) -> CallDetail:
        cached = self._details.get((self._key, call_id))
        if cached is not None:
            return cached
        call = await self._client.get_call(call_id)
        if call.status in FINAL_STATUSES:
            self._details.put((self._key, call_id), call, None if call.post_call_analytics else PENDING_TTL)
        return call

    async def family(self, call: CallRow) -> list[CallRow]:
        """The retry family (parent first), or just the call when it was never retried.

        The spec's detail response has no retryCount or retryAttemptNumber: when both are absent, whether
        the call belongs to a family is unknown, and /retries is asked.
        """
        unknown = call.retry_attempt_number is None and call.retry_count is None
        if not call.call_id or not (unknown or call.retry_attempt_number or call.retry_count or call.retry_call_id):
            return [call]
        cached = self._families.get((self._key, call.call_id))
        if cached is not None:
            return cached
        members = await self._client.get_retries(call.call_id)
        if members and all(member.status in FINAL_STATUSES for member in members):
            for member in members:
                if member.call_id:
                    self._families.put((self._key, member.call_id), members)
        return members or [call]
