from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from closeknit.errors import ConfigError
from closeknit.world import generate


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# 200: one shard, written by a worker beside the main process's files (the demo's world)
@pytest.mark.parametrize("shard_size", [50, 200])
def test_same_seed_is_byte_identical_whatever_the_workers(tmp_path: Path, shard_size: int) -> None:
    kw = {"shard_size": shard_size, "shop_orders_per_day": 1.0}
    a = generate(tmp_path / "a", 120, 3, **kw)
    b = generate(tmp_path / "b", 120, 3, workers=2, **kw)
    da, db = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert da == db
    assert a.posts == b.posts and a.files == len(da)


def test_other_seed_differs(tmp_path: Path) -> None:
    generate(tmp_path / "a", 60, 3, shop_orders_per_day=1.0)
    generate(tmp_path / "b", 60, 4, shop_orders_per_day=1.0)
    da, db = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert da.keys() == db.keys()
    assert da["instagram/posts-00000.jsonl"] != db["instagram/posts-00000.jsonl"]


def test_regenerate_into_same_folder_replaces_output(tmp_path: Path) -> None:
    generate(tmp_path / "w", 60, 3, shop_orders_per_day=1.0)
    first = _digest(tmp_path / "w")
    generate(tmp_path / "w", 60, 3, shop_orders_per_day=1.0)
    assert _digest(tmp_path / "w") == first


@pytest.mark.parametrize(
    "kw", [{"creators": 0}, {"creators": 10, "bogus_option": 1}, {"creators": 10, "workers": 0}]
)
def test_bad_arguments_raise_config_error(tmp_path: Path, kw: dict[str, int]) -> None:
    with pytest.raises(ConfigError):
        generate(tmp_path / "w", seed=1, **kw)  # type: ignore[arg-type]
