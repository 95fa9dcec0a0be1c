"""The SPAN-style scenario margin: hand-computable books, the spread credit, long premium, missing
market data, its config, and a short NIFTY option through the risk engine."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import TypeVar

import pytest

from shrivenquant.cache import Cache
from shrivenquant.core.clock import TestClock
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.currency import INR
from shrivenquant.model.data import QuoteTick
from shrivenquant.model.enums import OptionKind, OrderSide
from shrivenquant.model.identifiers import AccountId, InstrumentId
from shrivenquant.model.instruments import Instrument, OptionContract
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.options import black_implied_vol, black_price, span_scenarios
from shrivenquant.risk import (
    RiskConfig,
    RiskEngine,
    RiskReason,
    SpanMargin,
    SpanMarginConfig,
    SpanMarginError,
    SpanMarginModel,
    SpanParameters,
)
from shrivenquant.testkit.instruments import TestInstrumentProvider

from .conftest import TRADER, RiskHarness, margin_account

InstrumentT = TypeVar("InstrumentT", bound=Instrument)
ACCOUNT = AccountId("NSE-001")
FUTURE = TestInstrumentProvider.nifty_future()
EXPIRY_NS = FUTURE.expiration_ns
NEAR_EXPIRY = EXPIRY_NS - 600 * 10**9  # ten minutes before: options are worth their intrinsic
MONTH_BEFORE = EXPIRY_NS - 30 * 86_400 * 10**9
YEAR_NS = 365 * 86_400 * 10**9
UNITS = Decimal(75)  # one lot


def option(
    strike: int, kind: OptionKind = OptionKind.CALL, expiry: date | None = None
) -> OptionContract:
    if expiry is None:
        return TestInstrumentProvider.nifty_option(strike, kind)
    return TestInstrumentProvider.nifty_option(strike, kind, expiry, lot_size=75)


class Market:
    """A cache of NSE instruments with quotes, a clock and the model under test."""

    def __init__(self, now: int, config: SpanMarginConfig | None = None) -> None:
        self.cache = Cache()
        self.clock = TestClock(now)
        self.model = SpanMarginModel(self.cache, self.clock, config)

    def quote(self, instrument: InstrumentT, price: str) -> InstrumentT:
        """Add the instrument with bid = ask = ``price`` (so the mid is exactly it)."""
        self.cache.add_instrument(instrument)
        self.quote_id(instrument.id, price)
        return instrument

    def quote_id(self, instrument_id: InstrumentId, price: str) -> None:
        quote_price = Price(price) if "." in price else Price(f"{price}.00")
        self.cache.add_quote(
            QuoteTick(
                instrument_id=instrument_id,
                bid_price=quote_price,
                ask_price=quote_price,
                bid_size=Quantity(1),
                ask_size=Quantity(1),
                ts_event=0,
                ts_init=0,
            )
        )

    def margin(self, positions: dict[Instrument, Decimal]) -> Money:
        return self.model.portfolio_margin(
            ACCOUNT, "NIFTY", {i.id: q for i, q in positions.items()}
        )

    def evaluate(self, positions: dict[Instrument, Decimal]) -> SpanMargin:
        return self.model.evaluate(ACCOUNT, "NIFTY", {i.id: q for i, q in positions.items()})


def near_expiry_market() -> Market:
    market = Market(NEAR_EXPIRY)
    market.quote(FUTURE, "24000")
    return market


# -- hand-computable books ----------------------------------------------------------------------


def test_a_short_call_deep_in_the_money_pays_the_price_scan_like_a_future() -> None:
    m = near_expiry_market()
    call = m.quote(option(20000), "4000")
    found = m.evaluate({call: -UNITS})
    # +6 % (vol up or down): the call goes from 4000 to 5440; the extreme +12 % at 35 % is less
    assert found.scanning_risk == pytest.approx(Decimal("108000"), abs=Decimal("0.02"))
    assert found.short_option_minimum == Decimal("54000.00")  # 3 % of 24000 x 75
    assert found.worst_scenario is not None
    assert found.worst_scenario.price_move == 0.06
    assert found.requirement.currency == INR
    assert found.requirement == Money(found.scanning_risk, INR)  # the larger of the two


def test_a_far_out_of_the_money_short_call_pays_the_short_option_minimum() -> None:
    m = Market(MONTH_BEFORE)
    m.quote(FUTURE, "24000")
    call = m.quote(option(30000), "0.05")
    found = m.evaluate({call: -UNITS})
    assert found.scanning_risk < Decimal("54000")
    assert found.requirement == Money("54000.00", INR)


def test_an_at_the_money_short_call_pays_its_worst_scenario_loss() -> None:
    m = Market(MONTH_BEFORE)
    m.quote(FUTURE, "24000")
    call = m.quote(option(24000), "420")
    t = 30 / 365
    vol = black_implied_vol(420.0, 24000.0, 24000.0, t, 0.0, True).vol
    base = black_price(24000.0, 24000.0, t, 0.0, vol, True)
    losses = [
        s.weight * 75 * (black_price(24000.0 * (1 + s.price_move), 24000.0, t, 0.0,
                                     max(vol + s.vol_move, 0.01), True) - base)
        for s in span_scenarios(0.06, 0.04)
    ]  # fmt: skip
    worst = max(losses)
    assert worst > 54000.0
    assert float(m.margin({call: -UNITS}).as_decimal()) == pytest.approx(worst, abs=0.02)


def test_a_covered_call_gets_the_spread_credit() -> None:
    m = near_expiry_market()
    call = m.quote(option(20000), "4000")
    found = m.evaluate({call: -UNITS, FUTURE: UNITS})
    # the future gains exactly what the deep call loses, in every scenario
    assert found.scanning_risk < Decimal(1)
    assert found.standalone_risk == pytest.approx(Decimal("216000"), abs=Decimal("0.05"))
    assert found.spread_credit == pytest.approx(Decimal("216000"), abs=Decimal(1))
    assert found.calendar_spread_charge == 0  # one expiry
    assert found.requirement == Money("54000.00", INR)  # only the short option minimum is left


def test_a_debit_call_spread_needs_nothing_beyond_its_premium() -> None:
    m = near_expiry_market()
    long_call = m.quote(option(23000), "1000")
    short_call = m.quote(option(23500), "500")
    naked = m.evaluate({short_call: -UNITS})
    assert naked.requirement.as_decimal() == pytest.approx(Decimal("108000"), abs=Decimal("0.02"))
    spread = m.evaluate({long_call: UNITS, short_call: -UNITS})
    # at -6 % both expire worthless: the spread loses its 500 width; alone the long call loses
    # 1000 there and the short call 1440 at +6 %
    assert spread.scanning_risk == pytest.approx(Decimal("37500"), abs=Decimal("0.02"))
    assert spread.standalone_risk == pytest.approx(Decimal("183000"), abs=Decimal("0.05"))
    assert spread.spread_credit == pytest.approx(Decimal("145500"), abs=Decimal("0.1"))
    assert spread.long_option_value == Decimal("75000.00")
    # max(37500, 54000 minimum) less the 75000 already paid for the long call
    assert spread.requirement == Money(0, INR)


def test_a_long_only_book_needs_only_its_premium() -> None:
    m = Market(MONTH_BEFORE)
    m.quote(FUTURE, "24000")
    call = m.quote(option(24000), "420")
    put = m.quote(option(23500, OptionKind.PUT), "210.50")
    found = m.evaluate({call: 2 * UNITS, put: UNITS})
    assert found.long_option_value == Decimal("78787.50")  # 150 x 420 + 75 x 210.50
    assert 0 < found.scanning_risk <= found.long_option_value
    assert found.short_option_minimum == 0
    assert found.requirement == Money(0, INR)


def test_a_calendar_spread_pays_the_calendar_charge() -> None:
    m = Market(MONTH_BEFORE)
    m.quote(FUTURE, "24000")
    far = m.quote(TestInstrumentProvider.nifty_future(date(2026, 1, 27)), "24000")
    found = m.evaluate({FUTURE: UNITS, far: -UNITS})
    assert found.scanning_risk == 0  # one move for both months
    assert found.calendar_spread_charge == Decimal("9000.00")  # 0.5 % of 24000 x 75 matched
    assert found.requirement == Money("9000.00", INR)
    alone = m.evaluate({FUTURE: UNITS})
    assert alone.requirement == Money("108000.00", INR)  # 6 % of 24000 x 75


def test_an_expiry_without_its_own_future_uses_the_nearest_carried_at_the_rate() -> None:
    weekly = option(20000, expiry=date(2025, 12, 23))  # a week before the monthly future
    now = weekly.expiration_ns - 600 * 10**9
    m = Market(now, SpanMarginConfig(rate=Decimal("0.065")))
    m.quote(FUTURE, "24000")
    forward = 24000 * math.exp(-0.065 * 7 / 365)
    m.quote(weekly, str(Decimal(math.ceil((forward - 20000) * 20)) / 20))  # intrinsic + < 1 tick
    found = m.evaluate({weekly: -UNITS})
    # the quote's time value (under a 0.05 tick per unit, at a huge vol) is the only other loss
    assert float(found.scanning_risk) == pytest.approx(0.06 * forward * 75, abs=0.1 * 75)
    assert float(found.scanning_risk) != pytest.approx(0.06 * 24000 * 75, abs=100)


def test_a_configured_spot_gives_the_forward_when_no_future_is_priced() -> None:
    spot = InstrumentId("NIFTY50.NSE")
    m = Market(NEAR_EXPIRY, SpanMarginConfig(spot_instruments={"NIFTY": spot}))
    call = m.quote(option(20000), "4000")
    m.quote_id(spot, "24000")
    found = m.evaluate({call: -UNITS})
    assert found.scanning_risk == pytest.approx(Decimal("108000"), abs=Decimal("0.02"))


def test_parameters_per_underlying_change_the_scan() -> None:
    config = SpanMarginConfig(underlyings={"NIFTY": SpanParameters(price_scan=Decimal("0.1"))})
    m = Market(MONTH_BEFORE, config)
    m.quote(FUTURE, "24000")
    assert m.margin({FUTURE: -UNITS}) == Money("180000.00", INR)


# -- missing market data ------------------------------------------------------------------------


def reason_of(m: Market, positions: dict[Instrument, Decimal]) -> tuple[RiskReason, str]:
    with pytest.raises(SpanMarginError) as caught:
        m.evaluate(positions)
    return caught.value.code, str(caught.value)


def test_an_option_without_a_quote_is_refused_not_charged_zero() -> None:
    m = near_expiry_market()
    call = option(20000)
    m.cache.add_instrument(call)
    code, text = reason_of(m, {call: -UNITS})
    assert code is RiskReason.NO_MARKET_PRICE
    assert str(call.id) in text


def test_an_underlying_without_a_forward_is_refused() -> None:
    m = Market(NEAR_EXPIRY)
    call = m.quote(option(20000), "4000")
    code, text = reason_of(m, {call: -UNITS})
    assert code is RiskReason.NO_MARKET_PRICE
    assert "no forward for NIFTY" in text
    assert "spot_instruments['NIFTY']" in text


def test_a_price_below_intrinsic_gives_no_volatility_and_is_refused() -> None:
    m = near_expiry_market()
    call = m.quote(option(20000), "3900")  # intrinsic is 4000
    code, text = reason_of(m, {call: -UNITS})
    assert code is RiskReason.NO_MARKET_PRICE
    assert "below the option's intrinsic value" in text


def test_unknown_and_unsupported_instruments_are_refused() -> None:
    m = near_expiry_market()
    call = option(20000)
    assert reason_of(m, {call: -UNITS})[0] is RiskReason.INSTRUMENT_UNKNOWN
    reliance = m.quote(TestInstrumentProvider.reliance_nse(), "2500")
    assert reason_of(m, {reliance: UNITS})[0] is RiskReason.MARGIN_MODEL_UNAVAILABLE


def test_flat_positions_need_no_market_data() -> None:
    m = Market(NEAR_EXPIRY)
    call = option(20000)
    m.cache.add_instrument(call)
    assert m.margin({call: Decimal(0)}) == Money(0, INR)


# -- config -------------------------------------------------------------------------------------


def test_config_from_a_toml_table() -> None:
    config = SpanMarginConfig.from_mapping({
        "price_scan": "0.08", "vol_scan": "0.05", "rate": "0.065",
        "spot_instruments": {"NIFTY": "NIFTY50.NSE"},
        "underlyings": {"BANKNIFTY": {"price_scan": "0.1"}},
    })  # fmt: skip
    assert config.parameters("NIFTY").price_scan == Decimal("0.08")
    banknifty = config.parameters("BANKNIFTY")
    assert (banknifty.price_scan, banknifty.vol_scan) == (Decimal("0.1"), Decimal("0.05"))
    assert config.spot_instruments["NIFTY"] == InstrumentId("NIFTY50.NSE")
    assert config.rate == Decimal("0.065")


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ({"price_scn": "0.1"}, "price_scn"),
        ({"price_scan": "-0.1"}, "span_margin.price_scan"),
        ({"price_scan": "0.5"}, "span_margin.price_scan"),
        ({"vol_scan": 0.04}, "span_margin.vol_scan"),
        ({"underlyings": {"NIFTY": {"short_option_minimum": "2"}}},
         "span_margin.underlyings.NIFTY.short_option_minimum"),
        ({"min_vol": "0"}, "span_margin.min_vol"),
        ({"spot_instruments": {"NIFTY": "NIFTY50"}}, "span_margin.spot_instruments"),
    ],
)  # fmt: skip
def test_bad_config_fails_naming_the_field(table: dict[str, object], named: str) -> None:
    with pytest.raises(InvalidInputError, match=named.replace(".", r"\.")):
        SpanMarginConfig.from_mapping(table)


# -- through the risk engine ----------------------------------------------------------------------

SELL = OrderSide.SELL
ENGINE_OPTION = TestInstrumentProvider.nifty_option()  # NIFTY 24000 CE, December 2025
IN_LIFE = EXPIRY_NS - 30 * 86_400 * 10**9


def engine_harness(balance: str, *, quote_future: bool = True) -> RiskHarness:
    h = RiskHarness(RiskConfig(), instruments=(ENGINE_OPTION, FUTURE), clock_ns=IN_LIFE,
                    account=margin_account(balance, INR, "NSE-001"), start=False, quotes=False,
                    auto_submit=False, auto_accept=False)  # fmt: skip
    h.quote(ENGINE_OPTION, "420.00", "420.00", publish=False)
    if quote_future:
        h.quote(FUTURE, "24000.00", "24000.00", publish=False)
    model = SpanMarginModel(h.cache, h.clock)
    h.risk = RiskEngine(TRADER, h.bus, h.clock, h.cache, h.config, scenario_margin=model)
    h.risk.start()
    return h


def test_a_short_nifty_option_passes_with_enough_margin_and_is_denied_without() -> None:
    probe = engine_harness("0")
    model = probe.risk.margins.options.scenario
    assert model is not None
    needed = model.portfolio_margin(ACCOUNT, "NIFTY", {ENGINE_OPTION.id: Decimal(-75)})
    assert needed > Money("54000", INR)  # an at-the-money call: the scan, not the minimum
    enough = engine_harness(str(needed.as_decimal()))
    sold = enough.order(SELL, Quantity(75), "420.00", instrument=ENGINE_OPTION)
    assert enough.denial(sold) is None
    assert enough.passed(sold)
    short = engine_harness(str(needed.as_decimal() - Decimal("0.01")))
    refused = short.order(SELL, Quantity(75), "420.00", instrument=ENGINE_OPTION)
    denial = short.denial(refused)
    assert denial is not None
    code, sentence = denial
    assert code is RiskReason.INSUFFICIENT_MARGIN
    assert str(needed.as_decimal()) in sentence


def test_missing_market_data_denies_the_short_option_with_a_reason() -> None:
    h = engine_harness("10000000", quote_future=False)
    refused = h.order(SELL, Quantity(75), "420.00", instrument=ENGINE_OPTION)
    denial = h.denial(refused)
    assert denial is not None
    code, sentence = denial
    assert code is RiskReason.NO_MARKET_PRICE
    assert "no forward for NIFTY" in sentence


def configured_harness(balance: str, span: dict[str, object] | None) -> RiskHarness:
    """An engine given no model: it builds one from ``[risk.span_margin]`` when set."""
    table = {} if span is None else {"span_margin": span}
    config = RiskConfig.from_mapping(table, instruments=[ENGINE_OPTION.id, FUTURE.id])
    h = RiskHarness(config, instruments=(ENGINE_OPTION, FUTURE), clock_ns=IN_LIFE,
                    account=margin_account(balance, INR, "NSE-001"), quotes=False,
                    auto_submit=False, auto_accept=False)  # fmt: skip
    h.quote(ENGINE_OPTION, "420.00", "420.00", publish=False)
    h.quote(FUTURE, "24000.00", "24000.00", publish=False)
    return h


def test_the_engine_builds_the_scenario_margin_from_the_config() -> None:
    span = {"price_scan": "0.09", "vol_scan": "0.05", "short_option_minimum": "0.04"}
    h = configured_harness("0", span)
    model = h.risk.margins.options.scenario
    assert isinstance(model, SpanMarginModel)
    assert model.config.parameters("NIFTY") == SpanParameters(
        price_scan=Decimal("0.09"), vol_scan=Decimal("0.05"),
        short_option_minimum=Decimal("0.04"),
    )  # fmt: skip
    # The configured scan is the one that prices the order: the default scan's requirement
    # funds the short call under the default config, not under the wider one.
    default_needed = SpanMarginModel(h.cache, h.clock).portfolio_margin(
        ACCOUNT, "NIFTY", {ENGINE_OPTION.id: Decimal(-75)}
    )
    wider_needed = model.portfolio_margin(ACCOUNT, "NIFTY", {ENGINE_OPTION.id: Decimal(-75)})
    assert wider_needed > default_needed
    funded = str(default_needed.as_decimal())
    under_default = configured_harness(funded, {})
    sold = under_default.order(SELL, Quantity(75), "420.00", instrument=ENGINE_OPTION)
    assert under_default.denial(sold) is None
    under_wider = configured_harness(funded, span)
    refused = under_wider.order(SELL, Quantity(75), "420.00", instrument=ENGINE_OPTION)
    denial = under_wider.denial(refused)
    assert denial is not None
    assert denial[0] is RiskReason.INSUFFICIENT_MARGIN
    assert str(wider_needed.as_decimal()) in denial[1]


def test_without_a_span_section_short_options_are_refused_for_want_of_a_model() -> None:
    h = configured_harness("10000000", None)
    assert h.risk.margins.options.scenario is None
    refused = h.order(SELL, Quantity(75), "420.00", instrument=ENGINE_OPTION)
    denial = h.denial(refused)
    assert denial is not None
    assert denial[0] is RiskReason.MARGIN_MODEL_UNAVAILABLE
