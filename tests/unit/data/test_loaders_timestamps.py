"""Timestamp columns to UTC nanoseconds: epoch units, date-time strings, time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.data.loaders import DataLoadError, SourceRows, TimeFormat
from shrivenquant.data.loaders.timestamps import epoch_unit, timestamps_ns

ROWS = SourceRows("bars.csv", 2, "line")
T0 = 1_704_067_200_000_000_000  # 2024-01-01 00:00 UTC
IST = timezone(timedelta(hours=5, minutes=30))


def ns(
    values: list[object], time: TimeFormat | None = None, kind: pa.DataType | None = None
) -> list[int]:
    return timestamps_ns(pa.array(values, kind), time or TimeFormat(), "ts", ROWS).tolist()


@pytest.mark.parametrize(
    ("unit", "value"),
    [("s", 1_704_067_200), ("ms", 1_704_067_200_000), ("us", 1_704_067_200_000_000), ("ns", T0)],
)
def test_epoch_integers_in_every_unit(unit: str, value: int) -> None:
    assert ns([value], TimeFormat(unit=unit)) == [T0]
    assert ns([value]) == [T0]  # auto: told by magnitude
    assert ns([str(value)]) == [T0]  # digits as text


@settings(max_examples=200)
@given(
    st.integers(min_value=10**18, max_value=4_102_444_800 * 10**9),  # 2001 to 2100
    st.sampled_from(["s", "ms", "us", "ns"]),
)
def test_magnitude_tells_the_unit_of_any_time_from_2001_to_2100(nanos: int, unit: str) -> None:
    factor = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[unit]
    value = nanos // factor
    assert epoch_unit(value) == unit
    assert ns([value]) == [value * factor]
    assert ns([str(value)]) == [value * factor]


def test_small_numbers_need_an_explicit_unit() -> None:
    with pytest.raises(
        DataLoadError, match=r"cannot tell the unit of ts values as small as 20240102"
    ):
        ns(["20240101", "20240102"])
    assert ns(["20240101"], TimeFormat(format="%Y%m%d", unit="datetime")) == [T0]
    assert ns([86_400], TimeFormat(unit="s")) == [86_400 * 10**9]


def test_decimal_seconds_are_exact_to_the_nanosecond() -> None:
    assert ns(["1704067200.000000001", "1704067200.5"], TimeFormat(unit="s")) == [
        T0 + 1,
        T0 + 500_000_000,
    ]
    assert ns(["1704067200000.25"], TimeFormat(unit="ms")) == [T0 + 250_000]
    with pytest.raises(DataLoadError, match=r"bars\.csv line 3: ts '1000\.5' ns is finer"):
        ns(["1000", "1000.5"], TimeFormat(unit="ns"))


def test_iso_strings_with_offsets_are_instants() -> None:
    assert ns(
        ["2024-01-01T05:30:00+05:30", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000000001Z"]
    ) == [
        T0,
        T0,
        T0 + 1,
    ]
    assert ns(["2024-01-01T09:15:00+0530", "2024-01-01T00:00:00+00:00"]) == [
        T0 + 13_500_000_000_000,
        T0,
    ]


def test_naive_times_are_wall_clock_in_the_given_zone() -> None:
    kolkata = TimeFormat(unit="datetime", timezone="Asia/Kolkata")
    assert ns(["2024-01-01 05:30:00", "2024-01-01T09:15"], kolkata) == [T0, T0 + 13_500_000_000_000]
    assert ns(["2024-01-01"], TimeFormat()) == [T0]
    custom = TimeFormat(timezone="Asia/Kolkata", format="%d/%m/%Y %H:%M")
    assert ns(["01/01/2024 05:30"], custom) == [T0]


def test_daylight_saving_gaps_and_overlaps_are_refused_with_the_row() -> None:
    new_york = TimeFormat(timezone="America/New_York")
    with pytest.raises(DataLoadError, match=r"line 3: ts 2024-03-10 02:30:00 is not a unique"):
        ns(["2024-03-10 01:30", "2024-03-10 02:30"], new_york)
    with pytest.raises(DataLoadError, match=r"line 2: ts 2024-11-03 01:30:00 is not a unique"):
        ns(["2024-11-03 01:30"], new_york)


def test_bad_and_mixed_strings_name_the_row() -> None:
    with pytest.raises(DataLoadError, match=r"bars\.csv line 3: ts 'yesterday' is not a date-time"):
        ns(["2024-01-01T00:00:00", "yesterday"])
    with pytest.raises(DataLoadError, match=r"line 3: ts '2024-01-01T00:00:00' has no UTC offset"):
        ns(["2024-01-01T00:00:00+05:30", "2024-01-01T00:00:00", "2024-01-01T00:00:00Z"])
    assert ns(["2024-01-01T05:30:00+05:30", "2024-01-01T00:00:00Z"]) == [T0, T0]
    with pytest.raises(DataLoadError, match=r"line 4: ts is empty"):
        ns(["1", "2", None], kind=pa.string())
    with pytest.raises(DataLoadError, match="holds numbers, not date-time strings"):
        ns([1704067200], TimeFormat(unit="datetime"))


def test_arrow_timestamp_and_date_columns() -> None:
    naive = pa.array([datetime(2024, 1, 1, 5, 30)], pa.timestamp("us"))
    aware = pa.array([datetime(2024, 1, 1, 5, 30, tzinfo=IST)], pa.timestamp("ns", tz="+05:30"))
    kolkata = TimeFormat(timezone="Asia/Kolkata")
    assert timestamps_ns(naive, kolkata, "ts", ROWS).tolist() == [T0]
    assert timestamps_ns(aware, TimeFormat(), "ts", ROWS).tolist() == [T0]
    dates = pa.array([datetime(2024, 1, 1, tzinfo=UTC).date()], pa.date32())
    assert timestamps_ns(dates, TimeFormat(), "ts", ROWS).tolist() == [T0]


def test_float_epochs_use_their_decimal_form() -> None:
    assert ns([1704067200.5], TimeFormat(unit="s")) == [T0 + 500_000_000]


def test_bad_settings_are_refused() -> None:
    with pytest.raises(DataLoadError, match="unknown timestamp unit 'minutes'"):
        TimeFormat(unit="minutes")
    with pytest.raises(DataLoadError, match="unknown time zone 'Mars/Olympus'"):
        TimeFormat(timezone="Mars/Olympus")
