"""Real vendor export files a tester fed to the importers (2026-12-06): each test names the
finding it holds, and failed on the code before its fix."""

from __future__ import annotations

import json
from pathlib import Path

from closeknit.connectors.vendor_csv import import_vendor_csv
from closeknit.store import Store


def test_vendor_averages_keep_their_fraction(store: Store, tmp_path: Path) -> None:
    """Finding 5: 'Avg. Likes' 143.7 (and '96,4' with a decimal comma) were stored 144 and 96,
    without a word, though an average may have a fraction."""
    f = tmp_path / "vendor_fraction_avgs-2026-11.csv"
    f.write_text(
        "Username,Followers,Avg. Likes,Avg. Comments\n"
        "abroadwithmia.gyc,5370,143.7,6.5\n"
        'abroadwithpablo.exg,5200,"96,4","3,5"\n'
        "whole.one,5100,400,1.234\n"
    )
    res = import_vendor_csv(store, "default", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (3, 0, 0)
    rows = store.query("SELECT handle, extra FROM creators ORDER BY handle")
    got = {r["handle"]: json.loads(r["extra"]) for r in rows}
    assert {h: (e["avg_likes"], e["avg_comments"]) for h, e in got.items()} == {
        "abroadwithmia.gyc": (143.7, 6.5),
        "abroadwithpablo.exg": (96.4, 3.5),
        "whole.one": (400, 1234),  # '1.234' groups thousands, as in every count
    }
    # a whole average is still written as an integer
    raw = store.query("SELECT extra FROM creators WHERE handle = 'whole.one'")[0]["extra"]
    assert '"avg_likes":400' in raw.replace(" ", "")
