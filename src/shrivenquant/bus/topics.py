"""The one place topic and endpoint names are built.

Components never spell a topic by hand; they call these builders, so a publisher and its
subscribers always agree. Topics are dotted, from general to specific:

| builder                              | topic                                   |
|--------------------------------------|-----------------------------------------|
| `quotes(instrument_id)`              | ``data.quotes.<VENUE>.<SYMBOL>``        |
| `trades(instrument_id)`              | ``data.trades.<VENUE>.<SYMBOL>``        |
| `bars(bar_type)`                     | ``data.bars.<BAR_TYPE>``                |
| `book_deltas(instrument_id)`         | ``data.book.deltas.<VENUE>.<SYMBOL>``   |
| `book_snapshots(instrument_id)`      | ``data.book.snapshots.<VENUE>.<SYMBOL>``|
| `instrument(instrument_id)`          | ``data.instrument.<VENUE>.<SYMBOL>``    |
| `order_events(strategy_id)`          | ``events.order.<STRATEGY_ID>``          |
| `position_events(strategy_id)`       | ``events.position.<STRATEGY_ID>``       |
| `account_state(account_id)`          | ``events.account.<ACCOUNT_ID>``         |
| `risk_events()`                      | ``events.risk``                         |
| `component_state()`                  | ``events.component``                    |

The ``*_all`` builders return wildcard patterns for subscribing to every instrument (optionally
of one venue) or every strategy. Builders reject parts that are empty or contain whitespace or a
wildcard character, so a value can never widen a subscription by accident.

Endpoint names (for `MessageBus.register` and `MessageBus.send`) are the constants at the end.
"""

from __future__ import annotations

from typing import Final, Protocol

from shrivenquant.bus.matching import WILDCARD_CHARS


class InstrumentIdLike(Protocol):
    """What topic builders need of an instrument id: its symbol and venue parts."""

    @property
    def symbol(self) -> object:
        """The symbol part (``BTCUSDT``)."""
        ...

    @property
    def venue(self) -> object:
        """The venue part (``BINANCE``)."""
        ...


def _part(value: object, what: str) -> str:
    text = str(value)
    if not text:
        raise ValueError(f"{what} for a topic must not be empty")
    if any(c.isspace() for c in text) or not text.isprintable():
        raise ValueError(f"{what} for a topic must not contain whitespace: {text!r}")
    if any(c in WILDCARD_CHARS for c in text):
        raise ValueError(f"{what} for a topic must not contain '*' or '?': {text!r}")
    return text


def _instrument_topic(prefix: str, instrument_id: InstrumentIdLike) -> str:
    venue = _part(instrument_id.venue, "venue")
    symbol = _part(instrument_id.symbol, "symbol")
    return f"{prefix}.{venue}.{symbol}"


def _all_topic(prefix: str, venue: object | None) -> str:
    if venue is None:
        return f"{prefix}.*"
    return f"{prefix}.{_part(venue, 'venue')}.*"


# --- market data ---------------------------------------------------------------------------


def quotes(instrument_id: InstrumentIdLike) -> str:
    """Topic of quote ticks for one instrument: ``data.quotes.<VENUE>.<SYMBOL>``."""
    return _instrument_topic("data.quotes", instrument_id)


def quotes_all(venue: object | None = None) -> str:
    """Pattern for quotes of every instrument, or of every instrument of ``venue``."""
    return _all_topic("data.quotes", venue)


def trades(instrument_id: InstrumentIdLike) -> str:
    """Topic of trade ticks for one instrument: ``data.trades.<VENUE>.<SYMBOL>``."""
    return _instrument_topic("data.trades", instrument_id)


def trades_all(venue: object | None = None) -> str:
    """Pattern for trades of every instrument, or of every instrument of ``venue``."""
    return _all_topic("data.trades", venue)


def bars(bar_type: object) -> str:
    """Topic of bars of one bar type: ``data.bars.<str(bar_type)>``."""
    return f"data.bars.{_part(bar_type, 'bar type')}"


def bars_all() -> str:
    """Pattern for bars of every bar type."""
    return "data.bars.*"


def book_deltas(instrument_id: InstrumentIdLike) -> str:
    """Topic of order book deltas: ``data.book.deltas.<VENUE>.<SYMBOL>``."""
    return _instrument_topic("data.book.deltas", instrument_id)


def book_deltas_all(venue: object | None = None) -> str:
    """Pattern for book deltas of every instrument, or of every instrument of ``venue``."""
    return _all_topic("data.book.deltas", venue)


def book_snapshots(instrument_id: InstrumentIdLike) -> str:
    """Topic of order book snapshots: ``data.book.snapshots.<VENUE>.<SYMBOL>``."""
    return _instrument_topic("data.book.snapshots", instrument_id)


def book_snapshots_all(venue: object | None = None) -> str:
    """Pattern for book snapshots of every instrument, or of every instrument of ``venue``."""
    return _all_topic("data.book.snapshots", venue)


def instrument(instrument_id: InstrumentIdLike) -> str:
    """Topic of instrument definition updates: ``data.instrument.<VENUE>.<SYMBOL>``."""
    return _instrument_topic("data.instrument", instrument_id)


def instruments_all(venue: object | None = None) -> str:
    """Pattern for definition updates of every instrument, or of every one of ``venue``."""
    return _all_topic("data.instrument", venue)


# --- trading state events ------------------------------------------------------------------


def order_events(strategy_id: object) -> str:
    """Topic of the order events of one strategy: ``events.order.<STRATEGY_ID>``."""
    return f"events.order.{_part(strategy_id, 'strategy id')}"


def order_events_all() -> str:
    """Pattern for the order events of every strategy."""
    return "events.order.*"


def position_events(strategy_id: object) -> str:
    """Topic of the position events of one strategy: ``events.position.<STRATEGY_ID>``."""
    return f"events.position.{_part(strategy_id, 'strategy id')}"


def position_events_all() -> str:
    """Pattern for the position events of every strategy."""
    return "events.position.*"


def account_state(account_id: object) -> str:
    """Topic of account state updates: ``events.account.<ACCOUNT_ID>``."""
    return f"events.account.{_part(account_id, 'account id')}"


def account_state_all() -> str:
    """Pattern for the state updates of every account."""
    return "events.account.*"


def risk_events() -> str:
    """Topic of risk engine events (trading state changes, breaches, kill switch)."""
    return "events.risk"


def component_state() -> str:
    """Topic of component lifecycle state changes."""
    return "events.component"


# --- endpoints (commands) ------------------------------------------------------------------

EXEC_ENGINE_EXECUTE: Final = "ExecEngine.execute"
"""Trading commands that passed risk checks, for the execution engine."""
EXEC_ENGINE_PROCESS: Final = "ExecEngine.process"
"""Order status and fill reports from execution clients, for the execution engine."""
RISK_ENGINE_EXECUTE: Final = "RiskEngine.execute"
"""Trading commands from strategies, for pre-trade risk checks."""
DATA_ENGINE_EXECUTE: Final = "DataEngine.execute"
"""Data subscription commands, for the data engine."""
DATA_ENGINE_PROCESS: Final = "DataEngine.process"
"""Market data from data clients, for the data engine."""
DATA_ENGINE_REQUEST: Final = "DataEngine.request"
"""Data requests (historical bars, instruments), answered through request/response."""
PORTFOLIO_UPDATE_ACCOUNT: Final = "Portfolio.update_account"
"""Account state updates, for the portfolio."""
