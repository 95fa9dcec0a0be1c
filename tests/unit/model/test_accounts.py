"""Cash accounts and the account base: balances, locks, fills, commissions, events."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.accounts import (
    AccountBalanceNegative,
    CashAccount,
    InsufficientBalance,
    MarginAccount,
    account_from_state,
)
from shrivenquant.model.balances import AccountBalance
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.currency import BTC, INR, USDT, Currency
from shrivenquant.model.enums import AccountType, LiquiditySide, OrderSide, OrderType
from shrivenquant.model.events import AccountState, OrderFilled
from shrivenquant.model.identifiers import AccountId, InstrumentId, Symbol
from shrivenquant.model.instruments import Equity
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestEventStubs, TestIdStubs, TestOrderStubs

BTCUSDT = TestInstrumentProvider.btcusdt_binance()
PERP = TestInstrumentProvider.btcusdt_perp_binance()


def state(
    *totals: str,
    account_type: AccountType = AccountType.CASH,
    base: Currency | None = None,
    account_id: AccountId = TestIdStubs.account_id,
) -> AccountState:
    balances = []
    for text in totals:
        money = Money.from_str(text)
        balances.append(AccountBalance.from_total_locked(money, Money.from_raw(0, money.currency)))
    return AccountState(
        account_id=account_id,
        account_type=account_type,
        base_currency=base,
        balances=balances,
        event_id=UUID4(),
        ts_event=0,
        ts_init=0,
    )


def fill(side: OrderSide, qty: str, px: str, commission: str = "0") -> OrderFilled:
    init = TestOrderStubs.init(OrderType.LIMIT, side, quantity=qty)
    return TestEventStubs.filled(init, px=px, commission=commission)


def cash(*totals: str) -> CashAccount:
    return CashAccount(state(*totals), calculate_account_state=True)


def usdt(text: str) -> Money:
    return Money(text, USDT)


class TestConstruction:
    def test_first_state_sets_identity_balances_and_history(self) -> None:
        account = cash("10000 USDT", "0.5 BTC")
        assert account.id == TestIdStubs.account_id
        assert account.is_cash_account
        assert not account.is_margin_account
        assert account.is_multi_currency
        assert account.currencies() == [BTC, USDT]
        assert account.balance_total(USDT) == usdt("10000")
        assert account.balance_free(BTC) == Money("0.5", BTC)
        assert account.balance_locked(USDT) == usdt("0")
        assert account.starting_balances() == {USDT: usdt("10000"), BTC: Money("0.5", BTC)}
        assert account.event_count == 1
        assert account.last_event is account.events[0]

    def test_unknown_currency_balance_is_none(self) -> None:
        assert cash("10 USDT").balance_total(INR) is None

    def test_multi_currency_needs_a_currency(self) -> None:
        with pytest.raises(ValueError, match="multi-currency"):
            cash("10 USDT").balance()

    def test_base_currency_is_the_default(self) -> None:
        account = CashAccount(state("500 INR", base=INR))
        assert account.balance_total() == Money("500", INR)
        assert not account.is_multi_currency

    def test_wrong_account_type_is_refused(self) -> None:
        with pytest.raises(ValueError, match="needs a CASH account state"):
            CashAccount(state("1 USDT", account_type=AccountType.MARGIN))

    def test_factory_builds_the_matching_type(self) -> None:
        assert isinstance(account_from_state(state("1 USDT")), CashAccount)
        margin = account_from_state(state("1 USDT", account_type=AccountType.MARGIN), True)
        assert isinstance(margin, MarginAccount)
        assert margin.calculate_account_state


class TestApply:
    def test_state_replaces_only_the_currencies_it_lists(self) -> None:
        account = cash("10000 USDT", "1 BTC")
        account.apply(state("9000 USDT"))
        assert account.balance_total(USDT) == usdt("9000")
        assert account.balance_total(BTC) == Money("1", BTC)
        assert account.event_count == 2

    def test_state_of_another_account_is_refused(self) -> None:
        account = cash("1 USDT")
        with pytest.raises(ValueError, match="cannot apply a state of OTHER-1"):
            account.apply(state("1 USDT", account_id=AccountId("OTHER-1")))

    def test_other_base_currency_is_refused(self) -> None:
        account = cash("1 USDT")
        with pytest.raises(ValueError, match="base currency"):
            account.apply(state("1 USDT", base=USDT))

    def test_single_currency_account_refuses_other_currencies(self) -> None:
        account = CashAccount(state("1 USDT", base=USDT))
        with pytest.raises(ValueError, match="holds only USDT"):
            account.apply(state("1 BTC", base=USDT))

    def test_negative_reported_cash_balance_is_refused_and_nothing_changes(self) -> None:
        account = cash("10 USDT")
        with pytest.raises(AccountBalanceNegative, match="cannot go negative"):
            account.apply(state("-1 USDT"))
        assert account.balance_total(USDT) == usdt("10")
        assert account.event_count == 1

    def test_generated_states_rebuild_the_account(self) -> None:
        account = cash("10000 USDT")
        account.update_balance_locked(BTCUSDT.id, usdt("1001"))
        account.apply_fill(BTCUSDT, fill(OrderSide.BUY, "0.01000", "50000.00", "0.5"))
        account.generate_account_state(ts_event=5)
        codec = MessageCodec()
        events = [codec.decode(codec.encode(e)) for e in account.events]
        assert events == account.events
        first = events[0]
        assert isinstance(first, AccountState)
        rebuilt = CashAccount(first)
        for event in events[1:]:
            assert isinstance(event, AccountState)
            rebuilt.apply(event)
        assert rebuilt.balances() == account.balances()
        assert account.last_event.reported is False
        assert account.last_event.ts_event == 5


class TestLocks:
    def test_buy_locks_notional_plus_fee_in_quote(self) -> None:
        account = cash("10000 USDT")
        locked = account.calculate_balance_locked(
            BTCUSDT, OrderSide.BUY, Quantity("0.10000"), Price("50000.00")
        )
        assert locked == usdt("5005")  # 5000 * 1.001
        account.update_balance_locked(BTCUSDT.id, locked)
        assert account.balance_locked(USDT) == usdt("5005")
        assert account.balance_free(USDT) == usdt("4995")
        assert account.balance_total(USDT) == usdt("10000")

    def test_sell_of_a_pair_locks_the_base_quantity(self) -> None:
        account = cash("0.3 BTC")
        locked = account.calculate_balance_locked(
            BTCUSDT, OrderSide.SELL, Quantity("0.25000"), Price("50000.00")
        )
        assert locked == Money("0.25", BTC)
        account.update_balance_locked(BTCUSDT.id, locked)
        assert account.balance_free(BTC) == Money("0.05", BTC)

    def test_lock_rounds_up(self) -> None:
        locked = cash("1 USDT").calculate_balance_locked(
            BTCUSDT, OrderSide.BUY, Quantity("0.00001"), Price("0.03")
        )
        # 0.0000003 * 1.001 = 0.0000003003 -> rounded up at 8 places
        assert locked == usdt("0.00000031")

    def test_locks_sum_across_instruments_and_release(self) -> None:
        account = cash("10000 USDT")
        eth = InstrumentId("ETHUSDT.BINANCE")
        account.update_balance_locked(BTCUSDT.id, usdt("3000"))
        account.update_balance_locked(eth, usdt("2000"))
        assert account.balance_locked(USDT) == usdt("5000")
        assert account.balance_locked_for(eth) == [usdt("2000")]
        account.update_balance_locked(BTCUSDT.id, usdt("1000"))
        assert account.balance_locked(USDT) == usdt("3000")
        account.clear_balance_locked(BTCUSDT.id)
        account.clear_balance_locked(eth)
        assert account.balance_locked(USDT) == usdt("0")
        assert account.balance_free(USDT) == usdt("10000")

    def test_lock_beyond_free_is_refused_and_nothing_changes(self) -> None:
        account = cash("10000 USDT")
        account.update_balance_locked(BTCUSDT.id, usdt("6000"))
        with pytest.raises(AccountBalanceNegative, match=r"-1000\.00000000 USDT"):
            account.update_balance_locked(InstrumentId("ETHUSDT.BINANCE"), usdt("5000"))
        assert account.balance_locked(USDT) == usdt("6000")

    def test_locking_a_currency_not_held_is_refused(self) -> None:
        with pytest.raises(AccountBalanceNegative, match="BTC"):
            cash("10 USDT").update_balance_locked(BTCUSDT.id, Money("0.1", BTC))

    def test_negative_lock_is_refused(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            cash("10 USDT").update_balance_locked(BTCUSDT.id, usdt("-1"))

    def test_check_balance_and_can_afford(self) -> None:
        account = cash("1000 USDT")
        qty, px = Quantity("0.02000"), Price("50000.00")
        assert account.can_afford(BTCUSDT, OrderSide.BUY, Quantity("0.01000"), px)  # 500.5
        assert not account.can_afford(BTCUSDT, OrderSide.BUY, qty, px)  # 1001
        with pytest.raises(InsufficientBalance, match=r"needs 1001\.00000000 USDT but only"):
            account.check_balance(BTCUSDT, OrderSide.BUY, Quantity("0.02000"), Price("50000.00"))
        assert not account.can_afford(BTCUSDT, OrderSide.SELL, Quantity("0.01000"), px)

    def test_perpetual_needs_a_margin_account(self) -> None:
        with pytest.raises(ValueError, match="needs a margin account"):
            cash("1 USDT").calculate_balance_locked(
                PERP, OrderSide.BUY, Quantity("0.001"), Price("50000.0")
            )


class TestFills:
    def test_buy_fill_moves_quote_to_base_and_pays_commission(self) -> None:
        account = cash("10000 USDT")
        legs = account.apply_fill(BTCUSDT, fill(OrderSide.BUY, "0.10000", "49000.00", "4.9"))
        assert legs == [Money("0.1", BTC), usdt("-4900"), usdt("-4.9")]
        assert account.balance_total(USDT) == usdt("5095.1")
        assert account.balance_total(BTC) == Money("0.1", BTC)
        assert account.commission(USDT) == usdt("4.9")

    def test_sell_fill_moves_base_to_quote(self) -> None:
        account = cash("0.5 BTC")
        account.apply_fill(BTCUSDT, fill(OrderSide.SELL, "0.20000", "50000.00", "10"))
        assert account.balance_total(BTC) == Money("0.3", BTC)
        assert account.balance_total(USDT) == usdt("9990")

    def test_partial_fill_then_cancel_releases_locks(self) -> None:
        account = cash("10000 USDT")
        qty, px = Quantity("0.15000"), Price("50000.00")
        account.update_balance_locked(
            BTCUSDT.id, account.calculate_balance_locked(BTCUSDT, OrderSide.BUY, qty, px)
        )
        assert account.balance_free(USDT) == usdt("2492.5")  # 10000 - 7507.5
        leaves = Quantity("0.10000")
        account.update_balance_locked(
            BTCUSDT.id, account.calculate_balance_locked(BTCUSDT, OrderSide.BUY, leaves, px)
        )
        account.apply_fill(BTCUSDT, fill(OrderSide.BUY, "0.05000", "50000.00", "2.5"))
        assert account.balance_total(USDT) == usdt("7497.5")
        assert account.balance_locked(USDT) == usdt("5005")
        assert account.balance_free(USDT) == usdt("2492.5")
        account.clear_balance_locked(BTCUSDT.id)  # canceled
        assert account.balance_free(USDT) == usdt("7497.5")

    def test_fill_beyond_the_balance_is_refused_and_nothing_changes(self) -> None:
        account = cash("100 USDT")
        with pytest.raises(AccountBalanceNegative, match="fill"):
            account.apply_fill(BTCUSDT, fill(OrderSide.BUY, "0.01000", "50000.00"))
        assert account.balance_total(USDT) == usdt("100")
        assert account.balance_total(BTC) is None
        assert account.commissions() == {}

    def test_fill_of_another_account_is_refused(self) -> None:
        account = CashAccount(state("10 USDT", account_id=AccountId("OTHER-1")))
        with pytest.raises(ValueError, match="cannot book a fill"):
            account.apply_fill(BTCUSDT, fill(OrderSide.BUY, "0.00001", "1.00"))

    def test_commission_in_another_currency(self) -> None:
        account = cash("1000 USDT", "1 BTC")
        buy = fill(OrderSide.BUY, "0.01000", "50000.00")
        bnb_like = msgspec.structs.replace(buy, commission=Money("0.00001", BTC))
        account.apply_fill(BTCUSDT, bnb_like)
        assert account.balance_total(BTC) == Money("1.00999", BTC)
        assert account.balance_total(USDT) == usdt("500")
        assert account.commissions() == {BTC: Money("0.00001", BTC)}

    def test_equity_in_a_single_currency_account(self) -> None:
        shares = Equity(
            id=InstrumentId("RELIANCE.NSE"),
            raw_symbol=Symbol("RELIANCE"),
            quote_currency=INR,
            settlement_currency=INR,
            price_precision=2,
            size_precision=0,
            price_increment=Price("0.10"),
            size_increment=Quantity("1"),
            taker_fee=Decimal("0.0000297"),
            ts_event=0,
            ts_init=0,
        )
        account = CashAccount(state("100000 INR", base=INR), True)
        locked = account.calculate_balance_locked(
            shares, OrderSide.BUY, Quantity("10"), Price("2500.00")
        )
        assert locked == Money("25000.75", INR)  # 25000 * 1.0000297 = 25000.7425 -> up
        assert account.calculate_balance_locked(
            shares, OrderSide.SELL, Quantity("10"), Price("2500.00")
        ) == Money("0", INR)
        init = TestOrderStubs.init(
            OrderType.LIMIT, quantity="10", instrument_id=shares.id, price=Price("2500.00")
        )
        buy = TestEventStubs.filled(init, px="2500.00", commission="0")
        account.apply_fill(shares, buy)
        assert account.balance_total() == Money("75000", INR)


class TestCommission:
    @pytest.mark.parametrize(
        ("side", "expected"),
        [(LiquiditySide.TAKER, "50.00000000"), (LiquiditySide.MAKER, "50.00000000")],
    )
    def test_fee_on_notional(self, side: LiquiditySide, expected: str) -> None:
        fee = cash("1 USDT").calculate_commission(
            BTCUSDT, Quantity("1.00000"), Price("50000.00"), side
        )
        assert fee == usdt(expected)

    def test_maker_and_taker_rates_differ_on_perp(self) -> None:
        account = MarginAccount(state("1 USDT", account_type=AccountType.MARGIN))
        qty, px = Quantity("1.000"), Price("50000.0")
        assert account.calculate_commission(PERP, qty, px, LiquiditySide.MAKER) == usdt("10")
        assert account.calculate_commission(PERP, qty, px, LiquiditySide.TAKER) == usdt("25")

    def test_rounded_half_even_once(self) -> None:
        # 0.00001 * 0.01 * 0.001 = 1e-10 -> 0 at 8 places
        fee = cash("1 USDT").calculate_commission(
            BTCUSDT, Quantity("0.00001"), Price("0.01"), LiquiditySide.TAKER
        )
        assert fee == usdt("0")

    def test_liquidity_side_is_required(self) -> None:
        with pytest.raises(ValueError, match="MAKER or TAKER"):
            cash("1 USDT").calculate_commission(
                BTCUSDT, Quantity("1"), Price("1"), LiquiditySide.NO_LIQUIDITY_SIDE
            )
