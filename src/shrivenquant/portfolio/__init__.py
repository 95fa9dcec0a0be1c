"""Accounts, balances, positions, PnL, exposure and margin."""
