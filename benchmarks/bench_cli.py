"""Whole-process time of ``closeknit discover`` and ``closeknit plan`` against an exact numpy
script doing the same search, in the same run (issue 18, item 2).

    nice -n 5 python benchmarks/bench_cli.py --store /tmp/w100k.duckdb --repeats 5
    python benchmarks/bench_cli.py --creators 100000 --work /tmp/bench-cli   # builds the store

Per command: ``cold`` is the first process after a write to the store with the saved derived
data deleted (it re-derives the documents, vectors, candidate table and fees from scratch and
saves them under ``<db>.cache/``), ``warm`` the median of ``--repeats`` processes after it
(nothing changed: everything is read from the cache). ``--after-writes`` adds the first process
after each kind of write in :data:`WRITES` (an edit of one bio, of 1% of the creators' latest
captions, a follower count, an order, a feature, a saved plan). Each write is a real committed
transaction that changes no result (it moves the store's write signature exactly as an import
or an edit would; the text edits move a trailing space), except "after 1% documents changed",
which adds a word to (or takes it from) those captions, so those creators are re-embedded.

Baselines, each a fresh Python process, median of ``--repeats``:

* ``numpy (store)``: reads every creator vector from the store (DuckDB, read-only) into a numpy
  matrix and takes the exact top 20 by cosine with the query vector: the exact numpy script of
  issue 18;
* ``numpy (npy)``: the same over the matrix saved as ``.npy`` (memory-mapped): the least a new
  process can do.

The query vector is computed once by the product's embedder and handed to both scripts, so the
baselines do not pay for loading an embedding model. ``--out FILE`` writes the markdown table.

Bytecode: the product's processes run as on an installed package, with Python's bytecode cache
(``__pycache__``) on, whatever ``PYTHONDONTWRITEBYTECODE`` says in the calling shell; with it
set and no cache written before (as on the machine that measured before 2026-12-05), every
process compiled each of the ~50 closeknit modules it imports from source (docs/scale.md). The
baselines import only installed packages, whose bytecode pip compiled at install.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BRIEF = "vegan recipes for busy families"
BIN = Path(sys.executable).parent / "closeknit"

STORE_SCRIPT = """
import sys, duckdb, numpy as np
con = duckdb.connect(sys.argv[1], read_only=True)
t = con.sql("SELECT creator_id, vector FROM creator_embeddings WHERE workspace_id = 'default' "
            "AND model = ? ORDER BY creator_id", params=[sys.argv[2]]).to_arrow_table()
ids = t.column("creator_id").to_pylist()
v = t.column("vector").combine_chunks()
mat = v.flatten().to_numpy().astype(np.float32).reshape(len(v), -1)
q = np.load(sys.argv[3])
s = mat @ q
top = np.argpartition(-s, 19)[:20]
top = top[np.argsort(-s[top])]
print("\\n".join(ids[i] for i in top))
"""

NPY_SCRIPT = """
import sys, numpy as np
mat = np.load(sys.argv[1], mmap_mode="r")
ids = np.load(sys.argv[2])
q = np.load(sys.argv[3])
s = mat @ q
top = np.argpartition(-s, 19)[:20]
top = top[np.argsort(-s[top])]
print("\\n".join(ids[i] for i in top))
"""


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one process."""
    c0, t0 = _children_cpu(), time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    return wall, _children_cpu() - c0


# one committed write per kind of change a user makes (all but one change no value): each moves the
# write signature of the tables it names (closeknit.store.db), so the next process re-derives
# what is built from them. "cold": a creator's bio (the text every derivation reads)
# the derived data follows the creators' texts, not the writes: the text edits move a trailing
# space (a creator's document strips it, so nothing is re-embedded) there and back the next
# time, so each run finds other texts than the last save was made for
_ONE = "(SELECT min(creator_id) FROM creators WHERE workspace_id = 'default')"
_BIO_EDIT = (
    "UPDATE creators SET bio = CASE WHEN suffix(coalesce(bio, ''), ' ') THEN rtrim(bio) "
    f"ELSE coalesce(bio, '') || ' ' END WHERE creator_id = {_ONE}"
)
WRITES = {
    "cold": _BIO_EDIT,  # and the saved derived data deleted (touch): nothing to start from
    "after a bio edit": _BIO_EDIT,
    # as a day's new posts would touch: 1% of the creators, their latest post
    "after 1% captions edited": "UPDATE posts SET caption = CASE WHEN "
    "suffix(coalesce(caption, ''), ' ') THEN rtrim(caption) ELSE coalesce(caption, '') || ' ' "
    "END WHERE post_id IN (SELECT max_by(post_id, posted_at) FROM posts "
    "WHERE workspace_id = 'default' AND hash(creator_id) % 100 = 0 GROUP BY creator_id)",
    # the same creators' latest captions with a word added or removed: their documents change,
    # so they are re-embedded and the index, BM25 and evidence move with them
    "after 1% documents changed": "UPDATE posts SET caption = CASE WHEN "
    "starts_with(coalesce(caption, ''), 'restock ') THEN substr(caption, 9) "
    "ELSE 'restock ' || coalesce(caption, '') END WHERE post_id IN (SELECT max_by(post_id, "
    "posted_at) FROM posts WHERE workspace_id = 'default' AND hash(creator_id) % 100 = 0 "
    "GROUP BY creator_id)",
    "after follower counts": f"UPDATE creators SET followers = followers WHERE creator_id = {_ONE}",
    "after an order": "UPDATE orders SET total = total WHERE order_id = "
    "(SELECT min(order_id) FROM orders WHERE workspace_id = 'default')",
    "after features": "UPDATE creator_features SET engagement_rate = engagement_rate "
    "WHERE creator_id = (SELECT min(creator_id) FROM creator_features "
    "WHERE workspace_id = 'default')",
    "after a saved plan": "DELETE FROM plans WHERE plan_id = ''",
}


def touch(db: Path, kind: str = "cold") -> None:
    """One committed write of the kind ``kind`` (:data:`WRITES`) that changes no result."""
    from closeknit.store import open_store

    if kind == "cold":
        shutil.rmtree(str(db) + ".cache", ignore_errors=True)
    st = open_store(db)
    try:
        st.execute(WRITES[kind])
    finally:
        st.close()


def build_store(n: int, work: Path, env: dict[str, str]) -> Path:
    world, db = work / f"world{n}", work / f"w{n}.duckdb"
    steps = [
        ["world", "generate", "--out", str(world), "--creators", str(n), "--workers", "2"],
        ["import", "world", str(world), "--db", str(db)],
        ["features", "build", "--db", str(db)],
    ]
    for s in steps:
        print("...", " ".join(s), flush=True)
        run([str(BIN), *s], env)
    return db


def prepare(db: Path, model: str, tmp: Path, env: dict[str, str]) -> tuple[Path, Path, Path]:
    """Vectors and niches in the store (untimed), the query vector and the .npy baseline files."""
    from closeknit.match.embed import get_embedder
    from closeknit.match.rank import encode_query
    from closeknit.match.vectors import creator_matrix
    from closeknit.store import open_store

    emb = get_embedder(model)
    st = open_store(db, read_only=True)
    try:
        have = st.scalar("SELECT count(*) FROM creator_embeddings WHERE model = ?", [emb.name])
        have = have and st.scalar("SELECT count(*) FROM creator_niche")
    finally:
        st.close()
    if not have:
        run([str(BIN), "niches", "assign", "--db", str(db)], env)
    q = tmp / "q.npy"
    np.save(q, encode_query(emb, BRIEF))
    st = open_store(db, read_only=True)
    try:
        ids, mat = creator_matrix(st, "default", model)
    finally:
        st.close()
    mp, ip = tmp / "mat.npy", tmp / "ids.npy"
    np.save(mp, mat)
    np.save(ip, np.array(ids, dtype=str))
    return q, mp, ip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--store", type=Path, help="an imported store (else --creators builds one)")
    ap.add_argument("--creators", type=int, default=100_000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench-cli"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--model", default=os.environ.get("CLOSEKNIT_EMBED_MODEL", "hash"))
    ap.add_argument("--budget", type=float, default=5000.0)
    # the plan's on-brief share: with the hash embedder of the scale runs no creator of the
    # 100k world reaches P(on brief) 0.9 for the brief (the closest 0.894), and a plan that
    # stops at that error would time an error, not a plan
    ap.add_argument("--on-brief-share", default="0.8")
    ap.add_argument(
        "--after-writes",
        action="store_true",
        help="also time the first process after each kind of write in WRITES",
    )
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    env = {**os.environ, "CLOSEKNIT_EMBED_MODEL": a.model}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached (docstring)
    os.environ["CLOSEKNIT_EMBED_MODEL"] = a.model
    db = a.store or build_store(a.creators, a.work, env)
    tmp = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    try:
        _bench(a, db, tmp, env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the baseline's vectors: ~100 MB at 100k


def _bench(a: argparse.Namespace, db: Path, tmp: Path, env: dict[str, str]) -> None:
    q, mp, ip = prepare(db, a.model, tmp, env)
    from closeknit.match.embed import get_embedder
    from closeknit.store import open_store

    st = open_store(db, read_only=True)
    n = int(st.scalar("SELECT count(*) FROM creators WHERE workspace_id = 'default'"))
    st.close()
    name = get_embedder(a.model).name
    discover = [str(BIN), "discover", BRIEF, "--db", str(db)]
    plan = [str(BIN), "plan", BRIEF, "--budget", str(a.budget), "--db", str(db)]
    plan += ["--on-brief-share", a.on_brief_share]
    base_store = [sys.executable, "-c", STORE_SCRIPT, str(db), name, str(q)]
    base_npy = [sys.executable, "-c", NPY_SCRIPT, str(mp), str(ip), str(q)]
    rows: list[tuple[str, str, float, float]] = []

    def measure(label: str, cmd: list[str], kind: str) -> float:
        got = [run(cmd, env) for _ in range(a.repeats)]
        wall = statistics.median(w for w, _ in got)
        cpu = statistics.median(c for _, c in got)
        rows.append((label, kind, wall, cpu))
        print(f"{label:28} {kind:5} {wall:7.2f} s  {cpu:6.2f} CPU-s", flush=True)
        return wall

    bs = measure("numpy (store)", base_store, "warm")
    bn = measure("numpy (npy)", base_npy, "warm")
    for label, cmd in (("closeknit discover", discover), ("closeknit plan", plan)):
        touch(db)
        w, c = run(cmd, env)
        rows.append((label, "cold", w, c))
        print(f"{label:28} cold  {w:7.2f} s  {c:6.2f} CPU-s", flush=True)
        measure(label, cmd, "warm")
        for kind in [k for k in WRITES if k != "cold"] if a.after_writes else []:
            touch(db, kind)  # the first process after a write of this kind
            w, c = run(cmd, env)
            rows.append((label, kind, w, c))
            print(f"{label:28} {kind:24} {w:7.2f} s  {c:6.2f} CPU-s", flush=True)
    load = os.getloadavg()[0]
    lines = [
        f"{n:,} creators, embedding model {name}, median of {a.repeats} processes; "
        f"1-min load at the end {load:.1f}",
        "",
        "| process | run | wall s | CPU s | ÷ numpy (store) | ÷ numpy (npy) |",
        "|---|---|---|---|---|---|",
    ]
    for label, kind, wall, cpu in rows:
        lines.append(
            f"| {label} | {kind} | {wall:.2f} | {cpu:.2f} | {wall / bs:.2f}× | {wall / bn:.2f}× |"
        )
    table = "\n".join(lines)
    print()
    print(table)
    if a.out:
        a.out.write_text(table + "\n")


if __name__ == "__main__":
    main()
