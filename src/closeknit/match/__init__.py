"""Discover: brief -> ranked, explained creators; lookalikes; trends; niches; vector index."""

from __future__ import annotations

from closeknit.match.brief import Brief, parse_brief
from closeknit.match.lookalike import lookalikes
from closeknit.match.rank import DiscoverResult, Match, discover
from closeknit.match.trends import TrendsResult, trends

__all__ = [
    "Brief",
    "DiscoverResult",
    "Match",
    "TrendsResult",
    "discover",
    "lookalikes",
    "parse_brief",
    "trends",
]
