"""Property: a cash account's balances never go negative under random valid order flow.

Orders are accepted only when `CashAccount.can_afford` says so (as the risk engine and the
simulated venue do); accepted orders lock, fill at their limit or better, pay a commission, and
cancel. Every refused order must also be one that locking would have refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.accounts import AccountBalanceNegative, CashAccount, InsufficientBalance
from shrivenquant.model.balances import AccountBalance
from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.enums import AccountType, LiquiditySide, OrderSide, OrderType
from shrivenquant.model.events import AccountState
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestEventStubs, TestIdStubs, TestOrderStubs

BTCUSDT = TestInstrumentProvider.btcusdt_binance()


@dataclass
class OpenOrder:
    side: OrderSide
    leaves: Quantity
    price: Price


def _locks(account: CashAccount, orders: list[OpenOrder]) -> list[Money]:
    return [
        account.calculate_balance_locked(BTCUSDT, o.side, o.leaves, o.price)
        for o in orders
        if o.leaves.raw
    ]


def _assert_invariants(account: CashAccount, orders: list[OpenOrder]) -> None:
    expected_locked: dict[object, int] = {}
    for amount in _locks(account, orders):
        expected_locked[amount.currency] = expected_locked.get(amount.currency, 0) + amount.raw
    for currency, balance in account.balances().items():
        assert balance.total.raw >= 0, balance
        assert balance.free.raw >= 0, balance
        assert balance.total.raw == balance.locked.raw + balance.free.raw
        assert balance.locked.raw == expected_locked.get(currency, 0)


def _fill(order: OpenOrder, qty: Quantity, px: Price, commission: Money) -> object:
    init = TestOrderStubs.init(OrderType.LIMIT, order.side, quantity=str(qty))
    filled = TestEventStubs.filled(init, px=str(px))
    return msgspec.structs.replace(filled, commission=commission)


@settings(max_examples=250, deadline=None)
@given(
    usdt=st.integers(0, 200_000),
    btc_units=st.integers(0, 400_000),  # 0 .. 4 BTC in 0.00001 steps
    data=st.data(),
)
def test_cash_balances_never_go_negative(usdt: int, btc_units: int, data: st.DataObject) -> None:
    account = CashAccount(
        AccountState(
            account_id=TestIdStubs.account_id,
            account_type=AccountType.CASH,
            base_currency=None,
            balances=[
                AccountBalance.from_total_locked(Money(usdt, USDT), Money(0, USDT)),
                AccountBalance.from_total_locked(
                    Money.from_raw(btc_units * 10_000, BTC), Money(0, BTC)
                ),
            ],
            event_id=UUID4(),
            ts_event=0,
            ts_init=0,
        ),
        calculate_account_state=True,
    )
    orders: list[OpenOrder] = []
    for _ in range(data.draw(st.integers(1, 40), label="steps")):
        action = data.draw(st.sampled_from(["order", "order", "fill", "fill", "cancel"]))
        if action == "order":
            side = data.draw(st.sampled_from([OrderSide.BUY, OrderSide.SELL]))
            qty = Quantity.from_raw(data.draw(st.integers(1, 200_000)) * 10_000, 5)
            price = Price.from_raw(data.draw(st.integers(1, 10_000_000)) * 10_000_000, 2)
            if account.can_afford(BTCUSDT, side, qty, price):
                orders.append(OpenOrder(side, qty, price))
                account.update_balance_locked(BTCUSDT.id, _locks(account, orders))
            else:
                with pytest.raises(InsufficientBalance):
                    account.check_balance(BTCUSDT, side, qty, price)
                before = account.balances()
                with pytest.raises(AccountBalanceNegative):
                    account.update_balance_locked(
                        BTCUSDT.id,
                        [*_locks(account, orders), *_locks(account, [OpenOrder(side, qty, price)])],
                    )
                assert account.balances() == before
        elif action == "fill" and orders:
            order = data.draw(st.sampled_from(orders))
            qty = Quantity.from_raw(
                data.draw(st.integers(1, order.leaves.raw // 10_000)) * 10_000, 5
            )
            improvement = data.draw(st.integers(0, order.price.raw // 10_000_000 - 1))
            step = -1 if order.side is OrderSide.BUY else 1
            px = Price.from_raw(order.price.raw + step * improvement * 10_000_000, 2)
            liquidity = data.draw(st.sampled_from([LiquiditySide.MAKER, LiquiditySide.TAKER]))
            commission = account.calculate_commission(BTCUSDT, qty, px, liquidity)
            order.leaves = order.leaves - qty
            if not order.leaves.raw:
                orders.remove(order)
            account.update_balance_locked(BTCUSDT.id, _locks(account, orders))
            account.apply_fill(BTCUSDT, _fill(order, qty, px, commission))  # type: ignore[arg-type]
        elif action == "cancel" and orders:
            orders.remove(data.draw(st.sampled_from(orders)))
            account.update_balance_locked(BTCUSDT.id, _locks(account, orders))
        _assert_invariants(account, orders)
