"""Finding 1 of the 2026-12-06 tester round: a Shopify orders export re-saved by Excel shows the
13-digit ``Id`` as ``5.91235E+12`` (German Excel ``5,91235E+12``). Every order was quarantined
("order id is not an id", field ``id``) and the import still loaded nothing without an error.
Each line still has its Name, the key the docs accept without an Id column: the orders load
keyed by Name, with one warning per file."""

from __future__ import annotations

from pathlib import Path

from closeknit.connectors.shopify import import_shopify
from closeknit.store import Store

FIXTURES = Path(__file__).parents[1] / "fixtures" / "connectors" / "shopify"
EXCEL_EN = FIXTURES / "shopify_orders_export_excel_en_sciid.csv"  # the real 79-column header
CLEAN_EN = FIXTURES / "shopify_orders_export.csv"  # the same orders before Excel
EXCEL_DE = FIXTURES / "shopify_orders_excel_de.csv"
CLEAN_DE = FIXTURES / "shopify_orders_excel_de_ids.csv"
NAMES = ["2001", "2002", "2003", "2004", "2005", "2006", "2007", "2008", "2010"]


def _orders(store: Store) -> list[dict[str, object]]:
    return store.query(
        "SELECT order_id, total, refunded, discount_codes FROM orders ORDER BY order_id"
    )


def _quarantine(store: Store) -> list[dict[str, object]]:
    return store.query("SELECT line, field, reason, level FROM quarantine ORDER BY line")


def test_an_export_whose_ids_excel_rounded_is_keyed_by_name(store: Store) -> None:
    res = import_shopify(store, "default", EXCEL_EN)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (9, 9, 0)
    assert [o["order_id"] for o in _orders(store)] == NAMES
    (warning,) = _quarantine(store)
    assert warning["level"] == "warning" and warning["field"] == "Id"  # as the file spells it
    reason = str(warning["reason"])
    assert "rounded numbers by a spreadsheet" in reason and "keyed by their Name" in reason
    assert "format the Id column as text before saving" in reason
    assert "--" not in reason and "'" not in reason  # no CLI option, no Python repr
    # again: nothing written, nothing said twice
    again = import_shopify(store, "default", EXCEL_EN)
    assert (again.n_loaded, again.n_duplicate) == (0, 9)
    assert len(_quarantine(store)) == 1


def test_german_excel_ids_too(store: Store) -> None:
    res = import_shopify(store, "default", EXCEL_DE)
    assert (res.n_loaded, res.n_quarantined) == (3, 0)
    assert [(o["order_id"], o["total"]) for o in _orders(store)] == [
        ("2011", 1234.5), ("2012", 64.8), ("2013", 200.0)
    ]  # fmt: skip


def test_an_order_stored_under_its_id_is_not_counted_twice(store: Store) -> None:
    """The key: an order of a damaged file is keyed by its Name ("2001"), one imported with
    its Id by the Id ("5912345600001"). After each import the Name-keyed order is folded into
    the one stored under its Id (shopify.fold_name_keyed: the same Name, created within 15
    hours, one candidate), so the store holds each order once, whichever file came first."""
    import_shopify(store, "default", CLEAN_EN)
    before = _orders(store)
    assert len(before) == 9 and all(str(o["order_id"]).startswith("59123456000") for o in before)
    res = import_shopify(store, "default", EXCEL_EN)
    assert res.n_loaded == 9
    assert _orders(store) == before
    # the damaged file first, the clean one after: the same nine orders, under their Ids
    import_shopify(store, "w2", EXCEL_DE)
    import_shopify(store, "w2", CLEAN_DE)
    rows = store.query("SELECT order_id FROM orders WHERE workspace_id = 'w2' ORDER BY 1")
    assert [r["order_id"] for r in rows] == ["5912345600011", "5912345600012", "5912345600013"]


def test_a_rounded_id_without_a_name_is_refused_saying_what_to_do(
    store: Store, tmp_path: Path
) -> None:
    f = tmp_path / "noname.csv"
    f.write_text(
        "Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Lineitem quantity,"
        "Lineitem name,Lineitem price,ID\n"
        ",a@b.org,paid,EUR,10.00,10.00,2026-11-16 09:12:44 +0100,1,Serum,10.00,5.91235E+12\n"
        ",c@d.org,paid,EUR,20.00,20.00,2026-11-17 09:12:44 +0100,1,Cream,20.00,5.91235E+12\n"
    )
    res = import_shopify(store, "default", f)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (2, 0, 2)  # two lines, two orders
    q = _quarantine(store)
    assert [(r["line"], r["field"], r["level"]) for r in q] == [
        (2, "ID", "rejected"), (3, "ID", "rejected")
    ]  # fmt: skip
    reason = str(q[0]["reason"])
    assert reason.startswith('ID is in scientific notation ("5.91235E+12")')
    assert reason.endswith("format the ID column as text before saving, or delete it")
    assert "@" not in reason
