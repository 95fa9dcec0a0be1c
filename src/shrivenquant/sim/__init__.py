"""The simulated venue, replay data client and exchange simulator servers."""
