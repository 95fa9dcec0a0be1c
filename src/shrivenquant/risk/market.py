"""The latest market prices the risk engine checks against, as raw fixed-point ints.

One `PriceState` per instrument (keyed by the instrument id's string) holds the best bid, best
ask, last trade and last bar close (0: not seen) and when the last update arrived (``ts``, our
clock, for the stale-data breaker). A bar's close stands in for the market only where there is
no quote or trade: a run on bars alone is valued at the closes, and a bar counts as fresh data.
``version`` grows with every update, so exposure totals valued at these prices know when to
recompute.
"""

from __future__ import annotations

from shrivenquant.cache import Cache
from shrivenquant.model.data import Bar, QuoteTick, TradeTick
from shrivenquant.risk.config_sections import ReferencePrice


class PriceState:
    """Latest bid, ask, last trade and bar close of one instrument (raw ints, 0 when unknown),
    and the reference price derived from them at the last update (``reference``)."""

    __slots__ = ("ask", "bid", "close", "last", "reference", "ts")

    def __init__(self) -> None:
        self.bid = 0
        self.ask = 0
        self.last = 0
        self.close = 0
        self.reference = 0
        self.ts = -1


class MarketPrices:
    """Latest prices per instrument and the reference price derived from them.

    Args:
        reference: MID (mid of the quote, else the last trade) or LAST (the last trade, else
            the mid); either falls back on the last bar close.
    """

    __slots__ = ("_use_mid", "states", "version")

    def __init__(self, reference: ReferencePrice) -> None:
        self.states: dict[str, PriceState] = {}
        self.version = 0
        self._use_mid = reference is ReferencePrice.MID

    def on_quote(self, quote: QuoteTick, ts: int) -> PriceState:
        """Record a quote received at ``ts``."""
        key = quote.instrument_id.value
        state = self.states.get(key)
        if state is None:
            state = self.states[key] = PriceState()
        state.bid = quote.bid_price.raw
        state.ask = quote.ask_price.raw
        state.ts = ts
        state.reference = self._derive(state)
        self.version += 1
        return state

    def on_trade(self, trade: TradeTick, ts: int) -> PriceState:
        """Record a trade received at ``ts``."""
        key = trade.instrument_id.value
        state = self.states.get(key)
        if state is None:
            state = self.states[key] = PriceState()
        state.last = trade.price.raw
        state.ts = ts
        state.reference = self._derive(state)
        self.version += 1
        return state

    def on_bar(self, bar: Bar, ts: int) -> PriceState:
        """Record a bar received at ``ts`` (its close, whatever price type the bar is of)."""
        key = bar.bar_type.instrument_id.value
        state = self.states.get(key)
        if state is None:
            state = self.states[key] = PriceState()
        state.close = bar.close.raw
        state.ts = ts
        state.reference = self._derive(state)
        self.version += 1
        return state

    def seed(self, cache: Cache) -> None:
        """Take the latest quotes and trades already in the cache."""
        for instrument_id in cache.instrument_ids():
            quote = cache.quote(instrument_id)
            if quote is not None:
                self.on_quote(quote, quote.ts_init)
            trade = cache.trade(instrument_id)
            if trade is not None:
                self.on_trade(trade, max(trade.ts_init, self._ts(instrument_id.value)))

    def _ts(self, key: str) -> int:
        state = self.states.get(key)
        return -1 if state is None else state.ts

    def reference(self, key: str) -> int:
        """The reference price of an instrument (raw), 0 when there is none."""
        state = self.states.get(key)
        return 0 if state is None else self.reference_of(state)

    def reference_of(self, state: PriceState) -> int:
        """The reference price of an instrument's price state (raw), 0 when there is none."""
        return state.reference

    def _derive(self, state: PriceState) -> int:
        """The reference price from the state's prices (computed once per update, read by
        every order)."""
        bid, ask = state.bid, state.ask
        mid = (bid + ask) // 2 if bid > 0 and ask > 0 else 0
        if self._use_mid:
            return mid or state.last or state.close
        return state.last or mid or state.close

    def execution(self, key: str, sign: int) -> int:
        """What a market order would likely pay: the ask to buy, the bid to sell (raw), else
        the reference price; 0 when unknown."""
        state = self.states.get(key)
        if state is not None:
            side = state.ask if sign > 0 else state.bid
            if side > 0:
                return side
        return self.reference(key)

    def clear(self) -> None:
        """Forget every price."""
        self.states.clear()
        self.version += 1
