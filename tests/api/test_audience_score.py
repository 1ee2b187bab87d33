"""``POST /api/v1/audience/score``: the CLI's ``closeknit audience score`` on an upload."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from closeknit.service.audience import ScoreIn, score_file
from closeknit.store import Store
from tests.api.seeding import Seeded, auth
from tests.service.test_audience import _csv, _profiles


def test_an_uploaded_export_gets_the_same_shares_as_the_file(
    client: TestClient, api_store: Store, two: tuple[Seeded, Seeded], tmp_path: Path
) -> None:
    a, _ = two
    f = _csv(_profiles(10, 5, 45), tmp_path / "followers.csv")
    with f.open("a", encoding="utf-8") as fh:  # one row whose follower count is not a number
        fh.write(f.read_text(encoding="utf-8").splitlines()[1].replace(",", ",lots,", 1) + "\n")
    want = score_file(api_store, "alpha", ScoreIn(path=f))
    r = client.post(
        "/api/v1/audience/score",
        headers=auth(a.key),
        files={"file": ("my followers.csv", f.read_bytes(), "text/csv")},
    )
    assert r.status_code == 200, r.text
    got = r.json()
    for k in ("n", "fake_share", "fake_lo", "fake_hi", "inactive_share", "real_share", "method"):
        assert got[k] == want.to_json()[k], k
    # the upload's name, never the server's temporary folder
    assert got["file"] == "my followers.csv" and got["n_rejected"] == 1
    assert got["rejected"][0]["file"] == "my followers.csv" and got["rejected"][0]["line"]
    assert "closeknit-upload" not in r.text and "/tmp" not in r.text
    # a column map, as the CLI's --map
    r = client.post(
        "/api/v1/audience/score",
        headers=auth(a.key),
        data={"map": ["followers=following", "following=followers"]},
        files={"file": ("f.csv", f.read_bytes(), "text/csv")},
    )
    assert r.status_code == 200 and r.json()["columns_used"]["followers"] == "following"


def test_an_unusable_upload_is_a_clear_error_without_server_paths(
    client: TestClient, two: tuple[Seeded, Seeded]
) -> None:
    a, _ = two
    r = client.post(
        "/api/v1/audience/score",
        headers=auth(a.key),
        files={"file": ("export.csv", b"colour,size\nred,3\n", "text/csv")},
    )
    assert r.status_code == 422, r.text
    msg = r.json()["error"]["message"]
    assert "colour" in msg and "closeknit-upload" not in msg and "/tmp" not in msg
    r = client.post(
        "/api/v1/audience/score",
        headers=auth(a.key),
        data={"map": ["nonsense"]},
        files={"file": ("export.csv", b"handle\nx\n", "text/csv")},
    )
    assert r.status_code == 422 and "COLUMN=FIELD" in r.json()["error"]["message"]
