"""The names the package docstring promises exist and resolve."""

from __future__ import annotations

from pathlib import Path

import pytest

import closeknit
import closeknit as ck
from closeknit.errors import CloseknitError, ValidationError


def test_every_public_name_resolves() -> None:
    for name in closeknit.__all__:
        assert getattr(closeknit, name) is not None, name


def test_unknown_name_is_an_attribute_error() -> None:
    import pytest

    with pytest.raises(AttributeError):
        closeknit.no_such_thing  # noqa: B018


def test_facade_names_are_not_shadowed_by_subpackages() -> None:
    """``closeknit.plan`` is a package: a facade name must never be a subpackage's name, or
    importing the subpackage would silently replace the function."""
    import pkgutil

    subpackages = {m.name for m in pkgutil.iter_modules(closeknit.__path__)}
    assert not subpackages & set(closeknit.__all__)


def test_the_facade_reaches_privacy_and_the_campaign_pipeline(tmp_path: object) -> None:
    """A notebook does what the CLI, API and web do: a data request, an erasure, a shortlist."""
    from pathlib import Path

    from tests.api.seeding import build_template

    db = Path(str(tmp_path)) / "f.duckdb"
    a, _ = build_template(db)
    st = closeknit.open_store(db)
    try:
        got = closeknit.export_creator(st, "alpha", f"@{a.handles[2]}", actor="nb")
        assert got.creator_id == a.creators[2] and "creators" in got.tables
        out = closeknit.erase_creator(st, "alpha", a.creators[2], actor="nb", confirm=a.handles[2])
        assert out.tombstoned and out.rows_deleted > 0
        camp = closeknit.create_campaign(
            st, "alpha", closeknit.CampaignIn(name="From a notebook"), actor="nb"
        )
        added = closeknit.add_to_campaign(
            st,
            "alpha",
            camp.campaign_id,
            closeknit.AddCreatorsIn(creators=[f"@{a.handles[3]}"]),
            actor="nb",
        )
        assert [m.creator_id for m in added] == [a.creators[3]]
        # the rest of a campaign's running, as the CLI does it (a notebook had to reach into
        # closeknit.service.campaigns for spend, deals, codes and the roster)
        cid, who = camp.campaign_id, f"@{a.handles[3]}"
        upd = closeknit.update_campaign(st, "alpha", cid, {"currency": "eur", "brand": "Acme"},
                                        actor="nb")  # fmt: skip
        assert (upd.currency, upd.brand) == ("EUR", "Acme")
        deal = closeknit.update_deal(st, "alpha", cid, who, {"fee": 250.0}, actor="nb")
        assert deal.fee == 250.0
        coded = closeknit.set_code(st, "alpha", cid, who, {"code": "NOTEBOOK10"}, actor="nb")
        assert coded.discount_code == "NOTEBOOK10"
        spent = closeknit.add_spend(st, "alpha", cid, {"amount": 12.5, "kind": "shipping"},
                                    actor="nb")  # fmt: skip
        assert spent.amount == 12.5
        assert callable(closeknit.import_roster) and closeknit.RosterIn(path="r.csv")
    finally:
        st.close()


def test_wrong_types_are_named_errors_and_a_dict_is_the_models_fields(tmp_path: Path) -> None:
    st = ck.open_store(tmp_path / "s.duckdb", create=True)
    try:
        # these were AttributeError / TypeError tracebacks from deep inside the service
        with pytest.raises(ValidationError, match="req should be a closeknit.VetIn .* not str"):
            ck.vet(st, "default", "@x")
        with pytest.raises(ValidationError, match="TrendsIn .* not NoneType"):
            ck.trends(st, "default", None)
        with pytest.raises(ValidationError, match="creator should be text, not NoneType"):
            ck.profile(st, "default", None)
        # a typo'd workspace name wrote rows under a workspace no interface could open
        for bad in ("", "My Brand"):
            with pytest.raises(ValidationError, match="is not a workspace id"):
                ck.set_currency(st, bad, ck.CurrencyIn(currency="EUR"), actor="me")
        # a pydantic refusal of the fields is a closeknit error too (one base class to catch)
        with pytest.raises(CloseknitError, match="limit"):
            ck.discover(st, "default", {"text": "coffee", "limit": "x"})
        # a dict is taken as the model: the same call as with the model
        assert ck.list_lists(st, "default") == []
        assert ck.ScoreIn(path="followers.csv").path == Path("followers.csv")  # str is a path
    finally:
        st.close()


def test_a_store_opened_read_only_can_be_searched_and_vetted(small_world: Path) -> None:
    """vet failed on a read-only store (its feature build writes even when nothing changed),
    and discover did for any brief whose evidence texts were not cached yet."""
    ro = ck.open_store(small_world, read_only=True)
    try:
        r = ck.discover(
            ro, "default", ck.DiscoverIn(text="a brief never asked before 7f3a", limit=2)
        )
        assert r.results
        v = ck.vet(ro, "default", ck.VetIn(creator=r.results[0].creator_id))
        assert any("read-only" in n for n in v.notes)
    finally:
        ro.close()


def test_an_unknown_workspace_is_refused_by_name_before_anything_is_written(
    tmp_path: Path,
) -> None:
    """A well-formed but unknown workspace ('typo-brand') was accepted and written to: rows
    landed in a workspace no key or page could open."""
    from closeknit.errors import NotFound

    st = ck.open_store(tmp_path / "s.duckdb", create=True)
    try:
        with pytest.raises(NotFound, match="no workspace 'typo-brand'.*known: default") as e:
            ck.set_currency(st, "typo-brand", ck.CurrencyIn(currency="EUR"), actor="me")
        assert "closeknit workspaces create typo-brand" in e.value.message
        assert "create_workspace" in e.value.message
        with pytest.raises(NotFound, match="did you mean default"):
            ck.list_lists(st, "defualt")
        with pytest.raises(NotFound):
            ck.import_world(st, "typo-brand", tmp_path / "no-world")
        assert not st.query("SELECT * FROM workspace_settings WHERE workspace_id = 'typo-brand'")
        # created, it can be used; and it is listed
        made = ck.create_workspace(st, {"workspace": "brand-b", "name": "Brand B"})
        assert made.workspace_id == "brand-b"
        ck.set_currency(st, "brand-b", ck.CurrencyIn(currency="EUR"), actor="me")
        assert ck.workspace_settings(st, "brand-b").currency == "EUR"
        assert [w.workspace_id for w in ck.list_workspaces(st)] == ["brand-b", "default"]
    finally:
        st.close()


def test_a_request_model_built_directly_is_refused_as_a_closeknit_error() -> None:
    with pytest.raises(CloseknitError, match="^budget: should be greater than 0$") as e:
        ck.PlanIn(text="anklets", budget=-1)
    assert isinstance(e.value, ValidationError) and e.value.details["field"] == "budget"
