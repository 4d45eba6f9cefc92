"""The server's clock is injected: `ATOMS_NOW` (the `now` setting) sets what "now" is for every answer, and
nothing in the server reads the machine's calendar behind its back, so answers on data of a fixed date are the
same on whatever day they are asked."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from atoms_logs_mcp.config import Settings
from atoms_logs_mcp.domain.clock import clock_from, system_clock
from conftest import GENERATED_END, call_error, call_text, mcp_client

pytestmark = pytest.mark.anyio
PACKAGE = Path(__file__).resolve().parents[1] / "server" / "atoms_logs_mcp"


def test_a_set_clock_starts_at_its_instant_and_runs_on() -> None:
    ticks = iter([100.0, 100.0, 160.5])
    clock = clock_from(datetime(2026, 3, 29, 2, 30, tzinfo=UTC), monotonic=lambda: next(ticks))
    assert clock() == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    assert clock() == datetime(2026, 3, 29, 2, 31, 0, 500000, tzinfo=UTC)
    assert clock_from(None) is system_clock


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-20T12:00:00Z", datetime(2026, 11, 20, 12, tzinfo=UTC)),
        ("2026-11-20T17:30:00+05:30", datetime(2026, 11, 20, 12, tzinfo=UTC)),
        ("2026-11-20T12:00", datetime(2026, 11, 20, 12, tzinfo=UTC)),  # no offset: UTC
    ],
)
def test_atoms_now_reads_iso_times(raw: str, expected: datetime) -> None:
    assert Settings.from_env({"ATOMS_NOW": raw}).now == expected
    assert ("ATOMS_NOW", expected.isoformat()) in Settings.from_env({"ATOMS_NOW": raw}).in_effect()


def test_an_unreadable_atoms_now_names_the_setting_and_the_form() -> None:
    with pytest.raises(ValueError, match=r"ATOMS_NOW must be an ISO 8601 date-time such as 2026-11-20T12:00:00Z"):
        Settings.from_env({"ATOMS_NOW": "last tuesday"})


async def test_windows_count_back_from_the_injected_clock(sandbox) -> None:
    """The same question at two injected instants, a month apart, reads two different windows, and a window
    after the injected now is refused, whatever the machine's date."""
    async with mcp_client(sandbox, now=GENERATED_END) as client:
        recent = await call_text(client, "summarize_logs", {"since": "7d"})
    async with mcp_client(sandbox, now=GENERATED_END + timedelta(days=30)) as client:
        later = await call_text(client, "summarize_logs", {"since": "7d"})
    async with mcp_client(sandbox, now=GENERATED_END - timedelta(days=30)) as client:
        error = await call_error(client, "list_logs", {"since": "2026-11-01"})
    # The injected clock runs on from its instant: on a loaded machine a second may pass before the question.
    assert re.search(r"Window: 2026-11-13 12:00:\d\dZ \.\. now UTC", recent), recent[:300]
    assert re.search(r"Window: 2026-12-13 12:00:\d\dZ \.\. now UTC", later) and "No calls" in later, later[:300]
    assert "after now (2026-10-21" in error


def test_nothing_in_the_server_reads_the_machine_calendar_but_the_clock() -> None:
    """`datetime.now`, `date.today` and friends only in domain/clock.py (and the sandbox, which plays the API)."""
    calendar = re.compile(r"\b(?:datetime\.now|datetime\.utcnow|date\.today|datetime\.today)\(")
    readers = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if calendar.search(path.read_text(encoding="utf-8")) and path.parts[-2] != "sandbox" and path.name != "clock.py"
    ]
    assert not readers, f"read the injected clock instead: {readers}"
