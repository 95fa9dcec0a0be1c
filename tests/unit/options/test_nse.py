"""NSE index options: contract specs, expiry calendar, chain analytics and book Greeks."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options.black import black_greeks, black_price
from shrivenquant.options.nse.book_greeks import ExpiryMarket, OptionPosition, book_greeks
from shrivenquant.options.nse.chain import (
    ChainQuote,
    analyse_chain,
    implied_forward,
    max_pain,
    put_call_ratio,
    term_structure,
)
from shrivenquant.options.nse.contracts import (
    DEFAULT_SPECS,
    FRIDAY,
    THURSDAY,
    TUESDAY,
    IndexOptionSpec,
    spec_for,
)
from shrivenquant.options.nse.expiry_calendar import (
    ExpiryCalendar,
    ExpiryKind,
    expiry_instant_ns,
    year_fraction_to_expiry,
)
from shrivenquant.options.svi import SviParams

NIFTY = DEFAULT_SPECS["NIFTY"]


def test_specs_are_configurable_and_checked() -> None:
    assert {"NIFTY", "BANKNIFTY", "FINNIFTY"} <= set(DEFAULT_SPECS)
    assert NIFTY.tick_size == Decimal("0.05")
    assert NIFTY.nearest_strike(24_524.9) == 24_500
    assert NIFTY.nearest_strike(24_525.0) == 24_550
    bigger = NIFTY.with_lot_size(50)
    assert bigger.lot_size == 50
    assert NIFTY.lot_size != 50  # frozen: the original is untouched
    custom = {"NIFTY": bigger}
    assert spec_for("NIFTY", custom) is bigger
    assert spec_for("BANKNIFTY", custom) is DEFAULT_SPECS["BANKNIFTY"]
    with pytest.raises(InvalidInputError, match="MIDCPNIFTY"):
        spec_for("MIDCPNIFTY")
    with pytest.raises(InvalidInputError, match="lot_size"):
        IndexOptionSpec("NIFTY", lot_size=0, strike_step=50)
    with pytest.raises(InvalidInputError, match="weekday"):
        IndexOptionSpec("NIFTY", lot_size=75, strike_step=50, weekly_expiry_weekday=6)


def test_weekly_and_monthly_expiries_with_holiday_shift() -> None:
    diwali_tuesday = date(2025, 10, 21)
    calendar = ExpiryCalendar([diwali_tuesday])
    expiries = calendar.expiries(NIFTY, date(2025, 10, 1), date(2025, 11, 30))
    assert expiries[:4] == [
        (date(2025, 10, 7), ExpiryKind.WEEKLY),
        (date(2025, 10, 14), ExpiryKind.WEEKLY),
        (date(2025, 10, 20), ExpiryKind.WEEKLY),  # Tuesday the 21st is a holiday: Monday
        (date(2025, 10, 28), ExpiryKind.MONTHLY),  # last Tuesday of October
    ]
    assert expiries[-1] == (date(2025, 11, 25), ExpiryKind.MONTHLY)
    assert all(d.weekday() == TUESDAY for d, _ in expiries if d != date(2025, 10, 20))
    monthly_only = calendar.expiries(
        DEFAULT_SPECS["BANKNIFTY"], date(2025, 10, 1), date(2025, 12, 31)
    )
    assert [k for _, k in monthly_only] == [ExpiryKind.MONTHLY] * 3
    # a holiday on the monthly expiry moves it to the previous trading day
    shifted = ExpiryCalendar([date(2025, 12, 30)]).monthly_expiry(NIFTY, 2025, 12)
    assert shifted == date(2025, 12, 29)
    # the old Thursday rule is one configuration away
    thursday = IndexOptionSpec("NIFTY", 75, 50, weekly_expiry_weekday=THURSDAY,
                               monthly_expiry_weekday=THURSDAY)  # fmt: skip
    assert calendar.next_expiry(thursday, date(2024, 3, 1), ExpiryKind.MONTHLY) == date(2024, 3, 28)
    assert calendar.next_expiry(NIFTY, date(2025, 10, 8)) == date(2025, 10, 14)


@settings(max_examples=200)
@given(st.dates(date(2020, 1, 1), date(2035, 12, 31)), st.sampled_from([TUESDAY, THURSDAY, FRIDAY]))
def test_monthly_expiry_is_the_last_such_weekday_or_before_it(day: date, weekday: int) -> None:
    spec = IndexOptionSpec("TEST", 1, 1, monthly_expiry_weekday=weekday)
    holidays = {day}
    expiry = ExpiryCalendar(holidays).monthly_expiry(spec, day.year, day.month)
    assert expiry.month == day.month
    assert expiry.weekday() < 5
    assert expiry not in holidays
    plain = ExpiryCalendar().monthly_expiry(spec, day.year, day.month)
    assert plain.weekday() == weekday
    assert (plain.replace(day=1) if plain.day <= 7 else plain).month == plain.month
    assert plain.day + 7 > [31, 29 if plain.year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31,
                            30, 31][plain.month - 1]  # fmt: skip
    assert expiry <= plain


def test_time_to_expiry_is_calendar_time_to_15_30_ist() -> None:
    expiry = date(2025, 10, 28)
    instant = expiry_instant_ns(NIFTY, expiry)
    assert datetime.fromtimestamp(instant / 1e9, tz=UTC) == datetime(
        2025, 10, 28, 10, 0, tzinfo=UTC
    )
    one_day_before = instant - 86_400 * 10**9
    assert year_fraction_to_expiry(one_day_before, NIFTY, expiry) == pytest.approx(1.0 / 365.0)
    assert year_fraction_to_expiry(instant + 1, NIFTY, expiry) == 0.0


def _chain(forward: float, t: float, r: float, smile: SviParams) -> list[ChainQuote]:
    quotes = []
    for strike in np.arange(22_000.0, 26_001.0, 100.0):
        k = math.log(strike / forward)
        vol = math.sqrt(float(smile.total_variance(k)) / t)
        for is_call in (True, False):
            price = black_price(forward, strike, t, r, vol, is_call)
            oi = (
                1e5
                * math.exp(-(((strike - 24_000.0) / 800.0) ** 2))
                * (1.3 if not is_call else 1.0)
            )
            quotes.append(ChainQuote(strike, is_call, bid=price * 0.999, ask=price * 1.001,
                                     open_interest=oi, volume=oi / 10))  # fmt: skip
    return quotes


def test_chain_analytics_recover_forward_smile_and_skew() -> None:
    forward, t, r = 24_160.0, 14 / 365, 0.065
    smile = SviParams(0.0005, 0.02, -0.7, 0.01, 0.05)
    quotes = _chain(forward, t, r, smile)
    assert implied_forward(quotes, t, r) == pytest.approx(forward, rel=1e-9)
    chain = analyse_chain(quotes, t, r)
    assert chain.forward == pytest.approx(forward, rel=1e-9)
    assert chain.atm_strike == 24_200.0
    truth = np.sqrt(smile.total_variance(np.log(chain.strikes / forward)) / t)
    usable = np.isfinite(chain.smile_iv)
    assert usable.mean() > 0.9
    np.testing.assert_allclose(chain.smile_iv[usable], truth[usable], rtol=2e-3)  # bid/ask mid
    assert chain.atm_iv == pytest.approx(math.sqrt(float(smile.total_variance(0.0)) / t), rel=5e-3)
    assert chain.risk_reversal_25d < 0.0  # index skew: puts richer than calls
    assert chain.put_call_ratio_oi == pytest.approx(1.3, rel=1e-12)
    assert abs(chain.max_pain - 24_000.0) <= 200.0  # open interest is centred on 24,000
    given = analyse_chain(quotes, t, r, forward=forward)
    assert given.forward == forward
    assert term_structure([chain, given]) == [(t, chain.atm_iv), (t, given.atm_iv)]


def test_max_pain_and_put_call_ratio_by_hand() -> None:
    quotes = [
        ChainQuote(100.0, True, open_interest=10.0, volume=1.0),
        ChainQuote(110.0, True, open_interest=30.0, volume=3.0),
        ChainQuote(90.0, False, open_interest=20.0, volume=6.0),
        ChainQuote(100.0, False, open_interest=5.0, volume=2.0),
    ]
    # pain at 90: calls 0, puts 5*10=50; at 100: calls 0, puts 0; at 110: calls 10*10=100
    assert max_pain(quotes) == 100.0
    assert put_call_ratio(quotes) == pytest.approx(25.0 / 40.0)
    assert put_call_ratio(quotes, by="volume") == pytest.approx(8.0 / 4.0)
    with pytest.raises(InvalidInputError, match="forward"):
        implied_forward(quotes, 0.1, 0.05)
    with pytest.raises(InvalidInputError, match="by"):
        put_call_ratio(quotes, by="premium")


def test_book_greeks_aggregate_by_underlying_and_expiry() -> None:
    near, far = date(2025, 10, 28), date(2025, 11, 25)
    positions = [
        OptionPosition("NIFTY", near, 24_000.0, True, 2),
        OptionPosition("NIFTY", near, 23_500.0, False, -3),
        OptionPosition("NIFTY", far, 24_500.0, True, 1),
        OptionPosition("BANKNIFTY", near, 52_000.0, False, 4),
    ]
    markets = {
        ("NIFTY", near): ExpiryMarket(24_100.0, 10 / 365, 0.065, lambda k: 0.13),
        ("NIFTY", far): ExpiryMarket(24_200.0, 38 / 365, 0.065, lambda k: 0.14),
        ("BANKNIFTY", near): ExpiryMarket(52_300.0, 10 / 365, 0.065, lambda k: 0.15),
    }
    risk = book_greeks(positions, markets)
    lot = DEFAULT_SPECS["NIFTY"].lot_size
    g1 = black_greeks(24_100.0, 24_000.0, 10 / 365, 0.065, 0.13, True)
    g2 = black_greeks(24_100.0, 23_500.0, 10 / 365, 0.065, 0.13, False)
    near_nifty = risk.by_expiry[("NIFTY", near)]
    assert near_nifty.delta == pytest.approx(lot * (2 * g1.delta - 3 * g2.delta), rel=1e-12)
    assert near_nifty.vega == pytest.approx(lot * (2 * g1.vega - 3 * g2.vega), rel=1e-12)
    nifty = risk.by_underlying["NIFTY"]
    assert nifty.gamma == pytest.approx(near_nifty.gamma + risk.by_expiry[("NIFTY", far)].gamma)
    assert risk.total_value == pytest.approx(nifty.value + risk.by_underlying["BANKNIFTY"].value)
    smaller = book_greeks(positions, markets, specs={"NIFTY": NIFTY.with_lot_size(25)})
    assert smaller.by_underlying["NIFTY"].delta == pytest.approx(nifty.delta * 25 / lot)
    with pytest.raises(InvalidInputError, match="no market"):
        book_greeks(positions, {("NIFTY", near): markets[("NIFTY", near)]})
