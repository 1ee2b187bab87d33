"""A saved brief's filters are a model: what was saved comes back field by field and runs as
the same request."""

from __future__ import annotations

from closeknit.service import briefs as svc
from closeknit.store import Store


def test_saved_filters_round_trip(store: Store) -> None:
    req = svc.NewBriefIn(
        text="anklets for women", countries=["UK"], audience_age="18 to 25", budget=4000
    )
    saved = svc.create_brief(store, "default", req, actor="t")
    f = saved.filters
    assert isinstance(f, svc.SavedFilters)
    assert f.countries == ["GB"] and f.audience_age == "18-25" and f.budget == 4000
    assert f.platforms is None and f.min_authenticity is None
    again = svc.saved_brief_in(store, "default", saved.brief_id)
    assert again.filters() == req.filters() and again.text == req.text
    assert svc.list_briefs(store, "default")[0] == saved


def test_a_saved_brief_has_a_field_for_every_filter_a_brief_takes() -> None:
    """SavedFilters repeats the request's filter fields (the brief's and the narrowing ones):
    a filter added to one and not the other would be dropped from every saved brief without a
    word, as the narrowing filters were until 2026-12-05."""
    request = set(svc.SavedBriefIn.model_fields) - {"text"}
    assert set(svc.SavedFilters.model_fields) == request
