"""Importing a roster of existing deals: bad rows are refused naming file, line and field, and
nothing of the file is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit.errors import ValidationError
from closeknit.store import Store
from closeknit.track.campaigns import import_roster, list_campaigns
from tests.track.helpers import seed

HEAD = "campaign_id,handle,code,link,start_date,end_date,post_at,fee\n"


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("neg,anna.runs,NEG10,,2026-09-01,2026-09-20,,-10", "fee", "0 or more"),
        ("neg,anna.runs,NEG10,,2026-09-01,2026-09-20,,ten", "fee", "not a number"),
        ("neg,anna.runs,NEG10,,2026-09-01,2026-08-01,,100", "end_date", "before start_date"),
    ],
)
def test_a_bad_deal_is_refused_by_line_and_field(
    store: Store, tmp_path: Path, row: str, field: str, words: str
) -> None:
    seed(store)
    f = tmp_path / "deals.csv"
    f.write_text(HEAD + "ok,zoe,ZOE10,,2026-09-01,2026-09-20,,50\n" + row + "\n")
    with pytest.raises(ValidationError, match=words) as e:
        import_roster(store, "default", f)
    assert e.value.details["field"] == field and "deals.csv:3" in e.value.message
    assert list_campaigns(store, "default") == []  # the good row is not half-imported
