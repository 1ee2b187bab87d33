"""Validation harnesses: score the product against a synthetic world's truth and public data.

The only package besides benchmarks and the world itself that may read ``closeknit.world`` and
its ``truth/`` files; no product module imports it.
"""
