"""Validation harnesses: accuracy figures measured on the public datasets and the synthetic world.

Nothing in the product imports this package; it may read ``closeknit.world`` and its truth files.
"""
