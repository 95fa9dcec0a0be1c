"""Funds and reduce-only guards of `OrderMatchingEngine`.

- A market order's fills are each checked against the free balance (`_affordable`); an order
  with a price locks what it needs (`_relock`) and may not lock more than is free.
- Reduce-only orders never trade beyond their account's position: before a match the resting
  ones it would fill too far are cut or canceled (`_guard_reduce_only`), and after a fill the
  account's reduce-only orders are cut to the smaller position (`adjust_reduce_only`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from shrivenquant.model.enums import OrderSide, OrderStatus
from shrivenquant.sim.accounts import VenueAccount
from shrivenquant.sim.orders import SimOrder
from shrivenquant.sim.rejects import RejectCode, reason

if TYPE_CHECKING:
    from shrivenquant.book import MatchingBook
    from shrivenquant.model.instruments import Instrument

_BUY: Final = OrderSide.BUY
_SELL: Final = OrderSide.SELL


class OrderGuards:
    """Funds and reduce-only rules of `OrderMatchingEngine` (see the module docstring)."""

    instrument: Instrument
    book: MatchingBook
    _lot: int
    _resting: dict[int, SimOrder]
    _reduce_only: dict[int, SimOrder]

    if TYPE_CHECKING:

        def _close(self, order: SimOrder, status: OrderStatus) -> None: ...

        def _report_updated(self, order: SimOrder) -> None: ...

    def _affordable(self, order: SimOrder, qty: int, price: int) -> int:
        """The most of ``qty`` (in whole lots) a cash account can pay for at ``price``."""
        account = order.account
        instrument = self.instrument
        side = order.side
        if account.shortfall(account.required(instrument, side, qty, price)) is None:
            return qty
        low, high = 0, qty // self._lot
        while low < high:
            mid = (low + high + 1) // 2
            if account.shortfall(account.required(instrument, side, mid * self._lot, price)):
                high = mid - 1
            else:
                low = mid
        return low * self._lot

    def _why_short(self, order: SimOrder, qty: int, price: int) -> str:
        account = order.account
        need = account.required(self.instrument, order.side, qty, price)
        return account.shortfall(need) or f"the order needs {need}"

    def _relock(self, order: SimOrder) -> str | None:
        """Lock what ``order`` needs now; the refusal reason if the free balance is short."""
        account = order.account
        amount = account.lock_for(self.instrument, order)
        old = account.order_lock(order)
        if amount is not None and (
            old is None or amount.raw > old.raw or amount.currency != old.currency
        ):
            short = account.shortfall(amount, released=old)
            if short is not None:
                return reason(RejectCode.INSUFFICIENT_BALANCE, short)
        account.set_lock(self.instrument, order, amount)
        return None

    def _guard_reduce_only(
        self,
        taker_side: OrderSide,
        limit: int,
        qty: int,
        taker_account: VenueAccount | None,
    ) -> bool:
        """Before a match, cut or cancel resting reduce-only orders it would fill beyond their
        account's position. Assumes the whole ``qty`` trades in the book (conservative).

        Returns:
            Whether any resting order was changed.
        """
        if not self._reduce_only:
            return False
        maker_side = taker_side.opposite
        instrument_id = self.instrument.id
        moves: dict[VenueAccount, int] = {}
        remaining = qty
        changed = False
        for key, price, leaves, _ in self.book.orders_raw(maker_side):
            if remaining <= 0 or (price > limit if taker_side is _BUY else price < limit):
                break
            maker = self._resting[key]
            take = min(leaves, remaining)
            if maker.init.reduce_only:
                account = maker.account
                net = account.net_raw(instrument_id) + moves.get(account, 0)
                allowed = max(net, 0) if maker_side is _SELL else max(-net, 0)
                if take > allowed:
                    changed = True
                    if allowed <= 0:
                        self._close(maker, OrderStatus.CANCELED)
                        continue
                    self.cut(maker, allowed)
                    take = allowed
            signed = take if maker_side is _BUY else -take
            moves[maker.account] = moves.get(maker.account, 0) + signed
            if taker_account is not None:
                moves[taker_account] = moves.get(taker_account, 0) - signed
            remaining -= take
        return changed

    def adjust_reduce_only(self, account: VenueAccount) -> None:
        """Cut or cancel the account's reduce-only orders that exceed its position now."""
        for order in list(self._reduce_only.values()):
            if order.account is not account or not order.is_open:
                continue
            allowed = account.reducible_raw(self.instrument.id, order.side)
            if allowed <= 0:
                self._close(order, OrderStatus.CANCELED)
            elif order.leaves_raw > allowed:
                self.cut(order, allowed)

    def cut(self, order: SimOrder, leaves: int) -> None:
        """Cut an open order's open quantity to ``leaves`` (> 0), keeping its priority."""
        order.quantity_raw = order.filled_raw + leaves
        if order.key in self._resting:
            assert order.price_raw is not None
            self.book.modify(order.key, order.price_raw, leaves)
        order.account.set_lock(
            self.instrument, order, order.account.lock_for(self.instrument, order)
        )
        self._report_updated(order)
