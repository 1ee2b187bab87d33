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
