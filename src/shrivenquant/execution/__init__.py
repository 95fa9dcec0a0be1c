"""The execution engine (OMS), order emulation, algorithms and the execution-client port."""
