"""Instrument definitions for a node: from config tables, or inferred for a spot pair.

A config names each instrument by its id and gives the fields of the model class::

    [instruments."BTCUSDT.BINANCE"]
    type = "CurrencyPair"            # CurrencyPair, CryptoPerpetual, FuturesContract, Equity,
    base_currency = "BTC"            #   OptionContract
    quote_currency = "USDT"
    price_precision = 2
    size_precision = 5
    taker_fee = "0.001"

Left out: ``id`` and ``raw_symbol`` (from the key), ``price_increment``/``size_increment`` (one
unit of the last decimal), ``settlement_currency`` (the quote currency), ``asset_class``
(CRYPTOCURRENCY for crypto pairs and perpetuals) and the timestamps (0). Decimal values are
given as strings or integers, never floats.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import AssetClass
from shrivenquant.model.identifiers import InstrumentId, Symbol
from shrivenquant.model.instruments import INSTRUMENT_TYPES, CurrencyPair, Instrument
from shrivenquant.model.values import Price, Quantity

_TYPES: Final = {cls.__name__: cls for cls in INSTRUMENT_TYPES}
_CRYPTO_TYPES: Final = frozenset({"CurrencyPair", "CryptoPerpetual"})
_QUOTE_SUFFIXES: Final = ("FDUSD", "USDT", "USDC", "BUSD", "USD", "INR", "EUR", "BTC", "ETH")

_codec: MessageCodec | None = None


def _json_codec() -> MessageCodec:
    global _codec  # noqa: PLW0603 - one codec, built on first use
    if _codec is None:
        _codec = MessageCodec()
    return _codec


def instrument_from_table(key: str, table: Mapping[str, Any]) -> Instrument:
    """Build the instrument ``key`` (its id) from a config table (see the module docstring).

    Raises:
        InvalidInputError: an unknown type, a float, a missing or invalid field; the message
            names the instrument and the field.
    """
    where = f'instruments."{key}"'
    if not isinstance(table, Mapping):
        raise InvalidInputError(f"{where}: expected a table, got {table!r}")
    try:
        instrument_id = InstrumentId(key)
    except ValueError as exc:
        raise InvalidInputError(f"{where}: {exc}") from None
    fields = dict(table)
    kind = fields.pop("type", None)
    if kind not in _TYPES:
        raise InvalidInputError(f"{where}.type: expected one of {', '.join(_TYPES)}, got {kind!r}")
    for name, value in fields.items():
        if isinstance(value, float):
            raise InvalidInputError(
                f'{where}.{name}: give "{value}" as a string; floats are not exact'
            )
    fields.setdefault("id", instrument_id.value)
    fields.setdefault("raw_symbol", instrument_id.symbol.value)
    for name in ("price", "size"):
        precision = fields.get(f"{name}_precision")
        if isinstance(precision, int) and not isinstance(precision, bool):
            fields.setdefault(f"{name}_increment", _unit(precision))
    if "quote_currency" in fields and kind != "CryptoPerpetual":
        fields.setdefault("settlement_currency", fields["quote_currency"])
    if kind in _CRYPTO_TYPES:
        fields.setdefault("asset_class", AssetClass.CRYPTOCURRENCY.value)
    fields.setdefault("ts_event", 0)
    fields.setdefault("ts_init", 0)
    text = json.dumps({"type": kind, **fields}, default=str)
    try:
        instrument = _json_codec().decode_json(text)
    except (ValueError, TypeError) as exc:  # msgspec validation errors are ValueErrors
        raise InvalidInputError(f"{where}: {exc}") from None
    if not isinstance(instrument, Instrument) or instrument.id != instrument_id:
        raise InvalidInputError(f"{where}: the definition does not describe {instrument_id}")
    return instrument


def infer_spot_pair(
    instrument_id: InstrumentId, price_precision: int, size_precision: int
) -> CurrencyPair | None:
    """A fee-free spot pair for ``instrument_id`` when its symbol ends in a known quote
    currency (``BTCUSDT`` -> BTC/USDT) and both codes are registered; else None.

    For running a strategy on a data file that comes without an instrument definition.
    """
    symbol = instrument_id.symbol.value.upper()
    for quote in _QUOTE_SUFFIXES:
        base = symbol[: -len(quote)]
        if symbol.endswith(quote) and base and Currency.is_registered(base):
            if not Currency.is_registered(quote):
                continue
            return CurrencyPair(
                id=instrument_id,
                raw_symbol=Symbol(instrument_id.symbol.value),
                asset_class=AssetClass.CRYPTOCURRENCY,
                base_currency=Currency.from_str(base),
                quote_currency=Currency.from_str(quote),
                settlement_currency=Currency.from_str(quote),
                price_precision=price_precision,
                size_precision=size_precision,
                price_increment=Price(_unit(price_precision)),
                size_increment=Quantity(_unit(size_precision)),
                maker_fee=Decimal(0),
                taker_fee=Decimal(0),
                ts_event=0,
                ts_init=0,
            )
    return None


def _unit(precision: int) -> str:
    """One unit of the last decimal at ``precision`` (``2`` -> ``"0.01"``)."""
    return "1" if precision <= 0 else f"0.{'0' * (precision - 1)}1"
