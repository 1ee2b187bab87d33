"""How well an audience sample fits the labelled populations: one model for every result that
shows audience shares (pydantic only, so importing it loads no data stack)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PopulationFit(BaseModel):
    """How well a sample fits the labelled follower populations the estimate learned from
    (``closeknit.features.models.prevalence``: lack of fit, and the flag above its threshold)."""

    lack_of_fit: float | None = Field(
        default=None, description="the best labelled source's (G² - df) per account"
    )
    unlike_sources: bool = Field(
        default=False,
        description="the sample resembles none of the labelled populations: its shares may be "
        "off by more than their intervals",
    )
    shift: float = Field(
        default=0.0,
        description="the between-population term in the fake share's interval (a standard "
        "deviation, 0..1): the labelled sources' disagreement, counted once the sample fits "
        "none of them better than samples of the trained-on populations do; 0 when it fits one",
    )
