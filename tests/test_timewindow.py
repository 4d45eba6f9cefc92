"""How `since`/`until` words become an inclusive UTC window: every rule, DST, week and month edges, errors."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atoms_logs_mcp.domain.timewindow import Window, resolve_window, zone_named

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
UTC_ZONE = ZoneInfo("UTC")
# A Friday, noon UTC (13:00 in Paris, 07:00 in New York).
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MS = timedelta(milliseconds=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def end_of(day: date) -> datetime:
    """The last millisecond of a UTC day."""
    return datetime.combine(day, datetime.max.time(), tzinfo=UTC).replace(microsecond=999_000)


def window(
    since: str | None, until: str | None = None, zone: ZoneInfo = UTC_ZONE, now: datetime = NOW
) -> tuple[datetime | None, datetime | None]:
    resolved = resolve_window(since, until, zone=zone, now=now)
    return resolved.since, resolved.until


# --- zones ---------------------------------------------------------------------------------------------------------


def test_zone_named_defaults_and_forgives_case_and_spaces() -> None:
    assert zone_named(None) == ZoneInfo("UTC")
    assert zone_named(None, default="Asia/Kolkata") == KOLKATA
    assert zone_named("Europe/Paris") == PARIS
    assert zone_named("  europe/paris ") == PARIS
    assert zone_named("utc").key == "UTC"


@pytest.mark.parametrize(
    "name", ["PST", "Europe/Pari", "America", "", "   ", "../etc/passwd", "/etc/localtime", "x" * 80]
)
def test_zone_named_rejects_unknown_names_with_examples(name: str) -> None:
    with pytest.raises(ValueError, match=r"^timezone=.* is not a known IANA time zone; .*'America/New_York'") as error:
        zone_named(name)
    assert len(str(error.value)) < 200


# --- ISO 8601 ------------------------------------------------------------------------------------------------------


def test_no_window_at_all() -> None:
    assert resolve_window(None, None, zone=PARIS, now=NOW) == Window(None, None, PARIS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T09:30:00Z", utc(2026, 11, 20, 9, 30)),
        ("2026-11-20t09:30:00z", utc(2026, 11, 20, 9, 30)),
        ("2026-11-20 09:30:00+00:00", utc(2026, 11, 20, 9, 30)),
        ("2026-11-20T09:30:00+05:30", utc(2026, 11, 20, 4, 0)),
        ("2026-11-20T09:30-08:00", utc(2026, 11, 20, 17, 30)),
        ("2026-11-20T09:30:00.123456Z", utc(2026, 11, 20, 9, 30, 0, 123_000)),  # floored to the API's milliseconds
    ],
)
def test_iso_with_offset_is_that_instant_whatever_the_zone(text: str, expected: datetime) -> None:
    assert window(text, text, zone=PARIS) == (expected, expected)


@pytest.mark.parametrize(
    ("zone", "text", "expected"),
    [
        (PARIS, "2026-11-20T09:30", utc(2026, 11, 20, 8, 30)),  # winter: +01:00
        (PARIS, "2026-07-01T09:30:00", utc(2026, 7, 1, 7, 30)),  # summer: +02:00
        (NEW_YORK, "2026-11-20 09:30", utc(2026, 11, 20, 14, 30)),
        (NEW_YORK, "2026-07-01T09:30", utc(2026, 7, 1, 13, 30)),
        (KOLKATA, "2026-11-20T09:30", utc(2026, 11, 20, 4, 0)),
        (UTC_ZONE, "2026-11-20T09:30", utc(2026, 11, 20, 9, 30)),
    ],
)
def test_naive_iso_is_wall_time_in_the_zone(zone: ZoneInfo, text: str, expected: datetime) -> None:
    assert window(text, zone=zone) == (expected, None)


def test_a_date_is_the_whole_day_in_the_zone_with_an_inclusive_end() -> None:
    assert window("2026-11-20", "2026-11-20") == (utc(2026, 11, 20), utc(2026, 11, 20, 23, 59, 59, 999_000))
    assert window("2026-11-20", "2026-11-20", zone=PARIS) == (
        utc(2026, 11, 19, 23),
        utc(2026, 11, 20, 22, 59, 59, 999_000),
    )
    month = window("2026-11-01", "2026-11-30", zone=NEW_YORK)
    assert month == (utc(2026, 11, 1, 4), end_of(date(2026, 11, 30)) + timedelta(hours=5))


def test_a_date_as_since_alone_stays_open_ended() -> None:
    assert resolve_window("2026-11-18", None, zone=PARIS, now=NOW) == Window(utc(2026, 11, 17, 23), None, PARIS)


# --- DST -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "first", "last"),
    [
        # Paris springs forward on 2026-03-29 (23 h) and falls back on 2026-10-25 (25 h).
        (PARIS, "2026-03-29", utc(2026, 3, 28, 23), utc(2026, 3, 29, 21, 59, 59, 999_000)),
        (PARIS, "2026-10-25", utc(2026, 10, 24, 22), utc(2026, 10, 25, 22, 59, 59, 999_000)),
        # New York springs forward on 2026-03-08 and falls back on 2026-11-01.
        (NEW_YORK, "2026-03-08", utc(2026, 3, 8, 5), utc(2026, 3, 9, 3, 59, 59, 999_000)),
        (NEW_YORK, "2026-11-01", utc(2026, 11, 1, 4), utc(2026, 11, 2, 4, 59, 59, 999_000)),
    ],
)
def test_days_with_a_dst_change_are_23_or_25_hours(zone: ZoneInfo, day: str, first: datetime, last: datetime) -> None:
    assert window(day, day, zone=zone) == (first, last)


@pytest.mark.parametrize(
    ("zone", "text", "expected"),
    [
        (PARIS, "2026-03-29T02:30", utc(2026, 3, 29, 1, 30)),  # skipped: read with +01:00, i.e. 03:30 summer time
        (PARIS, "2026-10-25T02:30", utc(2026, 10, 25, 0, 30)),  # repeated: the first one, +02:00
        (NEW_YORK, "2026-03-08T02:30", utc(2026, 3, 8, 7, 30)),  # skipped: read with -05:00
        (NEW_YORK, "2026-11-01T01:30", utc(2026, 11, 1, 5, 30)),  # repeated: the first one, -04:00
    ],
)
def test_skipped_and_repeated_wall_times_use_fold_0(zone: ZoneInfo, text: str, expected: datetime) -> None:
    assert window(text, zone=zone) == (expected, None)


def test_yesterday_across_the_new_york_fall_back_is_25_hours() -> None:
    now = utc(2026, 11, 2, 15)  # Monday 10:00 EST
    assert window(None, "yesterday", zone=NEW_YORK, now=now) == (None, utc(2026, 11, 2, 4, 59, 59, 999_000))
    since, until = window("yesterday", zone=NEW_YORK, now=now)
    assert since == utc(2026, 11, 1, 4)
    assert until is not None and until + MS - since == timedelta(hours=25)


def test_a_week_with_a_dst_change_keeps_local_midnights() -> None:
    now = utc(2026, 10, 22, 12)  # Thursday of the week Paris falls back
    assert window("this week", zone=PARIS, now=now) == (utc(2026, 10, 18, 22), utc(2026, 10, 25, 22, 59, 59, 999_000))


# --- spans and now -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("90m", timedelta(minutes=90)),
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("36 H", timedelta(hours=36)),
        (" 7 days ago ", timedelta(days=7)),
        ("1 Week Ago", timedelta(weeks=1)),
        ("45 mins", timedelta(minutes=45)),
        ("3650d", timedelta(days=3650)),
        ("521w", timedelta(weeks=521)),
    ],
)
def test_spans_count_back_from_now_as_since_and_as_until(text: str, span: timedelta) -> None:
    assert window(text, zone=PARIS) == (NOW - span, None)
    assert window(None, text, zone=PARIS) == (None, NOW - span)


def test_now_is_now_and_is_floored_to_milliseconds() -> None:
    now = utc(2026, 11, 20, 12, 0, 0, 123_456)
    assert window("1h", "now", now=now) == (utc(2026, 11, 20, 11, 0, 0, 123_000), utc(2026, 11, 20, 12, 0, 0, 123_000))
    assert window("NOW", now=now) == (utc(2026, 11, 20, 12, 0, 0, 123_000), None)


def test_now_may_be_given_in_any_zone() -> None:
    assert window("1h", now=NOW.astimezone(KOLKATA)) == (utc(2026, 11, 20, 11), None)


# --- named periods -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("today", utc(2026, 11, 20), end_of(date(2026, 11, 20))),
        ("yesterday", utc(2026, 11, 19), end_of(date(2026, 11, 19))),
        ("this week", utc(2026, 11, 16), end_of(date(2026, 11, 22))),
        ("last week", utc(2026, 11, 9), end_of(date(2026, 11, 15))),
        ("this month", utc(2026, 11, 1), end_of(date(2026, 11, 30))),
        ("last month", utc(2026, 10, 1), end_of(date(2026, 10, 31))),
        ("  Last   WEEK ", utc(2026, 11, 9), end_of(date(2026, 11, 15))),
    ],
)
def test_named_periods_start_as_since_and_end_as_until(text: str, first: datetime, last: datetime) -> None:
    assert window(text, "now") == (first, NOW)
    assert window(None, text) == (None, last)
    assert window(text, text) == (first, last)


@pytest.mark.parametrize(("text", "unit"), [("yesterday", "day"), ("today", "day"), ("this week", "week")])
def test_a_named_period_alone_is_that_whole_period_and_says_so(text: str, unit: str) -> None:
    resolved = resolve_window(text, None, zone=UTC_ZONE, now=NOW)
    assert resolved.until is not None and resolved.until.microsecond == 999_000
    assert resolved.note == f"since={text!r} without until: the window is that whole {unit}"
    assert resolve_window(text, "now", zone=UTC_ZONE, now=NOW).note is None


def test_named_periods_are_read_in_the_zone() -> None:
    assert window("today", "today", zone=PARIS) == (utc(2026, 11, 19, 23), utc(2026, 11, 20, 22, 59, 59, 999_000))
    late = utc(2026, 11, 20, 23, 30)  # already Saturday in Paris, still Friday in UTC and New York
    assert window("today", zone=PARIS, now=late)[0] == utc(2026, 11, 20, 23)
    assert window("today", zone=NEW_YORK, now=late)[0] == utc(2026, 11, 20, 5)


@pytest.mark.parametrize(
    ("now", "zone", "this_week_starts"),
    [
        (utc(2026, 11, 22, 22, 59), PARIS, utc(2026, 11, 15, 23)),  # Sunday 23:59 in Paris: still the week of the 16th
        (utc(2026, 11, 22, 23, 0), PARIS, utc(2026, 11, 22, 23)),  # Monday 00:00 in Paris: a new week
        (utc(2026, 11, 22, 23, 0), UTC_ZONE, utc(2026, 11, 16)),  # ...while it is still Sunday in UTC
        (utc(2026, 11, 23, 4, 59), NEW_YORK, utc(2026, 11, 16, 5)),  # Sunday 23:59 in New York
        (utc(2026, 11, 23, 5, 0), NEW_YORK, utc(2026, 11, 23, 5)),  # Monday 00:00 in New York
    ],
)
def test_weeks_turn_at_local_monday_midnight(now: datetime, zone: ZoneInfo, this_week_starts: datetime) -> None:
    since, until = window("this week", zone=zone, now=now)
    assert since == this_week_starts
    assert until is not None and until + MS - since == timedelta(weeks=1)
    last_since, last_until = window("last week", "last week", zone=zone, now=now)
    assert last_until is not None and last_until + MS == this_week_starts
    assert last_since == this_week_starts - timedelta(weeks=1)


@pytest.mark.parametrize(
    ("now", "text", "first", "last"),
    [
        (utc(2027, 1, 15), "last month", utc(2026, 12, 1), end_of(date(2026, 12, 31))),
        (utc(2027, 1, 15), "this month", utc(2027, 1, 1), end_of(date(2027, 1, 31))),
        (utc(2026, 12, 31, 23), "this month", utc(2026, 12, 1), end_of(date(2026, 12, 31))),
        (utc(2028, 3, 1), "last month", utc(2028, 2, 1), end_of(date(2028, 2, 29))),
        (utc(2026, 3, 1), "last month", utc(2026, 2, 1), end_of(date(2026, 2, 28))),
        (utc(2027, 1, 1), "yesterday", utc(2026, 12, 31), end_of(date(2026, 12, 31))),
    ],
)
def test_month_and_year_boundaries(now: datetime, text: str, first: datetime, last: datetime) -> None:
    assert window(text, text, now=now) == (first, last)


def test_month_turns_at_local_midnight() -> None:
    now = utc(2026, 12, 31, 23, 30)  # already January 2027 in Paris
    assert window("last month", "last month", zone=PARIS, now=now) == (
        utc(2026, 11, 30, 23),
        utc(2026, 12, 31, 22, 59, 59, 999_000),
    )
    assert window("this month", zone=NEW_YORK, now=now)[0] == utc(2026, 12, 1, 5)


# --- errors --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("", None, r"^since is empty; give an ISO 8601 time .*, or leave since out\.$"),
        (None, "  \t", r"^until is empty; "),
        ("yesterday-ish", None, r"^since='yesterday-ish' is not a time this tool reads; give an ISO 8601 time"),
        (None, "last 7 days", r"^until='last 7 days' is not a time this tool reads; .*\(90m, 24h, 7d, 2w\)"),
        ("7.5h", None, r"^since='7.5h' is not a time"),
        ("-7d", None, r"^since='-7d' is not a time"),
        ("3 months", None, r"^since='3 months' is not a time"),
        ("0d", None, r"^since='0d' is not a usable span; give a whole number from 1 up to 3650 days\.$"),
        (None, "3651 days", r"^until='3651 days' is not a usable span"),
        ("99999999999999999999w", None, r"is not a usable span"),
        ("2026-13-01", None, r"^since='2026-13-01' is not a valid ISO 8601 date or time; give "),
        (None, "2026-02-30T10:00", r"^until='2026-02-30T10:00' is not a valid ISO 8601"),
        ("2026-11-20T25:00", None, r"is not a valid ISO 8601"),
        (
            "1999-12-31",
            None,
            r"^since='1999-12-31' is outside 2000-01-01 \.\. 2100-01-01; give a date in that range\.$",
        ),
        (None, "2100-01-02T00:00:00Z", r"^until='2100-01-02T00:00:00Z' is outside 2000-01-01"),
        ("0001-01-01T00:00:00+14:00", None, r"is outside 2000-01-01"),
        ("20261120", None, r"is not a time this tool reads"),
        ("2026-W47", None, r"is not a time this tool reads"),
    ],
)
def test_errors_are_one_sentence_naming_the_argument(since: str | None, until: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        resolve_window(since, until, zone=PARIS, now=NOW)
    assert not re.search(r"(?<!\.)\.\s", str(error.value))  # one sentence: no full stop but the last
    assert str(error.value).endswith(".")


def test_errors_clip_what_was_given_to_40_characters() -> None:
    with pytest.raises(ValueError, match=r"^since='a{40}…' is not a time") as error:
        resolve_window("a" * 500, None, zone=UTC_ZONE, now=NOW)
    assert len(str(error.value)) < 300


@pytest.mark.parametrize(
    ("since", "until", "zone"),
    [
        ("2026-11-02", "2026-11-01", UTC_ZONE),
        ("today", "yesterday", PARIS),
        ("1h", "2h", NEW_YORK),
        ("this month", "last month", UTC_ZONE),
    ],
)
def test_since_after_until_is_an_empty_window(since: str, until: str, zone: ZoneInfo) -> None:
    with pytest.raises(ValueError, match=r"^since \('.*' = .*Z\) is after until \('.*' = .*Z\): that window is empty"):
        resolve_window(since, until, zone=zone, now=NOW)


def test_since_equal_to_until_is_one_millisecond_wide() -> None:
    instant = utc(2026, 11, 20, 10)
    assert window("2026-11-20T10:00:00.000999Z", "2026-11-20T10:00:00Z") == (instant, instant)


def test_a_day_that_never_happened_is_an_empty_window() -> None:
    """Samoa skipped 2011-12-30 when it crossed the date line: that day has no instants at all."""
    with pytest.raises(ValueError, match="that window is empty"):
        resolve_window("2011-12-30", "2011-12-30", zone=ZoneInfo("Pacific/Apia"), now=NOW)


def test_since_after_until_message_shows_both_instants() -> None:
    with pytest.raises(ValueError) as error:
        resolve_window("2026-11-02", "2026-11-01", zone=UTC_ZONE, now=NOW)
    assert str(error.value) == (
        "since ('2026-11-02' = 2026-11-02 00:00:00Z) is after until ('2026-11-01' = 2026-11-01 23:59:59Z): "
        "that window is empty; swap them or widen the window."
    )


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        resolve_window("1h", None, zone=UTC_ZONE, now=datetime(2026, 11, 20, 12))


# --- describe ------------------------------------------------------------------------------------------------------


def test_describe_in_utc_and_in_the_zone() -> None:
    day = resolve_window("2026-11-20", "2026-11-20", zone=UTC_ZONE, now=NOW)
    assert day.describe() == "2026-11-20 00:00:00Z .. 2026-11-20 23:59:59Z UTC"
    paris = Window(day.since, day.until, PARIS)
    assert paris.describe() == (
        "2026-11-20 00:00:00Z .. 2026-11-20 23:59:59Z UTC (2026-11-20 01:00 .. 2026-11-21 00:59 Europe/Paris)"
    )


def test_describe_open_ends_and_no_window() -> None:
    assert Window(None, None, PARIS).describe() == "all time (no date filter sent)"
    assert Window(utc(2026, 11, 20), None, ZoneInfo("Etc/UTC")).describe() == "2026-11-20 00:00:00Z .. now UTC"
    assert Window(None, utc(2026, 11, 20), NEW_YORK).describe() == (
        "the beginning .. 2026-11-20 00:00:00Z UTC (the beginning .. 2026-11-19 19:00 America/New_York)"
    )


# --- properties ----------------------------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Australia/Lord_Howe",  # 30-minute DST
    "America/Santiago",  # DST changes at midnight
    "America/St_Johns",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]
PERIODS = {"today", "yesterday", "this week", "last week", "this month", "last month"}
SPAN_LIMITS = {
    "m": 3650 * 1440,
    "min": 3650 * 1440,
    "h": 3650 * 24,
    "hours": 3650 * 24,
    "d": 3650,
    "days": 3650,
    "w": 521,
}


def _case(text: str, upper: bool) -> str:
    return text.upper() if upper else text


spans = st.sampled_from(sorted(SPAN_LIMITS)).flatmap(
    lambda unit: st.builds(
        lambda n, space, ago, upper: _case(f"{n}{space}{unit}{ago}", upper),
        st.integers(1, SPAN_LIMITS[unit]),
        st.sampled_from(["", " "]),
        st.sampled_from(["", " ago"]),
        st.booleans(),
    )
)
named = st.builds(
    _case,
    st.sampled_from(["today", "yesterday", "this week", "last week", "this month", "last month", "now"]),
    st.booleans(),
)
days = st.dates(date(2000, 1, 1), date(2100, 1, 1)).map(date.isoformat)
wall_times = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1, 23, 59, 59)).map(
    lambda moment: moment.isoformat(sep="T", timespec="milliseconds")
)
offsets = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-9, minutes=-30))])
instants = st.builds(
    lambda moment, offset, zulu: moment.replace(tzinfo=offset).isoformat().replace("+00:00", "Z" if zulu else "+00:00"),
    st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1, 23, 59, 59)),
    offsets,
    st.booleans(),
)
terms = st.none() | spans | named | days | wall_times | instants
nows = st.datetimes(datetime(2001, 1, 1), datetime(2098, 12, 31), timezones=st.just(UTC))


@given(since=terms, until=terms, zone=st.sampled_from(ZONES), now=nows)
def test_valid_input_gives_an_ordered_utc_window_or_says_it_is_empty(
    since: str | None, until: str | None, zone: str, now: datetime
) -> None:
    try:
        resolved = resolve_window(since, until, zone=ZoneInfo(zone), now=now)
    except ValueError as error:
        assert "that window is empty" in str(error)
        return
    for moment in (resolved.since, resolved.until):
        if moment is not None:
            assert moment.utcoffset() == timedelta(0)
            assert moment.microsecond % 1000 == 0
    if resolved.since is not None and resolved.until is not None:
        assert resolved.since <= resolved.until
    assert (resolved.since is None) == (since is None)
    assert (resolved.note is not None) == (until is None and since is not None and since.strip().lower() in PERIODS)
    line = resolved.describe()
    assert line and "\n" not in line


@given(day=st.dates(date(2000, 1, 1), date(2099, 12, 30)), zone=st.sampled_from(ZONES))
def test_consecutive_days_tile_time_without_gaps_or_overlaps(day: date, zone: str) -> None:
    first_since, first_until = window(day.isoformat(), day.isoformat(), zone=ZoneInfo(zone))
    next_since, _ = window((day + timedelta(days=1)).isoformat(), zone=ZoneInfo(zone))
    assert first_since is not None and first_until is not None
    assert first_until + MS == next_since
    assert timedelta(hours=22) <= first_until + MS - first_since <= timedelta(hours=26)


@given(since=st.text(max_size=80), until=st.none() | st.text(max_size=80), zone=st.sampled_from(ZONES))
def test_any_text_gives_a_window_or_a_value_error(since: str, until: str | None, zone: str) -> None:
    try:
        resolved = resolve_window(since, until, zone=ZoneInfo(zone), now=NOW)
    except ValueError as error:
        assert "\n" not in str(error)
        return
    resolved.describe()
