"""The funds stage of the pre-trade check: can the account pay for the order?

The account is the one of the instrument's venue; its `MarginModel` says how much the order
needs (`shrivenquant.risk.margin`). The order passes when that fits in the account's free
balance less what orders already let through, but not yet at the venue, need: those are
counted in the ledger's ``pending`` until the venue has them (the account then locks their
funds itself).
"""

from __future__ import annotations

from shrivenquant.cache import Cache
from shrivenquant.model.accounts import Account
from shrivenquant.model.currency import Currency
from shrivenquant.model.values import Money
from shrivenquant.risk.ledger import Exposure, RiskLedger
from shrivenquant.risk.margin import CashMarginModel, MarginDenied, MarginModels
from shrivenquant.risk.reasons import Denial, RiskReason
from shrivenquant.risk.tables import LimitTable


class FundsCheck:
    """Checks an order against its account's free balance or margin.

    After a pass, ``pending_key``/``pending_raw`` say what the order needs until it reaches
    the venue (``pending_raw`` 0: nothing).
    """

    __slots__ = ("_cache", "_ledger", "_margins", "pending_key", "pending_raw")

    def __init__(self, cache: Cache, ledger: RiskLedger, margins: MarginModels) -> None:
        self._cache = cache
        self._ledger = ledger
        self._margins = margins
        self.pending_key = ""
        self.pending_raw = 0

    def check(
        self, table: LimitTable, exposure: Exposure, sign: int, added: int, px: int
    ) -> Denial | None:
        """Refuse when the account cannot fund ``added`` more quantity at ``px``."""
        self.pending_raw = 0
        account = table.account
        if account is None or table.margin_model is None:
            found = self._cache.account_for_venue(table.instrument_id.venue)
            if not isinstance(found, Account):
                return (
                    RiskReason.NO_ACCOUNT,
                    f"no account for venue {table.venue_key} to fund the order from",
                )
            account = self._bind(table, found)
        # Funds that only depend on the order skip the model's general interface.
        linear = table.funds_buy if sign > 0 else table.funds_sell
        if linear is not None:
            funds, key = linear
            currency = funds.currency
            needed = funds.amount(added, px)
        else:
            model = table.margin_model
            assert model is not None  # bound above
            before = exposure.pos + exposure.buy if sign > 0 else exposure.pos - exposure.sell
            after = before + added if sign > 0 else before - added
            try:
                currency, needed = model.requirement(
                    account, table.instrument, sign, added, px, before, after
                )
            except MarginDenied as exc:
                return exc.code, str(exc)
            key = self._pending_key(table, account, currency)
        if needed <= 0:
            return None
        balance = account.balance(currency)
        free = 0 if balance is None else balance.free.raw
        pending = self._ledger.pending.get(key, 0)
        if needed > free - pending:
            reason = (
                RiskReason.INSUFFICIENT_BALANCE
                if account.is_cash_account
                else RiskReason.INSUFFICIENT_MARGIN
            )
            return (
                reason,
                f"the order needs {Money.from_raw(needed, currency)}; {account.id} has "
                f"{Money.from_raw(free, currency)} free, {Money.from_raw(pending, currency)} "
                f"of it promised to orders on their way",
            )
        self.pending_key = key
        self.pending_raw = needed
        return None

    def _bind(self, table: LimitTable, account: Account) -> Account:
        """Remember on ``table`` its account, margin model and what it can precompute."""
        model = self._margins.model_for(account, table.instrument)
        table.account = account
        table.margin_model = model
        table.funds_buy = table.funds_sell = None
        if isinstance(model, CashMarginModel):
            for sign in (1, -1):
                funds = model.linear(table.instrument, sign)
                if funds is not None:
                    entry = (funds, self._pending_key(table, account, funds.currency))
                    if sign > 0:
                        table.funds_buy = entry
                    else:
                        table.funds_sell = entry
        return account

    @staticmethod
    def _pending_key(table: LimitTable, account: Account, currency: Currency) -> str:
        """The ledger's key of what orders on their way need in ``currency``."""
        code = currency.code
        key = table.pending_keys.get(code)
        if key is None:
            key = table.pending_keys[code] = f"{account.id.value}:{code}"
        return key
