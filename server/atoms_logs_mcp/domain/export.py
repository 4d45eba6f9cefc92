"""Writing call rows to a CSV or JSON file in the export folder, for `export_logs`.

Safety rules, since the file name may come from a model and the cells come from calls:

* the file lands only inside the export folder: the name must be a plain file name, and a file that
  exists (or a symbolic link in its place) is never overwritten or followed;
* the file appears whole or not at all: rows go to a private temporary file in the same folder, which
  is flushed to disk and then linked into place; on any failure the temporary file is removed;
* cells hold no control or direction-changing characters, and a CSV cell that a spreadsheet would run
  as a formula is prefixed with an apostrophe.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import tempfile
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Literal, TypeAlias

import anyio
import anyio.to_thread

from ..api.models import CallRow

Format: TypeAlias = Literal["csv", "json"]
Cell: TypeAlias = str | int | float | bool | None
Pages: TypeAlias = AsyncIterable[Sequence[CallRow]] | Iterable[Sequence[CallRow]]

COLUMNS: tuple[str, ...] = (
    "created_at",
    "call_id",
    "agent",
    "channel",
    "from",
    "to",
    "duration_s",
    "avg_latency_ms",
    "status",
    "failure_reason",
    "disconnect_reason",
    "version",
    "version_id",
    "test",
    "attempt",
    "retries",
    "cost",
    "summary",
)
MAX_NAME_CHARS = 120
MAX_NUMBERED = 1000
CHANNELS = {"telephony_inbound": "inbound", "telephony_outbound": "outbound", "webcall": "web"}

_NAME_CHARS = re.compile(r"[A-Za-z0-9 ._-]+")
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10))}
# Line and paragraph breaks become one space; other C0/C1 controls and bidi embeddings, overrides,
# isolates and marks are removed (they can make a cell read differently from what it holds).
_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Cells starting with these are formulas (or DDE commands) to Excel, LibreOffice and Google Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"\+[0-9]{3,15}|[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@dataclass(frozen=True)
class ExportResult:
    """The file written, how many call rows it holds, its columns and its size in bytes."""

    path: Path
    rows: int
    columns: tuple[str, ...]
    bytes: int


def target_path(directory: Path, file_name: str | None, fmt: Format, now: datetime) -> Path:
    """Where an export named `file_name` would go now: checked, inside `directory`, not taken yet.

    Raises ValueError, in one sentence, for any name that is not a plain file name of the right type.
    """
    folder = directory.expanduser().resolve()
    name = _checked_name(file_name, fmt, now)
    stem, extension = name[: -len(fmt) - 1], name[-len(fmt) - 1 :]
    for number in range(1, MAX_NUMBERED + 1):
        candidate = folder / (name if number == 1 else f"{stem} ({number}){extension}")
        if candidate.is_symlink():
            raise ValueError(f"{candidate.name!r} in the export folder is a symbolic link; choose another file_name.")
        if candidate.parent != folder or candidate.resolve().parent != folder:
            raise ValueError(f"{name!r} does not stay inside the export folder; give a plain file name.")
        if not candidate.exists():
            return candidate
    raise ValueError(f"The export folder already holds {MAX_NUMBERED} files named like {name!r}; choose another name.")


async def write_export(
    pages: Pages,
    agent_names: Mapping[str, str],
    *,
    fmt: Format,
    directory: Path,
    file_name: str | None,
    now: datetime,
) -> ExportResult:
    """Write every row of `pages` to a new file in `directory`, atomically, and say what was written."""
    if fmt not in ("csv", "json"):
        raise ValueError(f"format must be 'csv' or 'json', not {fmt!r}.")
    _checked_name(file_name, fmt, now)  # reject a bad name before creating any folder
    folder = await anyio.to_thread.run_sync(_make_directory, directory)
    await anyio.to_thread.run_sync(target_path, folder, file_name, fmt, now)  # fail early, before the scan
    handle, temp = await anyio.to_thread.run_sync(_open_temp, folder)
    try:
        rows = 0
        await _write(handle, _head(fmt, now))
        async for page in _pages(pages):
            records = [record(row, agent_names) for row in page]
            await _write(handle, _csv_lines(records) if fmt == "csv" else _json_rows(records, first=rows == 0))
            rows += len(records)
        await _write(handle, _tail(fmt, rows))
        await anyio.to_thread.run_sync(_flush, handle)
        path = await anyio.to_thread.run_sync(_publish, temp, folder, file_name, fmt, now)
    except BaseException:
        _discard(handle, temp)  # synchronous on purpose: it must also run when the task is cancelled
        raise
    size = (await anyio.Path(path).stat()).st_size
    return ExportResult(path=path, rows=rows, columns=COLUMNS, bytes=size)


# Cells -----------------------------------------------------------------------------------------


def record(row: CallRow, agent_names: Mapping[str, str]) -> dict[str, Cell]:
    """One call as column -> value: text cleaned, numbers as numbers, anything missing as None."""
    latency = row.turn_latency_metrics.avg_latency if row.turn_latency_metrics else None
    agent = agent_names.get(row.agent_id or "") or row.agent_id
    return {
        "created_at": _when(row.created_at),
        "call_id": _text(row.call_id),
        "agent": _text(agent),
        "channel": _text(CHANNELS.get(row.type or "", row.type)),
        "from": _text(row.from_number),
        "to": _text(row.to_number),
        "duration_s": _number(row.duration),
        "avg_latency_ms": _number(latency),
        "status": _text(row.status),
        "failure_reason": _text(row.call_failure_reason),
        "disconnect_reason": _text(row.disconnection_reason),
        "version": _number(row.version_number),
        "version_id": _text(row.version_id),
        "test": row.is_test,
        "attempt": row.retry_attempt_number,
        "retries": row.retry_count,
        "cost": _number(row.call_cost),
        "summary": _text(row.summary),
    }


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    text = _INVISIBLE.sub("", _BREAKS.sub(" ", value)).strip()
    return text or None


def _number(value: float | None) -> int | float | None:
    if value is None or not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def _when(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return _utc(moment).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _utc(moment: datetime) -> datetime:
    """The API's times are UTC; one without a zone is taken as UTC, not as the server's local time."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


PHONE_COLUMNS = ("from", "to")


def csv_cell(value: Cell, *, text: bool = False) -> str:
    """A value as a CSV cell: empty for None, `true`/`false`, and text a spreadsheet will not execute.

    `text` marks a column that is text even when it looks like a number (phone numbers): a value starting
    with a sign is always written with a leading apostrophe, so `+14155550123` and its masked form
    `+•••••••0123` both stay text with their `+`, where a spreadsheet would otherwise read the first as a
    number and the second as a formula.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if value.startswith(_FORMULA_START) and (text or not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


# Encoding --------------------------------------------------------------------------------------
# CSV is UTF-8 without a byte order mark: csv readers, pandas and command-line tools would take the BOM
# as part of the first column's name ("\ufeffcreated_at"); spreadsheets read it fine via their import.


def _head(fmt: Format, now: datetime) -> str:
    if fmt == "csv":
        return _csv_lines([dict(zip(COLUMNS, COLUMNS, strict=True))])
    exported = json.dumps(_when(now))
    return f'{{"exported_at": {exported}, "columns": {json.dumps(list(COLUMNS))}, "rows": ['


def _tail(fmt: Format, rows: int) -> str:
    if fmt == "csv":
        return ""
    return "\n]}\n" if rows else "]}\n"


def _csv_lines(records: Sequence[Mapping[str, Cell]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [csv_cell(item[column], text=column in PHONE_COLUMNS) for column in COLUMNS] for item in records
    )
    return buffer.getvalue()


def _json_rows(records: Sequence[Mapping[str, Cell]], *, first: bool) -> str:
    parts = [json.dumps(item, ensure_ascii=False, allow_nan=False) for item in records]
    if not parts:
        return ""
    return ("\n" if first else ",\n") + ",\n".join(parts)


async def _pages(pages: Pages) -> AsyncIterable[Sequence[CallRow]]:
    if isinstance(pages, AsyncIterable):
        async for page in pages:
            yield page
    else:
        for page in pages:
            yield page


# Files -----------------------------------------------------------------------------------------


def _checked_name(file_name: str | None, fmt: Format, now: datetime) -> str:
    """The file name to use, with the extension of `fmt`; ValueError if it is not a plain file name."""
    if file_name is None:
        return f"atoms-calls-{_utc(now):%Y%m%d-%H%M%S}Z.{fmt}"
    name = file_name.strip()
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"file_name is {len(name)} characters long; the limit is {MAX_NAME_CHARS}.")
    if not name:
        raise ValueError("file_name is empty; give a plain file name or leave it out for a dated default.")
    if "/" in name or "\\" in name:
        raise ValueError(f"file_name {name!r} contains a path separator; give a plain file name, without folders.")
    if ".." in name:
        raise ValueError(f"file_name {name!r} contains '..'; give a plain file name inside the export folder.")
    if name.startswith("."):
        raise ValueError(f"file_name {name!r} starts with '.', which would make a hidden file; remove the dot.")
    if not _NAME_CHARS.fullmatch(name):
        raise ValueError(
            f"file_name {name!r} has characters other than ASCII letters, digits, space, '-', '_' and '.'."
        )
    name = name.removesuffix(".")  # "report." means "report"
    extension = os.path.splitext(name)[1].lower()
    if extension[1:].isalpha() and extension != f".{fmt}":
        raise ValueError(f"file_name {name!r} ends in {extension!r} but the format is {fmt}; use .{fmt} or no ending.")
    if extension != f".{fmt}":
        name = f"{name}.{fmt}"
    if name.split(".")[0].strip().lower() in _WINDOWS_DEVICES:
        raise ValueError(f"file_name {name!r} is a reserved device name on Windows; choose another.")
    return name


def _make_directory(directory: Path) -> Path:
    """The export folder, created private (0o700) with its parents if missing, resolved."""
    directory = directory.expanduser()
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened; make it exact
    folder = directory.resolve(strict=True)
    if not folder.is_dir():
        raise ValueError(f"The export folder {str(directory)!r} exists but is not a folder.")
    return folder


def _open_temp(folder: Path) -> tuple[IO[str], Path]:
    # mkstemp creates the file exclusively, readable by its owner only (0o600): call logs are personal data.
    fd, name = tempfile.mkstemp(dir=folder, prefix=".atoms-export-", suffix=".tmp")
    return os.fdopen(fd, "w", encoding="utf-8", newline=""), Path(name)


async def _write(handle: IO[str], text: str) -> None:
    if text:
        await anyio.to_thread.run_sync(handle.write, text)


def _flush(handle: IO[str]) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


def _publish(temp: Path, folder: Path, file_name: str | None, fmt: Format, now: datetime) -> Path:
    """Give the finished temporary file its name, never replacing a file that appeared meanwhile."""
    while True:
        path = target_path(folder, file_name, fmt, now)
        try:
            os.link(temp, path)  # fails if `path` exists, even if it appeared after the check
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links (FAT, some network mounts)
            if path.exists() or path.is_symlink():
                continue
            os.rename(temp, path)
        else:
            temp.unlink()
        _sync_directory(folder)
        return path


def _sync_directory(folder: Path) -> None:
    """Make the new name durable too (POSIX only; elsewhere opening a folder fails and is skipped)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _discard(handle: IO[str], temp: Path) -> None:
    with contextlib.suppress(OSError):
        handle.close()
    with contextlib.suppress(OSError):
        temp.unlink(missing_ok=True)
