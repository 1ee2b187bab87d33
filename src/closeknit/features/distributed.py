"""The same feature build on DuckDB (default) or Apache Spark, from ONE set of definitions.

The per-creator aggregates are the SQL files under ``features/sql`` (DuckDB dialect, written with
functions sqlglot transpiles to Spark SQL); niche assignment from precomputed embeddings is one
more SQL query over a long-format embedding table. :func:`build_portable` runs them on either
engine over Parquet folders of the canonical tables and writes one Parquet folder per
aggregate; :func:`attach` serves that output from the DuckDB store. Why shared SQL + sqlglot
rather than Ibis or Narwhals: docs/scale.md.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from closeknit.errors import ConfigError
from closeknit.features import sqlfiles
from closeknit.store import Store

INPUT_TABLES = ("creators", "posts", "comments", "follower_snapshots", "audience_samples")
OPTIONAL_INPUTS = ("creator_embeddings", "niche_prototypes")

# Niche = the prototype with the highest dot product (cosine, as vectors are unit-normalized),
# computed on a long (creator_id, dim, value) table so the SQL is engine-neutral; confidence is
# the softmax probability of the top niche.
NICHE_TEMPERATURE = 0.05  # same softmax temperature as closeknit.match.niche

NICHE_SQL = f"""
WITH sims AS (
  SELECT e.creator_id, p.niche, sum(e.value * p.value) AS sim
  FROM creator_embeddings e JOIN niche_prototypes p ON p.dim = e.dim
  GROUP BY e.creator_id, p.niche
),
ranked AS (
  SELECT creator_id, niche, sim,
         max(sim) OVER (PARTITION BY creator_id) AS best,
         row_number() OVER (PARTITION BY creator_id ORDER BY sim DESC, niche) AS rk
  FROM sims
)
SELECT creator_id,
       max(CASE WHEN rk = 1 THEN niche END) AS niche,
       1.0 / sum(exp((sim - best) / {NICHE_TEMPERATURE})) AS confidence,
       max(CASE WHEN rk = 2 THEN niche END) AS second_niche,
       max(CASE WHEN rk = 1 THEN sim END) AS similarity
FROM ranked
GROUP BY creator_id
"""


@dataclass
class PortableBuild:
    engine: str
    master: str | None
    input_dir: str
    output_dir: str
    as_of: str
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "master": self.master,
            "input": self.input_dir,
            "output": self.output_dir,
            "as_of": self.as_of,
            "seconds": self.seconds,
            "rows": self.rows,
        }


#: output name → SQL file where the portable build reads another file than the product's SQL
#: step: the product takes the reply rate over people's comments from its Python comment step
#: (rules + the calibrated model); the portable build has no Python step, so it runs the
#: deterministic part of that judge in SQL (``sql/replies_people.sql``)
PORTABLE_FILES: dict[str, str] = {"replies": "replies_people"}


def bot_rule_params() -> dict[str, Any]:
    r"""Placeholders of ``sql/replies_people.sql``: closeknit.features.comments' text rules as SQL
    literals (the same patterns and phrase list, so the two builds cannot drift apart).

    Python's ``\w``/``\s`` are Unicode-aware and RE2/Java's are not, so the phrase folding spells
    letters and digits as ``\p{L}``/``\p{N}``, which both engines read as Python does."""
    from closeknit.features import comments

    def ci(rx: re.Pattern[str]) -> str:
        return ("(?i)" if rx.flags & re.IGNORECASE else "") + rx.pattern

    generic = ", ".join(sqlfiles.literal(g) for g in sorted(comments.GENERIC))
    return {
        "link_re": ci(comments._LINK),
        "promo_re": ci(comments._PROMO),
        "fold_re": r"[^\p{L}\p{N}_\s]+",
        "space_re": r"\s+",
        "generic": sqlfiles.Raw(f"({generic})"),
    }


def params(workspace: str, as_of: dt.datetime) -> dict[str, Any]:
    """The product build's placeholder values plus the bot rules of the portable reply rate."""
    from closeknit.features.builder import params as build_params

    p = build_params(workspace, as_of)
    p.update(bot_rule_params())
    dups = sqlfiles.render("inputs/comment_dups", p)
    p["comment_dups"] = sqlfiles.Raw(
        "\n  ".join(ln for ln in dups.splitlines() if not ln.lstrip().startswith("--"))
    )
    return p


def queries(workspace: str, as_of: dt.datetime, *, with_niche: bool) -> dict[str, str]:
    """The build's queries in the DuckDB dialect, keyed by output name."""
    p = params(workspace, as_of)
    out = {name: sqlfiles.render(PORTABLE_FILES.get(name, name), p) for name in sqlfiles.AGGREGATES}
    if with_niche:
        out["niche"] = NICHE_SQL
    return out


def to_spark(sql: str) -> str:
    import sqlglot

    return str(sqlglot.transpile(sql, read="duckdb", write="spark")[0])


def export_inputs(store: Store, workspace: str, out_dir: Path) -> dict[str, int]:
    """Write the workspace's canonical tables (and embeddings, if any) as Parquet folders."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    ws = workspace.replace("'", "''")
    for t in INPUT_TABLES:
        d = out_dir / t
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir()
        store.export_parquet(f"SELECT * FROM {t} WHERE workspace_id = '{ws}'", d / "part-0.parquet")
        counts[t] = store.count(t, workspace)
    d = out_dir / "feature_scope"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir()
    store.export_parquet(
        f"SELECT workspace_id, creator_id FROM creators WHERE workspace_id = '{ws}'",
        d / "part-0.parquet",
    )
    return counts


def default_as_of_parquet(store: Store, *, snapshots: bool = False) -> dt.datetime:
    """The newest post or (``snapshots``: the input has them) follower snapshot, as
    :func:`closeknit.features.builder.default_as_of` reads a store."""
    sql = "SELECT max(posted_at) FROM posts"
    if snapshots:
        sql = (
            "SELECT greatest((SELECT max(posted_at) FROM posts), "
            "(SELECT CAST(max(date) AS TIMESTAMP) FROM follower_snapshots))"
        )
    v = store.scalar(sql)
    if not isinstance(v, dt.datetime):
        raise ConfigError("the input has no posts with a date; pass --as-of")
    return v


def build_portable(
    input_dir: Path,
    output_dir: Path,
    *,
    engine: str = "duckdb",
    master: str = "local[2]",
    workspace: str = "default",
    as_of: dt.datetime | None = None,
) -> PortableBuild:
    """Run the feature definitions on ``engine`` over Parquet ``input_dir`` → ``output_dir``."""
    if engine not in ("duckdb", "spark"):
        raise ConfigError(f"unknown engine {engine!r} (duckdb or spark)")
    missing = [t for t in (*INPUT_TABLES, "feature_scope") if not (input_dir / t).exists()]
    if missing:
        raise ConfigError(f"{input_dir} lacks Parquet folders for: {', '.join(missing)}")
    with_niche = all((input_dir / t).exists() for t in OPTIONAL_INPUTS)
    output_dir.mkdir(parents=True, exist_ok=True)
    # The as-of date comes from the data, read the same way for both engines.
    probe = Store(":memory:", migrate=False)
    try:
        probe.attach_parquet("posts", input_dir / "posts" / "*.parquet")
        snaps = input_dir / "follower_snapshots"
        has_snaps = snaps.exists() and any(snaps.glob("*.parquet"))
        if has_snaps:
            probe.attach_parquet("follower_snapshots", snaps / "*.parquet")
        when = as_of or default_as_of_parquet(probe, snapshots=has_snaps)
    finally:
        probe.close()
    res = PortableBuild(
        engine=engine,
        master=master if engine == "spark" else None,
        input_dir=str(input_dir),
        output_dir=str(output_dir),
        as_of=when.isoformat(),
    )
    qs = queries(workspace, when, with_niche=with_niche)
    tables = [*INPUT_TABLES, "feature_scope"] + (list(OPTIONAL_INPUTS) if with_niche else [])
    if engine == "duckdb":
        st = Store(":memory:", migrate=False)
        try:
            for t in tables:
                st.attach_parquet(t, input_dir / t / "*.parquet")
            for name, sql in qs.items():
                t0 = time.perf_counter()
                dest = output_dir / name
                shutil.rmtree(dest, ignore_errors=True)
                dest.mkdir()
                st.export_parquet(sql, dest / "part-0.parquet")
                res.seconds[name] = round(time.perf_counter() - t0, 3)
                res.rows[name] = int(
                    st.scalar(f"SELECT count(*) FROM read_parquet('{dest}/*.parquet')")
                )
        finally:
            st.close()
    else:
        from closeknit.store.spark import SparkEngine

        with SparkEngine(master) as sp:
            for t in tables:
                sp.register_parquet(t, input_dir / t)
            for name, sql in qs.items():
                t0 = time.perf_counter()
                res.rows[name] = sp.write_parquet(to_spark(sql), output_dir / name)
                res.seconds[name] = round(time.perf_counter() - t0, 3)
    return res


def attach(store: Store, output_dir: Path) -> list[str]:
    """Serve a portable build's Parquet output from the store as ``features_<name>`` views."""
    views = []
    for d in sorted(p for p in output_dir.iterdir() if p.is_dir()):
        if any(d.glob("*.parquet")):
            store.attach_parquet(f"features_{d.name}", d / "*.parquet")
            views.append(f"features_{d.name}")
    return views


def compare_outputs(a: Path, b: Path, *, rel_tol: float = 1e-9) -> dict[str, list[str]]:
    """Differences between two builds' outputs (empty lists = identical up to float rounding).

    Rows are matched on creator_id; doubles may differ in the last bits because the engines
    sum in different orders, so they are compared with a relative tolerance.
    """
    diffs: dict[str, list[str]] = {}
    st = Store(":memory:", migrate=False)
    try:
        for d in sorted(p for p in a.iterdir() if p.is_dir()):
            name = d.name
            left = st.df(f"SELECT * FROM read_parquet('{d}/*.parquet') ORDER BY creator_id")
            other = b / name
            problems: list[str] = []
            if not other.exists():
                diffs[name] = [f"missing in {b}"]
                continue
            right = st.df(f"SELECT * FROM read_parquet('{other}/*.parquet') ORDER BY creator_id")
            if sorted(left.columns) != sorted(right.columns):
                problems.append(
                    f"columns differ: {sorted(left.columns)} vs {sorted(right.columns)}"
                )
            elif len(left) != len(right):
                problems.append(f"row counts differ: {len(left)} vs {len(right)}")
            else:
                right = right[list(left.columns)]
                for col in left.columns:
                    for i, (x, y) in enumerate(zip(left[col], right[col], strict=True)):
                        if _same(x, y, rel_tol):
                            continue
                        problems.append(
                            f"{col} row {i} ({left['creator_id'].iloc[i]}): {x!r} vs {y!r}"
                        )
                        break
            diffs[name] = problems
    finally:
        st.close()
    return diffs


def _null(v: Any) -> bool:
    """None, a NaN, or pandas' missing timestamp (a NULL date column reads as NaT)."""
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == "NaT"


def _same(x: Any, y: Any, rel_tol: float) -> bool:
    xn, yn = _null(x), _null(y)
    if xn or yn:
        return xn and yn
    if isinstance(x, float) or isinstance(y, float):
        return bool(math.isclose(float(x), float(y), rel_tol=rel_tol, abs_tol=1e-12))
    if hasattr(x, "tolist") and hasattr(y, "tolist"):
        return bool(x.tolist() == y.tolist())
    return bool(x == y)
