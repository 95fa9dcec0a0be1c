"""Performance metrics, trade statistics, tearsheets and reports."""
