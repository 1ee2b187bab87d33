"""Shopify orders: REST Order JSON / ``orders/create`` webhook payloads and the admin CSV export.

:func:`order_record` normalizes one Order object into an ``orders`` row: discount codes and
amount, ``landing_site`` with its UTM parameters parsed into ``utm_*`` columns, customer id,
new customer (``customer.orders_count == 1``), refunds summed into ``refunded`` (refund
transactions, else refund line items), cost of goods from line-item properties (``cost`` /
``_cost`` / ``cogs`` per unit) or a ``cogs_rate`` share of the subtotal.

Personal data. The e-mail address is stored only as ``customer_email_hash`` = sha256 of the
trimmed, lower-cased address, so orders can be joined to one customer without keeping who it
is. The design says raw records are kept "as received"; for orders we keep them as received
*minus personal data*: before hashing and landing, every e-mail is replaced by its hash and
names, phones and addresses are dropped (:func:`redact_order`). Re-imports stay no-ops (the
redaction is deterministic) and normalization can still be re-run from the raw landing, since
no canonical column needs the clear address. Errors and quarantine rows never carry an e-mail.

The admin CSV export has one line per line item with order-level fields on the first line of
each order only; lines are grouped by ``Name`` into one record per order.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from closeknit.connectors.csvio import iter_csv, norm_header, read_head
from closeknit.connectors.landing import (
    ImportResult,
    Record,
    Rejected,
    add_warning,
    canonical_json,
    invalid_json_reason,
    load,
    newer_of,
    one_way,
    repeated_ids_reason,
)
from closeknit.connectors.values import (
    BadValue,
    date_order,
    is_scientific_id,
    parse_datetime,
    parse_money,
)
from closeknit.errors import ValidationError
from closeknit.figures import count
from closeknit.store import Store

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_PII_KEYS = {
    "first_name",
    "last_name",
    "name_on_card",
    "phone",
    "address1",
    "address2",
    "billing_address",
    "shipping_address",
    "default_address",
    "addresses",
    "browser_ip",
    "client_details",
    "contact_email",
    "customer_locale",
    "note_attributes",
    "payment_details",
    # the GraphQL Admin API's names of the same
    "firstName",
    "lastName",
    "displayName",
    "billingAddress",
    "shippingAddress",
    "defaultAddress",
    "defaultPhoneNumber",
    "phoneNumber",
    "clientIp",
    "customerLocale",
}
_EMAIL_KEYS = {"email", "contact_email", "emailAddress", "contactEmail"}
_SCALARS = frozenset({int, float, bool})
COST_PROPS = ("cost", "_cost", "cogs", "_cogs", "unit_cost", "cost_per_item")


def email_hash(email: object) -> str | None:
    """sha256 of the trimmed, lower-cased e-mail address (None when empty)."""
    if not isinstance(email, str) or not email.strip():
        return None
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def mask_emails(text: str) -> str:
    """Replace anything that looks like an e-mail address in ``text`` (for errors and logs)."""
    return _EMAIL.sub("<email>", text)


def redact_order(obj: Any) -> Any:
    """A copy of an order object with e-mails hashed and names, phones, addresses dropped."""
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if k in _EMAIL_KEYS:
                h = email_hash(v)
                out[k] = f"sha256:{h}" if h else v
            elif k in _PII_KEYS:
                continue
            elif v is None or type(v) in _SCALARS or (type(v) is str and "@" not in v):
                out[k] = v  # nothing to redact: no call per leaf (most of an order)
            else:
                out[k] = redact_order(v)
        return out
    if isinstance(obj, list):
        return [redact_order(v) for v in obj]
    if isinstance(obj, str) and "@" in obj:
        return mask_emails(obj)
    return obj


def utm_params(url: object) -> dict[str, str | None]:
    """``utm_source/medium/campaign/content`` from a landing URL (absolute or a path)."""
    out: dict[str, str | None] = {
        "utm_source": None,
        "utm_medium": None,
        "utm_campaign": None,
        "utm_content": None,
    }
    if not isinstance(url, str) or "?" not in url:
        return out
    try:
        q = parse_qs(urlsplit(url.strip()).query, keep_blank_values=False)
    except ValueError:
        return out
    for k in out:
        v = q.get(k)
        if v:
            out[k] = v[0]
    return out


def _money(value: Any, field: str, *, signed: bool = False) -> float | None:
    """An order's amount; a negative one is refused unless ``signed`` (Shopify writes none: a
    refund is its own positive amount), as it was counted as a sale with negative revenue."""
    try:
        amount, _cur = parse_money(value)
    except BadValue as e:
        raise _FieldError(field, str(e)) from e
    if amount is not None and amount < 0 and not signed:
        raise _FieldError(field, f"{field} is negative ({amount:g}): Shopify amounts never are")
    return amount


class _FieldError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _refunded(refunds: Any) -> float:
    total = 0.0
    if not isinstance(refunds, list):
        if refunds in (None, ""):
            return 0.0
        raise _FieldError("refunds", "refunds is not a list")
    for i, rf in enumerate(refunds):
        if not isinstance(rf, dict):
            raise _FieldError(f"refunds[{i}]", "refund is not an object")
        txs = [t for t in rf.get("transactions") or [] if isinstance(t, dict)]
        ok = [
            t
            for t in txs
            if t.get("kind", "refund") == "refund" and t.get("status", "success") == "success"
        ]
        if ok:
            total += sum(_money(t.get("amount"), f"refunds[{i}].amount") or 0.0 for t in ok)
        else:
            for li in rf.get("refund_line_items") or []:
                if isinstance(li, dict):
                    total += _money(li.get("subtotal"), f"refunds[{i}].subtotal") or 0.0
    return round(total, 2)


def _cogs(items: list[Any], subtotal: float | None, cogs_rate: float | None) -> float | None:
    cost = 0.0
    found = False
    for i, li in enumerate(items):
        if not isinstance(li, dict):
            continue
        unit = None
        props = li.get("properties") or []
        if isinstance(props, list):
            for p in props:
                if isinstance(p, dict) and str(p.get("name", "")).lower() in COST_PROPS:
                    unit = _money(p.get("value"), f"line_items[{i}].properties.cost")
        if unit is None and li.get("cost") not in (None, ""):
            unit = _money(li.get("cost"), f"line_items[{i}].cost")
        if unit is not None:
            found = True
            qty = li.get("quantity", 1)
            try:
                cost += unit * float(qty)
            except (TypeError, ValueError) as e:
                raise _FieldError(f"line_items[{i}].quantity", "quantity is not a number") from e
    if found:
        return round(cost, 2)
    if cogs_rate is not None and subtotal is not None:
        return round(subtotal * cogs_rate, 2)
    return None


_ORDER_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")
_DIGITS = re.compile(r"\d+")


def order_record(
    payload: dict[str, Any],
    *,
    source: str = "shopify_webhook",
    file: str | None = None,
    line: int | None = None,
    cogs_rate: float | None = None,
    raw_payload: str | None = None,
    month_first: bool = False,
) -> Record | Rejected:
    """Normalize one Shopify REST Order / orders-create webhook payload into an ``orders`` row.

    ``raw_payload`` (internal) is the already-redacted raw text to land instead of the payload.
    ``month_first``: the file's date column reads month-first (values.DateOrder).
    """
    if not isinstance(payload, dict):
        return Rejected("order is not a JSON object", file=file, line=line)
    safe = redact_order(payload)
    raw = raw_payload if raw_payload is not None else canonical_json(safe)
    try:
        oid = payload.get("id")
        # Shopify's ids are digits; an admin export without its Id column keys by Name
        key = _ORDER_ID if source == "shopify_csv" else _DIGITS
        if isinstance(oid, bool) or oid in (None, "") or not key.fullmatch(str(oid)):
            what = "an id" if key is _ORDER_ID else "a number"
            raise _FieldError(
                "id",
                # a missing id is said so, not as Python's repr of None ('None')
                "order has no id"
                if oid in (None, "")
                else f"order id is not {what}: {json.dumps(str(oid)[:40], ensure_ascii=False)}",
            )
        try:
            created = parse_datetime(
                payload.get("created_at") or payload.get("processed_at"), month_first=month_first
            )
        except BadValue as e:
            raise _FieldError("created_at", str(e)) from e
        cust = payload.get("customer") if isinstance(payload.get("customer"), dict) else {}
        assert isinstance(cust, dict)
        oc = cust.get("orders_count")
        if oc is not None and (isinstance(oc, bool) or not str(oc).strip().isdigit()):
            raise _FieldError("customer.orders_count", "orders_count is not a count")
        subtotal = _money(payload.get("subtotal_price"), "subtotal_price")
        total = _money(payload.get("total_price"), "total_price")
        # a discount some exports and reports write negative (-9.00): its size, not refused
        discount = _money(payload.get("total_discounts"), "total_discounts", signed=True)
        discount = abs(discount) if discount is not None else None
        codes_in = payload.get("discount_codes") or []
        if not isinstance(codes_in, list):
            raise _FieldError("discount_codes", "discount_codes is not a list")
        codes = [
            str(c.get("code")).strip()
            for c in codes_in
            if isinstance(c, dict) and c.get("code") not in (None, "")
        ]
        items = payload.get("line_items") or []
        if not isinstance(items, list):
            raise _FieldError("line_items", "line_items is not a list")
        refunded = _refunded(payload.get("refunds"))
        cogs = _cogs(items, subtotal, cogs_rate)
        try:
            # the order's state as of this time: an older payload never overwrites a newer one
            observed = parse_datetime(payload.get("updated_at"), month_first=month_first)
        except BadValue:
            observed = None  # unreadable: merged as an undated record (the later import wins)
    except _FieldError as e:
        return Rejected(mask_emails(e.reason), file=file, line=line, field=e.field, raw=raw)
    landing = payload.get("landing_site")
    row: dict[str, Any] = {
        "order_id": str(oid),
        "source": source,
        "created_at": created,
        "customer_id": str(cust["id"]) if cust.get("id") not in (None, "") else None,
        "customer_email_hash": email_hash(
            payload.get("email") or payload.get("contact_email") or cust.get("email")
        ),
        "is_new_customer": (int(str(oc)) == 1) if oc is not None else None,
        "currency": payload.get("currency") or payload.get("presentment_currency"),
        "subtotal": subtotal,
        "total": total,
        "discount_amount": discount,
        "cogs": cogs,
        "refunded": refunded,
        "discount_codes": codes,
        "landing_site": landing if isinstance(landing, str) else None,
        "referring_site": payload.get("referring_site") or None,
        **utm_params(landing),
        "observed_at": observed,
        "extra": json.dumps(
            {
                k: safe.get(k)
                for k in (
                    "name",
                    "order_number",
                    "financial_status",
                    "fulfillment_status",
                    "source_name",
                    "total_tax",
                    "tags",
                    "cancelled_at",
                    "test",
                    "line_items",
                )
                if k in safe
            },
            ensure_ascii=False,
            default=str,
        ),
    }
    return Record(kind="order", payload=raw, rows={"orders": [row]}, file=file, line=line)


def iter_order_jsonl(
    path: Path,
    *,
    source: str = "shopify_orders",
    cogs_rate: float | None = None,
    orphans: list[int] | None = None,
) -> Iterator[Record | Rejected]:
    """Records of a JSON-lines file of Order objects (or a JSON array / ``{"orders": [...]}``),
    REST or GraphQL Admin API (:func:`graphql_order`; a bulk operation's line items, lines with
    ``__parentId``, are folded into their order wherever they stand; the lines of those whose
    order is not in the file are appended to ``orphans``)."""
    name = str(path)
    data = Path(path).read_bytes()
    head = data.lstrip()[:1]
    if head in (b"[", b"{") and path.suffix.lower() == ".json":
        try:
            obj = json.loads(data)
        except ValueError:
            obj = None
        obj = _order_list(obj)
        if isinstance(obj, dict):
            obj = [obj]
        if isinstance(obj, list):
            for i, o in enumerate(obj, start=1):
                yield _any_order(o, [], source=source, file=name, line=i, cogs_rate=cogs_rate)
            return
    parsed: list[tuple[int, Any]] = []
    children: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for i, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            yield Rejected(
                mask_emails(invalid_json_reason(raw)),
                file=name,
                line=i,
                raw=mask_emails(raw[:2000].decode("utf-8", "replace")),
            )
            continue
        parent = obj.get("__parentId") if isinstance(obj, dict) else None
        if isinstance(parent, str):
            # a bulk operation's child (a line item): no order of its own, and Shopify does
            # not promise it follows its order, so the whole file is read first
            children.setdefault(parent, []).append((i, obj))
        else:
            parsed.append((i, obj))
    for i, obj in parsed:
        own = children.pop(str(obj.get("id")), []) if isinstance(obj, dict) else []
        yield _any_order(obj, own, source=source, file=name, line=i, cogs_rate=cogs_rate)
    if orphans is not None:
        orphans.extend(sorted(i for lines in children.values() for i, _ in lines))


def _order_list(obj: Any) -> Any:
    """The orders of a JSON answer: REST's ``{"orders": [...]}``, GraphQL's ``{"data":
    {"orders": {"edges": [{"node": ...}]}}}`` (or ``nodes``); anything else as it is."""
    if isinstance(obj, dict) and isinstance(obj.get("data"), dict):
        conn = obj["data"].get("orders")
        if isinstance(conn, dict):
            return _nodes(conn)
    if isinstance(obj, dict) and isinstance(obj.get("orders"), list):
        return obj["orders"]
    return obj


def _nodes(conn: Any) -> list[Any]:
    """The objects of a GraphQL connection (``edges[].node`` or ``nodes``), or a plain list."""
    if isinstance(conn, list):
        return conn
    if not isinstance(conn, dict):
        return []
    if isinstance(conn.get("nodes"), list):
        return list(conn["nodes"])
    edges = conn.get("edges")
    return [e.get("node") for e in edges if isinstance(e, dict)] if isinstance(edges, list) else []


def _any_order(
    obj: Any,
    children: list[tuple[int, dict[str, Any]]],
    *,
    source: str,
    file: str,
    line: int,
    cogs_rate: float | None,
) -> Record | Rejected:
    """One order of a JSON file, REST (:func:`order_record`) or GraphQL (:func:`graphql_order`)."""
    if not is_graphql_order(obj):
        return order_record(obj, source=source, file=file, line=line, cogs_rate=cogs_rate)
    assert isinstance(obj, dict)
    raw = canonical_json(redact_order([obj, *(c for _i, c in children)] if children else obj))
    kind = _gid(obj.get("id"))
    if kind is not None and kind[0] != "Order":
        return Rejected(
            f"not an order: a Shopify {kind[0]} object ({kind[0]} {kind[1]})",
            file=file, line=line, field="id", raw=raw,
        )  # fmt: skip
    rec = order_record(
        graphql_order(obj, [c for _i, c in children]),
        source=source,
        file=file,
        line=line,
        cogs_rate=cogs_rate,
        raw_payload=raw,
    )
    if isinstance(rec, Rejected) and rec.field:
        rec.field = _graphql_field(rec.field)
    return rec


# a GraphQL global id: gid://shopify/Order/5912345600031 (its number is the REST API's id)
_GID = re.compile(r"gid://shopify/(\w+)/(\d+)(?:\?.*)?")
# fields only the GraphQL Order object has (camelCase), for a file without gid ids
_GRAPHQL_KEYS = ("totalPriceSet", "createdAt", "displayFinancialStatus", "currencyCode")


def is_graphql_order(obj: Any) -> bool:
    """True for an order (or other object) as the GraphQL Admin API writes it."""
    if not isinstance(obj, dict):
        return False
    oid = obj.get("id")
    return (isinstance(oid, str) and oid.startswith("gid://")) or any(
        k in obj for k in _GRAPHQL_KEYS
    )


def _gid(value: Any) -> tuple[str, str] | None:
    """(type, number) of a GraphQL global id, None when ``value`` is none."""
    m = _GID.fullmatch(value.strip()) if isinstance(value, str) else None
    return (m.group(1), m.group(2)) if m else None


def _gid_number(value: Any) -> Any:
    """The number of a global id (the REST API's id of the same object), else the value as it
    is (order_record refuses what is no id, quoting it)."""
    got = _gid(value)
    return got[1] if got else value


def _shop_money(value: Any) -> tuple[Any, Any]:
    """(amount, currency) of a MoneyBag (``{"shopMoney": {"amount", "currencyCode"}}``, the
    shop's currency) or a MoneyV2; any other value as the amount (refused by its field)."""
    if isinstance(value, dict):
        shop = value.get("shopMoney")
        money: dict[str, Any] = shop if isinstance(shop, dict) else value
        return money.get("amount"), money.get("currencyCode")
    return value, None


def _dig(obj: Any, *keys: str) -> Any:
    """``obj[k1][k2]...``, None where a level is missing or no object."""
    for k in keys:
        obj = obj.get(k) if isinstance(obj, dict) else None
    return obj


def _graphql_item(item: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL LineItem as a REST line item (its customAttributes as properties: a cost)."""
    price, _cur = _shop_money(item.get("originalUnitPriceSet", item.get("originalUnitPrice")))
    attrs = item.get("customAttributes")
    props = (
        [{"name": a.get("key"), "value": a.get("value")} for a in attrs if isinstance(a, dict)]
        if isinstance(attrs, list)
        else []
    )
    return {
        "title": item.get("title") or item.get("name"),
        "quantity": item.get("quantity", 1),
        "price": price,
        "sku": item.get("sku"),
        "vendor": item.get("vendor"),
        "properties": props,
    }


def graphql_order(obj: dict[str, Any], children: list[dict[str, Any]]) -> dict[str, Any]:
    """A GraphQL Admin API Order (``gid://`` ids, camelCase, money as ``...Set.shopMoney``) as
    the REST Order :func:`order_record` reads: the gid's number is the REST id, so the REST and
    GraphQL imports of one order are one order. ``children``: a bulk operation's lines whose
    ``__parentId`` is this order (line items; others are kept in the raw record only)."""
    total, currency = _shop_money(obj.get("totalPriceSet", obj.get("totalPrice")))
    subtotal, _c = _shop_money(obj.get("subtotalPriceSet", obj.get("subtotalPrice")))
    discounts, _c = _shop_money(obj.get("totalDiscountsSet", obj.get("totalDiscounts")))
    tax, _c = _shop_money(obj.get("totalTaxSet", obj.get("totalTax")))
    codes = obj.get("discountCodes")
    if codes is None:
        codes = [obj["discountCode"]] if obj.get("discountCode") else []
    items = _nodes(obj.get("lineItems")) + [
        c for c in children if (_gid(c.get("id")) or ("LineItem",))[0] == "LineItem"
    ]
    visit = _dig(obj, "customerJourneySummary", "lastVisit") or {}
    cust = obj.get("customer") if isinstance(obj.get("customer"), dict) else None
    order: dict[str, Any] = {
        "id": _gid_number(obj.get("id")),
        "name": obj.get("name"),
        "created_at": obj.get("createdAt"),
        "processed_at": obj.get("processedAt"),
        "updated_at": obj.get("updatedAt"),
        "currency": obj.get("currencyCode") or currency,
        "total_price": total,
        "subtotal_price": subtotal,
        "total_discounts": discounts,
        "total_tax": tax,
        # a list of strings (REST: of {"code": ...}); anything else is refused by its field
        "discount_codes": [{"code": c} for c in codes if isinstance(c, str)]
        if isinstance(codes, list)
        else codes,
        "refunds": _graphql_refunds(obj),
        "line_items": [_graphql_item(i) for i in items if isinstance(i, dict)],
        "landing_site": visit.get("landingPage") or obj.get("landingPageUrl"),
        "referring_site": visit.get("referrerUrl") or obj.get("referrerUrl"),
        "email": obj.get("email"),
        "financial_status": _lower(obj.get("displayFinancialStatus")),
        "fulfillment_status": _lower(obj.get("displayFulfillmentStatus")),
        "cancelled_at": obj.get("cancelledAt"),
        "source_name": obj.get("sourceName"),
        "tags": ", ".join(t for t in obj["tags"] if isinstance(t, str))
        if isinstance(obj.get("tags"), list)
        else obj.get("tags"),
        "test": obj.get("test"),
    }
    if cust is not None:
        order["customer"] = {
            "id": _gid_number(cust.get("id")),
            "orders_count": cust.get("numberOfOrders"),
            "email": cust.get("email") or _dig(cust, "defaultEmailAddress", "emailAddress"),
        }
    return {k: v for k, v in order.items() if v is not None}


def _lower(value: Any) -> Any:
    """A GraphQL enum (``PARTIALLY_REFUNDED``) as REST writes it (``partially_refunded``)."""
    return value.lower() if isinstance(value, str) else value


def _graphql_refunds(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """``totalRefundedSet`` (else each refund's) as REST refund transactions."""
    if "totalRefundedSet" in obj or "totalRefunded" in obj:
        amounts = [_shop_money(obj.get("totalRefundedSet", obj.get("totalRefunded")))[0]]
    else:
        amounts = [_shop_money(r.get("totalRefundedSet"))[0]
                   for r in _nodes(obj.get("refunds")) if isinstance(r, dict)]  # fmt: skip
    return [
        {"transactions": [{"kind": "refund", "status": "success", "amount": a}]}
        for a in amounts
        if a not in (None, "") and (not isinstance(a, str) or _nonzero(a))
    ]


# an Order field order_record names -> the GraphQL field it came from
_GRAPHQL_FIELD_OF = {
    "created_at": "createdAt",
    "total_price": "totalPriceSet.shopMoney.amount",
    "subtotal_price": "subtotalPriceSet.shopMoney.amount",
    "total_discounts": "totalDiscountsSet.shopMoney.amount",
    "discount_codes": "discountCodes",
    "line_items": "lineItems",
    "refunds": "totalRefundedSet",
    "customer.orders_count": "customer.numberOfOrders",
}


def _graphql_field(field: str) -> str:
    """The GraphQL name of a field a REST-shaped order was refused by."""
    if field in _GRAPHQL_FIELD_OF:
        return _GRAPHQL_FIELD_OF[field]
    if field.startswith("refunds["):
        return "totalRefundedSet.shopMoney.amount"
    if field.startswith("line_items["):
        return "lineItems" + field[len("line_items") :].replace(
            ".properties.", ".customAttributes."
        )
    return field


# Shopify admin export column -> Order field (the export's own header names)
CSV_FIELDS = {
    "name": "name",
    "email": "email",
    "financial status": "financial_status",
    "fulfillment status": "fulfillment_status",
    "currency": "currency",
    "subtotal": "subtotal_price",
    "total": "total_price",
    "taxes": "total_tax",
    "discount code": "discount_code",
    "discount amount": "total_discounts",
    "created at": "created_at",
    "paid at": "processed_at",
    "refunded amount": "refunded_amount",
    "id": "id",
    "tags": "tags",
    "source": "source_name",
    "landing site": "landing_site",
    "referring site": "referring_site",
    "cancelled at": "cancelled_at",
}


# an Order field a rejected CSV row names -> the export column it came from
_CSV_COLUMN_OF = {fld: col for col, fld in CSV_FIELDS.items()} | {
    "refunds": "refunded amount",
    "discount_codes": "discount code",
    "line_items": "lineitem quantity",
}

# columns only an order's first line fills (the one holding the order's fields): the line
# that has one of them heads its order, wherever the export's sort put it
_ORDER_LEVEL = ("financial status", "currency", "subtotal", "total", "taxes", "discount code",
                "paid at", "id", "refunded amount")  # fmt: skip


def iter_order_csv(
    path: Path,
    *,
    cogs_rate: float | None = None,
    encoding: str | None = None,
    short_lines: list[int] | None = None,
    repeated_lines: list[int] | None = None,
    repeated_ids: dict[str, list[int]] | None = None,
    rounded_ids: list[int] | None = None,
) -> Iterator[Record | Rejected]:
    """Records of a Shopify admin orders export: lines grouped by ``Name`` into orders.

    The lines of one order need not be adjacent (an export sorted by product or date, or
    lines pasted together): each order is complete at its last line, and the line holding
    the order's fields heads it (its line names the order in errors). A line with fewer
    cells than the header (trailing empty cells dropped) is read with the cells it lacks
    unknown; their lines are appended to ``short_lines``. Where an order's own line (the one
    with its totals) comes again cell for cell (an export pasted twice into one file), that
    line and the lines after it repeating earlier ones are read once, so the order's line items
    and cost of goods are not doubled; their lines are appended to ``repeated_lines``. Two
    equal item lines of an order otherwise stay two items. Where the order's own line comes
    again with other values (another version of the order), the later version is read and
    the earlier one's lines dropped; ``repeated_ids`` gets the order's key and the lines of its
    versions (the warning names them). An Id a spreadsheet rounded (``5.91235E+12``) keys its
    order by Name, as an export without the Id column does; the order's line is appended to
    ``rounded_ids``.
    A rejected row's reason names the column but never quotes a cell (names, addresses)."""
    headers, rows = iter_csv(path, encoding=encoding, short_rows=True)
    name = str(path)
    if "name" not in headers:
        raise ValidationError(f"{path}: not a Shopify orders export (no Name column)")
    idx = {h: i for i, h in enumerate(headers)}
    id_column = _spelled(path, encoding).get("id", "Id")
    # One more read of the file (exports are tens of thousands of lines): where each order's
    # last line is, and the day/month order of Created at: a spreadsheet re-saved in the US
    # writes 3/4/2025 for March 4, and the whole column decides.
    last: dict[str, int] = {}
    at = idx.get("created at")
    _h, again = iter_csv(path, encoding=encoding, short_rows=True)

    def dates() -> Iterator[str]:
        for k, r in enumerate(again):
            if r.error:
                continue
            last[_order_key(r.cells, idx, k)] = k
            if at is not None and at < len(r.cells):
                yield r.cells[at]

    month_first = date_order(dates()).month_first
    open_orders: dict[str, list[tuple[int, dict[str, str]]]] = {}
    pasted: set[str] = set()  # orders whose own line came again (an export pasted twice)
    # orders whose own line came again with other values: key -> the lines of their versions
    versions: dict[str, list[int]] = repeated_ids if repeated_ids is not None else {}
    for k, row in enumerate(rows):
        if row.error:
            yield Rejected(
                row.error,
                file=name,
                line=row.line,
                field=row.field,
                raw=mask_emails(",".join(row.cells))[:2000],
            )
            continue
        if len(row.cells) < len(headers) and short_lines is not None:
            short_lines.append(row.line)
        key = _order_key(row.cells, idx, k)
        group = open_orders.setdefault(key, [])
        cells = {h: row.cells[i] for h, i in idx.items() if i < len(row.cells)}
        # the order's own line (its totals) again starts a second copy of the order; from
        # there, lines repeating earlier ones are that copy's. Without it two equal item lines
        # are two items (two anklets at 15.00), not a paste
        head_again = any(cells.get(c, "") for c in _ORDER_LEVEL)
        if (head_again or key in pasted) and any(g[1] == cells for g in group):
            pasted.add(key)
            if repeated_lines is not None:
                repeated_lines.append(row.line)
        else:
            heads = [g[0] for g in group if any(g[1].get(c, "") for c in _ORDER_LEVEL)]
            if head_again and heads:
                # the order's own line again with other values (another version of the
                # order, not a paste): the later version is kept whole, as a posts file keeps
                # a post's last line; before, the first total was kept and the items doubled
                versions.setdefault(key, heads[:1]).append(row.line)
                group.clear()
            group.append((row.line, cells))
        if last.get(key, k) <= k:
            del open_orders[key]
            head = next((g for g in group if any(g[1].get(c, "") for c in _ORDER_LEVEL)), group[0])
            lines = [head[1]] + [g[1] for g in group if g is not head]
            yield _csv_order(lines, name, head[0], cogs_rate, month_first, id_column, rounded_ids)
    for group in open_orders.values():  # the file changed between the two reads
        yield _csv_order(
            [g[1] for g in group], name, group[0][0], cogs_rate, month_first, id_column,
            rounded_ids,
        )  # fmt: skip


def _order_key(cells: list[str], idx: dict[str, int], k: int) -> str:
    """The order a line belongs to: its Name, else its Id; a line with neither is its own (so
    is one whose Id a spreadsheet rounded: 5.91235E+12 is every order of the shop)."""
    for col in ("name", "id"):
        i = idx.get(col)
        if i is not None and i < len(cells) and cells[i].strip():
            if col == "id" and is_scientific_id(cells[i]):
                break
            return f"{col}:{cells[i].strip()}"
    return f"line:{k}"


def _spelled(path: Path, encoding: str | None) -> dict[str, str]:
    """The header cells as the file writes them, by their normalized name ("id" -> "Id"), for
    messages that name a column: the user looks for it as it is spelled."""
    try:
        head = read_head(path, encoding=encoding)
        with open(path, encoding=head.encoding, errors="replace", newline="") as fh:
            skip = len(head.preamble)
            for row in csv.reader(fh, delimiter=head.delimiter):
                if not any(c.strip() for c in row):
                    continue
                if skip:
                    skip -= 1
                    continue
                return {norm_header(c): c.replace("\ufeff", "").strip() for c in row}
    except (OSError, ValidationError, csv.Error):
        pass  # the reader proper says what is wrong with the file
    return {}


def _csv_order(
    group: list[dict[str, str]],
    file: str,
    line: int,
    cogs_rate: float | None,
    month_first: bool = False,
    id_column: str = "Id",
    rounded_ids: list[int] | None = None,
) -> Record | Rejected:
    head = group[0]
    order: dict[str, Any] = {}
    for col, fld in CSV_FIELDS.items():
        v = head.get(col, "")
        if v != "":
            order[fld] = v
    # no Id column: the order's Name is its key. Its digits alone were, so #EU1001 and #US1001
    # of two stores' prefixes became one order 1001 and one was lost
    name = re.sub(r"[\s#]", "", head.get("name", ""))
    if is_scientific_id(order.get("id")):
        # a spreadsheet rounded the Id (5.91235E+12, every order of the shop alike): the Name
        # keys the order, as without the column (fold_name_keyed joins it to the order
        # stored under its Id); every such order was quarantined until 2026-12-06
        if not name:
            raw = canonical_json([_redact_csv_row(g) for g in group])
            return Rejected(
                _rounded_id_reason(id_column, str(order["id"])), file=file, line=line,
                field=id_column, raw=raw,
            )  # fmt: skip
        del order["id"]
    rounded = "id" not in order and "id" in head and head["id"] != ""
    if "id" not in order:
        order["id"] = name or None
    code = order.pop("discount_code", None)
    # an order with two codes lists them in one cell, "SUMMER10, FREESHIP": each is a code
    # (a code cannot hold a comma), or the order is attributed to neither
    codes = [c.strip() for c in (code or "").split(",") if c.strip()]
    order["discount_codes"] = [
        {"code": c, "amount": order.get("total_discounts") if len(codes) == 1 else None}
        for c in codes
    ]
    refunded = order.pop("refunded_amount", None)
    order["refunds"] = (
        [{"transactions": [{"kind": "refund", "status": "success", "amount": refunded}]}]
        if refunded not in (None, "") and _nonzero(refunded)
        else []
    )
    items = []
    for g in group:
        if g.get("lineitem name", "") or g.get("lineitem quantity", ""):
            items.append(
                {
                    "title": g.get("lineitem name"),
                    "quantity": _int_or(g.get("lineitem quantity"), 1),
                    "price": g.get("lineitem price"),
                    "sku": g.get("lineitem sku"),
                    "vendor": g.get("vendor"),
                }
            )
    order["line_items"] = items
    # the raw record of a CSV order is its export lines (redacted), not the rebuilt object
    raw = canonical_json([_redact_csv_row(g) for g in group])
    rec = order_record(
        order,
        source="shopify_csv",
        file=file,
        line=line,
        cogs_rate=cogs_rate,
        raw_payload=raw,
        month_first=month_first,
    )
    if isinstance(rec, Rejected) and rec.field == "id":
        # the key's column as the file spells it: the Id, else the Name that stands for it
        rec.field = id_column if "id" in head else "Name"
    elif isinstance(rec, Rejected) and rec.field in _CSV_COLUMN_OF:
        # the export's own column, not the Order object's field it fills ("subtotal", not
        # "subtotal_price"): the user looks for it in the file
        rec.field = _CSV_COLUMN_OF[rec.field]
    if isinstance(rec, Record) and rounded and rounded_ids is not None:
        rounded_ids.append(line)  # said once per file, for the orders it loaded
    if isinstance(rec, Record):
        # what the export has no column for stays NULL, so merging into an order imported
        # from JSON keeps its values (orders merge field by field)
        row = rec.rows["orders"][0]
        # an export has no updated_at: its state is dated by its import, so an older payload
        # imported later (a back-fill) does not turn its refund or cancellation back
        row["observed_at"] = _dt.datetime.now(_dt.UTC).replace(tzinfo=None)
        for col, fields in _CSV_ONLY_IF_PRESENT.items():
            if col not in head:
                for f in fields:
                    row[f] = None
    return rec


def _rounded_id_reason(column: str, value: str) -> str:
    """Why an order whose Id a spreadsheet rounded, and that has no Name, is refused."""
    shown = json.dumps(value.strip()[:40], ensure_ascii=False)
    return (
        f"{column} is in scientific notation ({shown}), as a spreadsheet shows a long number: "
        f"its digits are lost and the line has no Name to key the order by; format the "
        f"{column} column as text before saving, or delete it"
    )


def _rounded_ids_warning(
    store: Store, workspace: str, res: ImportResult, lines: list[int], column: str
) -> None:
    """One warning per file whose Id column a spreadsheet turned into rounded numbers: its
    orders were keyed by their Name (said once, naming the lines)."""
    n = len(lines)
    shown = ", ".join(str(x) for x in lines[:20]) + (", ..." if n > 20 else "")
    reason = (
        f"the {column} column was turned into rounded numbers by a spreadsheet (5.91235E+12): "
        f"{count(n, 'order')} keyed by {'its' if n == 1 else 'their'} Name instead "
        f"(line{'' if n == 1 else 's'} {shown}); an order already stored under its Id is "
        f"merged into it. To keep the ids, format the {column} column as text before saving"
    )
    with store.transaction(bulk=True) as tx:
        add_warning(tx, workspace, res, line=lines[0], field=column, reason=reason)


_CSV_ONLY_IF_PRESENT = {
    "discount code": ("discount_codes",),
    "discount amount": ("discount_amount",),
    "refunded amount": ("refunded",),
    "landing site": ("landing_site", "utm_source", "utm_medium", "utm_campaign", "utm_content"),
    "subtotal": ("subtotal",),
    "total": ("total",),
    "currency": ("currency",),
}


def _redact_csv_row(row: dict[str, str]) -> dict[str, str]:
    """Export columns minus personal data: e-mail hashed; names, phones, addresses dropped."""
    out: dict[str, str] = {}
    for k, v in row.items():
        if k == "email":
            h = email_hash(v)
            out[k] = f"sha256:{h}" if h else v
        elif k.startswith(("billing ", "shipping ")) and k not in (
            "billing country",
            "shipping country",
            "shipping method",
        ):
            continue
        elif k in ("phone", "notes", "note attributes"):
            continue
        else:
            out[k] = mask_emails(v) if "@" in v else v
    return out


def _nonzero(v: str) -> bool:
    try:
        amount, _ = parse_money(v)
    except BadValue:
        return True  # let order_record reject it, naming the field
    return bool(amount)


def _int_or(v: str | None, default: int) -> int | str:
    if v is None or not v.strip():
        return default
    return int(v) if v.strip().isdigit() else v


def import_shopify(
    store: Store,
    workspace: str,
    path: Path,
    *,
    cogs_rate: float | None = None,
    on_progress: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> ImportResult:
    """Import a Shopify orders CSV export, or a JSON-lines / JSON file of Order objects."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"no such file: {path}", path=str(path))
    if cogs_rate is not None and not (0 <= cogs_rate <= 1):
        raise ValidationError("the cost of goods must be a share of revenue between 0 and 1")
    short: list[int] = []
    repeated: list[int] = []
    versions: dict[str, list[int]] = {}
    rounded: list[int] = []
    orphans: list[int] = []  # line items of a GraphQL bulk export whose order is not in it
    if path.suffix.lower() in (".csv", ".tsv"):
        items: Iterable[Record | Rejected] = iter_order_csv(
            path,
            cogs_rate=cogs_rate,
            encoding=encoding,
            short_lines=short,
            repeated_lines=repeated,
            repeated_ids=versions,
            rounded_ids=rounded,
        )
        source = "shopify_csv"
    else:
        items = iter_order_jsonl(path, cogs_rate=cogs_rate, orphans=orphans)
        source = "shopify_orders"
    coded: list[tuple[int | None, list[str]]] = []  # (line, codes) of the orders with codes
    res = load(
        store,
        _noting_codes(items, coded),
        source=source,
        workspace=workspace,
        path=str(path),
        on_progress=on_progress,
        bulk=True,
    )
    if orphans and res.n_loaded:
        _lines_warning(store, workspace, res, orphans, _ORPHANS)
    if rounded and res.n_loaded:
        column = _spelled(path, encoding).get("id", "Id")
        _rounded_ids_warning(store, workspace, res, rounded, column)
    if short and res.n_loaded:
        _lines_warning(store, workspace, res, short, _SHORT)
    if repeated and res.n_loaded:
        _lines_warning(store, workspace, res, repeated, _REPEATED)
    if versions and res.n_loaded:
        reason = repeated_ids_reason(
            "order", "order", [(k.split(":", 1)[1], v) for k, v in versions.items()]
        )
        with store.transaction(bulk=True) as tx:
            first = next(iter(versions.values()))
            add_warning(tx, workspace, res, line=first[-1], field="Name", reason=reason)
    if coded and res.n_loaded:
        field = "Discount Code" if source == "shopify_csv" else "discount_codes"
        _unissued_codes_warning(store, workspace, res, coded, field)
    if res.n_loaded:
        fold_name_keyed(store, workspace)
    return res


def _noting_codes(
    items: Iterable[Record | Rejected], coded: list[tuple[int | None, list[str]]]
) -> Iterator[Record | Rejected]:
    """``items``, noting each order's line and discount codes (those with any) in ``coded``."""
    for it in items:
        if isinstance(it, Record):
            for row in it.rows.get("orders", ()):
                codes = [str(c) for c in row.get("discount_codes") or () if c]
                if codes:
                    coded.append((it.line, codes))
        yield it


def _unissued_codes_warning(
    store: Store,
    workspace: str,
    res: ImportResult,
    coded: list[tuple[int | None, list[str]]],
    field: str,
) -> None:
    """One warning per file counting its orders whose discount codes no campaign of the
    workspace issued (a creator's code, in any case), with the five most used: they load (a
    shop has codes of its own: WELCOME10) and credit no creator by code, as attribution reads
    them. It was silent, so a creator's code mistyped in a campaign looked like no sales. None
    while no campaign has issued a code."""
    issued = {
        str(r["code"]).strip().upper()
        for r in store.query(
            "SELECT DISTINCT discount_code AS code FROM campaign_creators "
            "WHERE workspace_id = ? AND discount_code IS NOT NULL",
            [workspace],
        )
    }
    if not issued:
        # no campaign has codes yet (a shop's history imported first, as the demo does):
        # nothing can be mistyped, and the warning read as stale once the campaigns came
        return
    counts: dict[str, int] = {}
    spelled: dict[str, str] = {}
    lines: list[int] = []
    n = 0
    for line, codes in coded:
        keys = [c.strip().upper() for c in codes]
        if any(k in issued for k in keys):
            continue
        n += 1
        if line is not None:
            lines.append(line)
        for c, k in zip(codes, keys, strict=True):
            counts[k] = counts.get(k, 0) + 1
            spelled.setdefault(k, c.strip())
    if not n:
        return
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"{spelled[k]} ({c})" for k, c in top[:5])
    more = f" and {count(len(top) - 5, 'other code')}" if len(top) > 5 else ""
    one = n == 1
    why = "the shop's own codes, or a creator's code written otherwise than the campaign's"
    reason = (
        f"{count(n, 'order')} used {'a code' if one else 'codes'} no campaign issued: "
        f"{shown}{more}. {'It loads' if one else 'They load'} as the shop's sales and credit "
        f"no creator by code ({why}); an order's code credits a creator once a campaign gives "
        "them that code"
    )
    with store.transaction(bulk=True) as tx:
        add_warning(tx, workspace, res, line=min(lines) if lines else 1, field=field,
                    reason=reason)  # fmt: skip


# an order's Name as an export without an Id column keys it ("#1020" -> "1020")
_NAME_KEY = (
    "regexp_replace(coalesce(json_extract_string({t}.extra, '$.name'), ''), '[\\s#]', '', 'g')"
)


def fold_name_keyed(store: Store, workspace: str, *, only: list[str] | None = None) -> int:
    """Merge each order an admin export without its Id column keyed by Name into the same order
    imported with its Id (JSON, a webhook, an export with Ids): the same Name, created within
    15 hours (an export's times may lack their offset), one such order only (two shops can both
    have a #1001). Field by field the newer state wins (``observed_at``: Shopify's updated_at,
    an export's import time), the other filling what it lacks. Before, the order was stored
    twice (1020 and 5600000001020) and a creator was credited its revenue twice. ``only``: the
    ids of the orders just stored (a webhook's one order), else every order. Returns the
    orders merged."""
    name_n, name_i = _NAME_KEY.format(t="n"), _NAME_KEY.format(t="i")
    pairs_sql = (
        "SELECT * FROM (SELECT n.order_id AS n_id, min(i.order_id) AS i_id FROM orders n "
        "JOIN orders i ON i.workspace_id = n.workspace_id AND i.order_id <> n.order_id "
        f"AND {name_i} = n.order_id "
        "AND (i.created_at IS NULL OR n.created_at IS NULL OR "
        "abs(epoch(i.created_at) - epoch(n.created_at)) <= 15 * 3600) "
        f"WHERE n.workspace_id = $ws AND n.source = 'shopify_csv' AND n.order_id = {name_n} "
        "AND n.order_id <> '' GROUP BY n.order_id HAVING count(*) = 1)"
        # the one-candidate rule first: filtered before it, a webhook's order was always alone
        + (" WHERE i_id IN (SELECT unnest($only)) OR n_id IN (SELECT unnest($only))"
           if only is not None else "")
    )  # fmt: skip
    with store.transaction() as tx:
        pairs = tx.query(pairs_sql, {"ws": workspace, **({"only": only} if only else {})})
        if not pairs:
            return 0
        cols = [
            r["column_name"]
            for r in tx.query(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' "
                "AND column_name NOT IN ('workspace_id', 'order_id', 'source', 'observed_at') "
                "ORDER BY ordinal_position"
            )
        ]
        # the target row is the Id-keyed one (t); the Name-keyed one (n) is folded into it
        newer = (
            "coalesce(n.observed_at, '-infinity'::TIMESTAMP) > coalesce(t.observed_at, "
            "'-infinity'::TIMESTAMP)"
        )

        # refunds only grow, a status only moves on, a cancellation stays (landing.one_way)
        sets = ", ".join(
            f"{c} = "
            + one_way(
                "orders",
                c,
                f"CASE WHEN {newer} THEN {newer_of(c, 'n', 't')} ELSE {newer_of(c, 't', 'n')} END",
                new="n",
                old="t",
            )
            for c in cols
        )
        sets += ", observed_at = greatest(n.observed_at, t.observed_at)"
        tx.execute("CREATE OR REPLACE TEMP TABLE _fold (n_id VARCHAR, i_id VARCHAR)")
        tx.executemany("INSERT INTO _fold VALUES (?, ?)", [[p["n_id"], p["i_id"]] for p in pairs])
        tx.execute(
            f"UPDATE orders AS t SET {sets} FROM _fold f, orders n "
            "WHERE t.workspace_id = ? AND t.order_id = f.i_id AND n.workspace_id = t.workspace_id "
            "AND n.order_id = f.n_id",
            [workspace],
        )
        tx.execute(
            "DELETE FROM attributions WHERE workspace_id = ? AND order_id IN "
            "(SELECT n_id FROM _fold)",
            [workspace],
        )
        tx.execute(
            "DELETE FROM orders WHERE workspace_id = ? AND order_id IN (SELECT n_id FROM _fold)",
            [workspace],
        )
        tx.execute("DROP TABLE _fold")
    return len(pairs)


# what a warning about some of an export's lines says: (one line, several lines, after the list)
_SHORT = (
    "line has fewer cells than the header",
    "lines have fewer cells than the header",
    " (trailing empty cells dropped, as some spreadsheets and exporters write them): {lines}; "
    "the cells they lack are unknown (row kept)",
)
_ORPHANS = (
    "line item names an order that is not in the file",
    "line items name orders that are not in the file",
    " (GraphQL __parentId): {lines}; skipped, as no order holds them (a bulk export cut short?)",
)
_REPEATED = (
    "line repeats an earlier line of the same order cell for cell",
    "lines repeat an earlier line of the same order cell for cell",
    " (an export pasted twice into one file?): {lines}; each was read once, so the order's "
    "items and cost of goods are not counted twice",
)


def _lines_warning(
    store: Store, workspace: str, res: ImportResult, lines: list[int], words: tuple[str, str, str]
) -> None:
    """One warning counting some of the export's lines (short ones, repeated ones), as the
    set-based CSV imports write it. It is written after the orders' transaction, once per file
    (its line is not an order's first, so it is no note of one loaded record for
    ``landing.load``): a re-import loads nothing and adds none."""
    n = len(lines)
    shown = ", ".join(str(x) for x in lines[:20]) + (", ..." if n > 20 else "")
    one, many, rest = words
    listed = f"line{'' if n == 1 else 's'} {shown}"
    reason = f"{n} {one if n == 1 else many}" + rest.format(lines=listed)
    with store.transaction(bulk=True) as tx:
        add_warning(tx, workspace, res, line=lines[0], field=None, reason=reason)
