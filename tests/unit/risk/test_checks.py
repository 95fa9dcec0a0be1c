"""Every pre-trade check at its allow/deny boundary: the last value that passes, the first that
is refused, and the refusal's machine-readable code."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from typing import Any

import msgspec
import pytest

from shrivenquant.model.currency import EUR, INR, USDT, Currency
from shrivenquant.model.enums import OrderSide, OrderType, TradingState
from shrivenquant.model.events import RiskScope
from shrivenquant.model.identifiers import AccountId, InstrumentId, OrderListId, StrategyId
from shrivenquant.model.values import Money, Quantity
from shrivenquant.risk import RiskConfig, RiskReason
from shrivenquant.testkit.instruments import TestInstrumentProvider

from .conftest import (
    BTC_PERP,
    BTC_SPOT,
    ETH_SPOT,
    STRATEGY,
    RiskHarness,
    cash_account,
    margin_account,
)

BUY, SELL = OrderSide.BUY, OrderSide.SELL
OPTION = TestInstrumentProvider.nifty_option()
FUTURE = TestInstrumentProvider.nifty_future()
RELIANCE = TestInstrumentProvider.reliance_nse()
IN_NIFTY_LIFE = OPTION.activation_ns + 86_400 * 10**9


def harness(config: dict[str, Any] | None = None, **kwargs: Any) -> RiskHarness:
    return RiskHarness(RiskConfig.from_mapping(config or {}), **kwargs)


def limits(**values: Any) -> dict[str, Any]:
    return {"instrument_limits": {"BTCUSDT.BINANCE": values}}


def assert_boundary(
    h: RiskHarness, allowed: Any, denied: Any, code: RiskReason, **kwargs: Any
) -> None:
    """``allowed``/``denied`` are (side, qty, price) of the last passing and first refused."""
    passing = h.order(*allowed, **kwargs)
    assert h.denial(passing) is None, h.denial(passing)
    refused = h.order(*denied, **kwargs)
    assert h.code(refused) is code, h.denial(refused)


# -- instrument and quantity ----------------------------------------------------------------


def test_an_unknown_instrument_is_refused() -> None:
    h = harness()
    unknown = msgspec.structs.replace(BTC_SPOT, id=InstrumentId("XRPUSDT.BINANCE"))
    init = h.order(BUY, "1", "1.00", instrument=unknown)
    assert h.code(init) is RiskReason.INSTRUMENT_UNKNOWN
    assert h.cache.order(init.client_order_id) is None


def test_an_instrument_trades_only_between_activation_and_expiry() -> None:
    h = RiskHarness(
        RiskConfig(check_balance=False), instruments=(FUTURE,), clock_ns=FUTURE.expiration_ns - 1
    )
    last = h.order(BUY, "75", "24000.00", instrument=FUTURE)
    assert h.denial(last) is None
    h.clock.set_time(FUTURE.expiration_ns)
    expired = h.order(BUY, "75", "24000.00", instrument=FUTURE)
    assert h.code(expired) is RiskReason.INSTRUMENT_NOT_TRADING
    early = RiskHarness(
        RiskConfig(check_balance=False), instruments=(FUTURE,), clock_ns=FUTURE.activation_ns - 1
    )
    assert early.code(early.order(BUY, "75", "24000.00", instrument=FUTURE)) is (
        RiskReason.INSTRUMENT_NOT_TRADING
    )


def test_quantity_on_the_lot_passes_off_the_lot_is_refused() -> None:
    h = RiskHarness(RiskConfig(check_balance=False), instruments=(OPTION,), clock_ns=IN_NIFTY_LIFE)
    ok = h.order(BUY, Quantity(150), "100.00", instrument=OPTION)
    assert h.denial(ok) is None
    off_lot = h.order(BUY, Quantity(151), "100.00", instrument=OPTION)
    assert h.code(off_lot) is RiskReason.QUANTITY_STEP


def test_quantity_finer_than_the_instrument_precision_is_refused() -> None:
    h = harness()
    ok = h.order(BUY, Quantity("0.00011"), "50000.00")
    assert h.denial(ok) is None
    fine = h.order(BUY, Quantity("0.000105"), "50000.00")
    assert h.code(fine) is RiskReason.QUANTITY_PRECISION


def test_quantity_outside_the_instrument_range_is_refused() -> None:
    h = RiskHarness(RiskConfig(check_balance=False), instruments=(OPTION,), clock_ns=IN_NIFTY_LIFE)
    assert_boundary(
        h, (BUY, Quantity(1800), "100.00"), (BUY, Quantity(1875), "100.00"),
        RiskReason.QUANTITY_RANGE, instrument=OPTION,
    )  # fmt: skip


def test_max_and_min_order_quantity() -> None:
    h = harness(limits(max_order_qty="2", min_order_qty="0.5"))
    assert_boundary(h, (BUY, "2", "50000.00"), (BUY, "2.00001", "50000.00"),
                    RiskReason.MAX_ORDER_QTY)  # fmt: skip
    assert_boundary(h, (BUY, "0.5", "50000.00"), (BUY, "0.49999", "50000.00"),
                    RiskReason.MIN_ORDER_QTY)  # fmt: skip


def test_the_tightest_order_limit_of_every_scope_applies() -> None:
    config = {
        "limits": {"max_order_qty": "5"},
        "account_limits": {"BINANCE-001": {"max_order_qty": "4"}},
        "strategy_limits": {"S-001": {"max_order_qty": "3"}},
        "instrument_limits": {"BTCUSDT.BINANCE": {"max_order_qty": "6"}},
    }
    h = harness(config)
    assert_boundary(h, (BUY, "3", "50000.00"), (BUY, "3.00001", "50000.00"),
                    RiskReason.MAX_ORDER_QTY)  # fmt: skip
    other = h.order(BUY, "3.5", "50000.00", strategy_id=StrategyId("S-002"))
    assert h.denial(other) is None


# -- prices ---------------------------------------------------------------------------------


def test_price_off_the_tick_is_refused() -> None:
    h = RiskHarness(RiskConfig(check_balance=False), instruments=(OPTION,), clock_ns=IN_NIFTY_LIFE)
    assert_boundary(h, (BUY, Quantity(75), "100.05"), (BUY, Quantity(75), "100.03"),
                    RiskReason.PRICE_TICK, instrument=OPTION)  # fmt: skip


def test_price_finer_than_the_instrument_precision_is_refused() -> None:
    h = harness()
    assert_boundary(h, (BUY, "0.1", "50000.01"), (BUY, "0.1", "50000.005"),
                    RiskReason.PRICE_PRECISION)  # fmt: skip


def test_price_outside_the_instrument_range_is_refused() -> None:
    h = harness()
    assert_boundary(h, (SELL, "0.001", "1000000.00"), (SELL, "0.001", "1000000.01"),
                    RiskReason.PRICE_RANGE)  # fmt: skip


def test_price_band_in_percent_of_the_mid() -> None:
    h = harness(limits(price_band_pct="0.05"))
    h.quote(BTC_SPOT, "50000.00", "50000.00")
    assert_boundary(h, (SELL, "0.1", "52500.00"), (SELL, "0.1", "52500.01"),
                    RiskReason.PRICE_BAND)  # fmt: skip
    assert_boundary(h, (BUY, "0.1", "47500.00"), (BUY, "0.1", "47499.99"),
                    RiskReason.PRICE_BAND)  # fmt: skip


def test_price_band_in_ticks() -> None:
    h = harness(limits(price_band_ticks=100))
    h.quote(BTC_SPOT, "50000.00", "50000.00")
    assert_boundary(h, (BUY, "0.1", "50001.00"), (BUY, "0.1", "50001.01"),
                    RiskReason.PRICE_BAND)  # fmt: skip


def test_price_band_against_the_last_trade() -> None:
    h = harness({**limits(price_band_pct="0.01"), "reference_price": "LAST"})
    h.trade(BTC_SPOT, "40000.00")
    assert_boundary(h, (BUY, "0.1", "40400.00"), (BUY, "0.1", "40400.01"),
                    RiskReason.PRICE_BAND)  # fmt: skip


def test_a_trigger_price_is_banded_too() -> None:
    h = harness(limits(price_band_pct="0.05"))
    h.quote(BTC_SPOT, "50000.00", "50000.00")
    ok = h.order(SELL, "0.1", None, order_type=OrderType.STOP_MARKET,
                 trigger_price=BTC_SPOT.make_price("47500.00"))  # fmt: skip
    assert h.denial(ok) is None
    far = h.order(SELL, "0.1", None, order_type=OrderType.STOP_MARKET,
                  trigger_price=BTC_SPOT.make_price("47499.99"))  # fmt: skip
    code, sentence = h.denial(far)  # type: ignore[misc]
    assert code is RiskReason.PRICE_BAND
    assert sentence.startswith("trigger_price")


def test_a_band_without_a_market_price_refuses() -> None:
    h = harness(limits(price_band_pct="0.05"), quotes=False)
    assert h.code(h.order(BUY, "0.1", "50000.00")) is RiskReason.NO_REFERENCE_PRICE


def test_a_market_order_without_any_price_is_refused() -> None:
    h = harness(quotes=False)
    assert h.code(h.order(BUY, "0.1", None)) is RiskReason.NO_MARKET_PRICE


# -- notional -------------------------------------------------------------------------------


def test_max_and_min_order_notional() -> None:
    h = harness(limits(max_order_notional="50000", min_order_notional="100"))
    assert_boundary(h, (BUY, "1", "50000.00"), (BUY, "1.00001", "50000.00"),
                    RiskReason.MAX_ORDER_NOTIONAL)  # fmt: skip
    assert_boundary(h, (BUY, "0.002", "50000.00"), (BUY, "0.00199", "50000.00"),
                    RiskReason.MIN_ORDER_NOTIONAL)  # fmt: skip


def test_the_instrument_minimum_notional() -> None:
    venue_btc = TestInstrumentProvider.btcusdt_binance()
    h = harness(instruments=(venue_btc,))
    assert_boundary(h, (BUY, "0.0001", "50000.00"), (BUY, "0.00009", "50000.00"),
                    RiskReason.NOTIONAL_RANGE, instrument=venue_btc)  # fmt: skip


def test_a_market_order_is_valued_at_the_ask_or_bid() -> None:
    h = harness(limits(max_order_notional="50000"))
    h.quote(BTC_SPOT, "49000.00", "50000.00")
    assert_boundary(h, (BUY, "1", None), (BUY, "1.00001", None), RiskReason.MAX_ORDER_NOTIONAL)
    assert h.denial(h.order(SELL, "1.02040", None)) is None  # 49999.6 at the bid


class RatePortfolio:
    """A portfolio stand-in that only knows exchange rates."""

    def __init__(self, rates: dict[tuple[Currency, Currency], Fraction]) -> None:
        self.rates = rates

    def xrate(self, source: Currency, target: Currency) -> Fraction | None:
        return self.rates.get((source, target))

    def total_pnls(self, **_: Any) -> None:
        return None

    def convert_all(self, *_: Any, **__: Any) -> None:
        return None

    def equity_in(self, *_: Any, **__: Any) -> None:
        return None


def test_a_notional_limit_in_another_currency_is_converted() -> None:
    rates = {(USDT, EUR): Fraction(1, 2)}
    h = harness(limits(max_order_notional="25000 EUR"),
                risk_kwargs={"portfolio": RatePortfolio(rates)})  # fmt: skip
    assert_boundary(h, (BUY, "1", "50000.00"), (BUY, "1.00001", "50000.00"),
                    RiskReason.MAX_ORDER_NOTIONAL)  # fmt: skip
    no_rate = harness(limits(max_order_notional="25000 EUR"))
    assert no_rate.code(no_rate.order(BUY, "1", "50000.00")) is RiskReason.NO_EXCHANGE_RATE


# -- positions ------------------------------------------------------------------------------


def test_max_position_counts_working_orders_on_the_orders_side() -> None:
    h = harness(limits(max_position_qty="2"))
    first = h.order(BUY, "1.5", "50000.00")
    assert h.denial(first) is None
    assert_boundary(h, (BUY, "0.5", "50000.00"), (BUY, "0.00001", "50000.00"),
                    RiskReason.MAX_POSITION_QTY)  # fmt: skip
    # sells are the other worst case: up to 2 short
    assert_boundary(h, (SELL, "2", "50010.00"), (SELL, "0.00001", "50010.00"),
                    RiskReason.MAX_POSITION_QTY)  # fmt: skip


def test_filled_quantity_counts_once() -> None:
    h = harness(limits(max_position_qty="2"))
    first = h.order(BUY, "1.5", "50000.00")
    h.fill(first, "1")  # 1 filled, 0.5 still working: worst case still 1.5
    assert_boundary(h, (BUY, "0.5", "50000.00"), (BUY, "0.00001", "50000.00"),
                    RiskReason.MAX_POSITION_QTY)  # fmt: skip


def test_an_order_that_reduces_passes_even_beyond_the_limit() -> None:
    h = harness()
    big = h.order(BUY, "3", "50000.00")
    h.fill(big)
    h.risk.update_limits({"max_position_qty": "2"}, RiskScope(instrument_id=BTC_SPOT.id))
    assert h.code(h.order(BUY, "0.00001", "50000.00")) is RiskReason.MAX_POSITION_QTY
    assert h.denial(h.order(SELL, "1", "50010.00")) is None


def test_max_position_notional_at_the_mark() -> None:
    h = harness(limits(max_position_notional="100000"))
    h.quote(BTC_SPOT, "50000.00", "50000.00")
    assert_boundary(h, (BUY, "2", "49000.00"), (BUY, "0.00001", "49000.00"),
                    RiskReason.MAX_POSITION_NOTIONAL)  # fmt: skip


def test_a_strategys_position_limit_counts_its_own_position_only() -> None:
    h = harness({"strategy_limits": {"S-001": {"max_position_qty": "1"}}})
    other = h.order(BUY, "5", "50000.00", strategy_id=StrategyId("S-002"))
    h.fill(other)
    assert_boundary(h, (BUY, "1", "50000.00"), (BUY, "0.00001", "50000.00"),
                    RiskReason.MAX_POSITION_QTY)  # fmt: skip
    assert h.denial(h.order(BUY, "1", "50000.00", strategy_id=StrategyId("S-002"))) is None


# -- exposure -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scope",
    [
        {"limits": {"max_gross_exposure": "160000 USDT"}},
        {"account_limits": {"BINANCE-001": {"max_gross_exposure": "160000 USDT"}}},
        {"strategy_limits": {"S-001": {"max_gross_exposure": "160000 USDT"}}},
    ],
)
def test_gross_exposure_sums_the_scopes_instruments(scope: dict[str, Any]) -> None:
    h = harness(scope)
    h.quote(BTC_SPOT, "50000.00", "50000.00")
    h.quote(ETH_SPOT, "3000.00", "3000.00")
    assert h.denial(h.order(BUY, "2", "50000.00")) is None
    assert_boundary(h, (SELL, "20", "3000.00"), (SELL, "0.0001", "3000.00"),
                    RiskReason.MAX_GROSS_EXPOSURE, instrument=ETH_SPOT)  # fmt: skip


def test_the_cached_exposure_headroom_clears_only_orders_that_fit_in_it() -> None:
    h = harness({"limits": {"max_gross_exposure": "100000 USDT"}})
    h.quote(BTC_SPOT, "50000.00", "50000.00")
    probe = h.risk.check(h.init(BUY, "1", "50000.00"))  # checked, not recorded: the headroom
    assert probe is None  # of 100000 is now kept on the table with the ledger's version
    table = h.risk.checks.table(BTC_SPOT.id, STRATEGY)
    assert table is not None
    assert table.exposure_headroom == Money("100000", USDT).raw
    assert h.risk.check(h.init(BUY, "2", "50000.00")) is None  # 100000: exactly the headroom
    denial = h.risk.check(h.init(BUY, "2.00001", "50000.00"))
    assert denial is not None
    assert denial[0] is RiskReason.MAX_GROSS_EXPOSURE
    assert h.denial(h.order(BUY, "1.5", "50000.00")) is None  # recorded: the ledger moved on
    assert h.code(h.order(BUY, "1.00001", "50000.00")) is RiskReason.MAX_GROSS_EXPOSURE
    h.quote(BTC_SPOT, "40000.00", "40000.00")  # the price moved: 60000 used of 100000
    assert h.denial(h.order(BUY, "1", "40000.00")) is None


def test_net_exposure_offsets_longs_and_shorts() -> None:
    h = harness({"account_limits": {"BINANCE-001": {"max_net_exposure": "100000 USDT"}}})
    h.quote(BTC_SPOT, "50000.00", "50000.00")
    h.quote(ETH_SPOT, "3000.00", "3000.00")
    assert h.denial(h.order(BUY, "2", "50000.00")) is None
    assert h.code(h.order(BUY, "0.00001", "50000.00")) is RiskReason.MAX_NET_EXPOSURE
    short = h.order(SELL, "10", "3000.00", instrument=ETH_SPOT)
    h.fill(short)  # a filled short offsets the long's worst case
    assert_boundary(h, (BUY, "10", "3000.00"), (BUY, "0.0001", "3000.00"),
                    RiskReason.MAX_NET_EXPOSURE, instrument=ETH_SPOT)  # fmt: skip


# -- open orders ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        {"limits": {"max_open_orders": 2}},
        {"account_limits": {"BINANCE-001": {"max_open_orders": 2}}},
        {"strategy_limits": {"S-001": {"max_open_orders": 2}}},
        {"instrument_limits": {"BTCUSDT.BINANCE": {"max_open_orders": 2}}},
    ],
)
def test_max_open_orders_per_scope(config: dict[str, Any]) -> None:
    h = harness(config)
    first = h.order(BUY, "0.1", "49000.00")
    assert h.denial(first) is None
    assert_boundary(h, (BUY, "0.1", "49000.00"), (BUY, "0.1", "49000.00"),
                    RiskReason.MAX_OPEN_ORDERS)  # fmt: skip
    h.cancel(first)
    assert h.denial(h.order(BUY, "0.1", "49000.00")) is None


# -- reduce-only and trading states ---------------------------------------------------------


def test_reduce_only_orders_must_reduce() -> None:
    h = harness()
    assert h.code(h.order(SELL, "1", "50010.00", reduce_only=True)) is RiskReason.REDUCE_ONLY
    h.fill(h.order(BUY, "1", "50000.00"))
    assert_boundary(h, (SELL, "0.6", "50010.00"), (SELL, "0.40001", "50010.00"),
                    RiskReason.REDUCE_ONLY, reduce_only=True)  # fmt: skip
    assert h.code(h.order(BUY, "0.1", "50000.00", reduce_only=True)) is RiskReason.REDUCE_ONLY


def test_reduce_only_limits_apply_to_every_order_of_the_scope() -> None:
    h = harness({"strategy_limits": {"S-001": {"reduce_only": True}}})
    assert h.code(h.order(BUY, "1", "50000.00")) is RiskReason.REDUCE_ONLY
    assert h.denial(h.order(BUY, "1", "50000.00", strategy_id=StrategyId("S-002"))) is None


def test_reducing_allows_only_orders_that_reduce() -> None:
    h = harness()
    h.fill(h.order(BUY, "1", "50000.00"))
    h.risk.set_trading_state(TradingState.REDUCING, RiskScope(instrument_id=BTC_SPOT.id))
    assert_boundary(h, (SELL, "1", "50010.00"), (SELL, "0.00001", "50010.00"),
                    RiskReason.TRADING_REDUCING)  # fmt: skip
    assert h.code(h.order(BUY, "0.1", "50000.00")) is RiskReason.TRADING_REDUCING
    assert h.denial(h.order(BUY, "0.1", "3000.00", instrument=ETH_SPOT)) is None


@pytest.mark.parametrize(
    "scope",
    [
        RiskScope(),
        RiskScope(account_id=AccountId("BINANCE-001")),
        RiskScope(venue=BTC_SPOT.id.venue),
        RiskScope(instrument_id=BTC_SPOT.id),
        RiskScope(strategy_id=STRATEGY),
    ],
    ids=str,
)
def test_halted_refuses_every_new_order_of_the_scope(scope: RiskScope) -> None:
    h = harness()
    h.risk.set_trading_state(TradingState.HALTED, scope, "maintenance")
    code, sentence = h.denial(h.order(BUY, "0.1", "50000.00"))  # type: ignore[misc]
    assert code is RiskReason.TRADING_HALTED
    assert "maintenance" in sentence
    h.risk.set_trading_state(TradingState.ACTIVE, scope)
    assert h.denial(h.order(BUY, "0.1", "50000.00")) is None


# -- stale data and self-trade --------------------------------------------------------------


def test_stale_market_data_refuses_new_orders() -> None:
    h = harness({"stale_data_breaker": {"max_age_secs": 5}}, quotes=False)
    assert h.code(h.order(BUY, "0.1", "50000.00")) is RiskReason.STALE_DATA  # never had data
    h.quote(BTC_SPOT, "50000.00")
    h.clock.set_time(h.clock.timestamp_ns() + 5 * 10**9)
    assert h.denial(h.order(BUY, "0.1", "50000.00")) is None
    h.clock.set_time(h.clock.timestamp_ns() + 1)
    assert h.code(h.order(BUY, "0.1", "50000.00")) is RiskReason.STALE_DATA
    h.trade(BTC_SPOT, "50000.00")
    assert h.denial(h.order(BUY, "0.1", "50000.00")) is None


@pytest.mark.parametrize("mode", ["STRATEGY", "ACCOUNT"])
def test_self_trade_prevention(mode: str) -> None:
    h = harness({"self_trade_prevention": mode})
    resting = h.order(SELL, "0.1", "50010.00")
    assert h.denial(resting) is None
    assert_boundary(h, (BUY, "0.1", "50009.99"), (BUY, "0.1", "50010.00"), RiskReason.SELF_TRADE)
    assert h.code(h.order(BUY, "0.1", None)) is RiskReason.SELF_TRADE
    other = h.order(BUY, "0.1", "50010.00", strategy_id=StrategyId("S-002"))
    expected = None if mode == "STRATEGY" else RiskReason.SELF_TRADE
    assert h.code(other) is expected
    h.cancel(resting)
    assert h.denial(h.order(BUY, "0.1", "50010.00")) is None


# -- balance and margin ---------------------------------------------------------------------


def test_a_cash_buy_needs_notional_plus_fee() -> None:
    h = harness(account=cash_account({USDT: "9999.99"}), auto_submit=False, auto_accept=False)
    assert_boundary(h, (BUY, "0.1998", "50000.00"), (BUY, "0.00001", "50000.00"),
                    RiskReason.INSUFFICIENT_BALANCE, )  # fmt: skip


def test_orders_in_flight_count_against_the_balance() -> None:
    h = harness(account=cash_account({USDT: "10010"}), auto_submit=False, auto_accept=False)
    assert h.denial(h.order(BUY, "0.1", "50000.00")) is None  # 5005 promised, not yet locked
    assert h.denial(h.order(BUY, "0.1", "50000.00")) is None  # 10010 promised
    assert h.code(h.order(BUY, "0.00002", "50000.00")) is RiskReason.INSUFFICIENT_BALANCE


def test_a_spot_sell_needs_the_base_asset() -> None:
    h = harness(account=cash_account({USDT: "0", Currency.from_str("BTC"): "1"}),
                auto_submit=False, auto_accept=False)  # fmt: skip
    assert_boundary(h, (SELL, "1", "50000.00"), (SELL, "0.00001", "50000.00"),
                    RiskReason.INSUFFICIENT_BALANCE)  # fmt: skip


def test_a_cash_account_cannot_sell_shares_short() -> None:
    account = cash_account({INR: "1000000"}, account_id="NSE-001")
    h = harness(instruments=(RELIANCE,), account=account)
    assert h.code(h.order(SELL, "1", "2500.00", instrument=RELIANCE)) is (
        RiskReason.INSUFFICIENT_POSITION
    )
    h.fill(h.order(BUY, "10", "2500.00", instrument=RELIANCE))
    assert_boundary(h, (SELL, "10", "2500.00"), (SELL, "1", "2500.00"),
                    RiskReason.INSUFFICIENT_POSITION, instrument=RELIANCE)  # fmt: skip


def test_no_account_means_no_funding() -> None:
    h = harness(account=None)
    assert h.code(h.order(BUY, "0.1", "50000.00")) is RiskReason.NO_ACCOUNT
    unchecked = RiskHarness(RiskConfig(check_balance=False), account=None)
    assert unchecked.denial(unchecked.order(BUY, "0.1", "50000.00")) is None


def test_a_perpetual_needs_initial_margin_and_the_taker_fee() -> None:
    h = harness(instruments=(BTC_PERP,), account=margin_account("425"),
                auto_submit=False, auto_accept=False)  # fmt: skip
    assert_boundary(h, (BUY, "1", "50000.0"), (BUY, "0.002", "50000.0"),
                    RiskReason.INSUFFICIENT_MARGIN, instrument=BTC_PERP)  # fmt: skip
    # a sell grows the short side from zero: it needs margin too
    assert h.code(h.order(SELL, "0.002", "50000.0", instrument=BTC_PERP)) is (
        RiskReason.INSUFFICIENT_MARGIN
    )


def test_a_perpetual_in_a_cash_account_is_refused() -> None:
    h = harness(instruments=(BTC_PERP,))
    assert h.code(h.order(BUY, "0.01", "50000.0", instrument=BTC_PERP)) is (
        RiskReason.MARGIN_MODEL_UNAVAILABLE
    )


def test_leverage_tiers_raise_the_margin_of_large_positions() -> None:
    tiers = {
        "BTCUSDT-PERP.BINANCE": [
            {"max_notional": "25000", "max_leverage": "50", "maint_rate": "0.005"},
            {"max_notional": "100000", "max_leverage": "10", "maint_rate": "0.01"},
        ]
    }
    h = harness({"leverage_tiers": tiers}, instruments=(BTC_PERP,),
                account=margin_account("512.5"))  # fmt: skip
    # 25000 at 1/50 = 500 plus 12.50 fee: the first tier exactly
    assert h.denial(h.order(BUY, "0.5", "50000.0", instrument=BTC_PERP)) is None
    big = harness({"leverage_tiers": tiers}, instruments=(BTC_PERP,),
                  account=margin_account("1000000"))  # fmt: skip
    assert big.denial(big.order(BUY, "2", "50000.0", instrument=BTC_PERP)) is None
    beyond = big.order(BUY, "0.1", "50000.0", instrument=BTC_PERP)
    assert big.code(beyond) is RiskReason.INSUFFICIENT_MARGIN  # past the largest tier


class FixedScenarioMargin:
    """A scenario model charging a fixed amount per unit short."""

    def __init__(self, per_unit: str) -> None:
        self.per_unit = Decimal(per_unit)
        self.calls: list[dict[InstrumentId, Decimal]] = []

    def portfolio_margin(
        self, account_id: AccountId, underlying: str, positions: dict[InstrumentId, Decimal]
    ) -> Money:
        self.calls.append(dict(positions))
        short = sum((-q for q in positions.values() if q < 0), Decimal(0))
        return Money(short * self.per_unit, INR)


def test_short_options_need_the_scenario_margin_model() -> None:
    account = margin_account("150000", INR, account_id="NSE-001")
    h = harness(instruments=(OPTION,), account=account, clock_ns=IN_NIFTY_LIFE)
    assert h.code(h.order(SELL, Quantity(75), "100.00", instrument=OPTION)) is (
        RiskReason.MARGIN_MODEL_UNAVAILABLE
    )
    assert h.denial(h.order(BUY, Quantity(75), "100.00", instrument=OPTION)) is None  # premium
    model = FixedScenarioMargin("1000")
    h = harness(instruments=(OPTION,), account=margin_account("150000", INR, "NSE-001"),
                clock_ns=IN_NIFTY_LIFE, risk_kwargs={"scenario_margin": model},
                auto_submit=False, auto_accept=False)  # fmt: skip
    assert_boundary(h, (SELL, Quantity(150), "100.00"), (SELL, Quantity(75), "100.00"),
                    RiskReason.INSUFFICIENT_MARGIN, instrument=OPTION)  # fmt: skip
    assert model.calls[0][OPTION.id] == Decimal(-150)


def test_a_long_option_needs_exactly_its_premium() -> None:
    lot = Quantity(75)
    fee = max(OPTION.maker_fee, OPTION.taker_fee)
    exact = Decimal(75) * OPTION.multiplier.as_decimal() * 100 * (1 + fee)
    premium = Money(exact.quantize(Decimal("0.01"), rounding=ROUND_CEILING), INR)  # paise up
    enough = harness(instruments=(OPTION,), clock_ns=IN_NIFTY_LIFE, auto_submit=False,
                     auto_accept=False,
                     account=margin_account(str(premium.as_decimal()), INR, "NSE-001"))  # fmt: skip
    assert_boundary(enough, (BUY, lot, "100.00"), (BUY, lot, "100.00"),
                    RiskReason.INSUFFICIENT_MARGIN, instrument=OPTION)  # fmt: skip
    short = harness(instruments=(OPTION,), clock_ns=IN_NIFTY_LIFE, auto_submit=False,
                    auto_accept=False,
                    account=margin_account(str(premium.as_decimal() - Decimal("0.01")), INR,
                                           "NSE-001"))  # fmt: skip
    assert short.code(short.order(BUY, lot, "100.00", instrument=OPTION)) is (
        RiskReason.INSUFFICIENT_MARGIN
    )


# -- lists and modifies ---------------------------------------------------------------------


def test_one_refused_order_refuses_its_whole_list() -> None:
    h = harness(limits(max_order_qty="1"))
    list_id = OrderListId("OL-7")
    good = h.init(BUY, "1", "50000.00", order_list_id=list_id)
    bad = h.init(SELL, "2", "51000.00", order_list_id=list_id)
    h.submit_list([good, bad])
    assert h.code(bad) is RiskReason.MAX_ORDER_QTY
    assert h.code(good) is RiskReason.ORDER_LIST
    assert h.risk.ledger.open_total == 0
    fine = [h.init(BUY, "1", "50000.00", order_list_id=OrderListId("OL-8")),
            h.init(SELL, "1", "51000.00", order_list_id=OrderListId("OL-8"))]  # fmt: skip
    h.submit_list(fine)
    assert all(h.passed(i) for i in fine)
    assert h.risk.ledger.open_total == 2


def test_a_modify_is_checked_for_what_it_adds() -> None:
    h = harness(limits(max_position_qty="2", price_band_pct="0.05"))
    h.quote(BTC_SPOT, "50000.00", "50000.00")
    order = h.order(BUY, "1.5", "50000.00")
    h.modify(order, quantity=Quantity("2.00000"))
    assert h.modify_rejection(order) is None
    assert h.cache.order(order.client_order_id).quantity == Quantity("2.00000")  # type: ignore[union-attr]
    h.modify(order, quantity=Quantity("2.00001"))
    code, _ = h.modify_rejection(order)  # type: ignore[misc]
    assert code is RiskReason.MAX_POSITION_QTY
    h.modify(order, price=BTC_SPOT.make_price("47499.99"))
    assert h.modify_rejection(order)[0] is RiskReason.PRICE_BAND  # type: ignore[index]
    h.modify(order, quantity=Quantity("1.00000"))
    assert h.cache.order(order.client_order_id).quantity == Quantity("1.00000")  # type: ignore[union-attr]
