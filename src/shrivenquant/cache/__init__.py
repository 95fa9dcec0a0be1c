"""In-memory trading state with read-only views for strategies."""

from shrivenquant.cache.accounts import AccountLike
from shrivenquant.cache.cache import Cache, CacheView

__all__ = ["AccountLike", "Cache", "CacheView"]
