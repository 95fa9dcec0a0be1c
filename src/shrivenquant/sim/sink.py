"""`VenueEventSink`: where a simulated venue reports what happened to an account's orders.

`SimExecutionClient` implements it by sending the matching order events to the execution
engine; tests may implement it to record what the venue said. Fills are handed over as the
`OrderFilled` events the venue built (it books the same objects into the account).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from shrivenquant.model.events import OrderFilled
from shrivenquant.model.identifiers import (
    ClientOrderId,
    InstrumentId,
    StrategyId,
    VenueOrderId,
)
from shrivenquant.model.reports import OrderStatusReport
from shrivenquant.sim.orders import SimOrder

if TYPE_CHECKING:
    from shrivenquant.sim.accounts import VenueAccount


class VenueEventSink(Protocol):
    """Receives the venue's reports for one account."""

    def on_order_accepted(self, order: SimOrder) -> None:
        """The venue accepted the order."""
        ...

    def on_order_rejected(self, order: SimOrder, reason: str, due_post_only: bool) -> None:
        """The venue refused the order."""
        ...

    def on_order_canceled(self, order: SimOrder) -> None:
        """The venue canceled the order."""
        ...

    def on_order_expired(self, order: SimOrder) -> None:
        """The order's time in force ran out (or a market order found nothing more to fill)."""
        ...

    def on_order_triggered(self, order: SimOrder) -> None:
        """A stop-limit or limit-if-touched order's trigger fired."""
        ...

    def on_order_updated(self, order: SimOrder) -> None:
        """The order's quantity, price or trigger changed."""
        ...

    def on_order_filled(self, fill: OrderFilled) -> None:
        """The order traded."""
        ...

    def on_modify_rejected(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        venue_order_id: VenueOrderId | None,
        reason: str,
    ) -> None:
        """A modify request was refused."""
        ...

    def on_cancel_rejected(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        venue_order_id: VenueOrderId | None,
        reason: str,
    ) -> None:
        """A cancel request was refused."""
        ...

    def on_account_changed(self, account: VenueAccount) -> None:
        """The account's balances, locks or margins changed (reported once per action)."""
        ...

    def on_order_status(self, report: OrderStatusReport) -> None:
        """The answer to a query of one order."""
        ...
