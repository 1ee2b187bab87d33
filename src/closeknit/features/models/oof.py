"""Out-of-fold score tables: how the account model scores known fakes and real accounts.

For each public source (InstaFake, Kaggle, Purba) and each set of fields a sample may have, the
table holds the score-bin edges and, per class, how many of that source's labelled accounts fell
in each bin when scored by the fold model that had not seen them, with the fields outside the set
hidden. :mod:`closeknit.features.models.prevalence` compares a sample's bin counts with these to
estimate its share of fakes; the counts (not just rates) travel, so the estimate can carry their
uncertainty. Built by ``closeknit models train``; plain JSON inside ``account.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class ViewTable:
    """One source's scores under one feature mask: ``counts[0]`` real, ``counts[1]`` fake."""

    edges: np.ndarray  # (bins - 1,) inner edges over the fold models' raw decisions
    counts: np.ndarray  # (2, bins)

    def bins_of(self, decisions: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.edges, decisions, side="right")

    def to_json(self) -> dict[str, Any]:
        return {"edges": self.edges.tolist(), "counts": self.counts.astype(int).tolist()}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ViewTable:
        return cls(
            edges=np.asarray(d["edges"], dtype=np.float64),
            counts=np.asarray(d["counts"], dtype=np.float64),
        )


@dataclass
class SourceTable:
    """A labelled source: the features it has, its views, and its fakes' posting (low/high)."""

    name: str
    mask: int  # features this source has
    fake_low: tuple[int, int]  # fakes with posts <= inactive_max_posts, fakes with more
    real_low: tuple[int, int]
    views: dict[int, ViewTable] = field(default_factory=dict)
    # per class (real, fake): how much more the folds' out-of-fold histograms differ than
    # multinomial samples (:func:`closeknit.features.models.train.dispersion`, measured on all
    # of the source's features); 1 = multinomial, the default of artifacts without it
    dispersion: tuple[float, float] = (1.0, 1.0)

    def view(self, mask: int) -> tuple[int, ViewTable] | None:
        """The table for ``mask`` (already cut to this source's features), else the largest
        stored subset of it; None when no feature is left."""
        mask &= self.mask
        if mask in self.views:
            return mask, self.views[mask]
        best = None
        for m in self.views:
            if m & ~mask == 0 and (best is None or m.bit_count() > best.bit_count()):
                best = m
        return None if best is None or best == 0 else (best, self.views[best])

    def to_json(self) -> dict[str, Any]:
        return {
            "mask": self.mask,
            "fake_low": list(self.fake_low),
            "real_low": list(self.real_low),
            "dispersion": list(self.dispersion),
            "views": {str(m): v.to_json() for m, v in sorted(self.views.items())},
        }

    @classmethod
    def from_json(cls, name: str, d: dict[str, Any]) -> SourceTable:
        return cls(
            name=name,
            mask=int(d["mask"]),
            fake_low=(int(d["fake_low"][0]), int(d["fake_low"][1])),
            real_low=(int(d["real_low"][0]), int(d["real_low"][1])),
            views={int(m): ViewTable.from_json(v) for m, v in d["views"].items()},
            dispersion=(float(disp[0]), float(disp[1]))
            if (disp := d.get("dispersion"))
            else (1.0, 1.0),
        )


@dataclass
class ScoreTables:
    """All sources' tables plus the settings they were built with."""

    bins: int
    inactive_max_posts: int
    sources: dict[str, SourceTable]

    def to_json(self) -> dict[str, Any]:
        return {
            "bins": self.bins,
            "inactive_max_posts": self.inactive_max_posts,
            "sources": {k: v.to_json() for k, v in sorted(self.sources.items())},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ScoreTables:
        return cls(
            bins=int(d["bins"]),
            inactive_max_posts=int(d["inactive_max_posts"]),
            sources={k: SourceTable.from_json(k, v) for k, v in d["sources"].items()},
        )
