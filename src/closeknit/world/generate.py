"""Orchestrate a world: global creator table, campaigns, shards (optionally in parallel),
concatenated CSVs, vendor exports, shop orders and the truth folder."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.errors import ConfigError
from closeknit.figures import count
from closeknit.world import vocab
from closeknit.world.audience import audience_sets
from closeknit.world.briefs import BRIEF_SPECS, write_briefs
from closeknit.world.config import TIERS, WorldConfig, default_config
from closeknit.world.creators import AGE_BUCKETS, followers_at, make_creators
from closeknit.world.draw_shard import N_WEEKS, bot_accounts, n_bots_for
from closeknit.world.response import params_of
from closeknit.world.shard import ShardResult, write_shard
from closeknit.world.shop import campaign_posts, plan_campaigns, write_shop
from closeknit.world.topics import plan_trends, write_trends
from closeknit.world.vendor import month_ends, write_vendor
from closeknit.world.write_truth import CREATORS_HEADER

OUTPUT_DIRS = (
    "instagram", "youtube", "vendor", "snapshots", "audience", "shop", "campaigns", "lift", "truth",
    "_parts"
)  # fmt: skip


@dataclass
class WorldSummary:
    out_dir: str
    creators: int
    seed: int
    shards: int
    instagram_creators: int
    youtube_creators: int
    posts: int
    comments: int
    orders: int
    campaigns: int
    briefs: int
    trends: int
    files: int
    bytes: int
    tiers: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def generate(
    out_dir: Path | str,
    creators: int,
    seed: int,
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    **opts: Any,
) -> WorldSummary:
    """Write a deterministic synthetic world of ``creators`` creators into ``out_dir``.

    Output is byte-identical for the same (creators, seed, opts) whatever ``workers`` is.
    Known ``opts``: the fields of :class:`WorldConfig` (shard_size, comment_fraction, ...).
    """
    if creators < 1:
        raise ConfigError("creators must be at least 1", creators=creators)
    if workers < 1:
        raise ConfigError("workers must be at least 1", workers=workers)
    unknown = set(opts) - set(WorldConfig.__dataclass_fields__)
    if unknown:
        raise ConfigError(
            f"{count(len(unknown), 'unknown world option')}: {', '.join(sorted(unknown))}"
        )
    cfg = default_config(creators, seed, **opts)
    if not 0 <= cfg.max_comment_edges <= 100:
        raise ConfigError("max_comment_edges must be between 0 and 100")
    if cfg.shard_size < 1:
        raise ConfigError("shard_size must be at least 1")
    if not 0 <= cfg.n_briefs <= len(BRIEF_SPECS):
        raise ConfigError(f"n_briefs must be between 0 and {len(BRIEF_SPECS)}")
    params = params_of(cfg)  # an unknown response parameter fails before anything is written
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for d in OUTPUT_DIRS:
        if (out / d).exists():
            shutil.rmtree(out / d)
    (out / "truth").mkdir()

    table = _global_table(cfg)
    trends = plan_trends(cfg, table)
    camps = plan_campaigns(cfg, table, trends)
    cposts = campaign_posts(camps)
    results: list[ShardResult] = []
    shards = list(range(cfg.n_shards))

    def shard_posts(s: int) -> dict[int, list[Any]]:
        lo, hi = cfg.shard_bounds(s)
        return {g: v for g, v in cposts.items() if lo <= g < hi}

    def main_side() -> dict[str, int]:
        # work that needs no shard result: done by the main process while workers write shards
        if cfg.vendor_files:
            _vendor(cfg, out, table)
        shop = write_shop(cfg, camps, out)
        write_trends(out, trends, table["creator_ids"])
        _truth_growth(out, table)
        _truth_bots(cfg, out)
        _truth_campaigns(out, camps)
        return shop

    n_ov = min(creators, cfg.overlap_max_creators)
    ov_args = (table["niche"][:n_ov], table["creator_ids"][:n_ov])
    # one shard (up to shard_size creators, the demo's world) still gains from a second
    # process: the shard is written beside the main side's files and the overlap truth
    if workers == 1:
        for s in shards:
            results.append(write_shard(cfg, s, out, shard_posts(s), trends))
            if progress:
                progress(len(results), len(shards))
        shop = main_side()
        _truth_overlap(cfg, out, *ov_args)
    else:
        with ProcessPoolExecutor(max_workers=workers) as ex:
            # the overlap truth is one long task: start it first so it runs beside the shards
            ov = ex.submit(_truth_overlap, cfg, out, *ov_args)
            futs = [ex.submit(write_shard, cfg, s, out, shard_posts(s), trends) for s in shards]
            shop = main_side()
            for fu in futs:
                results.append(fu.result())
                if progress:
                    progress(len(results), len(shards))
            ov.result()
    # one file per shard, as for posts: an import is one transaction per file, and one 53M-row
    # snapshots file (1M creators) needs more memory than a 2-core, 24 GB machine has
    _per_shard(
        out / "_parts",
        "snapshots-",
        out / "snapshots" / "followers-",
        "platform,handle,date,followers,following\n",
    )
    _per_shard(
        out / "_parts",
        "demographics-",
        out / "audience" / "demographics-",
        "platform,handle,dimension,bucket,share\n",
    )
    _concat(
        out / "_parts",
        "creators-",
        out / "truth" / "creators.csv",
        CREATORS_HEADER,
        skip_header=True,
    )
    _concat(
        out / "truth" / "_accounts",
        "accounts-",
        out / "truth" / "accounts.csv",
        "handle,id,kind\n",
        skip_header=True,
    )
    shutil.rmtree(out / "_parts")
    shutil.rmtree(out / "truth" / "_accounts")
    _truth_pods(out, results)
    n_briefs = write_briefs(out, cfg, cfg.n_briefs, trends)
    files = [p for p in out.rglob("*") if p.is_file() and p.name != "world.json"]
    summary = WorldSummary(
        out_dir=str(out),
        creators=creators,
        seed=seed,
        shards=cfg.n_shards,
        instagram_creators=int((table["platform"] == 0).sum()),
        youtube_creators=int((table["platform"] == 1).sum()),
        posts=sum(r.posts for r in results),
        comments=sum(r.comments for r in results),
        orders=shop["orders"],
        campaigns=len({c.campaign_id for c in camps}),
        briefs=n_briefs,
        trends=len(vocab.TRENDS),
        files=len(files) + 1,
        bytes=sum(p.stat().st_size for p in files),
        tiers={t: int((table["tier"] == k).sum()) for k, t in enumerate(TIERS)},
    )
    meta = {
        "config": cfg.to_dict(),
        "summary": {
            k: v for k, v in summary.to_dict().items() if k not in ("out_dir", "bytes", "files")
        },
        "reference_date": "2026-10-31",
        "response": params.to_dict(),
        "format_version": 1,
    }
    (out / "truth" / "world.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return summary


def _global_table(cfg: WorldConfig) -> dict[str, Any]:
    """Compact per-creator columns over all shards (for campaigns, vendor files, truth, briefs)."""
    keep = (
        "gidx",
        "platform",
        "niche",
        "niche2",
        "country",
        "lang",
        "followers",
        "following",
        "tier",
        "er",
        "n_posts",
        "reply_rate",
        "reply_minutes",
        "sponsored_rate",
        "fake_share",
        "inactive_share",
        "spike_week",
        "spike_added",
        "viral_week",
        "viral_added",
        "growth",
        "bot_target",
        "bot_rate",
        "verified",
        "age_center",
        "female_share",
        "home_share",
        "sub",
        "sub_focus",
        "fee_post",
        "fee_reel",
        "fee_story",
    )
    cols: dict[str, list[Any]] = {k: [] for k in keep}
    handles: list[str] = []
    names: list[str] = []
    month_idx = _month_weeks()
    months: list[list[np.ndarray]] = [[] for _ in month_idx]
    for s in range(cfg.n_shards):
        c = make_creators(cfg, s)
        for k in keep:
            cols[k].append(getattr(c, k))
        handles += c.handles
        names += c.names
        for m, w in enumerate(month_idx):
            months[m].append(followers_at(c, w))
    t: dict[str, Any] = {k: np.concatenate(v) for k, v in cols.items()}
    t["handles"] = handles
    t["names"] = names
    t["creator_ids"] = [
        ("instagram:" if p == 0 else "youtube:") + h
        for p, h in zip(t["platform"].tolist(), handles, strict=True)
    ]
    t["month_followers"] = [np.concatenate(m) for m in months]
    return t


def _month_weeks() -> list[float]:
    ref = dt.date(2026, 10, 31)
    return [N_WEEKS - (ref - d).days / 7.0 for d in month_ends(ref)]


def _per_shard(src: Path, prefix: str, dest_prefix: Path, header: str) -> None:
    """``src/{prefix}NNNNN.csv`` → ``{dest_prefix}NNNNN.csv`` with ``header`` first."""
    dest_prefix.parent.mkdir(parents=True, exist_ok=True)
    for p in sorted(src.glob(prefix + "*")):
        with open(p, "rb") as f, open(f"{dest_prefix}{p.name[len(prefix) :]}", "wb") as out:
            out.write(header.encode())
            shutil.copyfileobj(f, out, 1 << 20)


def _concat(src: Path, prefix: str, dest: Path, header: str, skip_header: bool = False) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "wb") as out:
        out.write(header.encode())
        for p in sorted(src.glob(prefix + "*")):
            with open(p, "rb") as f:
                if skip_header:
                    f.readline()
                shutil.copyfileobj(f, out, 1 << 20)


def _vendor(cfg: WorldConfig, out: Path, t: dict[str, Any]) -> None:
    ig = np.where(t["platform"] == 0)[0]
    cols = {k: t[k][ig] for k in ("niche", "niche2", "country", "er", "fake_share")}
    cols["handles"] = [t["handles"][i] for i in ig.tolist()]
    cols["names"] = [t["names"][i] for i in ig.tolist()]
    mf = [m[ig] for m in t["month_followers"]]
    write_vendor(
        out, cols, mf, month_ends(dt.date(2026, 10, 31)), cfg.seed + 99, cfg.vendor_max_rows
    )


def _truth_growth(out: Path, t: dict[str, Any]) -> None:
    """Bought spikes and viral jumps, from the global table (creator order, spike first)."""
    ref = dt.date(2026, 10, 31)
    lines = ["creator_id,kind,week,date,followers_added,is_fraud\n"]
    ids = t["creator_ids"]
    sw, sa, vw, va = (t[k] for k in ("spike_week", "spike_added", "viral_week", "viral_added"))
    for i in np.flatnonzero((sw >= 0) | (vw >= 0)).tolist():
        for kind, wk, add, fraud in (
            ("bought_spike", int(sw[i]), int(sa[i]), 1),
            ("viral", int(vw[i]), int(va[i]), 0),
        ):
            if wk < 0:
                continue
            d = ref - dt.timedelta(days=7 * (N_WEEKS - wk))
            lines.append(f"{ids[i]},{kind},{wk},{d.isoformat()},{add},{fraud}\n")
    with open(out / "truth" / "growth_events.csv", "w", encoding="utf-8") as f:
        f.write("".join(lines))


def _truth_bots(cfg: WorldConfig, out: Path) -> None:
    mids, handles, texts = bot_accounts(cfg.seed, n_bots_for(cfg))
    with open(out / "truth" / "bots.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["handle", "id", "texts"])
        for m, h, ts in zip(mids.tolist(), handles, texts, strict=True):
            w.writerow(
                [
                    h,
                    5_000_000_000 + m,
                    json.dumps([vocab.BOT_COMMENTS[x] for x in ts], ensure_ascii=False),
                ]
            )


def _truth_pods(out: Path, results: list[ShardResult]) -> None:
    with open(out / "truth" / "pods.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["pod_id", "creator_id"])
        for r in sorted(results, key=lambda x: x.shard):
            for pid, cid in r.pods:
                w.writerow([pid, cid])


def _truth_campaigns(out: Path, camps: list[Any]) -> None:
    keys = [
        "true_incremental_orders",
        "true_incremental_revenue",
        "true_incremental_net_revenue",
        "code_orders",
        "code_revenue",
        "link_orders",
        "baseline_code_orders",
        "baseline_link_orders",
        "incremental_untracked_orders",
    ]
    with open(out / "truth" / "campaigns.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "campaign_id",
                "brand",
                "niche",
                "creator_id",
                "handle",
                "code",
                "link",
                "start_date",
                "end_date",
                "post_at",
                "fee",
                "expected_incremental_orders",
                *keys,
            ]
        )
        for c in camps:
            w.writerow(
                [
                    c.campaign_id,
                    c.brand,
                    c.niche,
                    c.creator_id,
                    c.handle,
                    c.code,
                    c.link,
                    c.start.isoformat(),
                    c.end.isoformat(),
                    dt.datetime.fromtimestamp(c.post_ts, dt.UTC).isoformat(),
                    f"{c.fee:.2f}",
                    f"{c.effect_orders:.2f}",
                    *[
                        (f"{c.stats.get(k, 0):.2f}" if "revenue" in k else int(c.stats.get(k, 0)))
                        for k in keys
                    ],
                ]
            )


def _truth_overlap(cfg: WorldConfig, out: Path, niche_all: np.ndarray, ids: list[str]) -> None:
    """Exact audience overlap for pairs sharing a niche among the first N creators."""
    from scipy import sparse

    limit = min(cfg.creators, cfg.overlap_max_creators)
    sets: list[np.ndarray] = []
    for s in range(cfg.n_shards):
        lo, _hi = cfg.shard_bounds(s)
        if lo >= limit:
            break
        c = make_creators(cfg, s)
        sets += audience_sets(cfg.seed, s, c)
    sets = sets[:limit]
    niche = np.asarray(niche_all[:limit])
    id_arr = np.array(ids[:limit], dtype=object)
    sizes = np.array([len(x) for x in sets], dtype=np.int64)
    with open(out / "truth" / "overlap.csv", "w", encoding="utf-8") as f:
        f.write("creator_a,creator_b,niche,shared,size_a,size_b,share_of_a,share_of_b,jaccard\n")
        for nid in range(len(vocab.NICHE_IDS)):
            idx = np.where(niche == nid)[0]
            if len(idx) < 2:
                continue
            rows = np.repeat(np.arange(len(idx)), sizes[idx])
            colv = np.concatenate([sets[i] for i in idx])
            uniq, inv = np.unique(colv, return_inverse=True)
            m = sparse.csr_matrix(
                (np.ones(len(rows), dtype=np.int32), (rows, inv)), shape=(len(idx), len(uniq))
            )
            co = sparse.triu(m @ m.T, k=1).tocoo()
            if co.nnz == 0:
                continue
            order = np.lexsort((co.col, co.row))
            for k in range(0, len(order), 100_000):  # blocks bound the memory of big niches
                o = order[k : k + 100_000]
                f.write(_overlap_lines(co.row[o], co.col[o], co.data[o], idx, sizes, id_arr, nid))


def _overlap_lines(
    row: np.ndarray,
    col: np.ndarray,
    data: np.ndarray,
    idx: np.ndarray,
    sizes: np.ndarray,
    id_arr: np.ndarray,
    nid: int,
) -> str:
    """CSV lines of overlap pairs, formatted column-wise (object-array concatenation)."""
    ia = idx[row]
    ib = idx[col]
    v = data.astype(np.int64)
    na, nb = sizes[ia], sizes[ib]
    ints = _int_strs(int(max(na.max(), nb.max())))
    tmpl = "%s,%s," + vocab.NICHE_IDS[nid] + ",%s,%s,%s,%s,%s,%s\n"
    return "".join(
        map(
            tmpl.__mod__,
            zip(
                id_arr[ia].tolist(),
                id_arr[ib].tolist(),
                ints[v].tolist(),
                ints[na].tolist(),
                ints[nb].tolist(),
                _ratio4(v, na).tolist(),
                _ratio4(v, nb).tolist(),
                _ratio4(v, na + nb - v).tolist(),
                strict=True,
            ),
        )
    )


_INTS: list[np.ndarray] = []
_FIX4 = np.array([f"{q // 10_000}.{q % 10_000:04d}" for q in range(10_001)], dtype=object)


def _int_strs(hi: int) -> np.ndarray:
    """str(i) for 0..hi as an object array (lookup instead of a conversion per value)."""
    if not _INTS or len(_INTS[0]) <= hi:
        _INTS[:] = [np.array([str(i) for i in range(max(1024, hi + 1))], dtype=object)]
    return _INTS[0]


def _ratio4(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num/den (0..1) with 4 decimals, rounded half up on the exact ratio (integer arithmetic)."""
    out: np.ndarray = _FIX4[(num * 20_000 + den) // (2 * den)]
    return out


__all__ = ["generate", "WorldSummary", "AGE_BUCKETS"]
