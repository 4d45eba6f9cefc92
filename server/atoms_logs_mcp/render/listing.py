"""Whole answers of `list_logs` and `search_by_call_ids`: header, fenced rows, and what to call next."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..api.errors import RateLimitedError, UnreadableResponseError, UpstreamUnavailableError
from ..api.models import LogPage
from ..api.query import LogQuery
from ..domain.lookup import SearchOutcome
from . import formats
from .budget import estimate_tokens
from .failures import CALL_ID_HINT, explain
from .rows import call_arguments, row_line, table
from .untrusted import clean, clip


def render_log_page(
    page: LogPage,
    query: LogQuery,
    header: Sequence[str],
    agent_names: Mapping[str, str],
    arguments: Mapping[str, Any],
) -> str:
    """The `list_logs` answer. `header` states filters and window; `arguments` are echoed for the next page."""
    total = page.pagination.total if page.pagination.total is not None else len(page.logs)
    limit = query.limit
    pages = page.pagination.total_pages if page.pagination.total_pages is not None else math.ceil(total / limit)
    first = (query.page - 1) * limit + 1
    last = first + len(page.logs) - 1
    lines = [f"{formats.plural(total, 'call')} match.", *header]
    if not page.logs:
        if page.unreadable:
            lines.append(unreadable_rows(page.unreadable))
        if total and query.page > pages:
            lines.append(f"Page {query.page} is past the last page ({pages}).")
        else:
            lines.append("No calls on this page. Widen the filters (fewer statuses, a longer window) to find more.")
        return "\n".join(lines)
    lines.append(f"Showing calls {first}-{last} (page {query.page} of {pages}):")
    lines.append(table(page.logs, agent_names, latency=query.sort_by == "latency"))
    if page.unreadable:
        lines.append(unreadable_rows(page.unreadable))
    has_more = page.pagination.has_more if page.pagination.has_more is not None else last < total
    if has_more:
        next_args = {**arguments, "page": query.page + 1, "limit": limit}
        lines.append(
            f"{formats.plural(total - last, 'more call')}. Next page: {call_arguments('list_logs', next_args)}"
        )
    else:
        lines.append("This is the last page.")
    lines.append('Open one call with get_log(call_id="CALL-…") for its transcript, events, metrics and latency.')
    return "\n".join(lines)


def unreadable_rows(count: int) -> str:
    noun = formats.plural(count, "row")
    return (
        f"The API also sent {noun} on this page that {'is' if count == 1 else 'are'} not a call object "
        "(null or another value), left out: the page shows fewer calls than its size."
    )


def ids_that_fit(requested: Sequence[str], outcome: SearchOutcome, agent_names: Mapping[str, str], budget: int) -> int:
    """How many of `requested`, in order, fit in one answer of about `budget` tokens (at least one)."""
    used = 0
    for count, call_id in enumerate(requested):
        row = outcome.found.get(call_id)
        used += estimate_tokens(row_line(row, agent_names) if row else call_id) + 1
        if used > budget:
            return max(1, count)
    return len(requested)


def render_search(
    requested: Sequence[str],
    duplicates: int,
    outcome: SearchOutcome,
    agent_names: Mapping[str, str],
    malformed: Sequence[tuple[int, str]] = (),
) -> str:
    """The `search_by_call_ids` answer: rows in the order asked, then what was not found or not checked.

    `malformed` lists (1-based position, value) of arguments that are not call ids."""
    failed_ids = {call_id for batch, _ in outcome.failed for call_id in batch}
    rows = [outcome.found[call_id] for call_id in requested if call_id in outcome.found]
    unknown = failed_ids | outcome.uncertain
    missing = [call_id for call_id in requested if call_id not in outcome.found and call_id not in unknown]
    head = f"{len(rows)} of {formats.plural(len(requested), 'requested call')} found"
    if duplicates:
        head += f" ({formats.plural(duplicates, 'duplicate id')} ignored)"
    lines = [head + ", in the order requested (retry attempts included)."]
    if malformed:
        shown = ", ".join(f"#{position} {clip(clean(value), 40)!r}" for position, value in malformed[:20])
        more = f" and {len(malformed) - 20} more" if len(malformed) > 20 else ""
        lines.append(f"Not call ids, skipped (position in call_ids: value): {shown}{more}. {CALL_ID_HINT}")
    if rows:
        lines.append(table(rows, agent_names))
    if missing:
        lines.append(f"Not found ({len(missing)}): " + ", ".join(missing))
        lines.append("These ids do not exist in this organisation, or belong to another one.")
    if outcome.uncertain:
        uncertain = [call_id for call_id in requested if call_id in outcome.uncertain]
        lines.append(
            f"Unknown ({len(uncertain)}): " + ", ".join(uncertain) + f". The API's answer held "
            f"{formats.plural(outcome.unreadable, 'row')} that {'is' if outcome.unreadable == 1 else 'are'} not a "
            "call object, so whether these ids exist cannot be told from it; get_log on one of them shows it alone."
        )
    if outcome.failed:
        lines.append(_unchecked(requested, failed_ids, outcome))
    if rows:
        lines.append('Open one call with get_log(call_id="CALL-…").')
    return "\n".join(lines)


def render_search_window(
    shown: Sequence[str],
    start: int,
    distinct: int,
    duplicates: int,
    outcome: SearchOutcome,
    agent_names: Mapping[str, str],
    malformed: Sequence[tuple[int, str]] = (),
) -> str:
    """`render_search` for the ids from `start` (1-based among `distinct` ids) that fit one answer; when not all
    fit, where this window sits and how to continue."""
    text = render_search(shown, duplicates, outcome, agent_names, malformed)
    if len(shown) == distinct:
        return text
    end = start + len(shown) - 1
    text = f"Ids {start}-{end} of {distinct}.\n{text}"
    if end < distinct:
        text += f"\nMore: call search_by_call_ids again with the same call_ids and start={end + 1}."
    return text


def _unchecked(requested: Sequence[str], failed_ids: set[str], outcome: SearchOutcome) -> str:
    unchecked = [call_id for call_id in requested if call_id in failed_ids]
    error = outcome.failed[0][1]
    text = f"INCOMPLETE: {formats.plural(len(unchecked), 'id')} could not be checked. {explain(error)}"
    if isinstance(error, UpstreamUnavailableError | RateLimitedError) and not isinstance(
        error, UnreadableResponseError
    ):
        text += f" Retry just those: {call_arguments('search_by_call_ids', {'call_ids': unchecked})}"
    else:
        text += " Unchecked: " + ", ".join(unchecked)
    return text
