"""Option pricing, Greeks, implied volatility, volatility surfaces and scenario maths."""
