"""Issue 20, item 14: an import holds only the import lane, so interactive writes (a campaign
POST) go through while its transaction is open."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from closeknit.connectors.importer import import_path
from closeknit.store import Store
from closeknit.track.campaigns import create_campaign
from tests.connectors._util import post


def test_campaign_created_while_an_import_transaction_is_open(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts-1.jsonl"
    f.write_text("".join(json.dumps(post(i)) + "\n" for i in range(300)))
    staged, release = threading.Event(), threading.Event()
    out: dict[str, object] = {}

    def progress(n: int) -> None:  # called inside the import's transaction
        staged.set()
        assert release.wait(30)

    def run() -> None:
        try:
            out["res"] = import_path(store, "default", "instagram", f, on_progress=progress)
        except BaseException as e:  # noqa: BLE001 - checked below
            out["err"] = e

    t = threading.Thread(target=run)
    t.start()
    try:
        assert staged.wait(30)
        camp = create_campaign(store, "default", "During the upload")  # must not wait
        assert store.count("posts") == 0  # the import has not committed yet
    finally:
        release.set()
        t.join(60)
    assert "err" not in out, out.get("err")
    assert store.count("posts") == 300
    assert camp.campaign_id == "during-the-upload"
