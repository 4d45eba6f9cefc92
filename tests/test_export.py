"""Exports to CSV and JSON: where files may go, what they hold, and that they appear whole or not at all."""

from __future__ import annotations

import csv
import json
import os
import stat
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from atoms_logs_mcp.api.models import CallRow
from atoms_logs_mcp.domain.export import (
    COLUMNS,
    ExportResult,
    csv_cell,
    target_path,
    write_export,
)

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 20, 12, 0, 5, tzinfo=UTC)
AGENTS = {"agent-1": 'Sales, "West" 東京', "agent-2": '=HYPERLINK("http://x")'}


def call(index: int = 0, **fields: Any) -> CallRow:
    payload: dict[str, Any] = {
        "_id": f"row{index}",
        "callId": f"CALL-{index:05d}",
        "createdAt": "2026-11-19T21:37:05.250Z",
        "agentId": "agent-1",
        "type": "telephony_outbound",
        "from": "'+14155550123",
        "to": "'+442071838750",
        "status": "completed",
        "duration": 125,
        "callCost": 0.0425,
        "versionNumber": 3,
        "isTest": False,
        "retryCount": 0,
        "turnLatencyMetrics": {"avgLatency": 812.5},
        "postCallAnalytics": {"summary": f"Customer {index} asked about pricing."},
    }
    payload.update(fields)
    return CallRow.model_validate(payload)


async def export(
    tmp_path: Path, pages: Sequence[Sequence[CallRow]], fmt: str = "csv", name: str | None = None
) -> ExportResult:
    return await write_export(pages, AGENTS, fmt=fmt, directory=tmp_path / "out", file_name=name, now=NOW)  # type: ignore[arg-type]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


# Paths -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "/etc/passwd",
        "a/b",
        "a\\b",
        "..",
        "x..csv",
        ".hidden",
        ".",
        "",
        "   ",
        "a\x00b",
        "line\nbreak",
        "tab\there",
        "C:report",
        "émigré",
        "x" * 10_000_000,
        "x" * 121,
        "report.json",
        "report.xlsx",
        "CON",
        "nul.csv",
    ],
    ids=lambda name: repr(name[:20]),
)
async def test_bad_names_are_refused_before_anything_is_written(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"\.$") as caught:
        await export(tmp_path, [[call()]], name=name)
    assert len(str(caught.value)) < 300  # one short sentence, never the whole of a huge name
    assert not (tmp_path / "out").exists()
    assert os.listdir(tmp_path) == []


def test_default_name_is_dated_utc(tmp_path: Path) -> None:
    assert target_path(tmp_path, None, "csv", NOW).name == "atoms-calls-20261120-120005Z.csv"
    later = datetime(2026, 11, 20, 14, 0, 5, tzinfo=timezone(timedelta(hours=2)))
    assert target_path(tmp_path, None, "json", later).name == "atoms-calls-20261120-120005Z.json"
    assert target_path(tmp_path, None, "csv", NOW.replace(tzinfo=None)).name == "atoms-calls-20261120-120005Z.csv"


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        ("march report", "csv", "march report.csv"),
        ("march report.csv", "csv", "march report.csv"),
        ("March.CSV", "csv", "March.CSV"),
        ("calls", "json", "calls.json"),
        ("calls.2026.11", "json", "calls.2026.11.json"),
        ("  padded_name-1  ", "csv", "padded_name-1.csv"),
        ("trailing.", "csv", "trailing.csv"),
    ],
)
def test_extension_is_added_when_missing(tmp_path: Path, name: str, fmt: str, expected: str) -> None:
    path = target_path(tmp_path, name, fmt, NOW)  # type: ignore[arg-type]
    assert path == tmp_path.resolve() / expected


async def test_existing_symlink_as_target_is_refused_and_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("precious", encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "calls.csv").symlink_to(outside)
    (folder / "dangling.csv").symlink_to(tmp_path / "nowhere.csv")
    for name in ("calls", "dangling.csv"):
        with pytest.raises(ValueError, match="symbolic link"):
            await export(tmp_path, [[call()]], name=name)
    assert outside.read_text(encoding="utf-8") == "precious"
    assert not (tmp_path / "nowhere.csv").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["calls.csv", "dangling.csv"]


async def test_export_folder_may_itself_be_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "out").symlink_to(real, target_is_directory=True)
    result = await export(tmp_path, [[call()]], name="calls")
    assert result.path == real.resolve() / "calls.csv"
    assert result.path.is_file()


async def test_folder_is_created_private_with_parents(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b" / "exports"
    result = await write_export([[call()]], AGENTS, fmt="csv", directory=folder, file_name=None, now=NOW)
    assert result.path.parent == folder.resolve()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600


async def test_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    await export(tmp_path, [[call()]])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


async def test_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    first = await export(tmp_path, [[call(1)]], name="calls")
    second = await export(tmp_path, [[call(2)]], name="calls.csv")
    third = await export(tmp_path, [[call(3)]], name="calls")
    assert [first.path.name, second.path.name, third.path.name] == ["calls.csv", "calls (2).csv", "calls (3).csv"]
    assert [read_csv(r.path)[1][1] for r in (first, second, third)] == ["CALL-00001", "CALL-00002", "CALL-00003"]
    assert target_path(tmp_path / "out", "calls", "csv", NOW).name == "calls (4).csv"


async def test_file_appearing_during_the_export_is_not_overwritten(tmp_path: Path) -> None:
    rival = tmp_path / "out" / "calls.csv"

    async def pages() -> AsyncIterator[list[CallRow]]:
        yield [call(1)]
        await anyio.Path(rival).write_text("someone else's", encoding="utf-8")  # after the name was checked
        yield [call(2)]

    result = await write_export(pages(), AGENTS, fmt="csv", directory=tmp_path / "out", file_name="calls", now=NOW)
    assert result.path.name == "calls (2).csv" and result.rows == 2
    assert rival.read_text(encoding="utf-8") == "someone else's"
    assert sorted(os.listdir(tmp_path / "out")) == ["calls (2).csv", "calls.csv"]


def test_export_directory_from_environment(tmp_path: Path) -> None:
    from atoms_logs_mcp.config import Settings

    def folder(value: str) -> Path:
        return Settings.from_env({"ATOMS_EXPORT_DIR": value}).export_path

    assert Settings.from_env({}).export_path == Path.home() / "atoms-logs-exports"
    assert folder("  ") == Path.home() / "atoms-logs-exports"
    assert folder(str(tmp_path / "x")) == tmp_path / "x"
    assert folder("~/calls") == Path.home() / "calls"
    assert not (tmp_path / "x").exists()
    with pytest.raises(ValueError, match="ATOMS_EXPORT_DIR must be an absolute path"):
        folder("relative/dir")


# Content -----------------------------------------------------------------------------------------

TRICKY_SUMMARY = 'Said "no, thanks",\nthen hung up;\r\n\tcalled back — 東京 🎉\u202eevil\u2066 done\x07'
TRICKY_SUMMARY_CLEAN = 'Said "no, thanks", then hung up; called back — 東京 🎉evil done'


def tricky_rows() -> list[CallRow]:
    return [
        call(1, postCallAnalytics={"summary": TRICKY_SUMMARY}, callFailureReason="=cmd|' /C calc'!A0"),
        call(
            2,
            agentId="agent-2",
            type="webcall",
            **{"from": "-1+1", "to": "@SUM(A1)"},
            disconnectionReason="+ dialled wrong",
            retryAttemptNumber=2,
            isTest=True,
            duration=3.5,
            versionNumber=None,
            versionId="ver_abc",
        ),
        CallRow.model_validate({"callId": "CALL-BARE"}),
    ]


async def test_csv_round_trip(tmp_path: Path) -> None:
    result = await export(tmp_path, [tricky_rows()], name="tricky")
    table = read_csv(result.path)
    assert tuple(table[0]) == COLUMNS == result.columns
    assert result.rows == 3 and len(table) == 4
    rows = [dict(zip(COLUMNS, line, strict=True)) for line in table[1:]]
    assert rows[0] == {
        "created_at": "2026-11-19T21:37:05.250Z",
        "call_id": "CALL-00001",
        "agent": 'Sales, "West" 東京',
        "channel": "outbound",
        "from": "'+14155550123",
        "to": "'+442071838750",
        "duration_s": "125",
        "avg_latency_ms": "812.5",
        "status": "completed",
        "failure_reason": "'=cmd|' /C calc'!A0",
        "disconnect_reason": "",
        "version": "3",
        "version_id": "",
        "test": "false",
        "attempt": "",
        "retries": "0",
        "cost": "0.0425",
        "summary": TRICKY_SUMMARY_CLEAN,
    }
    assert rows[1]["agent"] == '\'=HYPERLINK("http://x")'
    assert (rows[1]["from"], rows[1]["to"]) == ("'-1+1", "'@SUM(A1)")
    assert rows[1]["disconnect_reason"] == "'+ dialled wrong"
    assert (rows[1]["channel"], rows[1]["test"], rows[1]["attempt"], rows[1]["retries"]) == ("web", "true", "2", "0")
    assert (rows[1]["duration_s"], rows[1]["version"], rows[1]["version_id"]) == ("3.5", "", "ver_abc")
    assert rows[2] == {column: ("CALL-BARE" if column == "call_id" else "") for column in COLUMNS}
    raw = result.path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert result.bytes == len(raw)


async def test_json_round_trip(tmp_path: Path) -> None:
    result = await export(tmp_path, [tricky_rows()[:2], [], tricky_rows()[2:]], fmt="json", name="tricky")
    assert result.path.name == "tricky.json"
    document = json.loads(result.path.read_text(encoding="utf-8"))
    assert document["exported_at"] == "2026-11-20T12:00:05.000Z"
    assert tuple(document["columns"]) == COLUMNS
    first, second, bare = document["rows"]
    assert list(first) == list(COLUMNS)
    assert first["duration_s"] == 125 and isinstance(first["duration_s"], int)
    assert (first["avg_latency_ms"], first["cost"], first["version"]) == (812.5, 0.0425, 3)
    assert (first["test"], first["retries"], first["disconnect_reason"]) == (False, 0, None)
    assert first["summary"] == TRICKY_SUMMARY_CLEAN
    assert first["failure_reason"] == "=cmd|' /C calc'!A0"  # JSON is not a spreadsheet: kept as it is
    assert (second["test"], second["attempt"], second["version"], second["version_id"]) == (True, 2, None, "ver_abc")
    assert second["from"] == "-1+1"
    for column in ("duration_s", "version", "attempt", "retries", "cost"):  # one JSON type per column
        kinds = {type(row[column]).__name__ for row in document["rows"] if row[column] is not None}
        assert kinds <= {"int", "float"}, (column, kinds)
    assert bare == {column: ("CALL-BARE" if column == "call_id" else None) for column in COLUMNS}
    assert result.bytes == result.path.stat().st_size


async def test_empty_export_is_valid(tmp_path: Path) -> None:
    as_json = await export(tmp_path, [], fmt="json")
    assert json.loads(as_json.path.read_text(encoding="utf-8"))["rows"] == []
    as_csv = await export(tmp_path, [[]])
    assert read_csv(as_csv.path) == [list(COLUMNS)]
    assert (as_json.rows, as_csv.rows) == (0, 0)


async def test_async_pages_and_odd_numbers(tmp_path: Path) -> None:
    async def pages() -> AsyncIterator[list[CallRow]]:
        for index in range(3):
            await anyio.lowlevel.checkpoint()
            yield [call(index, duration="nan", callCost=float("inf"), createdAt="2026-11-19T23:00:00+02:00")]

    result = await write_export(pages(), {}, fmt="json", directory=tmp_path, file_name="odd", now=NOW)
    rows = json.loads(result.path.read_text(encoding="utf-8"))["rows"]
    assert [row["call_id"] for row in rows] == ["CALL-00000", "CALL-00001", "CALL-00002"]
    assert (rows[0]["duration_s"], rows[0]["cost"], rows[0]["agent"]) == (None, None, "agent-1")
    assert rows[0]["created_at"] == "2026-11-19T21:00:00.000Z"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("+14155550123", "+14155550123"),
        ("-3.5", "-3.5"),
        ("+42", "+42"),
        ("-1e5", "-1e5"),
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+1 415 555 0123", "'+1 415 555 0123"),
        ("-2+3", "'-2+3"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-", "'-"),
        ("\tx", "'\tx"),
        ("\r=x", "'\r=x"),
        ("plain = fine", "plain = fine"),
        (None, ""),
        (True, "true"),
        (-3.5, "-3.5"),
        (7, "7"),
    ],
)
def test_formula_guard_keeps_numbers_and_phone_numbers(value: Any, cell: str) -> None:
    assert csv_cell(value) == cell


# Atomicity and size ------------------------------------------------------------------------------


class Boom(RuntimeError):
    pass


async def test_failure_mid_write_leaves_no_file(tmp_path: Path) -> None:
    async def pages() -> AsyncIterator[list[CallRow]]:
        yield [call(index) for index in range(100)]
        raise Boom("the API went away")

    for fmt in ("csv", "json"):
        with pytest.raises(Boom):
            await write_export(pages(), AGENTS, fmt=fmt, directory=tmp_path, file_name="partial", now=NOW)
    assert os.listdir(tmp_path) == []


async def test_cancellation_mid_write_leaves_no_file(tmp_path: Path) -> None:
    async def pages() -> AsyncIterator[list[CallRow]]:
        yield [call(1)]
        await anyio.sleep_forever()
        yield []

    with anyio.move_on_after(0.2) as scope:
        await write_export(pages(), AGENTS, fmt="csv", directory=tmp_path, file_name="partial", now=NOW)
    assert scope.cancelled_caught
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_twenty_thousand_rows(tmp_path: Path, fmt: str) -> None:
    page = [call(index) for index in range(100)]
    started = time.perf_counter()
    result = await export(tmp_path, [page] * 200, fmt=fmt)
    elapsed = time.perf_counter() - started
    assert result.rows == 20_000
    assert result.bytes == result.path.stat().st_size
    print(f"\n{fmt}: 20,000 rows in {elapsed:.1f} s")  # a figure, not a test: the machine is shared
    if fmt == "csv":
        assert len(read_csv(result.path)) == 20_001
    else:
        assert len(json.loads(result.path.read_text(encoding="utf-8"))["rows"]) == 20_000
    assert [p.name for p in result.path.parent.iterdir()] == [result.path.name]


def test_phone_numbers_are_text_in_csv_the_same_way_masked_or_not() -> None:
    from atoms_logs_mcp.api.redact import mask_phone_numbers
    from atoms_logs_mcp.domain.export import csv_cell

    plain, masked = "+14155550123", mask_phone_numbers("+14155550123")
    assert masked != plain
    assert csv_cell(plain, text=True) == "'" + plain
    assert csv_cell(masked, text=True) == "'" + masked
    assert csv_cell("14155550123", text=True) == "14155550123"  # no sign: nothing a spreadsheet would change


def test_the_first_error_is_found_through_nested_task_groups() -> None:
    from atoms_logs_mcp.domain.export_window import _first

    inner = RuntimeError("page 3")
    assert _first(ExceptionGroup("outer", [ExceptionGroup("scan", [inner]), ValueError("x")])) is inner
