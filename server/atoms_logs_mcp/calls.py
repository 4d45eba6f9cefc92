"""One call's detail and retry family, cached while they cannot change.

A call in a final status (completed, failed, no_answer, cancelled) is immutable, so its detail is
kept (bounded, with a TTL) and a repeated `get_log` or resource read costs no API request. A retry
family can still grow while its last attempt may be retried, so families are kept only briefly.
Entries are keyed by a fingerprint of the API key as well: nothing is ever shared across keys.
"""

from __future__ import annotations

import hashlib

from .cache import TTLCache
from .client import AtomsClient
from .models import CallDetail, CallRow
from .query import FINAL_STATUSES

DETAIL_TTL = 3600.0
FAMILY_TTL = 60.0
MAX_CACHED_CALLS = 512


class CallReader:
    def __init__(self, client: AtomsClient) -> None:
        self._client = client
        self._key = hashlib.sha256((client.settings.api_key or "").encode()).hexdigest()[:16]
        self._details: TTLCache[CallDetail] = TTLCache(MAX_CACHED_CALLS, DETAIL_TTL)
        self._families: TTLCache[list[CallRow]] = TTLCache(MAX_CACHED_CALLS, FAMILY_TTL)

    async def detail(self, call_id: str) -> CallDetail:
        cached = self._details.get((self._key, call_id))
        if cached is not None:
            return cached
        call = await self._client.get_call(call_id)
        if call.status in FINAL_STATUSES:
            self._details.put((self._key, call_id), call)
        return call

    async def family(self, call: CallRow) -> list[CallRow]:
        """The retry family (parent first), or just the call when it was never retried."""
        if not (call.retry_attempt_number or call.retry_count or call.retry_call_id) or not call.call_id:
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
