"""One call's detail and retry family, cached while they cannot change.

A call in a final status (completed, failed, no_answer, cancelled) no longer changes once its post-call
analytics have arrived (they come some time after the call ends), or an hour after its last update
when none came (calls that never connected get none): it is then *settled*. A settled call's detail is kept
in memory (bounded, with a TTL) and in the call store on disk, so a repeated `get_log`, resource read or
investigation costs no API request, also after a restart; a final call that is not settled yet is kept
only a minute in memory. A retry family can still grow while its last attempt may be retried, so families are kept
only briefly.
Entries are keyed by a fingerprint of the API key as well: nothing is ever shared across keys.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import anyio

from ..api.client import AtomsClient
from ..api.errors import AtomsAPIError
from ..api.models import CallDetail, CallRow
from ..api.query import FINAL_STATUSES
from ..api.redact import redact
from ..store.call_store import CallStore
from .cache import TTLCache
from .clock import WallClock, system_clock
from .digest import Digest, digest_of, transcript_rows

DETAIL_TTL = 3600.0
FAMILY_TTL = 60.0
PENDING_TTL = 60.0
"""A final call whose analytics have not arrived yet may still gain a summary and metrics."""
MAX_CACHED_CALLS = 512
SETTLE_AFTER = timedelta(hours=1)
"""A final call without post-call analytics this long after its last update will not get them."""


def settled(call: CallDetail, now: datetime) -> bool:
    """Whether the call can no longer change (see the module's docstring)."""
    if call.status not in FINAL_STATUSES:
        return False
    analytics = call.post_call_analytics
    if analytics is not None and (analytics.summary or analytics.disposition_metrics):
        return True
    last = call.updated_at or call.created_at
    return last is not None and now - last > SETTLE_AFTER


_EMPTY: tuple[object, ...] = (None, {}, [])


def completed_by(call: CallDetail, row: CallRow) -> CallDetail:
    """The detail with what only the list row carries filled in where the detail lacks it. The spec's detail has
    no createdAt, disconnectionReason, versionId, versionNumber, campaignId or agentId; the list row has them."""
    missing = {
        name: getattr(row, name)
        for name in CallRow.model_fields
        if getattr(call, name) in _EMPTY and getattr(row, name) not in _EMPTY
    }
    return call.model_copy(update=missing) if missing else call


def key_fingerprint(api_key: str | None) -> str:
    """What the store keys an organisation by: never the key itself."""
    return hashlib.sha256((api_key or "").encode()).hexdigest()[:16]


class CallReader:
    def __init__(
        self,
        client: AtomsClient,
        store: CallStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: WallClock = system_clock,
    ) -> None:
        self._client = client
        self._now = wall_clock
        self.store = store or CallStore.off()
        self._key = key_fingerprint(client.settings.api_key)
        self._details: TTLCache[CallDetail] = TTLCache(MAX_CACHED_CALLS, DETAIL_TTL, clock)
        self._families: TTLCache[list[CallRow]] = TTLCache(MAX_CACHED_CALLS, FAMILY_TTL, clock)
        self._details_lack_retries = False
        """Whether the API's last detail, like the spec's, said nothing of retries: then /retries is asked for every
        call, and get_log asks it alongside the detail."""

    async def detail(self, call_id: str) -> CallDetail:
        call = self._at_hand(call_id)
        if call is None:
            call = await self._client.get_call(call_id)
            self._details_lack_retries = call.retry_attempt_number is None and call.retry_count is None
            self.keep(call)
        return call

    def _at_hand(self, call_id: str) -> CallDetail | None:
        """The call from memory or the store, without a request; None when the API must be asked."""
        cached = self._details.get((self._key, call_id))
        if cached is not None:
            return cached
        stored = self.store.detail(self._key, call_id)
        if stored is None:
            return None
        call = CallDetail.model_validate(self.shown(stored))
        self._details.put((self._key, call_id), call)
        return call

    async def detail_and_family(self, call_id: str) -> tuple[CallDetail, list[CallRow] | AtomsAPIError]:
        """The call and its retry family (or the error reading the family). When both must come from the API and
        its last detail said nothing of retries (the spec's detail has neither retryCount nor retryAttemptNumber, so
        `family` asks /retries for every call), the two requests are made at once."""
        known = self._at_hand(call_id) is not None or self._families.get((self._key, call_id)) is not None
        if known or not self._details_lack_retries:
            call = await self.detail(call_id)
            return call, await self._family_or_error(call)
        early: list[CallRow] | Exception = []
        failed: Exception | None = None

        async def read_family() -> None:
            nonlocal early
            try:
                early = await self._client.get_retries(call_id)
            except Exception as error:  # kept; raised below only if the family is needed
                early = error

        async with anyio.create_task_group() as group:
            group.start_soon(read_family)
            try:
                call = await self.detail(call_id)
            except Exception as error:  # raised below as itself, not in an exception group
                failed = error
                group.cancel_scope.cancel()
        if failed is not None:
            raise failed
        if not self._in_a_family(call):
            return call, [call]  # the detail said it after all: the early answer is not needed
        if isinstance(early, AtomsAPIError):
            return call, early
        if isinstance(early, Exception):
            raise early
        return call, self._kept_family(early) or [call]

    async def _family_or_error(self, call: CallRow) -> list[CallRow] | AtomsAPIError:
        try:
            return await self.family(call)
        except AtomsAPIError as error:
            return error

    @property
    def client(self) -> AtomsClient:
        return self._client

    async def fetch_unkept(self, call_id: str) -> CallDetail:
        """The call from the API (never from memory or the store); the caller decides whether to `keep` it."""
        return await self._client.get_call(call_id)

    def keep(
        self, call: CallDetail, digest: Digest | None = None, *, in_memory: bool = True, fingerprint: str | None = None
    ) -> bool:
        """Remember a call just read from the API: in memory when final, in the store too once settled.
        True when it was stored as settled. A deep scan passes `in_memory=False` while the store is on: it reads
        thousands of calls, and the store already answers a later get_log without a request."""
        if call.status not in FINAL_STATUSES or not call.call_id:
            return False
        if not settled(call, self._now()):
            self._details.put((self._key, call.call_id), call, PENDING_TTL)
            return False
        if in_memory or not self.store.on:
            self._details.put((self._key, call.call_id), call)
        digest_or = digest or digest_of(call)
        self.store.put(
            self._key,
            call.call_id,
            created=call.created_at.isoformat() if call.created_at else None,
            status=call.status,
            agent=(digest_or.agent_id, digest_or.agent_name),
            detail=call.model_dump(mode="json", by_alias=True),
            digest=digest_or.to_json(),
            turns=transcript_rows(call),
            fingerprint=fingerprint,
        )
        return True

    def stored_digests(self, call_ids: Sequence[str]) -> dict[str, Digest]:
        """Digests of the stored calls among `call_ids` (a digest of another version counts as not stored)."""
        found = self.store.digests(self._key, call_ids)
        digests = {call_id: Digest.from_json(self.shown(value)) for call_id, value in found.items()}
        return {call_id: digest for call_id, digest in digests.items() if digest is not None}

    def stored_heads(self, call_ids: Sequence[str]) -> dict[str, Digest]:
        """The stored calls among `call_ids` as digests holding only what a list of calls shows (id, creation
        time, status, agent): enough to name a call, without reading its whole digest."""
        found = self.store.heads(self._key, call_ids)
        return {call_id: Digest(**self.shown(head)) for call_id, head in found.items()}

    def shown(self, value: Any) -> Any:
        """What the store kept, as the settings in effect now show it: phone numbers masked when redact_phones is on
        (whatever the setting was when the call was stored)."""
        return redact(value) if self._client.settings.redact_phones else value

    @property
    def org(self) -> str:
        return self._key

    async def family(self, call: CallRow) -> list[CallRow]:
        """The retry family (parent first), or just the call when it was never retried.

        The spec's detail response has no retryCount or retryAttemptNumber: when both are absent, whether
        the call belongs to a family is unknown, and /retries is asked.
        """
        if not call.call_id or not self._in_a_family(call):
            return [call]
        cached = self._families.get((self._key, call.call_id))
        if cached is not None:
            return cached
        return self._kept_family(await self._client.get_retries(call.call_id)) or [call]

    @staticmethod
    def _in_a_family(call: CallRow) -> bool:
        """Whether the call may have retries or be one: yes when it says so, or says nothing about it."""
        unknown = call.retry_attempt_number is None and call.retry_count is None
        return bool(call.call_id) and bool(
            unknown or call.retry_attempt_number or call.retry_count or call.retry_call_id
        )

    def _kept_family(self, members: list[CallRow]) -> list[CallRow]:
        """The family as /retries sent it, kept a while when every member is final."""
        if members and all(member.status in FINAL_STATUSES for member in members):
            for member in members:
                if member.call_id:
                    self._families.put((self._key, member.call_id), members)
        return members
