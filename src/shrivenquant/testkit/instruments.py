"""Ready-made instruments with realistic venue parameters, for tests and examples.

Binance values follow the venue's exchange information (price and lot filters, minimum
notional, regular-tier fees, the first leverage bracket of the perpetual). NSE values follow
the exchange's contract specifications:

- NIFTY lot size is 75 for contracts expiring up to 30 Dec 2025 and 65 for contracts from
  January 2026 (NSE revision of October 2025); older history used 25 (May-Nov 2024) and 50.
  `nifty_lot_size` encodes the two current values; pass ``lot_size`` for anything else.
- Tick size: 0.05 for index options; 0.10 for NIFTY futures and for shares priced
  1,000-5,000 (NSE tick-size bands since April 2025).
- Expiry is 15:30 IST (10:00 UTC) on the expiry day; monthly NIFTY contracts expire on the
  last Tuesday of the month since September 2025 (the last Thursday before).
- Fees are the NSE exchange transaction charges as fractions of turnover (option premium,
  futures or share value); brokerage, STT, stamp duty and GST are for a fee model.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Final

from shrivenquant.model.currency import BTC, ETH, INR, USDT
from shrivenquant.model.enums import AssetClass, OptionKind, OptionStyle
from shrivenquant.model.identifiers import InstrumentId, Symbol
from shrivenquant.model.instruments import (
    CryptoPerpetual,
    CurrencyPair,
    Equity,
    FuturesContract,
    OptionContract,
)
from shrivenquant.model.values import Money, Price, Quantity

_MONTHS: Final = (
    "JAN",
    "FEB",
    "MAR",
    "APR",
    "MAY",
    "JUN",
    "JUL",
    "AUG",
    "SEP",
    "OCT",
    "NOV",
    "DEC",
)
_NSE_EXPIRY_UTC: Final = time(10, 0)  # 15:30 IST
_NSE_OPEN_UTC: Final = time(3, 45)  # 09:15 IST
_CONTRACT_LIFE: Final = timedelta(days=90)  # three serial months are listed at a time
_LOT_65_FROM: Final = date(2025, 12, 31)  # first expiry after the last 75-lot contracts

DEFAULT_NIFTY_EXPIRY: Final = date(2025, 12, 30)
"""The December 2025 monthly NIFTY expiry (a Tuesday), the last monthly with a lot of 75."""


def nifty_lot_size(expiry: date) -> int:
    """The NIFTY lot size for a contract expiring on ``expiry``: 75 up to 30 Dec 2025, then 65.

    Raises:
        ValueError: ``expiry`` is before 2025, when other lot sizes applied.
    """
    if expiry < date(2025, 1, 1):
        raise ValueError(
            f"NIFTY lot sizes before 2025 changed several times (25, then 75 for contracts "
            f"listed from 20 Nov 2024); pass lot_size explicitly for expiry {expiry}"
        )
    return 65 if expiry >= _LOT_65_FROM else 75


def nse_monthly_symbol(
    underlying: str,
    expiry: date,
    strike: Decimal | int | None = None,
    kind: OptionKind | None = None,
) -> str:
    """The NSE monthly contract symbol: ``NIFTY25DEC24000CE`` (option) or ``NIFTY25DECFUT``."""
    stem = f"{underlying}{expiry:%y}{_MONTHS[expiry.month - 1]}"
    if strike is None or kind is None:
        return f"{stem}FUT"
    suffix = "CE" if kind is OptionKind.CALL else "PE"
    return f"{stem}{Decimal(strike).normalize():f}{suffix}"


def _ns(day: date, at: time) -> int:
    moment = datetime.combine(day, at, tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000_000


class TestInstrumentProvider:
    """Factory methods for a few instruments with realistic parameters."""

    __test__ = False  # not a pytest test class

    @staticmethod
    def btcusdt_binance() -> CurrencyPair:
        """Binance spot BTCUSDT: tick 0.01, step 0.00001, min notional 5 USDT, fees 0.1 %."""
        return CurrencyPair(
            id=InstrumentId("BTCUSDT.BINANCE"),
            raw_symbol=Symbol("BTCUSDT"),
            asset_class=AssetClass.CRYPTOCURRENCY,
            base_currency=BTC,
            quote_currency=USDT,
            settlement_currency=USDT,
            price_precision=2,
            size_precision=5,
            price_increment=Price("0.01"),
            size_increment=Quantity("0.00001"),
            min_quantity=Quantity("0.00001"),
            max_quantity=Quantity("9000.00000"),
            min_notional=Money("5", USDT),
            max_notional=Money("9000000", USDT),
            min_price=Price("0.01"),
            max_price=Price("1000000.00"),
            maker_fee=Decimal("0.001"),
            taker_fee=Decimal("0.001"),
            ts_event=0,
            ts_init=0,
        )

    @staticmethod
    def ethusdt_binance() -> CurrencyPair:
        """Binance spot ETHUSDT: tick 0.01, step 0.0001, min notional 5 USDT, fees 0.1 %."""
        return CurrencyPair(
            id=InstrumentId("ETHUSDT.BINANCE"),
            raw_symbol=Symbol("ETHUSDT"),
            asset_class=AssetClass.CRYPTOCURRENCY,
            base_currency=ETH,
            quote_currency=USDT,
            settlement_currency=USDT,
            price_precision=2,
            size_precision=4,
            price_increment=Price("0.01"),
            size_increment=Quantity("0.0001"),
            min_quantity=Quantity("0.0001"),
            max_quantity=Quantity("9000.0000"),
            min_notional=Money("5", USDT),
            max_notional=Money("9000000", USDT),
            min_price=Price("0.01"),
            max_price=Price("1000000.00"),
            maker_fee=Decimal("0.001"),
            taker_fee=Decimal("0.001"),
            ts_event=0,
            ts_init=0,
        )

    @staticmethod
    def btcusdt_perp_binance() -> CryptoPerpetual:
        """Binance USD-M perpetual BTCUSDT as ``BTCUSDT-PERP.BINANCE``: tick 0.10, step 0.001,
        min notional 100 USDT, fees 0.02 % / 0.05 %, margins of the 125x bracket."""
        return CryptoPerpetual(
            id=InstrumentId("BTCUSDT-PERP.BINANCE"),
            raw_symbol=Symbol("BTCUSDT"),
            asset_class=AssetClass.CRYPTOCURRENCY,
            base_currency=BTC,
            quote_currency=USDT,
            settlement_currency=USDT,
            is_inverse=False,
            price_precision=1,
            size_precision=3,
            price_increment=Price("0.1"),
            size_increment=Quantity("0.001"),
            min_quantity=Quantity("0.001"),
            max_quantity=Quantity("1000.000"),
            min_notional=Money("100", USDT),
            min_price=Price("556.8"),
            max_price=Price("4529764.0"),
            maker_fee=Decimal("0.0002"),
            taker_fee=Decimal("0.0005"),
            margin_init=Decimal("0.008"),
            margin_maint=Decimal("0.004"),
            ts_event=0,
            ts_init=0,
        )

    @staticmethod
    def nifty_option(
        strike: Decimal | int | str = 24000,
        kind: OptionKind = OptionKind.CALL,
        expiry: date = DEFAULT_NIFTY_EXPIRY,
        lot_size: int | None = None,
    ) -> OptionContract:
        """A NIFTY monthly index option, e.g. ``NIFTY25DEC24000CE.NSE``.

        Tick 0.05, lot 75 (see `nifty_lot_size`), multiplier 1, premium in INR, European,
        expiring 15:30 IST on ``expiry``; freeze quantity (largest order) 24 lots.
        """
        lot = nifty_lot_size(expiry) if lot_size is None else lot_size
        strike_price = Price(Decimal(str(strike)), precision=2)
        symbol = nse_monthly_symbol("NIFTY", expiry, strike_price.as_decimal(), kind)
        return OptionContract(
            id=InstrumentId.from_parts(symbol, "NSE"),
            raw_symbol=Symbol(symbol),
            asset_class=AssetClass.INDEX,
            underlying="NIFTY",
            option_kind=kind,
            option_style=OptionStyle.EUROPEAN,
            strike_price=strike_price,
            activation_ns=_ns(expiry - _CONTRACT_LIFE, _NSE_OPEN_UTC),
            expiration_ns=_ns(expiry, _NSE_EXPIRY_UTC),
            quote_currency=INR,
            settlement_currency=INR,
            price_precision=2,
            size_precision=0,
            price_increment=Price("0.05"),
            size_increment=Quantity(1),
            lot_size=Quantity(lot),
            min_quantity=Quantity(lot),
            max_quantity=Quantity(lot * 24),
            min_price=Price("0.05"),
            maker_fee=Decimal("0.0003503"),
            taker_fee=Decimal("0.0003503"),
            ts_event=0,
            ts_init=0,
        )

    @staticmethod
    def nifty_future(
        expiry: date = DEFAULT_NIFTY_EXPIRY, lot_size: int | None = None
    ) -> FuturesContract:
        """The NIFTY monthly future, e.g. ``NIFTY25DECFUT.NSE``: tick 0.10, lot 75, INR.

        Margins approximate SPAN plus exposure margin (12 % initial, 9 % maintenance).
        """
        lot = nifty_lot_size(expiry) if lot_size is None else lot_size
        symbol = nse_monthly_symbol("NIFTY", expiry)
        return FuturesContract(
            id=InstrumentId.from_parts(symbol, "NSE"),
            raw_symbol=Symbol(symbol),
            asset_class=AssetClass.INDEX,
            underlying="NIFTY",
            activation_ns=_ns(expiry - _CONTRACT_LIFE, _NSE_OPEN_UTC),
            expiration_ns=_ns(expiry, _NSE_EXPIRY_UTC),
            quote_currency=INR,
            settlement_currency=INR,
            price_precision=2,
            size_precision=0,
            price_increment=Price("0.10"),
            size_increment=Quantity(1),
            lot_size=Quantity(lot),
            min_quantity=Quantity(lot),
            max_quantity=Quantity(lot * 24),
            maker_fee=Decimal("0.0000173"),
            taker_fee=Decimal("0.0000173"),
            margin_init=Decimal("0.12"),
            margin_maint=Decimal("0.09"),
            ts_event=0,
            ts_init=0,
        )

    @staticmethod
    def reliance_nse() -> Equity:
        """Reliance Industries on the NSE cash market: ``RELIANCE.NSE``, tick 0.10, 1 share."""
        return Equity(
            id=InstrumentId("RELIANCE.NSE"),
            raw_symbol=Symbol("RELIANCE"),
            isin="INE002A01018",
            quote_currency=INR,
            settlement_currency=INR,
            price_precision=2,
            size_precision=0,
            price_increment=Price("0.10"),
            size_increment=Quantity(1),
            min_quantity=Quantity(1),
            maker_fee=Decimal("0.0000297"),
            taker_fee=Decimal("0.0000297"),
            ts_event=0,
            ts_init=0,
        )
