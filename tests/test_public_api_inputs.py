"""A notebook's wrong arguments to the facade are named errors at the door, found in a data
person's QA pass: a path given for the store, a dict for an optional request model, a handle
where a list of handles belongs."""

from __future__ import annotations

from pathlib import Path

import pytest

import closeknit as ck
from closeknit.errors import NotFound, ValidationError


@pytest.fixture
def st(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = ck.open_store(tmp_path / "s.duckdb", create=True)
    yield s
    s.close()


def test_a_store_that_is_not_a_store_is_named(tmp_path: Path) -> None:
    """A path (or None) given for the store was an AttributeError ('str' object has no
    attribute 'query') from deep inside the service."""
    db = str(tmp_path / "s.duckdb")
    with pytest.raises(ValidationError, match=r"store should be a closeknit.Store .*open_store"):
        ck.list_plans(db, "default")
    with pytest.raises(ValidationError, match="store should be .* not NoneType"):
        ck.discover(None, "default", {"text": "coffee"})


def test_an_optional_request_model_given_as_a_dict_is_its_fields(st: ck.Store) -> None:
    """``roas_report(..., {"window_days": -3})`` and ``lift(..., {"placebos": 5})`` were
    AttributeErrors ('dict' object has no attribute 'window_days'): the door only converted
    request models that were not optional."""
    with pytest.raises(ValidationError, match="^window_days: should be greater than"):
        ck.roas_report(st, "default", "nope", {"window_days": -3})
    with pytest.raises(NotFound, match="^no campaign nope$"):
        ck.roas_report(st, "default", "nope", {"window_days": 30})
    with pytest.raises(NotFound, match="^no campaign nope$"):
        ck.lift(st, "default", "nope", {"placebos": 5})
    with pytest.raises(ValidationError, match="req should be a closeknit.LiftIn .* not str"):
        ck.lift(st, "default", "nope", "fast")
    with pytest.raises(NotFound, match="^no campaign nope$"):  # None is still the default
        ck.roas_report(st, "default", "nope", None)


def test_one_handle_given_for_a_list_of_handles_is_refused(st: ck.Store) -> None:
    """``creators="@a"`` was read letter by letter: 'no creator @ in this workspace'."""
    with pytest.raises(ValidationError, match=r"creators should be a list .* not str"):
        ck.create_list(st, "default", {"name": "x"}, actor="me", creators="@a")
    assert ck.list_lists(st, "default") == []


def test_the_campaigns_a_notebook_reports_on_can_be_listed(st: ck.Store) -> None:
    """The facade's docstring reported on a literal 'campaign-id': there was no way to list a
    workspace's campaigns, nor the report's and lift's request models, from ``closeknit``."""
    assert ck.list_campaigns(st, "default") == []
    made = ck.create_campaign(st, "default", ck.CampaignIn(name="From a notebook"), actor="me")
    assert [c.campaign_id for c in ck.list_campaigns(st, "default")] == [made.campaign_id]
    rep = ck.roas_report(st, "default", made.campaign_id, ck.ReportIn(window_days=30))
    assert rep.attribution.window_days == 30
    assert ck.LiftIn(placebos=5).placebos == 5


def test_a_type_checker_sees_every_facade_name_as_what_it_resolves_to() -> None:
    """Every facade name was ``Any`` to a notebook's mypy and editor (``py.typed`` shipped, but
    the names only exist through ``__getattr__``): the package names each one in a
    TYPE_CHECKING import of the same module and attribute the lazy table resolves."""
    import ast
    import inspect

    import closeknit

    tree = ast.parse(inspect.getsource(closeknit))
    seen: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                if isinstance(imp, ast.Assign):  # the literal __all__ (its own test)
                    continue
                assert isinstance(imp, ast.ImportFrom) and imp.module
                for a in imp.names:
                    seen[a.asname or a.name] = (imp.module, a.name)
    assert seen == {k: v for k, v in closeknit._API.items()}


def test_every_service_function_of_the_facade_is_checked_at_the_door() -> None:
    """score_audience's hints did not resolve (its module imports Store for type checkers
    only) and the check was skipped without a word: a dict request was an AttributeError and
    a mistyped workspace wrote quarantine rows."""
    import inspect

    for name, (mod, _) in ck._API.items():
        if not mod.startswith("closeknit.service."):
            continue
        fn = getattr(ck, name)
        if inspect.isfunction(fn) and "store" in inspect.signature(fn).parameters:
            assert hasattr(fn, "__wrapped__"), f"{name} is not checked"


def test_score_audience_checks_its_workspace_and_request(st: ck.Store, tmp_path: Path) -> None:
    f = tmp_path / "f.csv"
    f.write_text("handle,followers,following\nann,10,20\n", "utf-8")
    with pytest.raises(NotFound):
        ck.score_audience(st, "typo-brand", ck.ScoreIn(path=f))
    with pytest.raises(ValidationError):
        ck.score_audience(st, "My Brand", {"path": str(f)})
    assert st.scalar("SELECT count(*) FROM quarantine WHERE workspace_id <> 'default'") == 0


def test_the_literal_all_a_type_checker_reads_is_the_facade() -> None:
    """mypy --strict refused every facade name ("does not explicitly export"): it reads only a
    literal __all__, and the package's was built from the lazy table."""
    import ast
    import inspect

    import closeknit

    tree = ast.parse(inspect.getsource(closeknit))
    block = next(
        n
        for n in tree.body
        if isinstance(n, ast.If) and getattr(n.test, "id", None) == "TYPE_CHECKING"
    )
    (lit,) = [
        n.value for n in block.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == "__all__"
    ]  # fmt: skip
    assert ast.literal_eval(lit) == ["__version__", *closeknit._API] == closeknit.__all__


def test_a_notebook_under_mypy_strict_sees_the_facade(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    script = tmp_path / "nb.py"
    script.write_text(
        "from pathlib import Path\n\nimport closeknit as ck\n\n"
        'st: ck.Store = ck.open_store("x.duckdb")\n'
        'r = ck.discover(st, "default", ck.DiscoverIn(text="coffee"))\n'
        'p = ck.make_plan(st, "default", ck.PlanIn(text="coffee", budget=1000))\n'
        'a = ck.score_audience(st, "default", ck.ScoreIn(path=Path("f.csv")))\n'
        "print(r.results, p.picks, a.fake_share)\n",
        "utf-8",
    )
    src = Path(ck.__file__).parent.parent
    env = {**os.environ, "MYPYPATH": str(src)}
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "c"), str(script)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_notebook_column_is_taken_where_a_list_belongs(st: ck.Store) -> None:
    """ck.create_list(..., creators=df["handle"]) failed deep inside with pandas' "the truth
    value of a Series is ambiguous"; a Series, an array or a tuple is the list it holds."""
    import numpy as np
    import pandas as pd

    made = ck.create_list(st, "default", ck.ListIn(name="a"), actor="nb", creators=pd.Series([]))
    assert made.name == "a"
    again = ck.create_list(st, "default", ck.ListIn(name="b"), actor="nb", creators=np.array([]))
    assert again.name == "b"
    with pytest.raises(ValidationError, match="should be a list"):
        ck.create_list(st, "default", ck.ListIn(name="c"), actor="nb", creators=5)
