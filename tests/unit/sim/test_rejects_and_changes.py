"""Venue-like refusals with reasons, modifies, cancels and reduce-only orders."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.commands import QueryOrder
from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from shrivenquant.model.identifiers import AccountId, ClientOrderId, InstrumentId
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.sim import RejectCode
from shrivenquant.testkit.instruments import TestInstrumentProvider

from .conftest import VenueHarness, default_config

BUY, SELL = OrderSide.BUY, OrderSide.SELL


@pytest.fixture
def quoted() -> VenueHarness:
    harness = VenueHarness()
    harness.quote("49990.00", "50010.00", "1.00000", "1.00000")
    return harness


class TestRejects:
    def test_insufficient_quote_balance(self) -> None:
        harness = VenueHarness(default_config(starting_balances=("1000 USDT", "1 BTC")))
        cid = harness.submit(OrderType.LIMIT, BUY, "1.00000", price=Price("50000.00"))
        reason = harness.rec.reason(cid)
        assert reason.startswith(RejectCode.INSUFFICIENT_BALANCE)
        assert "50050.00000000 USDT" in reason  # notional plus the 0.1 % fee
        assert harness.free() == Money("1000", USDT)

    def test_insufficient_base_balance_for_a_spot_sell(self) -> None:
        harness = VenueHarness(default_config(starting_balances=("100000 USDT", "0.5 BTC")))
        cid = harness.submit(OrderType.LIMIT, SELL, "0.60000", price=Price("60000.00"))
        assert harness.rec.reason(cid).startswith(RejectCode.INSUFFICIENT_BALANCE)

    def test_market_order_checked_against_the_liquidity_it_would_take(self) -> None:
        harness = VenueHarness(default_config(starting_balances=("20000 USDT", "1 BTC")))
        harness.quote("49990.00", "50010.00")
        cid = harness.submit(OrderType.MARKET, BUY, "0.50000")
        assert harness.rec.reason(cid).startswith(RejectCode.INSUFFICIENT_BALANCE)
        ok = harness.submit(OrderType.MARKET, BUY, "0.30000")
        assert harness.rec.kinds(ok) == ["accepted", "filled"]

    def test_funds_locked_by_open_orders_are_not_free(self) -> None:
        harness = VenueHarness(default_config(starting_balances=("60000 USDT", "1 BTC")))
        first = harness.submit(OrderType.LIMIT, BUY, "1.00000", price=Price("50000.00"))
        assert harness.rec.kinds(first) == ["accepted"]
        second = harness.submit(OrderType.LIMIT, BUY, "0.20000", price=Price("50000.00"))
        assert harness.rec.reason(second).startswith(RejectCode.INSUFFICIENT_BALANCE)
        harness.cancel(first)
        third = harness.submit(OrderType.LIMIT, BUY, "0.20000", price=Price("50000.00"))
        assert harness.rec.kinds(third) == ["accepted"]

    @pytest.mark.parametrize(
        ("price", "detail"),
        [
            ("50000.005", "not a multiple of tick"),
            ("0.001", "not a multiple of tick"),
            ("2000000.00", "above the maximum"),
        ],
    )
    def test_price_filter(self, venue: VenueHarness, price: str, detail: str) -> None:
        cid = venue.submit(OrderType.LIMIT, BUY, "0.00100", price=Price(price))
        reason = venue.rec.reason(cid)
        assert reason.startswith(RejectCode.PRICE_FILTER)
        assert detail in reason

    def test_trigger_price_filter(self, venue: VenueHarness) -> None:
        cid = venue.submit(OrderType.STOP_MARKET, BUY, trigger_price=Price("50000.001"))
        assert "trigger price" in venue.rec.reason(cid)

    @pytest.mark.parametrize(
        ("qty", "detail"),
        [("0.000001", "not a multiple"), ("9001.00000", "above the maximum")],
    )
    def test_lot_size(self, venue: VenueHarness, qty: str, detail: str) -> None:
        cid = venue.submit(OrderType.LIMIT, BUY, qty, price=Price("1.00"))
        reason = venue.rec.reason(cid)
        assert reason.startswith(RejectCode.LOT_SIZE)
        assert detail in reason

    def test_min_notional(self, venue: VenueHarness) -> None:
        cid = venue.submit(OrderType.LIMIT, BUY, "0.00009", price=Price("50000.00"))
        assert venue.rec.reason(cid).startswith(RejectCode.MIN_NOTIONAL)

    def test_max_notional(self) -> None:
        harness = VenueHarness(default_config(starting_balances=("1000000000 USDT", "1 BTC")))
        cid = harness.submit(OrderType.LIMIT, BUY, "200.00000", price=Price("50000.00"))
        assert harness.rec.reason(cid).startswith(RejectCode.MAX_NOTIONAL)

    def test_min_notional_of_a_market_order_uses_the_best_price(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(OrderType.MARKET, BUY, "0.00001")
        assert quoted.rec.reason(cid).startswith(RejectCode.MIN_NOTIONAL)

    def test_duplicate_client_order_id(self, venue: VenueHarness) -> None:
        init = venue.init(price=Price("40000.00"))
        venue.submit_init(init)
        venue.submit_init(init)
        assert venue.rec.kinds(init.client_order_id) == ["accepted", "rejected"]
        assert venue.rec.reason(init.client_order_id).startswith(RejectCode.DUPLICATE_ORDER)
        assert venue.sim_order(init.client_order_id).status is OrderStatus.ACCEPTED

    def test_unknown_instrument(self, venue: VenueHarness) -> None:
        cid = venue.submit(instrument_id=InstrumentId("ETHUSDT.BINANCE"), price=Price("3000.00"))
        assert venue.rec.reason(cid).startswith(RejectCode.UNKNOWN_INSTRUMENT)

    def test_quote_quantity_is_unsupported(self, venue: VenueHarness) -> None:
        cid = venue.submit(price=Price("40000.00"), quote_quantity=True)
        assert venue.rec.reason(cid).startswith(RejectCode.UNSUPPORTED)

    def test_cancel_of_an_unknown_order(self, venue: VenueHarness) -> None:
        cid = ClientOrderId("NOPE")
        venue.cancel(cid)
        assert venue.rec.kinds(cid) == ["cancel_rejected"]
        assert venue.rec.reason(cid).startswith(RejectCode.UNKNOWN_ORDER)

    def test_modify_of_an_unknown_order(self, venue: VenueHarness) -> None:
        cid = ClientOrderId("NOPE")
        venue.modify(cid, price=Price("1.00"))
        assert venue.rec.kinds(cid) == ["modify_rejected"]
        assert venue.rec.reason(cid).startswith(RejectCode.UNKNOWN_ORDER)


class TestModify:
    def test_lower_quantity_keeps_priority(self, venue: VenueHarness) -> None:
        first = venue.submit(price=Price("49000.00"))
        second = venue.submit(price=Price("49000.00"))
        venue.modify(first, quantity=Quantity("0.50000"))
        assert venue.rec.of(first, "updated")[0].detail["quantity"] == Quantity("0.5").raw
        queue = [key for key, *_ in venue.engine.book.orders_raw(BUY)]
        assert queue == [venue.sim_order(first).key, venue.sim_order(second).key]

    def test_new_price_loses_priority(self, venue: VenueHarness) -> None:
        first = venue.submit(price=Price("49000.00"))
        second = venue.submit(price=Price("49000.00"))
        venue.modify(first, price=Price("48999.00"))
        venue.modify(first, price=Price("49000.00"))
        queue = [key for key, *_ in venue.engine.book.orders_raw(BUY)]
        assert queue == [venue.sim_order(second).key, venue.sim_order(first).key]

    def test_marketable_new_price_trades(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(price=Price("49000.00"))
        quoted.modify(cid, price=Price("50010.00"))
        assert quoted.rec.kinds(cid) == ["accepted", "updated", "filled"]
        assert quoted.sim_order(cid).status is OrderStatus.FILLED
        assert not quoted.engine.resting_orders()

    def test_modify_of_a_filled_order_is_refused(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(price=Price("50010.00"))
        quoted.modify(cid, price=Price("49000.00"))
        assert quoted.rec.kinds(cid) == ["accepted", "filled", "modify_rejected"]
        assert quoted.rec.reason(cid).startswith(RejectCode.ORDER_CLOSED)

    def test_quantity_not_above_filled_is_refused(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(quantity="2.00000", price=Price("50010.00"))
        quoted.modify(cid, quantity=Quantity("1.00000"))
        assert quoted.rec.reason(cid).startswith(RejectCode.INVALID_MODIFY)

    def test_post_only_modify_that_would_take_is_refused(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(price=Price("50000.00"), post_only=True)
        quoted.modify(cid, price=Price("50010.00"))
        assert quoted.rec.kinds(cid) == ["accepted", "modify_rejected"]
        assert quoted.sim_order(cid).price_raw == Price("50000.00").raw

    def test_modify_beyond_funds_is_refused_and_keeps_the_order(self) -> None:
        harness = VenueHarness(default_config(starting_balances=("60000 USDT", "1 BTC")))
        cid = harness.submit(price=Price("50000.00"))
        harness.modify(cid, quantity=Quantity("2.00000"))
        assert harness.rec.reason(cid).startswith(RejectCode.INSUFFICIENT_BALANCE)
        assert harness.sim_order(cid).quantity_raw == Quantity("1").raw
        assert harness.account().order_lock(harness.sim_order(cid)) == Money("50050", USDT)

    def test_trigger_modify_that_would_fire_a_stop_is_refused(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(OrderType.STOP_MARKET, BUY, trigger_price=Price("51000.00"))
        quoted.modify(cid, trigger_price=Price("50000.00"))
        assert quoted.rec.reason(cid).startswith(RejectCode.STOP_WOULD_TRIGGER)

    def test_trigger_modify_of_an_if_touched_order_can_fire_it(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.MARKET_IF_TOUCHED, BUY, "0.10000", trigger_price=Price("49000.00")
        )
        quoted.modify(cid, trigger_price=Price("50020.00"))
        assert quoted.rec.kinds(cid) == ["accepted", "updated", "filled"]

    def test_price_on_a_stop_market_is_refused(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(OrderType.STOP_MARKET, BUY, trigger_price=Price("51000.00"))
        quoted.modify(cid, price=Price("51000.00"))
        assert quoted.rec.reason(cid).startswith(RejectCode.INVALID_MODIFY)


class TestCancel:
    def test_cancel_releases_the_lock(self, venue: VenueHarness) -> None:
        start = venue.free()
        cid = venue.submit(price=Price("49000.00"))
        assert venue.free() == start - Money("49049", USDT)
        venue.cancel(cid)
        assert venue.rec.kinds(cid) == ["accepted", "canceled"]
        assert venue.free() == start
        assert not venue.engine.resting_orders()

    def test_cancel_of_a_filled_order_is_refused(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(OrderType.MARKET, BUY, "0.10000")
        quoted.cancel(cid)
        assert quoted.rec.kinds(cid)[-1] == "cancel_rejected"
        assert quoted.rec.reason(cid) == "ORDER_CLOSED: the order is FILLED"

    def test_cancel_all_by_side(self, venue: VenueHarness) -> None:
        bids = [venue.submit(price=Price("49000.00")) for _ in range(2)]
        ask = venue.submit(side=SELL, price=Price("51000.00"))
        venue.cancel_all(BUY)
        assert all(venue.rec.kinds(cid)[-1] == "canceled" for cid in bids)
        assert venue.rec.kinds(ask) == ["accepted"]
        venue.cancel_all()
        assert venue.rec.kinds(ask) == ["accepted", "canceled"]

    def test_query_answers_with_a_status_report(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(quantity="2.00000", price=Price("50010.00"))
        fields = quoted._command_fields()
        del fields["command_id"]
        report = quoted.venue.query_order(
            quoted.account_id, QueryOrder(client_order_id=cid, command_id=UUID4(), **fields)
        )
        assert report is not None
        assert report.order_status is OrderStatus.PARTIALLY_FILLED
        assert report.filled_qty == Quantity("1.00000")
        assert report.avg_px == Decimal("50010")
        assert quoted.rec.kinds(cid)[-1] == "status"


class TestReduceOnly:
    @pytest.fixture
    def long_one(self) -> VenueHarness:
        harness = VenueHarness()
        harness.quote("49990.00", "50010.00", "5.00000", "5.00000")
        harness.submit(OrderType.MARKET, BUY, "1.00000")
        return harness

    def test_reduce_only_that_would_open_is_rejected(self, venue: VenueHarness) -> None:
        cid = venue.submit(side=SELL, price=Price("51000.00"), reduce_only=True)
        assert venue.rec.reason(cid).startswith(RejectCode.REDUCE_ONLY)

    def test_reduce_only_that_would_increase_is_rejected(self, long_one: VenueHarness) -> None:
        cid = long_one.submit(side=BUY, price=Price("49000.00"), reduce_only=True)
        assert long_one.rec.reason(cid).startswith(RejectCode.REDUCE_ONLY)

    def test_reduce_only_taker_is_cut_to_the_position(self, long_one: VenueHarness) -> None:
        cid = long_one.submit(OrderType.MARKET, SELL, "3.00000", reduce_only=True)
        assert long_one.rec.kinds(cid) == ["accepted", "filled", "expired"]
        assert long_one.rec.fills_of(cid)[0].last_qty == Quantity("1.00000")
        assert long_one.account().net_raw(long_one.instrument.id) == 0

    def test_resting_reduce_only_is_cut_when_the_position_shrinks(
        self, long_one: VenueHarness
    ) -> None:
        resting = long_one.submit(side=SELL, price=Price("51000.00"), reduce_only=True)
        long_one.submit(OrderType.MARKET, SELL, "0.40000")
        updated = long_one.rec.of(resting, "updated")
        assert updated[-1].detail["quantity"] == Quantity("0.60000").raw
        long_one.submit(OrderType.MARKET, SELL, "0.60000")
        assert long_one.rec.kinds(resting)[-1] == "canceled"

    def test_two_reduce_only_makers_never_flip_the_position(self, long_one: VenueHarness) -> None:
        first = long_one.submit(side=SELL, price=Price("50005.00"), reduce_only=True)
        second = long_one.submit(side=SELL, price=Price("50006.00"), reduce_only=True)
        taker = long_one.open(AccountId("OTHER-001"))
        long_one.submit(
            OrderType.LIMIT,
            BUY,
            "2.00000",
            price=Price("50006.00"),
            account_id=AccountId("OTHER-001"),
        )
        assert long_one.account().net_raw(long_one.instrument.id) == 0
        assert long_one.rec.kinds(first)[-1] == "filled"
        assert long_one.rec.kinds(second)[-1] == "canceled"
        assert taker.fills[0].last_qty == Quantity("1.00000")

    def test_reduce_only_stop_is_canceled_when_the_position_closes(
        self, long_one: VenueHarness
    ) -> None:
        stop = long_one.submit(
            OrderType.STOP_MARKET, SELL, trigger_price=Price("49000.00"), reduce_only=True
        )
        long_one.submit(OrderType.MARKET, SELL, "1.00000")
        assert long_one.rec.kinds(stop) == ["accepted", "canceled"]


class TestAccountsAndFees:
    def test_taker_and_maker_fees_and_balances(self, quoted: VenueHarness) -> None:
        other = AccountId("OTHER-001")
        quoted.open(other)
        maker = quoted.submit(side=SELL, quantity="0.50000", price=Price("50000.00"))
        taker = quoted.submit(
            OrderType.LIMIT, BUY, "0.50000", price=Price("50000.00"), account_id=other
        )
        maker_fill = quoted.rec.fills_of(maker)[0]
        taker_fill = quoted.recorders[other].fills_of(taker)[0]
        assert maker_fill.commission == Money("25.00000000", USDT)
        assert taker_fill.commission == Money("25.00000000", USDT)
        assert quoted.total(USDT) == Money("1025000", USDT) - Money("25", USDT)
        assert quoted.total(BTC) == Money("99.5", BTC)
        assert quoted.total(USDT, other) == Money("1000000", USDT) - Money("25025", USDT)
        assert quoted.total(BTC, other) == Money("100.5", BTC)
        assert quoted.free(USDT, other) == quoted.total(USDT, other)

    def test_a_new_definition_changes_fees_but_not_precisions(self, quoted: VenueHarness) -> None:
        cheaper = msgspec.structs.replace(quoted.instrument, taker_fee=Decimal("0.0001"))
        quoted.venue.add_instrument(cheaper)
        cid = quoted.submit(OrderType.MARKET, BUY, "0.10000")
        assert quoted.rec.fills_of(cid)[0].commission == Money("0.50010000", USDT)
        finer = msgspec.structs.replace(
            quoted.instrument, price_precision=3, price_increment=Price("0.001")
        )
        with pytest.raises(ValueError, match="cannot change the price or size precision"):
            quoted.venue.add_instrument(finer)

    def test_one_account_state_per_action(self, quoted: VenueHarness) -> None:
        before = len(quoted.rec.states)
        quoted.submit(OrderType.MARKET, BUY, "1.00000")
        assert len(quoted.rec.states) == before + 1
        state = quoted.rec.states[-1]
        assert state.reported is True
        assert state.balance(BTC).total == Money("101", BTC)

    def test_margin_account_books_realized_pnl(self) -> None:
        perp = TestInstrumentProvider.btcusdt_perp_binance()
        harness = VenueHarness(
            default_config(
                account_type="MARGIN",
                base_currency="USDT",
                starting_balances=("10000 USDT",),
                default_leverage=Decimal(10),
            ),
            instrument=perp,
        )
        harness.quote("50000.0", "50000.0", "10.000", "10.000")
        harness.submit(OrderType.MARKET, BUY, "0.100", instrument_id=perp.id)
        account = harness.account()
        margin = account.account.margin(perp.id)
        assert margin is not None
        assert margin.initial == Money("500.00000000", USDT)  # 5000 notional at 10x
        harness.quote("51000.0", "51000.0", "10.000", "10.000")
        harness.submit(OrderType.MARKET, SELL, "0.100", instrument_id=perp.id)
        fees = Decimal("0.0005") * (5000 + 5100)
        assert harness.total() == Money(Decimal(10000) + 100 - fees, USDT)
        assert account.account.margin(perp.id) is None
        assert account.net_raw(perp.id) == 0

    def test_margin_order_beyond_free_margin_is_rejected(self) -> None:
        perp = TestInstrumentProvider.btcusdt_perp_binance()
        harness = VenueHarness(
            default_config(
                account_type="MARGIN", base_currency="USDT", starting_balances=("100 USDT",)
            ),
            instrument=perp,
        )
        cid = harness.submit(
            OrderType.LIMIT, BUY, "1.000", price=Price("50000.0"), instrument_id=perp.id
        )
        assert harness.rec.reason(cid).startswith(RejectCode.INSUFFICIENT_BALANCE)

    def test_cash_venue_refuses_a_perpetual(self) -> None:
        harness = VenueHarness()
        with pytest.raises(ValueError, match="margin account"):
            harness.venue.add_instrument(TestInstrumentProvider.btcusdt_perp_binance())

    def test_single_currency_cash_venue_refuses_a_spot_pair(self) -> None:
        with pytest.raises(ValueError, match="both assets"):
            VenueHarness(default_config(base_currency=USDT, starting_balances=("1 USDT",)))

    def test_accounts_can_open_with_their_own_balances(self, venue: VenueHarness) -> None:
        rich = AccountId("RICH-001")
        venue.open(rich, [Money("5", USDT)])
        cid = venue.submit(price=Price("40000.00"), account_id=rich)
        assert venue.recorders[rich].reason(cid).startswith(RejectCode.INSUFFICIENT_BALANCE)

    def test_time_in_force_gtc_is_default(self, venue: VenueHarness) -> None:
        cid = venue.submit(price=Price("40000.00"))
        assert venue.sim_order(cid).time_in_force is TimeInForce.GTC

    def test_purge_forgets_old_closed_orders_and_fills(self, quoted: VenueHarness) -> None:
        filled = quoted.submit(OrderType.MARKET, BUY, "0.10000")
        resting = quoted.submit(price=Price("40000.00"))
        quoted.advance(10)
        assert quoted.venue.purge_closed(quoted.clock.timestamp_ns()) == 1
        assert set(quoted.account().orders) == {resting}
        assert quoted.account().fills == []
        quoted.cancel(filled)
        assert quoted.rec.reason(filled).startswith(RejectCode.UNKNOWN_ORDER)
