"""Which turns of the calls a deep scan read match a text query: from the store's index, or in memory."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..api.models import CallDetail
from ..store.call_store import StoredTurn
from .calls import CallReader
from .deep_scan import DeepScan
from .digest import Digest, transcript_rows
from .transcript_search import TextQuery

Turn = tuple[int, str | None, float | None, str]
"""(turn number, role, seconds from the start, text)."""


@dataclass(frozen=True)
class TurnHit:
    turn: Turn
    before: Turn | None
    """The turn before it (the previous turn with text)."""
    matched: tuple[str, ...] = ()
    """The alternatives it matched, when the query has any."""


Hits = dict[str, list[TurnHit]]


@dataclass
class CallHits:
    digest: Digest
    turns: list[TurnHit]


@dataclass
class TranscriptHits:
    """Matches collected while a deep scan reads calls from the API, then completed from the store."""

    query: TextQuery
    fetched: Hits = field(default_factory=dict)

    def look_in(self, call: CallDetail) -> None:
        rows = transcript_rows(call)
        found = []
        for i, row in enumerate(rows):
            matched = self.query.matched(row[3], row[1])
            if matched is not None:
                found.append(TurnHit(row, rows[i - 1] if i else None, matched))
        self.fetched[call.call_id or ""] = found

    def collect(self, reader: CallReader, scan: DeepScan) -> list[CallHits]:
        """Every call of the scan with a matching turn, newest first; stored calls are found through the index,
        and of the matching ones only what the answer shows (id, time, status, agent) is read."""
        from_store = _stored_hits(reader, self.query, [i for i in scan.order if i not in self.fetched])
        heads = reader.stored_heads(list(from_store))
        heads = {i: head.with_row(scan.rows[i]) if i in scan.rows else head for i, head in heads.items()}
        digests = {**heads, **{d.call_id: d for d in scan.digests}}
        hits = []
        for call_id in scan.order:
            turns = self.fetched.get(call_id) if call_id in self.fetched else from_store.get(call_id)
            if turns and call_id in digests:
                hits.append(CallHits(digests[call_id], turns))
        return hits


def _stored_hits(reader: CallReader, query: TextQuery, call_ids: list[str]) -> Hits:
    if not call_ids:
        return {}
    hits: Hits = {}
    for turn, before in reader.store.matching_turns(reader.org, call_ids, query.indexed()):
        shown = _row(turn, reader)
        matched = query.matched(shown[3], turn.role)  # on the text as shown: a masked number is not found
        if matched is not None:
            hits.setdefault(turn.call_id, []).append(TurnHit(shown, _row(before, reader) if before else None, matched))
    return hits


def _row(turn: StoredTurn, reader: CallReader) -> Turn:
    return (turn.index, turn.role, turn.at, reader.shown(turn.content))
