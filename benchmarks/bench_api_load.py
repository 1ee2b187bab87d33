"""Load test of the REST API on loopback: a real ``closeknit serve`` on 127.0.0.1 (ephemeral
port), a store of ``--creators`` synthetic creators, and ``--concurrency`` clients looping over
a mix of authenticated reads (creator list page, filtered search, profile, campaign, orders)
until ``--seconds`` have passed or ``--requests`` were sent, whichever comes first.

    nice -n 15 .venv/bin/python benchmarks/bench_api_load.py --creators 2000 --seconds 20

Reports, per endpoint and overall: requests, errors (any non-2xx or transport error), p50/p95/
max latency in ms, throughput; ``/health`` (no auth, no query) is the baseline measured in the
same run, so ``p50_vs_health`` is a machine-independent ratio. Exit status 1 if any error.

Then the write phase (issue 20, item 14; ``--upload-posts 0`` skips it): an editor creates a
campaign every 100 ms, first alone (the baseline) and then while ``--upload-posts`` Instagram
posts (one comment each, JSONL) are uploaded to ``POST /api/v1/imports`` and imported by the
server, until the import job is done. Reported: the campaign POST latencies (p50/p95/max) of
both, and the upload's import time. Interactive writes must not wait for the import: the
target is a max under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa


def _seed(db: Path, n: int, posts_per: int) -> tuple[str, list[str], str, str]:
    from closeknit.service import accounts
    from closeknit.store import open_store

    rng = random.Random(7)
    st = open_store(db, create=True)
    try:
        ws = "bench"
        accounts.create_user(
            st, "owner@bench.test", "bench-password-123", workspace=ws, role="owner"
        )
        _, key = accounts.create_key(st, ws, name="bench", role="viewer")
        _, editor_key = accounts.create_key(st, ws, name="bench-editor", role="editor")
        niches = ["vegan", "fitness", "coffee", "travel", "baking", "gaming", "yoga", "pets"]
        creators, posts = [], []
        ids = []
        for i in range(n):
            niche = niches[i % len(niches)]
            h = f"{niche}_{i}"
            cid = f"instagram:{h}"
            ids.append(cid)
            f = int(1000 * 10 ** rng.uniform(0, 3))
            creators.append(
                {
                    "workspace_id": ws,
                    "creator_id": cid,
                    "platform": "instagram",
                    "handle": h,
                    "name": f"{niche} {i}",
                    "bio": f"all about {niche}",
                    "followers": f,
                    "following": 300,
                    "country": "GB",
                }
            )
            for j in range(posts_per):
                posts.append(
                    {
                        "workspace_id": ws,
                        "post_id": f"instagram:{i}_{j}",
                        "platform": "instagram",
                        "external_id": f"{i}_{j}",
                        "creator_id": cid,
                        "posted_at": dt.datetime(2026, 9, 1) + dt.timedelta(days=j),
                        "caption": f"#{niche} post",
                        "likes": int(f * 0.03),
                        "comments": 5,
                        "is_sponsored": j % 7 == 0,
                    }
                )
        with st.transaction() as tx:
            tx.insert_arrow("creators", pa.Table.from_pylist(creators))
            tx.insert_arrow("posts", pa.Table.from_pylist(posts))
            tx.execute(
                "INSERT INTO campaigns (workspace_id, campaign_id, name, budget) "
                "VALUES (?, 'c1', 'Bench', 5000)",
                [ws],
            )
            for cid in ids[:20]:
                tx.execute(
                    "INSERT INTO campaign_creators (workspace_id, campaign_id, creator_id) "
                    "VALUES (?, 'c1', ?)",
                    [ws, cid],
                )
            tx.insert_arrow(
                "orders",
                pa.Table.from_pylist(
                    [
                        {
                            "workspace_id": ws,
                            "order_id": f"o{k}",
                            "total": 40.0 + k % 50,
                            "created_at": dt.datetime(2026, 10, 1) + dt.timedelta(minutes=7 * k),
                            "discount_codes": [f"CODE{k % 30}"],
                        }
                        for k in range(5000)
                    ]
                ),
            )
        st.checkpoint()
        return key, ids, ws, editor_key
    finally:
        st.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * (len(xs) - 1) + 0.5))] if xs else float("nan")


async def _load(
    base: str, key: str, ids: list[str], seconds: float, max_requests: int, concurrency: int
) -> dict[str, Any]:
    rng = random.Random(1)
    lat: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    sent = 0
    stop_at = time.monotonic() + seconds
    mix = [
        ("health", lambda: "/health"),
        ("creators_page", lambda: f"/api/v1/creators?limit=50&offset={rng.randrange(0, 500)}"),
        (
            "creators_search",
            lambda: (
                f"/api/v1/creators?q={rng.choice(['vegan', 'yoga', 'pets'])}"
                "&min_followers=5000&sort=followers&limit=20"
            ),
        ),
        ("creator_profile", lambda: f"/api/v1/creators/{rng.choice(ids)}"),
        ("campaign", lambda: "/api/v1/campaigns/c1"),
        ("orders", lambda: "/api/v1/orders?limit=50"),
    ]
    headers = {"Authorization": f"Bearer {key}"}

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal sent
        while time.monotonic() < stop_at and sent < max_requests:
            sent += 1
            name, url = rng.choice(mix)
            t0 = time.perf_counter()
            try:
                r = await client.get(url(), headers=headers)
                ok = 200 <= r.status_code < 300
            except httpx.HTTPError:
                ok = False
            dt_ms = (time.perf_counter() - t0) * 1000
            lat.setdefault(name, []).append(dt_ms)
            if not ok:
                errors[name] = errors.get(name, 0) + 1

    t0 = time.monotonic()
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    wall = time.monotonic() - t0
    health_p50 = statistics.median(lat.get("health", [float("nan")]))
    out: dict[str, Any] = {
        "wall_s": round(wall, 2),
        "requests": sum(map(len, lat.values())),
        "errors": sum(errors.values()),
        "endpoints": {},
    }
    out["throughput_rps"] = round(out["requests"] / wall, 1)
    every = [x for v in lat.values() for x in v if v]
    out["p50_ms"], out["p95_ms"] = round(_pct(every, 0.5), 1), round(_pct(every, 0.95), 1)
    for name, xs in sorted(lat.items()):
        out["endpoints"][name] = {
            "n": len(xs),
            "errors": errors.get(name, 0),
            "p50_ms": round(_pct(xs, 0.5), 1),
            "p95_ms": round(_pct(xs, 0.95), 1),
            "max_ms": round(max(xs), 1),
            "p50_vs_health": round(_pct(xs, 0.5) / health_p50, 1),
        }
    return out


def _posts_file(path: Path, n: int) -> Path:
    """``n`` Instagram web post objects (one comment each) as JSON lines."""
    with path.open("w") as fh:
        for i in range(n):
            owner = f"upload_{i % 2000}"
            obj = {
                "__typename": "GraphImage",
                "id": str(70_000_000 + i),
                "shortcode": f"U{i}",
                "is_video": False,
                "taken_at_timestamp": 1_700_000_000 + i * 60,
                "owner": {"id": str(i % 2000), "username": owner},
                "edge_media_to_caption": {"edges": [{"node": {"text": f"post {i} #run"}}]},
                "edge_media_preview_like": {"count": i % 700},
                "edge_media_to_parent_comment": {
                    "count": 1,
                    "edges": [
                        {
                            "node": {
                                "id": str(90_000_000 + i),
                                "text": "nice",
                                "created_at": 1_700_000_100 + i * 60,
                                "owner": {"id": "1", "username": "fan"},
                            }
                        }
                    ],
                },
            }
            fh.write(json.dumps(obj) + "\n")
    return path


def _stats(xs: list[float]) -> dict[str, float]:
    return {
        "n": len(xs),
        "p50_ms": round(_pct(xs, 0.5), 1),
        "p95_ms": round(_pct(xs, 0.95), 1),
        "max_ms": round(max(xs), 1) if xs else float("nan"),
    }


async def _writes(
    base: str, key: str, posts: Path | None, baseline_s: float, tag: str
) -> dict[str, Any]:
    """Campaign POSTs every 100 ms: alone for ``baseline_s``, then during an upload's import."""
    h = {"Authorization": f"Bearer {key}"}
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        seq = [0]

        async def post_campaigns(until: asyncio.Event, lat: list[float], errs: list[int]) -> None:
            while not until.is_set():
                seq[0] += 1
                t0 = time.perf_counter()
                r = await client.post(
                    "/api/v1/campaigns", json={"name": f"{tag} write {seq[0]}"}, headers=h
                )
                lat.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 201:
                    errs.append(r.status_code)
                await asyncio.sleep(0.1)

        stop, lat0, err0 = asyncio.Event(), [], []
        task = asyncio.create_task(post_campaigns(stop, lat0, err0))
        await asyncio.sleep(baseline_s)
        stop.set()
        await task
        out["campaign_post_alone"] = {**_stats(lat0), "errors": len(err0)}
        if posts is None:
            return out
        stop, lat1, err1 = asyncio.Event(), [], []
        t_up = time.perf_counter()
        with posts.open("rb") as fh:
            r = await client.post(
                "/api/v1/imports",
                data={"source": "instagram"},
                files={"file": (posts.name, fh, "application/x-ndjson")},
                headers=h,
            )
        if r.status_code != 202:
            raise RuntimeError(f"upload refused: {r.status_code} {r.text[:300]}")
        job_id = r.json()["job_id"]
        upload_s = time.perf_counter() - t_up
        task = asyncio.create_task(post_campaigns(stop, lat1, err1))
        t_imp = time.perf_counter()
        while True:
            await asyncio.sleep(0.25)
            job = (await client.get(f"/api/v1/imports/jobs/{job_id}", headers=h)).json()
            if job["status"] in ("done", "failed"):
                break
        import_s = time.perf_counter() - t_imp
        stop.set()
        await task
        out["campaign_post_during_import"] = {
            **_stats(lat1),
            "errors": len(err1),
            "all_ms": [round(x) for x in lat1],
        }
        out["upload"] = {
            "posts": sum(1 for _ in posts.open()),
            "mb": round(posts.stat().st_size / 2**20, 1),
            "transfer_s": round(upload_s, 2),
            "import_s": round(import_s, 2),
            "status": job["status"],
            "loaded": (job.get("result") or {}).get("loaded"),
            "error": job.get("error"),
        }
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--creators", type=int, default=2000)
    ap.add_argument("--posts", type=int, default=12, help="posts per creator")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--requests", type=int, default=5000, help="stop after this many")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument(
        "--upload-posts", type=int, default=58_000, help="posts uploaded in the write phase (0: no)"
    )
    ap.add_argument("--write-baseline", type=float, default=5.0, help="seconds of writes alone")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="closeknit-load-") as tmp:
        db = Path(tmp) / "load.duckdb"
        t0 = time.monotonic()
        key, ids, ws, editor_key = _seed(db, args.creators, args.posts)
        posts = (
            _posts_file(Path(tmp) / "upload.jsonl", args.upload_posts)
            if args.upload_posts
            else None
        )
        seed_s = time.monotonic() - t0
        port = _free_port()
        log = Path(tmp) / "server.log"
        with log.open("wb") as fh:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from closeknit.cli import main; main()",
                    "serve",
                    "--db",
                    str(db),
                    "--port",
                    str(port),
                    "--workspace",
                    ws,
                    "--log-level",
                    "warning",
                ],
                stdout=fh,
                stderr=subprocess.STDOUT,
                env=dict(os.environ),
            )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    print(log.read_text()[-2000:], file=sys.stderr)
                    return 2
                time.sleep(0.2)
            res = asyncio.run(_load(base, key, ids, args.seconds, args.requests, args.concurrency))
            res["writes"] = asyncio.run(_writes(base, editor_key, posts, args.write_baseline, "w"))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        res.update(
            {
                "creators": args.creators,
                "posts": args.creators * args.posts,
                "concurrency": args.concurrency,
                "seed_s": round(seed_s, 1),
                "machine": f"{os.cpu_count()} vCPU (shared)",
            }
        )
        print(json.dumps(res, indent=2))
        w = res["writes"]
        bad = w["campaign_post_alone"]["errors"] + w.get("campaign_post_during_import", {}).get(
            "errors", 0
        )
        return 1 if res["errors"] or bad or w.get("upload", {}).get("status") == "failed" else 0


if __name__ == "__main__":
    sys.exit(main())
