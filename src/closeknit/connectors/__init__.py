"""Connectors: bring creator, post, comment, audience and order data into the store.

Every source lands raw first (``raw_records``, keyed by a content hash), then normalizes into the
canonical tables through :func:`closeknit.connectors.landing.load`; bad rows go to ``quarantine``.
"""
