"""The simulated venue, replay data client and exchange simulator servers."""

from shrivenquant.sim.accounts import VenueAccount
from shrivenquant.sim.bar_path import bar_path
from shrivenquant.sim.client import SimExecutionClient
from shrivenquant.sim.config import SimulatedVenueConfig
from shrivenquant.sim.fee_model import FeeModel, MakerTakerFeeModel
from shrivenquant.sim.fill_model import FillModel
from shrivenquant.sim.latency_model import LatencyModel, LatencySampler
from shrivenquant.sim.matching_engine import OrderMatchingEngine
from shrivenquant.sim.orders import SimOrder
from shrivenquant.sim.rejects import RejectCode
from shrivenquant.sim.sink import VenueEventSink
from shrivenquant.sim.venue import SimulatedVenue

__all__ = [
    "FeeModel",
    "FillModel",
    "LatencyModel",
    "LatencySampler",
    "MakerTakerFeeModel",
    "OrderMatchingEngine",
    "RejectCode",
    "SimExecutionClient",
    "SimOrder",
    "SimulatedVenue",
    "SimulatedVenueConfig",
    "VenueAccount",
    "VenueEventSink",
    "bar_path",
]
