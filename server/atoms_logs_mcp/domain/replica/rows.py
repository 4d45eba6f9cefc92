"""A list row as the replica keeps it: the row as read from the API (leniently: unknown fields kept, odd values
read or dropped as the models read them), its fingerprint, and the values SQL filters and orders on."""

from __future__ import annotations

import hashlib
import json

from ...api.models import CallRow, read_row
from ...store.replica import RowRecord


def record_of(row: CallRow) -> RowRecord | None:
    """The row to keep; None for a row without a call id (nothing could ever find it again)."""
    if not row.call_id:
        return None
    text = json.dumps(row.model_dump(mode="json", by_alias=True, exclude_none=True), sort_keys=True, default=str)
    latency = row.turn_latency_metrics.avg_latency if row.turn_latency_metrics else None
    return RowRecord(
        call_id=row.call_id,
        created=row.created_at.timestamp() if row.created_at else 0.0,
        updated=row.updated_at.timestamp() if row.updated_at else None,
        status=row.status,
        duration=row.duration,
        latency=latency if latency is not None else _number(row, "avgLatency"),
        attempt=row.retry_attempt_number,
        fingerprint=hashlib.blake2b(text.encode(), digest_size=12).hexdigest(),
        row=text,
    )


def _number(row: CallRow, name: str) -> float | None:
    value = (row.model_extra or {}).get(name)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def row_of(text: str) -> CallRow:
    """A kept row read back as the API's row (read as a page's rows are, `read_row`)."""
    value = json.loads(text)
    return read_row(value) if isinstance(value, dict) else CallRow()
