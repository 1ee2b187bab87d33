"""Budgeted creator plans and fee estimates (see docs/plan.md)."""

from closeknit.features.fees import CreatorFees, FeeRange, estimate_fees, load_rate_card, set_rate
from closeknit.plan.planner import Plan, PlanConstraints, make_plan

__all__ = [
    "CreatorFees",
    "FeeRange",
    "Plan",
    "PlanConstraints",
    "estimate_fees",
    "load_rate_card",
    "make_plan",
    "set_rate",
]
