"""closeknit: discover, vet, plan, track and measure micro-influencer campaigns.

The public Python API: the same typed service functions the CLI, the REST API and the web pages
call, so a notebook gets the same answer as every other interface::

    import closeknit as ck

    st = ck.open_store("closeknit.duckdb", create=True)  # a new store (a missing file is refused)
    ck.generate_world("world/", creators=2000, seed=1)      # synthetic data with ground truth
    ck.import_world(st, "default", "world/")                # or ck.import_files(...) for real files
    ck.build_features(st, "default", ck.BuildIn())          # engagement, authenticity, ...
    ck.assign_niches(st, "default")
    ck.vet(st, "default", ck.VetIn(creator="@handle")).to_json()
    ck.discover(st, "default", ck.DiscoverIn(text="home workout, UK, 18-25", limit=20))
    plan = ck.make_plan(st, "default", ck.PlanIn(text="home workout, UK", budget=5000, save=True))
    b = ck.save_brief(st, "default", {"text": "home workout", "countries": ["GB"]}, actor="me")
    ck.discover_saved(st, "default", b.brief_id); ck.list_briefs(st, "default")  # saved briefs
    ck.list_plans(st, "default"); ck.get_plan(st, "default", plan.plan_id)  # saved plans
    ck.create_list(st, "default", ck.ListIn(name="Shortlist"), actor="me", creators=["@a"])
    cid = ck.create_campaign(st, "default", ck.CampaignIn(name="Spring"), actor="me").campaign_id
    ck.list_campaigns(st, "default")                        # every campaign, with its id
    ck.add_to_campaign(st, "default", cid, ck.AddCreatorsIn(creators=["@a"]), actor="me")
    ck.assign_codes(st, "default", cid, ck.CodesIn(), actor="me")
    ck.roas_report(st, "default", cid, ck.ReportIn(window_days=30))
    ck.lift(st, "default", cid)                             # ck.LiftIn(level=0.8) as a 4th argument
    ck.score_audience(st, "default", ck.ScoreIn(path="followers.csv"))  # any follower export
    ck.export_creator(st, "default", "@a", actor="me")     # a data request; erase_creator too

Every service result is a pydantic model: ``.to_json()`` gives what ``--json`` and the REST
API print, ``.to_frame()`` its rows as a pandas DataFrame (no rows: an empty frame with their
columns), and its repr is a one-line summary; a function that answers a list of results
(``list_plans``, ``compare``, ``fees``...) is one frame by ``ck.to_frame(rows)``;
``import_world`` and ``generate_world`` return plain dataclasses. A request may be given as its
model or as a dict of its fields; a wrong type, a refused field (also of a request model built
directly, ``ck.PlanIn(budget=-1)``) or a workspace name that is no workspace id (``"My Brand"``)
is a :class:`closeknit.errors.ValidationError`, like every error the package raises on purpose.
A workspace must exist before anything is read or written in it: ``default`` comes with every
store; ``ck.create_workspace(st, {"workspace": "brand-b"})`` (or ``closeknit workspaces create
brand-b``) makes another, ``ck.list_workspaces(st)`` lists them, and an unknown one
(``"typo-brand"``) is a :class:`closeknit.errors.NotFound` naming the known ones.
Names are imported lazily so that ``import closeknit`` stays cheap.
"""

# ruff: noqa: F401  (the TYPE_CHECKING imports below are the facade's names, listed in __all__
# through _API, which ruff cannot follow)
from __future__ import annotations

import functools
import inspect
from importlib import import_module
from types import UnionType
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin, get_type_hints

__version__ = "0.1.0"

_API: dict[str, tuple[str, str]] = {
    "open_store": ("closeknit.store", "open_store"),
    "Store": ("closeknit.store", "Store"),
    "generate_world": ("closeknit.world", "generate"),
    "load_truth": ("closeknit.world.truth", "load_truth"),
    "import_world": ("closeknit.connectors.importer", "import_world"),
    "WorkspaceIn": ("closeknit.service.workspaces", "WorkspaceIn"),
    "create_workspace": ("closeknit.service.workspaces", "create_workspace"),
    "list_workspaces": ("closeknit.service.workspaces", "list_workspaces"),
    "ImportIn": ("closeknit.service.imports", "ImportIn"),
    "import_files": ("closeknit.service.imports", "import_files"),
    "BuildIn": ("closeknit.service.features", "BuildIn"),
    "build_features": ("closeknit.service.features", "build"),
    "assign_niches": ("closeknit.service.features", "assign_niches"),
    "CreatorsQuery": ("closeknit.service.creators", "CreatorsQuery"),
    "list_creators": ("closeknit.service.creators", "list_creators"),
    "profile": ("closeknit.service.creators", "profile"),
    "VetIn": ("closeknit.service.creators", "VetIn"),
    "vet": ("closeknit.service.creators", "vet"),
    "BriefIn": ("closeknit.service.briefs", "BriefIn"),
    "parse_brief": ("closeknit.service.briefs", "parse"),
    "NewBriefIn": ("closeknit.service.briefs", "NewBriefIn"),
    "save_brief": ("closeknit.service.briefs", "create_brief"),
    "list_briefs": ("closeknit.service.briefs", "list_briefs"),
    "get_brief": ("closeknit.service.briefs", "get_brief"),
    "delete_brief": ("closeknit.service.briefs", "delete_brief"),
    "discover_saved": ("closeknit.service.discover", "discover_saved"),
    "DiscoverIn": ("closeknit.service.discover", "DiscoverIn"),
    "discover": ("closeknit.service.discover", "discover"),
    "LookalikesIn": ("closeknit.service.discover", "LookalikesIn"),
    "lookalikes": ("closeknit.service.discover", "lookalikes"),
    "TrendsIn": ("closeknit.service.discover", "TrendsIn"),
    "trends": ("closeknit.service.discover", "trends"),
    "PlanIn": ("closeknit.service.plans", "PlanIn"),
    "make_plan": ("closeknit.service.plans", "plan"),
    "list_plans": ("closeknit.service.plans", "list_plans"),
    "get_plan": ("closeknit.service.plans", "get_plan"),
    "FeesIn": ("closeknit.service.plans", "FeesIn"),
    "fees": ("closeknit.service.plans", "fees"),
    "CampaignIn": ("closeknit.service.campaigns", "CampaignIn"),
    "create_campaign": ("closeknit.service.campaigns", "create_campaign"),
    "get_campaign": ("closeknit.service.campaigns", "get_campaign"),
    "list_campaigns": ("closeknit.service.campaigns", "list_campaigns"),
    "CompareIn": ("closeknit.service.creators", "CompareIn"),
    "compare": ("closeknit.service.creators", "compare"),
    "ListIn": ("closeknit.service.lists", "ListIn"),
    "AddToListIn": ("closeknit.service.lists", "AddToListIn"),
    "create_list": ("closeknit.service.lists", "create_list"),
    "add_to_list": ("closeknit.service.lists", "add_to_list"),
    "get_list": ("closeknit.service.lists", "get_list"),
    "list_lists": ("closeknit.service.lists", "list_lists"),
    "workspace_settings": ("closeknit.service.settings", "workspace_settings"),
    "CurrencyIn": ("closeknit.service.settings", "CurrencyIn"),
    "set_currency": ("closeknit.service.settings", "set_currency"),
    "AddCreatorsIn": ("closeknit.service.campaigns", "AddCreatorsIn"),
    "add_to_campaign": ("closeknit.service.campaigns", "add_creators"),
    "StageIn": ("closeknit.service.campaigns", "StageIn"),
    "set_stage": ("closeknit.service.campaigns", "set_stage"),
    "CodesIn": ("closeknit.service.campaigns", "CodesIn"),
    "assign_codes": ("closeknit.service.campaigns", "assign_codes"),
    "CampaignPatch": ("closeknit.service.campaigns", "CampaignPatch"),
    "update_campaign": ("closeknit.service.campaigns", "update_campaign"),
    "DealIn": ("closeknit.service.campaigns", "DealIn"),
    "update_deal": ("closeknit.service.campaigns", "update_deal"),
    "SetCodeIn": ("closeknit.service.campaigns", "SetCodeIn"),
    "set_code": ("closeknit.service.campaigns", "set_code"),
    "SpendIn": ("closeknit.service.campaigns", "SpendIn"),
    "add_spend": ("closeknit.service.campaigns", "add_spend"),
    "RosterIn": ("closeknit.service.campaigns", "RosterIn"),
    "import_roster": ("closeknit.service.campaigns", "import_roster"),
    "ScoreIn": ("closeknit.service.audience", "ScoreIn"),
    "score_audience": ("closeknit.service.audience", "score_file"),
    "export_creator": ("closeknit.service.creators", "export_subject"),
    "erase_creator": ("closeknit.service.creators", "erase"),
    "ReportIn": ("closeknit.service.reports", "ReportIn"),
    "roas_report": ("closeknit.service.reports", "roas_report"),
    "LiftIn": ("closeknit.service.reports", "LiftIn"),
    "lift": ("closeknit.service.reports", "lift"),
    "create_app": ("closeknit.server", "create_app"),
    "to_frame": ("closeknit.service.base", "frame"),
}

if TYPE_CHECKING:
    # what a type checker and an editor see (at run time the names are imported lazily by
    # ``__getattr__``): without these every facade name was ``Any`` to a notebook's mypy.
    # A request given as a dict of its fields is accepted at run time, typed as its model.
    from closeknit.connectors.importer import import_world
    from closeknit.server import create_app
    from closeknit.service.audience import ScoreIn
    from closeknit.service.audience import score_file as score_audience
    from closeknit.service.base import frame as to_frame
    from closeknit.service.briefs import BriefIn, NewBriefIn, delete_brief, get_brief, list_briefs
    from closeknit.service.briefs import create_brief as save_brief
    from closeknit.service.briefs import parse as parse_brief
    from closeknit.service.campaigns import (
        AddCreatorsIn,
        CampaignIn,
        CampaignPatch,
        CodesIn,
        DealIn,
        RosterIn,
        SetCodeIn,
        SpendIn,
        StageIn,
        add_spend,
        assign_codes,
        create_campaign,
        get_campaign,
        import_roster,
        list_campaigns,
        set_code,
        set_stage,
        update_campaign,
        update_deal,
    )
    from closeknit.service.campaigns import add_creators as add_to_campaign
    from closeknit.service.creators import (
        CompareIn,
        CreatorsQuery,
        VetIn,
        compare,
        list_creators,
        profile,
        vet,
    )
    from closeknit.service.creators import erase as erase_creator
    from closeknit.service.creators import export_subject as export_creator
    from closeknit.service.discover import (
        DiscoverIn,
        LookalikesIn,
        TrendsIn,
        discover,
        discover_saved,
        lookalikes,
        trends,
    )
    from closeknit.service.features import BuildIn, assign_niches
    from closeknit.service.features import build as build_features
    from closeknit.service.imports import ImportIn, import_files
    from closeknit.service.lists import (
        AddToListIn,
        ListIn,
        add_to_list,
        create_list,
        get_list,
        list_lists,
    )
    from closeknit.service.plans import FeesIn, PlanIn, fees, get_plan, list_plans
    from closeknit.service.plans import plan as make_plan
    from closeknit.service.reports import LiftIn, ReportIn, lift, roas_report
    from closeknit.service.settings import CurrencyIn, set_currency, workspace_settings
    from closeknit.service.workspaces import WorkspaceIn, create_workspace, list_workspaces
    from closeknit.store import Store, open_store
    from closeknit.world import generate as generate_world
    from closeknit.world.truth import load_truth

    # the names of _API written out: --strict type checkers read only a literal __all__
    # (every facade name was 'not explicitly exported'); a test holds the two equal
    __all__ = [
        "__version__",
        "open_store",
        "Store",
        "generate_world",
        "load_truth",
        "import_world",
        "WorkspaceIn",
        "create_workspace",
        "list_workspaces",
        "ImportIn",
        "import_files",
        "BuildIn",
        "build_features",
        "assign_niches",
        "CreatorsQuery",
        "list_creators",
        "profile",
        "VetIn",
        "vet",
        "BriefIn",
        "parse_brief",
        "NewBriefIn",
        "save_brief",
        "list_briefs",
        "get_brief",
        "delete_brief",
        "discover_saved",
        "DiscoverIn",
        "discover",
        "LookalikesIn",
        "lookalikes",
        "TrendsIn",
        "trends",
        "PlanIn",
        "make_plan",
        "list_plans",
        "get_plan",
        "FeesIn",
        "fees",
        "CampaignIn",
        "create_campaign",
        "get_campaign",
        "list_campaigns",
        "CompareIn",
        "compare",
        "ListIn",
        "AddToListIn",
        "create_list",
        "add_to_list",
        "get_list",
        "list_lists",
        "workspace_settings",
        "CurrencyIn",
        "set_currency",
        "AddCreatorsIn",
        "add_to_campaign",
        "StageIn",
        "set_stage",
        "CodesIn",
        "assign_codes",
        "CampaignPatch",
        "update_campaign",
        "DealIn",
        "update_deal",
        "SetCodeIn",
        "set_code",
        "SpendIn",
        "add_spend",
        "RosterIn",
        "import_roster",
        "ScoreIn",
        "score_audience",
        "export_creator",
        "erase_creator",
        "ReportIn",
        "roas_report",
        "LiftIn",
        "lift",
        "create_app",
        "to_frame",
    ]
else:
    __all__ = ["__version__", *_API]


if not TYPE_CHECKING:
    # hidden from type checkers: a module-level __getattr__ made every name of the package,
    # a misspelt one too (``ck.discovr``), an ``Any`` that passed mypy; they see the names
    # imported above, and a typo is "Module has no attribute"

    def __getattr__(name: str) -> Any:
        if name in _API:
            mod, attr = _API[name]
            value = getattr(import_module(mod), attr)
            checked = mod.startswith("closeknit.service.") or name == "import_world"
            if checked and inspect.isfunction(value):
                value = _checked(value)
            globals()[name] = value
            return value
        raise AttributeError(f"module 'closeknit' has no attribute {name!r}")


def _checked(fn: Any) -> Any:
    """``fn`` with its request models and text arguments checked at the door: a notebook's
    ``ck.vet(st, ws, "@x")`` or ``ck.trends(st, ws, None)`` failed deep inside with an
    AttributeError. A dict is taken as the model's fields; anything else of the wrong type, or
    fields the model refuses, is a :class:`closeknit.errors.ValidationError` naming it. The
    workspace must be a workspace id (a ValidationError) of a workspace the store has (a
    :class:`closeknit.errors.NotFound` naming the known ones and how to create it: a typo such
    as 'typo-brand' wrote rows no key or page could open). The store must be a
    :class:`closeknit.Store` (a path was an AttributeError deep inside), an optional request
    model (``req: ReportIn | None``) is checked as a required one, and text given where a list
    belongs (``creators="@a"``, once read letter by letter) is refused."""
    from pydantic import BaseModel
    from pydantic import ValidationError as PydanticValidationError

    from closeknit.errors import ValidationError, refusal
    from closeknit.settings import check_workspace_id
    from closeknit.store import Store

    # a module that imports Store for type checkers only still names it in its hints: they
    # did not resolve, and score_audience ran unchecked (a typo'd workspace wrote rows)
    hints = get_type_hints(fn, localns={"Store": Store})
    hints.pop("return", None)
    # the service's request models (a service function takes no other pydantic model), also
    # optional ones (``req: ReportIn | None = None``): None stays the default
    models: dict[str, type[BaseModel]] = {}
    optional: set[str] = set()
    lists: set[str] = set()
    for k, t in hints.items():
        args = [a for a in get_args(t) if a is not type(None)]
        if get_origin(t) in (Union, UnionType) and len(args) == 1 and type(None) in get_args(t):
            optional.add(k)
            t = args[0]
        if isinstance(t, type) and issubclass(t, BaseModel):
            models[k] = t
        elif get_origin(t) is list:
            lists.add(k)
    texts = {k for k, t in hints.items() if t is str}
    has_store = hints.get("store") is Store
    if not models and not texts and not lists and not has_store:
        return fn
    sig = inspect.signature(fn)

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        bound = sig.bind(*args, **kwargs)
        for k, v in bound.arguments.items():
            model = models.get(k)
            if k == "store" and has_store and not isinstance(v, Store):
                raise ValidationError(
                    f"{fn.__name__}: store should be a closeknit.Store (closeknit.open_store"
                    f"(path)), not {type(v).__name__}",
                    field=k,
                )
            if v is None and k in optional:
                continue
            if k in lists and isinstance(v, str | bytes):
                # one handle for a list of handles was read letter by letter
                raise ValidationError(
                    f"{fn.__name__}: {k} should be a list (e.g. [{v!r}]), not {type(v).__name__}",
                    field=k,
                )
            if k in lists and not isinstance(v, list):
                # a notebook's column (df["handle"]), array or tuple is the list it holds: a
                # pandas Series failed deep inside ("the truth value of a Series is ambiguous")
                items = v.tolist() if hasattr(v, "tolist") else v
                if not isinstance(items, list | tuple):
                    raise ValidationError(
                        f"{fn.__name__}: {k} should be a list, not {type(v).__name__}", field=k
                    )
                bound.arguments[k] = list(items)
            if model is not None and not isinstance(v, model):
                if not isinstance(v, dict):
                    raise ValidationError(
                        f"{fn.__name__}: {k} should be a closeknit.{model.__name__} (or a dict "
                        f"of its fields), not {type(v).__name__}",
                        field=k,
                    )
                try:
                    bound.arguments[k] = model.model_validate(v)
                except PydanticValidationError as e:
                    raise refusal(e.errors()[0]) from None
            elif k in texts and not isinstance(v, str):
                raise ValidationError(
                    f"{fn.__name__}: {k} should be text, not {type(v).__name__}", field=k
                )
            elif k == "workspace":
                check_workspace_id(v, f"{fn.__name__}: workspace")
        store, ws = bound.arguments.get("store"), bound.arguments.get("workspace")
        if isinstance(store, Store) and isinstance(ws, str):
            # by name, as the API table's modules are (the store imports this package)
            import_module("closeknit.service.workspaces").require_workspace(store, ws)
        return fn(*bound.args, **bound.kwargs)

    return call
