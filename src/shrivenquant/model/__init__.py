"""The trading vocabulary: values, identifiers, instruments, market data, orders, messages."""
