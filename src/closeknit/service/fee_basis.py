"""What a fee estimate rests on, as one model for every result that shows a fee."""

from __future__ import annotations

from pydantic import Field

from closeknit.service.base import Out


class FeeBasis(Out):
    """The fee model's evidence for one creator (``closeknit.features.fees``): the rate card
    until the workspace has ``min_deals`` agreed fees, then the regression on them."""

    n_deals: int = Field(description="agreed fees in this workspace the model could use")
    min_deals: int = Field(description="agreed fees needed before they replace the rate card")
    reason: str | None = Field(default=None, description="why there is no estimate")
    followers_source: str | None = Field(
        default=None,
        description="where the follower count the fee scales with came from: 'profile', or "
        "'snapshot' (the latest follower snapshot, where the profile hides its count, as vet "
        "says); None without an estimate",
    )
    followers_elasticity: float | None = Field(
        default=None, description="% change of the fee per 1% more followers"
    )
    engagement_elasticity: float | None = Field(
        default=None, description="% change of the fee per 1% higher engagement rate"
    )
    real_share_elasticity: float | None = Field(
        default=None, description="% change of the fee per 1% higher share of real followers"
    )
    residual_sd_log: float | None = Field(
        default=None, description="spread of agreed fees around the model (sd of log fee)"
    )
    deals_left_out: int = Field(
        default=0,
        description="agreed fees left out of the fit as far outside the others' prices (a fee "
        "typed with zeros too many)",
    )
    country: str | None = None
    niche: str | None = None
    country_multiplier: float | None = Field(
        default=None,
        description="this creator's market against the deals' average (None: no deal there)",
    )
    niche_multiplier: float | None = Field(
        default=None,
        description="this creator's niche against the deals' average (None: no deal there)",
    )
