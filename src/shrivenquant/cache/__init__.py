"""In-memory trading state with read-only views for strategies."""
