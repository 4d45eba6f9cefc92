"""The sandbox's data and the query semantics of the Atoms API (NOTES.md), without any HTTP.

A dataset is `{"agents": [AgentDTO...], "calls": [record...]}`, where a record is the `data` object of
`GET /conversation/{callId}` plus the list-row fields. List and search rows are derived from records. It may
also hold `branches` and `revisions`: the agents' versions (`agent_versions.py`).

The spec's list row has no `updatedAt`, yet the default order is by it. A record's `updatedAt` is served when the
record has it; with `"serveUpdatedAt": false` in the dataset (or `serve_updated_at=False`) it is taken out of every
record and kept only as the call's internal update time, which still orders the list. A record without one is
ordered by its creation time. Calls can be added, replaced and deleted while the sandbox runs (`put`, `delete`);
a call put without an `updatedAt` is updated "now", strictly after every stored call.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..api.filter_table import FILTER
from ..api.query import API_SORT_FIELDS
from .agent_versions import AgentVersions
from .matching import InvalidQuery as InvalidQuery
from .matching import keeper, parse_datetime

CALL_ID = re.compile(r"^CALL-\d{13}-[0-9a-f]{6}$")
# The enumerations of the spec, as the filter table has them (api/filter_table.py): one definition.
STATUSES = FILTER["statuses"].values
DISCONNECT_REASONS = FILTER["disconnect_reasons"].values
SORT_FIELDS = {api: ours for ours, api in API_SORT_FIELDS.items()}
DEFAULT_LIMIT = 5
MAX_LIMIT = 500
SEARCH_MAX_IDS = 100
MATCHES_KEPT = 16
"""Filtered lists kept for paging (a sync pages one query; an investigation a few)."""

# The list row of `GET /conversation`; search rows lack the last three (NOTES: "Detail omissions").
ROW_FIELDS = (
    "_id",
    "callId",
    "status",
    "duration",
    "from",
    "to",
    "type",
    "agentId",
    "campaignId",
    "recordingUrl",
    "recordingDualUrl",
    "disconnectionReason",
    "retryCount",
    "createdAt",
    "updatedAt",
    "callFailureReason",
    "callCost",
    "versionId",
    "isTest",
    "retryCallId",
    "retryAttemptNumber",
    "postCallAnalytics",
    "turnLatencyMetrics",
    "dispositionMetrics",
    "agentDispositionConfig",
    "versionNumber",
)
SEARCH_OMITS = ("dispositionMetrics", "agentDispositionConfig", "versionNumber")
SINGLE_AGENT_ONLY = ("_resolvedConfig", "_configSource", "_versionedWorkflow")
"""Not in `GET /agent` list rows (the spec: only the single-agent read resolves a version's config)."""


def _number(value: Any) -> float | None:
    """A number, or a numeric string as live data sends some numbers; None otherwise."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


@dataclass(frozen=True)
class Call:
    """One record plus the derived values the list endpoint filters and sorts on."""

    record: Mapping[str, Any]
    created: datetime
    updated: datetime
    attempt: int
    duration: float
    avg_latency: float | None

    @property
    def call_id(self) -> str:
        return str(self.record["callId"])

    def sort_value(self, field: str) -> float | None:
        match field:
            case "createdAt":
                return self.created.timestamp()
            case "updatedAt":
                return self.updated.timestamp()
            case "callDuration":
                return self.duration
            case _:
                return self.avg_latency

    def row(self) -> dict[str, Any]:
        return {name: self.record[name] for name in ROW_FIELDS if name in self.record}

    def search_row(self) -> dict[str, Any]:
        return {k: v for k, v in self.row().items() if k not in SEARCH_OMITS}


def _prepare(
    record: dict[str, Any],
    agents: Mapping[str, Mapping[str, Any]],
    serve_updated_at: bool = True,
    updated: datetime | None = None,
) -> Call:
    """A record as given (nothing invented in what is served), plus the values the list filters and sorts on.
    `updated`: the update time the sandbox gives a call put without one (served when `serve_updated_at`)."""
    call_id = record.get("callId")
    if not isinstance(call_id, str) or not call_id:
        raise ValueError(f"a call record has no callId: {str(record)[:120]}")
    agent = record.get("agent") if isinstance(record.get("agent"), dict) else None
    if "agentId" not in record and agent and agent.get("_id"):
        record["agentId"] = agent["_id"]  # a list row names its agent; the detail nests it
    if agent is None and record.get("agentId") in agents:
        record["agent"] = dict(agents[record["agentId"]])  # the detail nests the agent (AgentDTO)
    # The callId carries the creation time in milliseconds, for records that do not say it.
    millis = int(call_id.split("-")[1]) if CALL_ID.match(call_id) else 0
    created = record_moment(record.get("createdAt")) or datetime.fromtimestamp(millis / 1000, UTC)
    if updated is not None and serve_updated_at:
        record["updatedAt"] = iso_millis(updated)
    own = record.pop("updatedAt", None) if not serve_updated_at else record.get("updatedAt")
    updated = updated or record_moment(own) or created
    latency = record.get("turnLatencyMetrics")
    return Call(
        record=record,
        created=created,
        updated=updated,
        attempt=int(_number(record.get("retryAttemptNumber")) or 0),
        duration=_number(record.get("duration")) or 0.0,
        avg_latency=_number(latency.get("avgLatency")) if isinstance(latency, dict) else None,
    )


def record_moment(value: Any) -> datetime | None:
    """A record's own time (ISO string, or epoch seconds or milliseconds as live data may send)."""
    if isinstance(value, str):
        try:
            return parse_datetime(value)
        except InvalidQuery:
            return None
    seconds = _number(value)
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds / 1000 if seconds > 1e11 else seconds, UTC)


def iso_millis(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _positive_int(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidQuery(f"{name} must be an integer") from None
    if value < 1:
        raise InvalidQuery(f"{name} must be at least 1")
    return value


class CallStore:
    """The organisation's agents and calls, answering queries the way the Atoms API does."""

    def __init__(
        self,
        agents: list[dict[str, Any]],
        calls: list[dict[str, Any]],
        branches: list[dict[str, Any]] | None = None,
        revisions: list[dict[str, Any]] | None = None,
        *,
        serve_updated_at: bool = True,
    ) -> None:
        self.agents: dict[str, dict[str, Any]] = {str(a["_id"]): a for a in agents if a.get("_id")}
        self.versions = AgentVersions(self.agents, branches or [], revisions or [])
        self.serve_updated_at = serve_updated_at
        self.by_id: dict[str, Call] = {}
        for record in calls:
            call = _prepare(dict(record), self.agents, serve_updated_at)
            if call.call_id in self.by_id:
                raise ValueError("the dataset has duplicate callIds")
            self.by_id[call.call_id] = call
        self._reindex()

    def _reindex(self) -> None:
        """Every index derived from the calls, afresh: the list, retry parents, sorted orders, filtered lists."""
        self.calls: list[Call] = list(self.by_id.values())
        self._parent: dict[str, str] = {}
        for call in self.calls:
            child = call.record.get("retryCallId")
            if isinstance(child, str) and child in self.by_id and child != call.call_id:
                self._parent[child] = call.call_id
        self._newest = max((call.updated for call in self.calls), default=datetime.min.replace(tzinfo=UTC))
        self._sorted: dict[str, list[Call]] = {}
        self.forget_matches()

    def forget_matches(self) -> None:
        """Drop the filtered lists kept for paging (a call's status changed: a live call ended)."""
        self._matches: dict[tuple[Any, ...], list[Call]] = {}

    @classmethod
    def from_file(cls, path: str | Path, *, serve_updated_at: bool | None = None) -> CallStore:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("calls"), list):
            raise ValueError(f"{path}: expected an object with a 'calls' list (and optionally 'agents')")
        return cls.from_dataset(data, serve_updated_at=serve_updated_at)

    @classmethod
    def from_dataset(cls, data: Mapping[str, Any], *, serve_updated_at: bool | None = None) -> CallStore:
        """`serve_updated_at` (when not None) overrides the dataset's `serveUpdatedAt` (default true)."""
        return cls(
            list(data.get("agents") or []),
            list(data["calls"]),
            list(data.get("branches") or []),
            list(data.get("revisions") or []),
            serve_updated_at=data.get("serveUpdatedAt") is not False if serve_updated_at is None else serve_updated_at,
        )

    # Changes while the sandbox runs --------------------------------------------------------------

    def put(self, records: Iterable[Mapping[str, Any]], now: datetime) -> dict[str, int]:
        """Add or replace calls by `callId`. A record without `updatedAt` is updated at `now`, or just after the
        newest stored update when that is later (each such record 1 ms after the one before)."""
        prepared = []
        for given in records:
            record = dict(given)
            moment = None if record_moment(record.get("updatedAt")) else self._next_update(now)
            call = _prepare(record, self.agents, self.serve_updated_at, moment)
            self._newest = max(self._newest, call.updated)
            prepared.append(call)
        replaced = sum(1 for call in prepared if call.call_id in self.by_id)
        for call in prepared:
            self.by_id[call.call_id] = call
        self._reindex()
        return {"added": len(prepared) - replaced, "replaced": replaced}

    def delete(self, call_ids: Iterable[str]) -> int:
        gone = [call_id for call_id in dict.fromkeys(call_ids) if self.by_id.pop(call_id, None) is not None]
        self._reindex()
        return len(gone)

    def _next_update(self, now: datetime) -> datetime:
        moment = max(now.astimezone(UTC), self._newest + timedelta(milliseconds=1))
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    # GET /conversation ---------------------------------------------------------------------------

    def list_calls(self, params: Mapping[str, str]) -> dict[str, Any]:
        page = _positive_int(params, "page", 1)
        limit = min(_positive_int(params, "limit", DEFAULT_LIMIT), MAX_LIMIT)
        sort_by = params.get("sortBy") or "updatedAt"
        if sort_by not in SORT_FIELDS:
            raise InvalidQuery(f"sortBy must be one of {sorted(SORT_FIELDS)}")
        order = params.get("sortOrder") or "desc"
        if order not in ("asc", "desc"):
            raise InvalidQuery("sortOrder must be asc or desc")
        matches = self._matching(sort_by, order, params)
        total = len(matches)
        window = matches[(page - 1) * limit : page * limit]
        return {
            "logs": [call.row() for call in window],
            "pagination": {
                "total": total,
                "page": page,
                "limit": limit,
                "hasMore": page * limit < total,
                "totalPages": math.ceil(total / limit),
            },
            "dispositionMetricsConfig": self._metrics_config(window),
        }

    def _sorted_by(self, field: str, order: str) -> list[Call]:
        key = f"{field}:{order}"
        if key not in self._sorted:
            present = [c for c in self.calls if c.sort_value(field) is not None]
            missing = sorted((c for c in self.calls if c.sort_value(field) is None), key=lambda c: c.call_id)
            # Ties are broken by callId, in the same direction, so paging is stable.
            present.sort(key=lambda c: (c.sort_value(field), c.call_id), reverse=order == "desc")
            self._sorted[key] = present + missing
        return self._sorted[key]

    def _matching(self, field: str, order: str, params: Mapping[str, str]) -> list[Call]:
        """The calls a query's filters keep, in its order; kept for the next pages until the calls change."""
        key = (field, order, *sorted((k, v) for k, v in params.items() if k not in ("page", "limit")))
        if key not in self._matches:
            if len(self._matches) >= MATCHES_KEPT:
                self._matches.clear()
            keep = keeper(params)
            self._matches[key] = [call for call in self._sorted_by(field, order) if keep(call)]
        return self._matches[key]

    @staticmethod
    def _metrics_config(calls: list[Call]) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for call in calls:
            for item in call.record.get("agentDispositionConfig") or []:
                if isinstance(item, dict) and item.get("identifier") not in seen:
                    seen[str(item.get("identifier"))] = {
                        "identifier": item.get("identifier"),
                        "type": item.get("type"),
                    }
        return list(seen.values())

    # POST /conversation/search -------------------------------------------------------------------

    def search(self, body: Any) -> dict[str, Any]:
        ids = body.get("callIds") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise InvalidQuery("callIds must be an array of strings")
        if not 1 <= len(ids) <= SEARCH_MAX_IDS:
            raise InvalidQuery(f"callIds must hold 1 to {SEARCH_MAX_IDS} ids")
        found = [self.by_id[i].search_row() for i in dict.fromkeys(ids) if i in self.by_id]
        return {"logs": found, "total": len(found), "requestedCount": len(ids)}

    # One call ----------------------------------------------------------------------------------

    def get(self, call_id: str) -> Call | None:
        return self.by_id.get(call_id)

    def detail(self, call: Call) -> dict[str, Any]:
        return dict(call.record)

    def family(self, call: Call) -> list[Call]:
        """The retry family, parent first, then retries in attempt order."""
        root = call.call_id
        seen = {root}
        while root in self._parent and self._parent[root] not in seen:
            root = self._parent[root]
            seen.add(root)
        chain = [self.by_id[root]]
        seen = {root}
        while (nxt := chain[-1].record.get("retryCallId")) in self.by_id and nxt not in seen:
            seen.add(nxt)
            chain.append(self.by_id[nxt])
        return sorted(chain, key=lambda c: c.attempt)

    # Agents ------------------------------------------------------------------------------------

    def list_agents(self, params: Mapping[str, str]) -> dict[str, Any]:
        page = _positive_int(params, "page", 1)
        size = _positive_int(params, "offset", 10)
        sort_field = params.get("sortField") or "createdAt"
        if sort_field not in ("createdAt", "updatedAt", "totalCalls", "name", "workflowType"):
            raise InvalidQuery("sortField is not one of the documented fields")
        order = params.get("sortOrder") or "desc"
        if order not in ("asc", "desc"):
            raise InvalidQuery("sortOrder must be asc or desc")
        archived_raw = (params.get("archived") or "false").lower()
        if archived_raw not in ("true", "false"):
            raise InvalidQuery("archived must be true or false")
        workflow = params.get("type")
        if workflow not in (None, "", "single_prompt", "workflow_graph"):
            raise InvalidQuery("type must be single_prompt or workflow_graph")
        search = (params.get("search") or "").lower()
        agents = [
            {k: v for k, v in self.agent_dto(a).items() if k not in SINGLE_AGENT_ONLY}
            for a in self.agents.values()
            if bool(a.get("archived")) == (archived_raw == "true")
            and (not workflow or a.get("workflowType", "workflow_graph") == workflow)
            and search in str(a.get("name") or "").lower()
        ]
        present = [a for a in agents if a.get(sort_field) is not None]
        present.sort(key=lambda a: a[sort_field] if isinstance(a[sort_field], int | float) else str(a[sort_field]))
        if order == "desc":
            present.reverse()
        agents = present + [a for a in agents if a.get(sort_field) is None]
        return {"agents": agents[(page - 1) * size : page * size], "total": len(agents)}

    def agent_dto(self, agent: Mapping[str, Any]) -> dict[str, Any]:
        dto = dict(agent)
        dto.setdefault("totalCalls", sum(1 for c in self.calls if c.record.get("agentId") == agent["_id"]))
        return dto
