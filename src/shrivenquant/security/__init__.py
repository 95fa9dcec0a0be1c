"""Users, roles, API keys, JWT, TOTP, secrets and TLS material."""
