"""Margin accounts: leverage, initial and maintenance margin, margin balances, fills."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.accounts import InsufficientBalance, MarginAccount
from shrivenquant.model.balances import AccountBalance, MarginBalance
from shrivenquant.model.currency import BTC, INR, USD, USDT
from shrivenquant.model.enums import AccountType, AssetClass, OrderSide, OrderType
from shrivenquant.model.events import AccountState
from shrivenquant.model.identifiers import InstrumentId, Symbol
from shrivenquant.model.instruments import CryptoPerpetual
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestEventStubs, TestIdStubs, TestOrderStubs

PERP = TestInstrumentProvider.btcusdt_perp_binance()  # init 0.008, maint 0.004, taker 0.0005
OPTION = TestInstrumentProvider.nifty_option()  # not margin-traded (margin_init 0)
INVERSE = CryptoPerpetual(
    id=InstrumentId("BTCUSD-PERP.BINANCE"),
    raw_symbol=Symbol("BTCUSD_PERP"),
    asset_class=AssetClass.CRYPTOCURRENCY,
    base_currency=BTC,
    quote_currency=USD,
    settlement_currency=BTC,
    is_inverse=True,
    price_precision=1,
    size_precision=0,
    price_increment=Price("0.1"),
    size_increment=Quantity("1"),
    multiplier=Quantity("100"),
    taker_fee=Decimal("0.0005"),
    margin_init=Decimal("0.01"),
    margin_maint=Decimal("0.005"),
    ts_event=0,
    ts_init=0,
)
ONE_BTC = Quantity("1.000")
PX = Price("50000.0")


def margin_account(total: str = "10000 USDT", **kwargs: object) -> MarginAccount:
    money = Money.from_str(total)
    event = AccountState(
        account_id=TestIdStubs.account_id,
        account_type=AccountType.MARGIN,
        base_currency=money.currency,
        balances=[AccountBalance.from_total_locked(money, Money.from_raw(0, money.currency))],
        event_id=UUID4(),
        ts_event=0,
        ts_init=0,
    )
    return MarginAccount(event, True, **kwargs)  # type: ignore[arg-type]


def usdt(text: str) -> Money:
    return Money(text, USDT)


class TestRates:
    def test_instrument_rates_without_leverage(self) -> None:
        account = margin_account()
        assert account.calculate_margin_init(PERP, ONE_BTC, PX) == usdt("400")  # 50000 * 0.008
        assert account.calculate_margin_maint(PERP, ONE_BTC, PX) == usdt("200")  # * 0.004

    def test_leverage_overrides_the_initial_rate(self) -> None:
        account = margin_account(leverages={PERP.id: Decimal(10)})
        assert account.leverage(PERP.id) == Decimal(10)
        assert account.calculate_margin_init(PERP, ONE_BTC, PX) == usdt("5000")
        assert account.calculate_margin_maint(PERP, ONE_BTC, PX) == usdt("200")

    def test_default_leverage_applies_to_instruments_without_their_own(self) -> None:
        account = margin_account(default_leverage=Decimal(20))
        assert account.calculate_margin_init(PERP, ONE_BTC, PX) == usdt("2500")
        account.set_leverage(PERP.id, 50)
        assert account.calculate_margin_init(PERP, ONE_BTC, PX) == usdt("1000")
        assert account.leverages() == {PERP.id: Decimal(50)}

    def test_leverage_at_the_maximum_is_allowed_beyond_it_refused(self) -> None:
        account = margin_account(leverages={PERP.id: Decimal(125)})
        assert account.calculate_margin_init(PERP, ONE_BTC, PX) == usdt("400")
        account.set_leverage(PERP.id, 200)
        with pytest.raises(ValueError, match="exceeds the maximum 125"):
            account.calculate_margin_init(PERP, ONE_BTC, PX)

    @pytest.mark.parametrize("bad", [Decimal("0.5"), Decimal("NaN"), 0])
    def test_invalid_leverage(self, bad: object) -> None:
        with pytest.raises(ValueError, match="leverage"):
            margin_account().set_leverage(PERP.id, bad)  # type: ignore[arg-type]

    def test_float_leverage_is_refused(self) -> None:
        with pytest.raises(TypeError, match="leverage"):
            margin_account().set_leverage(PERP.id, 2.5)  # type: ignore[arg-type]

    def test_margin_rounds_up(self) -> None:
        # 0.001 * 556.8 * 0.008 = 0.0044544 -> exact at 8 places; 1/3 leverage is not
        account = margin_account(leverages={PERP.id: Decimal(3)})
        margin = account.calculate_margin_init(PERP, Quantity("0.001"), Price("1000.0"))
        assert margin == usdt("0.33333334")  # 1 / 3 rounded up

    def test_not_margin_traded_is_fully_funded(self) -> None:
        account = margin_account("1000000 INR")
        qty, premium = Quantity("75"), Price("120.50")
        assert account.calculate_margin_init(OPTION, qty, premium) == Money("9037.50", INR)
        assert account.calculate_margin_maint(OPTION, qty, premium) == Money("0", INR)
        account.set_leverage(OPTION.id, 2)
        with pytest.raises(ValueError, match="not margin-traded"):
            account.calculate_margin_init(OPTION, qty, premium)

    def test_inverse_margin_is_in_the_base_currency(self) -> None:
        account = margin_account("1 BTC")
        contracts = Quantity("100")
        # 100 contracts * 100 USD / 50000 = 0.2 BTC; initial 1 %, maintenance 0.5 %
        position = account.calculate_position_margin(INVERSE, contracts, PX)
        assert position == MarginBalance(
            initial=Money("0.002", BTC),
            maintenance=Money("0.001", BTC),
            instrument_id=INVERSE.id,
        )


class TestOrderLocks:
    def test_order_locks_initial_margin_plus_taker_fee(self) -> None:
        account = margin_account(leverages={PERP.id: Decimal(10)})
        locked = account.calculate_balance_locked(PERP, OrderSide.BUY, ONE_BTC, PX)
        assert locked == usdt("5025")  # 50000 * (0.1 + 0.0005)
        assert account.calculate_balance_locked(PERP, OrderSide.SELL, ONE_BTC, PX) == locked

    def test_check_balance_uses_free_balance(self) -> None:
        account = margin_account("5000 USDT", leverages={PERP.id: Decimal(10)})
        assert not account.can_afford(PERP, OrderSide.BUY, ONE_BTC, PX)
        with pytest.raises(InsufficientBalance, match=r"needs 5025\.00000000 USDT"):
            account.check_balance(PERP, OrderSide.BUY, ONE_BTC, PX)
        assert account.can_afford(PERP, OrderSide.BUY, Quantity("0.990"), PX)


class TestMarginBalances:
    def test_margins_lock_initial_and_report_maintenance(self) -> None:
        account = margin_account()
        margin = account.calculate_position_margin(PERP, ONE_BTC, PX)
        account.update_margin(margin)
        assert account.margin(PERP.id) == margin
        assert account.balance_locked() == usdt("400")
        assert account.balance_free() == usdt("9600")
        assert account.margin_init_total() == usdt("400")
        assert account.margin_maint_total() == usdt("200")
        state = account.generate_account_state(ts_event=1)
        assert state.margins == [margin]
        account.clear_margin(PERP.id)
        assert account.margins() == {}
        assert account.balance_free() == usdt("10000")

    def test_free_may_go_negative_on_margin(self) -> None:
        account = margin_account("100 USDT")
        account.update_margin(account.calculate_position_margin(PERP, ONE_BTC, PX))
        assert account.balance_free() == usdt("-300")
        assert not account.can_afford(PERP, OrderSide.BUY, Quantity("0.001"), PX)

    def test_margin_without_instrument_is_refused(self) -> None:
        with pytest.raises(ValueError, match="needs an instrument_id"):
            margin_account().update_margin(MarginBalance(initial=usdt("1"), maintenance=usdt("1")))

    def test_margins_in_a_state_are_applied(self) -> None:
        account = margin_account()
        reported = AccountState(
            account_id=account.id,
            account_type=AccountType.MARGIN,
            base_currency=USDT,
            balances=[AccountBalance.from_total_locked(usdt("10000"), usdt("100"))],
            margins=[
                MarginBalance(initial=usdt("100"), maintenance=usdt("50"), instrument_id=PERP.id)
            ],
            event_id=UUID4(),
            ts_event=1,
            ts_init=1,
        )
        account.apply(reported)
        assert account.margin(PERP.id) == reported.margins[0]
        assert account.balance_locked() == usdt("100")


class TestFills:
    def test_fill_books_realized_pnl_minus_commission(self) -> None:
        account = margin_account()
        init = TestOrderStubs.init(
            OrderType.MARKET, OrderSide.SELL, quantity="1.000", instrument_id=PERP.id
        )
        fill = TestEventStubs.filled(init, px="50100.0", commission="25.05")
        legs = account.apply_fill(PERP, fill, realized_pnl=usdt("100"))
        assert legs == [usdt("100"), usdt("-25.05")]
        assert account.balance_total() == usdt("10074.95")
        assert account.commission(USDT) == usdt("25.05")

    def test_opening_fill_pays_only_commission(self) -> None:
        account = margin_account()
        init = TestOrderStubs.init(OrderType.MARKET, quantity="1.000", instrument_id=PERP.id)
        account.apply_fill(PERP, TestEventStubs.filled(init, px="50000.0", commission="25"))
        assert account.balance_total() == usdt("9975")

    def test_losses_may_take_a_margin_balance_negative(self) -> None:
        account = margin_account("10 USDT")
        init = TestOrderStubs.init(OrderType.MARKET, quantity="1.000", instrument_id=PERP.id)
        fill = TestEventStubs.filled(init, px="50000.0", commission="0")
        account.apply_fill(PERP, fill, realized_pnl=usdt("-20"))
        assert account.balance_total() == usdt("-10")
