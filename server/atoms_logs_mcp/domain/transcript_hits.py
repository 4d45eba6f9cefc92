"""Which turns of the calls a deep scan read match a text query: from the store's index, or in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..api.models import CallDetail
from ..store.call_store import StoredTurn
from .calls import CallReader
from .digest import Digest, transcript_rows
from .transcript_search import TextQuery

Turn = tuple[int, str | None, float | None, str]
"""(turn number, role, seconds from the start, text)."""
Hits = dict[str, list[tuple[Turn, Turn | None]]]


@dataclass
class CallHits:
    digest: Digest
    turns: list[tuple[Turn, Turn | None]]
    """Each matching turn with the turn before it."""


@dataclass
class TranscriptHits:
    """Matches collected while a deep scan reads calls from the API, then completed from the store."""

    query: TextQuery
    fetched: dict[str, list[tuple[Turn, Turn | None]]] = field(default_factory=dict)

    def look_in(self, call: CallDetail) -> None:
        rows = transcript_rows(call)
        found = [(row, rows[i - 1] if i else None) for i, row in enumerate(rows) if self.query.matches(row[3], row[1])]
        self.fetched[call.call_id or ""] = found

    def collect(self, reader: CallReader, digests: Sequence[Digest]) -> list[CallHits]:
        """Every call with a matching turn, in the order of `digests`."""
        stored = [d.call_id for d in digests if d.call_id not in self.fetched]
        from_store = _stored_hits(reader, self.query, stored)
        hits = []
        for digest in digests:
            turns = (
                self.fetched.get(digest.call_id) if digest.call_id in self.fetched else from_store.get(digest.call_id)
            )
            if turns:
                hits.append(CallHits(digest, turns))
        return hits


def _stored_hits(
    reader: CallReader, query: TextQuery, call_ids: list[str]
) -> dict[str, list[tuple[Turn, Turn | None]]]:
    if not call_ids:
        return {}
    candidates = reader.store.matching_turns(reader.org, call_ids, query.fts())
    matched: dict[str, list[StoredTurn]] = {}
    for turn in candidates:
        if query.matches(turn.content, turn.role):
            matched.setdefault(turn.call_id, []).append(turn)
    hits: Hits = {}
    for call_id, turns in matched.items():
        before = {t.index: t for t in reader.store.turns(reader.org, call_id, [t.index - 1 for t in turns])}
        hits[call_id] = [(_row(t), _row(before[t.index - 1]) if t.index - 1 in before else None) for t in turns]
    return hits


def _row(turn: StoredTurn) -> Turn:
    return (turn.index, turn.role, turn.at, turn.content)
