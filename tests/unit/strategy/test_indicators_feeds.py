"""Feeding indicators from model data, warm-up counts, reset and bad input."""

from __future__ import annotations

import math

import pytest

from shrivenquant.model.data import Bar
from shrivenquant.strategy.indicators import (
    ATR,
    EMA,
    MACD,
    ROC,
    RSI,
    SMA,
    VWAP,
    WMA,
    BollingerBands,
    DonchianChannel,
    Indicator,
    RollingStd,
    Stochastic,
    ZScore,
)
from shrivenquant.testkit.stubs import TestDataStubs

NS_PER_MINUTE = 60_000_000_000


def bar(o: str, h: str, lo: str, c: str, volume: str = "2.00000", minute: int = 1) -> Bar:
    return TestDataStubs.bar((o, h, lo, c), volume, ts=minute * NS_PER_MINUTE)


# -- warm-up: the update on which `value` first reads, and on which every output does --------
@pytest.mark.parametrize(
    ("indicator", "first_value", "first_full"),
    [
        (SMA(5), 5, 5),
        (EMA(5), 5, 5),
        (WMA(5), 5, 5),
        (RSI(5), 6, 6),
        (ROC(5), 6, 6),
        (RollingStd(5), 5, 5),
        (ZScore(5), 5, 5),
        (BollingerBands(5), 5, 5),
        (MACD(3, 5, 4), 5, 8),  # the line from `slow`, the signal `signal - 1` later
        (ATR(5), 5, 5),
        (Stochastic(5, 3), 5, 7),  # %K from `k_period`, %D `d_period - 1` later
        (DonchianChannel(5), 5, 5),
        (VWAP(period=5), 5, 5),
    ],
    ids=repr,
)
def test_warm_up_ends_on_the_documented_update(
    indicator: Indicator, first_value: int, first_full: int
) -> None:
    prices = [100.0, 101.0, 99.5, 102.0, 101.5, 100.5, 103.0, 102.5, 104.0, 103.5]
    for i, price in enumerate(prices, start=1):
        if isinstance(indicator, VWAP):
            indicator.update_raw(price, 1.0)
        elif isinstance(indicator, ATR | Stochastic | DonchianChannel):
            indicator.update_raw(price + 1.0, price - 1.0, price)
        else:
            indicator.update_raw(price)  # type: ignore[attr-defined]
        assert indicator.count == i
        assert indicator.initialized == (i >= first_full), f"after update {i}"
        assert math.isnan(indicator.value) == (i < first_value), f"after update {i}"


def test_multi_output_indicators_fill_outputs_in_order() -> None:
    macd = MACD(2, 3, 2)
    macd.update_raw(1.0)
    macd.update_raw(2.0)
    assert math.isnan(macd.line)
    macd.update_raw(4.0)
    # fast EMA(2): seed 1.5, then 1.5 + 2/3 * (4 - 1.5) = 3.1666...; slow EMA(3): 7/3
    assert macd.line == pytest.approx(19 / 6 - 7 / 3)
    assert math.isnan(macd.signal)
    assert math.isnan(macd.histogram)
    before = macd.initialized
    macd.update_raw(3.0)
    assert (before, macd.initialized) == (False, True)
    assert macd.histogram == pytest.approx(macd.line - macd.signal)
    stoch = Stochastic(2, 2)
    stoch.update_raw(10.0, 8.0, 9.0)
    assert math.isnan(stoch.k)
    stoch.update_raw(12.0, 9.0, 12.0)
    assert stoch.k == 100.0  # (12 - 8) / (12 - 8)
    assert math.isnan(stoch.d)
    stoch.update_raw(11.0, 10.0, 10.5)
    assert stoch.k == pytest.approx(100 * (10.5 - 9.0) / (12.0 - 9.0))
    assert stoch.d == pytest.approx((100.0 + 50.0) / 2)


# -- hand-computed values -----------------------------------------------------------------
def test_hand_computed_values() -> None:
    rsi = RSI(2)
    for price in (10.0, 12.0, 11.0):  # changes +2, -1: avg gain 1, avg loss 0.5
        rsi.update_raw(price)
    assert rsi.value == pytest.approx(100 * 1.0 / 1.5)
    rsi.update_raw(11.0)  # change 0: gain 1 + (0-1)/2 = 0.5, loss 0.5 + (0-0.5)/2 = 0.25
    assert (rsi.avg_gain, rsi.avg_loss) == (0.5, 0.25)
    wma = WMA(3)
    for price in (1.0, 2.0, 3.0, 4.0):
        wma.update_raw(price)
    assert wma.value == (2 * 1 + 3 * 2 + 4 * 3) / 6
    atr = ATR(2)
    atr.update_raw(10.0, 8.0, 9.0)  # tr 2
    atr.update_raw(12.0, 11.0, 11.5)  # tr max(1, |12-9|, |11-9|) = 3
    assert atr.value == 2.5
    atr.update_raw(11.0, 10.0, 10.0)  # tr max(1, 0.5, 1.5) = 1.5 -> 2.5 + (1.5-2.5)/2
    assert atr.value == 2.0
    roc = ROC(1)
    roc.update_raw(0.0)
    roc.update_raw(5.0)
    assert math.isnan(roc.value)  # no rate of change from zero
    assert roc.initialized


def test_flat_windows_read_zero_spread() -> None:
    z, bands, rsi = ZScore(3), BollingerBands(3), RSI(3)
    for price in (50_000.1, 3.0, 50_000.1, 50_000.1, 50_000.1):
        z.update_raw(price)
        bands.update_raw(price)
        rsi.update_raw(price)
    assert z.std == 0.0
    assert z.value == 0.0
    assert bands.upper == bands.lower == bands.middle == 50_000.1
    assert bands.percent_b == 0.5
    stoch = Stochastic(2, 1)
    stoch.update_raw(5.0, 5.0, 5.0)
    stoch.update_raw(5.0, 5.0, 5.0)
    assert stoch.k == 50.0
    flat = RSI(2)
    for _ in range(3):
        flat.update_raw(7.0)
    assert flat.value == 50.0


# -- model data ---------------------------------------------------------------------------
def test_price_indicators_take_the_close_the_trade_price_and_the_mid() -> None:
    sma = SMA(1)
    sma.handle_bar(bar("100.00", "110.00", "95.00", "105.50"))
    assert sma.value == 105.5
    sma.handle_trade(TestDataStubs.trade_tick(price="101.25"))
    assert sma.value == 101.25
    sma.handle_quote(TestDataStubs.quote_tick(bid="100.00", ask="100.50"))
    assert sma.value == 100.25
    assert sma.count == 3


def test_range_indicators_take_high_low_close() -> None:
    channel = DonchianChannel(2)
    channel.handle_bar(bar("100.00", "110.00", "95.00", "105.50"))
    channel.handle_trade(TestDataStubs.trade_tick(price="112.00"))
    assert (channel.upper, channel.lower) == (112.0, 95.0)
    channel.handle_quote(TestDataStubs.quote_tick(bid="90.00", ask="91.00"))
    assert (channel.upper, channel.lower) == (112.0, 90.5)


def test_vwap_takes_typical_price_from_bars_and_size_from_trades() -> None:
    vwap = VWAP()
    vwap.handle_bar(bar("100.00", "110.00", "95.00", "105.00", volume="2.00000"))
    assert vwap.value == pytest.approx((110 + 95 + 105) / 3)
    vwap.handle_trade(TestDataStubs.trade_tick(price="100.00", size="1.00000", ts=NS_PER_MINUTE))
    assert vwap.value == pytest.approx((2 * 310 / 3 + 100) / 3)
    with pytest.raises(TypeError, match="needs traded volume"):
        vwap.handle_quote(TestDataStubs.quote_tick())


def test_the_bar_closing_at_midnight_ends_the_old_session() -> None:
    day = 24 * 60
    vwap = VWAP()
    vwap.handle_bar(bar("10.00", "10.00", "10.00", "10.00", minute=day - 1))
    vwap.handle_bar(bar("20.00", "20.00", "20.00", "20.00", minute=day))  # 23:59 -> 00:00
    assert vwap.value == 15.0
    vwap.handle_bar(bar("30.00", "30.00", "30.00", "30.00", minute=day + 1))
    assert vwap.value == 30.0


# -- reset and repr -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda: SMA(3),
        lambda: EMA(3),
        lambda: WMA(3),
        lambda: RSI(3),
        lambda: ROC(3),
        lambda: RollingStd(3),
        lambda: ZScore(3),
        lambda: BollingerBands(3),
        lambda: MACD(2, 3, 2),
        lambda: ATR(3),
        lambda: Stochastic(3, 2),
        lambda: DonchianChannel(3),
        lambda: VWAP(period=3),
        VWAP,
    ],
)
def test_reset_gives_a_fresh_indicator(make: object) -> None:
    fresh = make()  # type: ignore[operator]
    used = make()  # type: ignore[operator]
    bars = [
        bar("100.00", f"{101 + i}.00", "99.00", f"{100 + i % 3}.00", minute=i) for i in range(9)
    ]
    for b in bars[:5]:
        used.handle_bar(b)
    used.reset()
    assert used.count == 0
    assert not used.initialized
    for b in bars:
        used.handle_bar(b)
        fresh.handle_bar(b)
        assert used.value == fresh.value or (math.isnan(used.value) and math.isnan(fresh.value))
    assert repr(used) == repr(fresh)


def test_repr_names_the_parameters() -> None:
    assert repr(SMA(20)) == "SMA(20)"
    assert repr(MACD()) == "MACD(12, 26, 9)"
    assert repr(BollingerBands(20, 2.0)) == "BollingerBands(20, k=2.0, ddof=0)"
    assert repr(VWAP(period=5)) == "VWAP(period=5)"
    assert repr(Stochastic()) == "Stochastic(14, 3)"


# -- bad input ----------------------------------------------------------------------------
def test_non_finite_prices_are_refused_naming_the_indicator() -> None:
    for indicator in (SMA(2), EMA(2), WMA(2), RSI(2), ROC(2), RollingStd(2), MACD(2, 3, 2)):
        with pytest.raises(ValueError, match=rf"{type(indicator).__name__}\(.*nan"):
            indicator.update_raw(float("nan"))
        assert indicator.count == 0
    with pytest.raises(ValueError, match=r"ATR\(2\) was fed high=inf"):
        ATR(2).update_raw(float("inf"), 1.0, 1.0)
    with pytest.raises(ValueError, match=r"low=3.0 above high=2.0"):
        DonchianChannel(2).update_raw(2.0, 3.0, 2.5)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: SMA(0), ValueError, "SMA period must be >= 1, got 0"),
        (
            lambda: EMA(2.5),  # type: ignore[arg-type]
            TypeError,
            "EMA period must be an int",
        ),
        (lambda: WMA(True), TypeError, "WMA period must be an int"),
        (lambda: RollingStd(1, ddof=1), ValueError, "RollingStd period must be >= 2"),
        (lambda: ZScore(5, ddof=-1), ValueError, "ZScore ddof must be >= 0"),
        (lambda: BollingerBands(5, k=0.0), ValueError, "k must be a positive"),
        (lambda: MACD(26, 12), ValueError, "fast period 26 must be shorter"),
        (lambda: Stochastic(14, 0), ValueError, "Stochastic d_period must be >= 1"),
        (lambda: VWAP(session_offset_ns=-1), ValueError, "session_offset_ns must be"),
    ],
)
def test_bad_parameters_are_refused(make: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()  # type: ignore[operator]


def test_vwap_refuses_bad_volume_and_time() -> None:
    vwap = VWAP()
    with pytest.raises(ValueError, match="volume >= 0"):
        vwap.update_raw(100.0, -1.0, 0)
    with pytest.raises(ValueError, match="needs the ts_event"):
        vwap.update_raw(100.0, 1.0)
    vwap.update_raw(100.0, 1.0, 10)
    with pytest.raises(ValueError, match="ts_event=5 before the previous 10"):
        vwap.update_raw(100.0, 1.0, 5)
    rolling = VWAP(period=2)
    rolling.update_raw(100.0, 0.0)
    rolling.update_raw(100.0, 0.0)
    assert not rolling.initialized  # a full window, but no volume in it
    assert math.isnan(rolling.value)
