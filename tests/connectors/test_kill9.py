"""Reliability: a real ``kill -9`` of an import process at random points, then the import run
again, leaves every table equal (row counts and checksums) to a clean import. The benchmark
(benchmarks/bench_kill9.py) runs 20+ trials; CI runs 3."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_kill9.py"


@pytest.fixture(scope="module")
def kill9() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_kill9", BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_kill9_at_random_points_then_resume_equals_a_clean_import(
    kill9: ModuleType, tmp_path: Path
) -> None:
    plan = kill9.make_inputs(tmp_path / "in", scale=1)
    res = kill9.trials(plan, 3, tmp_path, seed=11)
    assert res["trials"] == 3 and res["clean_imports_equal"]
    assert res["equal_to_clean"] == 3, res["results"]
    assert res["clean_rows"]["posts"] > 1000 and res["clean_rows"]["quarantine"] > 0


def test_the_fingerprint_sees_a_missing_file(kill9: ModuleType, tmp_path: Path) -> None:
    plan = kill9.make_inputs(tmp_path / "in", scale=1)
    kill9.run_to_end(tmp_path / "a.duckdb", plan)
    kill9.run_to_end(tmp_path / "b.duckdb", plan[:-1])
    a, b = kill9.fingerprint(tmp_path / "a.duckdb"), kill9.fingerprint(tmp_path / "b.duckdb")
    assert a["orders"] != b["orders"] and a["posts"] == b["posts"]
