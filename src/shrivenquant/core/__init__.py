"""Kernel-free primitives: nanosecond time, clocks, UUIDs, lifecycle state machine, errors."""
