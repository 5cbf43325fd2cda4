"""The shared core: the unit of work, the views every feature answers, loading an order
as it is now and recording its events, the sweep."""
