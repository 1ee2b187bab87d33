"""Which stored orders count as sales: one rule for attribution, lift and the shop series."""

from __future__ import annotations

# A voided or cancelled order (Shopify's financial_status / cancelled_at, kept in `extra` by the
# order importers) or a test order never became a sale: attributing it credited a creator with
# revenue the shop never had. Refunds are not here: they are netted through `refunded`.
COUNTED = (
    "(coalesce(lower(json_extract_string(extra, '$.financial_status')), '') <> 'voided' "
    "AND json_extract_string(extra, '$.cancelled_at') IS NULL "
    "AND NOT coalesce(try_cast(json_extract_string(extra, '$.test') AS BOOLEAN), false))"
)


def counted(alias: str = "") -> str:
    """:data:`COUNTED` for a table referred to as ``alias`` (``o`` → ``o.extra``)."""
    return COUNTED.replace("(extra,", f"({alias}.extra,") if alias else COUNTED
