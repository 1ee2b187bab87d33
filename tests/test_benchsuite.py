"""The benchmark harness: its measurements must see the whole process tree (Spark's JVM)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from closeknit.benchsuite import TreeSampler, run_suite
from closeknit.errors import ConfigError

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")

# A child that only waits while its own child (the "JVM") holds ~200 MB and burns CPU: the
# resource module would not see the grandchild while the child still runs.
GRANDCHILD = "import time; b = bytearray(200 * 1024 * 1024); t = time.process_time()\n" + (
    "while time.process_time() - t < 0.6: sum(range(1000))\ntime.sleep(0.6)"
)
CHILD = textwrap.dedent(
    f"""
    import subprocess, sys
    p = subprocess.Popen([sys.executable, "-c", {GRANDCHILD!r}])
    p.wait()
    """
)


def test_tree_sampler_counts_grandchildren_memory_and_cpu() -> None:
    p = subprocess.Popen([sys.executable, "-c", CHILD])
    s = TreeSampler(p.pid, every_s=0.05).start()
    p.wait(timeout=60)
    s.stop()
    assert s.peak_rss_mb > 180  # the grandchild's 200 MB bytearray
    assert s.cpu_s > 0.4  # the grandchild's busy loop


def test_suite_small_world_end_to_end(tmp_path: Path) -> None:
    rep = run_suite(
        [150],
        tmp_path,
        phases=("generate", "import", "features", "portable_duckdb"),
        timeout=600,
    )
    by = {r.phase: r for r in rep.rows}
    assert set(by) == {"generate", "import", "features", "portable_duckdb"}
    for r in rep.rows:
        assert r.ok, r.error
        assert r.rows > 0 and r.seconds > 0
        assert r.peak_tree_rss_mb >= r.peak_rss_mb > 0
        assert r.cpu_s > 0
    # posts generated = posts the store build read
    assert by["generate"].rows == by["features"].rows
    md = rep.markdown()
    assert md.count("\n| 150 |") == 4 and "peak RSS MB (tree / python)" in md
    # later phases alone reuse the store the first run left in the work directory
    again = run_suite([150], tmp_path, phases=("portable_duckdb",), timeout=600)
    (row,) = again.rows
    assert row.ok and row.rows == by["portable_duckdb"].rows


def test_suite_without_import_needs_an_existing_store(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="w.duckdb does not exist"):
        run_suite([150], tmp_path, phases=("features",))
    with pytest.raises(ConfigError, match="world does not exist"):
        run_suite([150], tmp_path, phases=("import",))
