"""One compact line per call, for `list_logs` and `search_by_call_ids`."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ..api.models import CallRow
from ..api.query import LogQuery
from ..domain.timewindow import Window
from ..domain.version_names import VersionChoice
from . import formats
from .failures import explain
from .untrusted import clean, clip, fence

COLUMNS = (
    "call_id",
    "created (UTC)",
    "agent",
    "channel",
    "from → to",
    "status",
    "reason",
    "duration",
    "retries",
    "cost",
    "summary",
)
SUMMARY_CHARS = 90
REASON_CHARS = 80
LEGEND_MIN_CHARS = 24
LEGEND_MIN_REPEATS = 2

_SORT_WORDS = {
    "updated": ("last update", "newest first", "oldest first"),
    "created": ("creation time", "newest first", "oldest first"),
    "duration": ("duration", "longest first", "shortest first"),
    "latency": ("average latency", "slowest first", "fastest first"),
}


def _cell(value: object, limit: int | None = None) -> str:
    text = clean(value).replace("|", "¦") if value not in (None, "") else "-"
    return clip(text, limit) if limit else text


LATENCY_COLUMN = "avg latency"


def _failure(row: CallRow) -> str:
    return _cell(row.call_failure_reason, REASON_CHARS) if row.call_failure_reason else ""


def legend_of(rows: Sequence[CallRow]) -> dict[str, str]:
    """Failure reasons long enough and repeated often enough to write once: text -> key ([R1], [R2], ...).
    The brackets keep a key apart from a reason that is literally "R1" (a reason of 24 characters at least)."""
    counts = Counter(_failure(row) for row in rows)
    repeated = [text for text, n in counts.items() if n >= LEGEND_MIN_REPEATS and len(text) >= LEGEND_MIN_CHARS]
    return {text: f"[R{number}]" for number, text in enumerate(repeated, start=1)}


def row_line(
    row: CallRow, agent_names: Mapping[str, str], *, latency: bool = False, legend: Mapping[str, str] | None = None
) -> str:
    """The row of one call. Every upstream string is cleaned; `|` cannot split a cell.

    `latency` adds the call's average turn latency after its duration (for rows sorted by latency); `legend`
    replaces a repeated long failure reason with its key (the table prints the legend above the rows)."""
    failure = _failure(row)
    failure = (legend or {}).get(failure, failure)
    disconnect = _cell(row.disconnection_reason, 40) if row.disconnection_reason else ""
    reason = f"{disconnect}: {failure}" if disconnect and failure else (disconnect or failure or "-")
    route = "-"
    if row.from_number or row.to_number:
        route = f"{_cell(row.from_number)} → {_cell(row.to_number)}"
    attempt = row.retry_attempt_number or 0
    retries = f"#{attempt}" if attempt else (str(row.retry_count) if row.retry_count else "-")
    agent = agent_names.get(row.agent_id or "", row.agent_id or "-")
    cells = [
        _cell(row.call_id),
        formats.when(row.created_at),
        _cell(agent, 40),
        _cell(formats.channel(row.type)),
        route,
        _cell(row.status) + (" (test)" if row.is_test else ""),
        reason,
        formats.span(row.duration),
        *(
            [formats.millis(row.turn_latency_metrics.avg_latency if row.turn_latency_metrics else None)]
            if latency
            else []
        ),
        retries,
        formats.money(row.call_cost),
        _cell(row.summary, SUMMARY_CHARS),
    ]
    return " | ".join(cells)


def table(
    rows: Sequence[CallRow], agent_names: Mapping[str, str], label: str = "call rows", *, latency: bool = False
) -> str:
    """The rows with their column line, fenced: every cell may hold call content. Long reasons that repeat
    are written once, in a legend above the column line (`[R1] = ...`), and by their key in the rows."""
    columns = list(COLUMNS)
    if latency:
        columns.insert(columns.index("duration") + 1, LATENCY_COLUMN)
    legend = legend_of(rows)
    lines = [f"{key} = {text}" for text, key in legend.items()]
    lines += [" | ".join(columns), *(row_line(row, agent_names, latency=latency, legend=legend) for row in rows)]
    return fence(label, "\n".join(lines))


def call_arguments(tool: str, arguments: Mapping[str, Any]) -> str:
    """`list_logs(statuses=["failed"], page=2)`: arguments the model can pass back verbatim."""
    shown = ", ".join(
        f"{name}={json.dumps(value, ensure_ascii=False)}"
        for name, value in arguments.items()
        if value not in (None, [])
    )
    return f"{tool}({shown})"


def describe_filters(query: LogQuery, agent_names: Mapping[str, str], versions: VersionChoice | None = None) -> str:
    """`agent: Support (<id>); version: Support v4 (<id>); statuses: failed`: the filters applied, named."""
    labels = versions.labels if versions else {}
    parts: list[str] = []
    for name, value in query.filters_applied().items():
        if name in ("sort_by", "sort_order", "since", "until"):
            continue
        if name == "agent_ids" and isinstance(value, tuple):
            value = tuple(f"{agent_names[v]} ({v})" if v in agent_names else v for v in value)
        if name == "version_ids" and isinstance(value, tuple):
            value = tuple(labels.get(v, v) for v in value)
        text = ", ".join(value) if isinstance(value, tuple) else str(value)
        parts.append(f"{name.removesuffix('_ids').replace('_', ' ')}: {clean(text)}")
    return "; ".join(parts) if parts else "none"


def describe_sort(query: LogQuery) -> str:
    field = query.sort_by or "updated"
    noun, descending, ascending = _SORT_WORDS.get(field, (field, "descending", "ascending"))
    return f"{noun}, {ascending if query.sort_order == 'asc' else descending}"


ATTEMPT_WORDS = {
    "retry": "retry attempts only",
    "all": "first attempts and retries",
}


def version_meanings(versions: VersionChoice | None) -> list[str]:
    """What each `vN` stood for when several agents could have one, and whose versions could not be read."""
    if versions is None:
        return []
    lines = []
    for wanted, ids in versions.meanings.items():
        named = ", ".join(versions.labels.get(i, i) for i in ids)
        lines.append(f"{wanted} means, for each agent that has one: {clean(named)}.")
    for agent, error in versions.unread:
        lines.append(
            f"The versions of agent {clip(clean(agent), 60)} could not be read ({explain(error)}): its calls of a "
            "version named by number are missing; name that version by id to include them."
        )
    return lines


def filter_header(
    query: LogQuery,
    window: Window,
    names: Mapping[str, str],
    *,
    sort: bool = True,
    versions: VersionChoice | None = None,
) -> list[str]:
    """The lines that state what was asked: filters, window, attempts and (for lists) the order."""
    attempts = ATTEMPT_WORDS.get(
        query.single("attempt") or "", "first attempts only (retries are hidden; attempt='all' shows them)"
    )
    lines = [f"Filters: {describe_filters(query, names, versions)}. Window: {window.describe()}."]
    lines += version_meanings(versions)
    if window.note:
        lines.append(window.note)
    lines.append(f"Attempts: {attempts}." + (f" Sorted by {describe_sort(query)}." if sort else ""))
    return lines
