"""Creators like a given one: similar content and a similar audience.

score = content^2 * audience * authenticity^0.5 (weighted geometric mean, :data:`WEIGHTS`;
authenticity, the vetting score / 100, is left out where there is none): content is the cosine
of the creator vectors blended with the candidate's use of the seed's most distinctive words
(its :data:`SEED_WORDS` terms of highest count × idf, BM25 over the candidates relative to the
best of them; the blend is discover's hybrid share, ``rank.HYBRID_BM25``): the embedding reads
a jewellery creator as fashion at large, its words ("anklets", "#minimalistjewellery") keep the
sub-topic; audience is the mean of the audience components available: Jaccard
overlap of sampled followers/commenters (audience_samples handles; small samples share little,
so it is scaled by 1/0.2 and capped at 1) and 1 - total variation distance of each
demographics dimension (country, age, gender).

Lookalikes stay within the creator's niche and audience unless ``broad`` is asked for: a
candidate must have the seed's niche (``creator_niche``; kept when either niche is unknown)
and a similar audience market: country distributions at least ``MIN_COUNTRY_SIMILARITY``
alike (1 − total variation distance), holding at least ``MAIN_MARKET_KEEP`` of the seed's share
in the seed's main market (its audience's largest country), when both have demographics, else
the same creator country. The result counts what each rule left out.
"""

from __future__ import annotations

import math

import numpy as np

from closeknit import figures
from closeknit.errors import NotFound
from closeknit.match.candidates import get_table
from closeknit.match.embed import get_embedder
from closeknit.match.rank import (
    DEFAULT_WEIGHTS,
    HYBRID_BM25,
    DiscoverResult,
    Match,
    bm25_for,
    geo_mean,
    load_demographics,
    load_features,
)
from closeknit.match.vectors import creator_matrix, refresh_creator_vectors
from closeknit.store import Store, resolve_creator

CANDIDATES = 200
SEED_WORDS = 10  # the seed's most distinctive words a candidate's posts are matched on
SEARCH = 2000  # nearest vectors searched before the niche and audience rules
MIN_COUNTRY_SIMILARITY = 0.5
#: the score's weights: content and audience likeness, and the authenticity discover weighs
#: alike (rank.DEFAULT_WEIGHTS)
WEIGHTS = {"content": 2.0, "audience": 1.0, "authenticity": DEFAULT_WEIGHTS["authenticity"]}
#: the least share of the seed's own share in its main market (its audience's largest country)
#: a lookalike's audience must hold there: country mixes 50% alike let an Indian seed (51% of
#: its audience in India) have 15 of 20 lookalikes with a median 11% in India, the rest of the
#: mix being the US and UK shares every English-language audience has (a tester, seed 7)
MAIN_MARKET_KEEP = 0.5


def _tvd_sim(a: dict[str, float], b: dict[str, float]) -> float:
    # in a fixed order: a set of strings iterates in the process's hash order, so the sum's last
    # digit changed from one run to the next (0.6736509541984733, then ...732)
    keys = sorted(set(a) | set(b))
    return 1.0 - 0.5 * sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys)


def lookalikes(
    store: Store,
    workspace: str,
    creator: str,
    limit: int = 20,
    *,
    model: str | None = None,
    broad: bool = False,
) -> DiscoverResult:
    """Creators most like ``creator`` in content and audience (itself excluded); within its
    niche and audience market unless ``broad``."""
    seed = resolve_creator(store, workspace, creator)
    sid = seed["creator_id"]
    refresh_creator_vectors(store, workspace, model)
    ids, mat = creator_matrix(store, workspace, model)
    if sid not in ids:
        raise NotFound(f"{creator} has no bio or posts to compare with")
    q = mat[ids.index(sid)]
    sims = mat @ q
    excluded: dict[str, int] = {}
    order = [i for i in np.argsort(-sims)[: (CANDIDATES if broad else SEARCH) + 1]
             if ids[i] != sid]  # fmt: skip
    market = ""
    if not broad:
        order, market = _same_market(
            store, workspace, sid, [ids[i] for i in order], order, excluded
        )
    order = order[:CANDIDATES]
    cids = [ids[i] for i in order]
    words = _seed_words(store, workspace, model, ids, ids.index(sid), order)
    sim_of = {
        ids[i]: max(0.0, float(sims[i])) * (1 - HYBRID_BM25) + HYBRID_BM25 * float(w)
        for i, w in zip(order, words, strict=True)
    }
    samples: dict[str, set[str]] = {}
    for r in store.query(
        "SELECT creator_id, list(DISTINCT lower(handle)) AS hs FROM audience_samples "
        "WHERE workspace_id = ? AND creator_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1",
        [workspace, [sid, *cids]],
    ):
        samples[r["creator_id"]] = set(r["hs"])
    demo = load_demographics(store, workspace, [sid, *cids])
    feats = load_features(store, workspace, cids)
    # each candidate's handle, platform, country and follower count as discover reads them:
    # the count the fee model uses, the profile's, else the one vetting measured where the
    # profile hides it (the creators table alone left it blank)
    tab = get_table(store, workspace)
    row_of = dict(zip(cids, tab.rows_of(cids).tolist(), strict=True))
    # the follower-overlap part of a candidate with no sample, when the seed has one: the
    # sampled candidates' median, not left out (the mean of the demographic likenesses alone
    # ran high, so a creator with no sample outscored the measured ones: 3 of 10 lookalikes
    # where they were 16% of the candidates)
    seeded = samples.get(sid)
    # each sampled candidate's followers in common with the seed (Jaccard), computed once
    shared = {
        c: len(seeded & samples[c]) / len(seeded | samples[c])
        for c in cids
        if seeded and samples.get(c)
    }
    measured = [min(1.0, v / 0.2) for v in shared.values()]
    typical = float(np.median(measured)) if measured else None
    # the seed's main market, for each candidate's share there (its evidence)
    seed_mix = demo.get(sid, {}).get("country")
    main = _main_market(seed_mix) if seed_mix else None
    matches: list[Match] = []
    for cid in cids:
        parts: list[float] = []
        overlap = shared.get(cid)
        if overlap is not None:
            parts.append(min(1.0, overlap / 0.2))
        elif seeded and typical is not None:
            parts.append(typical)
        for dim in ("country", "age", "gender"):
            da, db = demo.get(sid, {}).get(dim), demo.get(cid, {}).get(dim)
            if da and db:
                parts.append(_tvd_sim(da, db))
        aud = float(np.mean(parts)) if parts else None
        # its authenticity, weighed as discover weighs it: a creator with a bought audience was
        # as "alike" as any other (a tester: 14% of lookalikes bought, as many as picking by
        # niche and size; 7 in a top 5)
        auth = (feats.get(cid) or {}).get("authenticity_score")
        factors: dict[str, float | None] = {
            "content": max(0.0, sim_of[cid]),
            "audience": aud,
            "authenticity": None if auth is None or auth != auth else float(auth) / 100.0,
        }
        row = row_of.get(cid, -1)
        fol = float(tab.followers[row]) if row >= 0 else math.nan
        ctry = tab.country[row] if row >= 0 else None
        m = Match(
            creator_id=cid,
            handle=str(tab.handle[row]) if row >= 0 else cid,
            platform=str(tab.platform[row]) if row >= 0 else "",
            followers=int(fol) if math.isfinite(fol) else None,
            country=None if ctry is None else str(ctry),
            score=geo_mean(factors, WEIGHTS),
            factors=factors,
            vetted=cid in feats,
            missing=[k for k, v in factors.items() if v is None],
        )
        if overlap is not None:
            m.evidence = [{"audience_overlap_jaccard": round(overlap, 4)}]
        mix = demo.get(cid, {}).get("country")
        if seed_mix and main and mix:  # its share in the seed's main market, beside the seed's
            m.evidence.append(
                {"market": main, "share": round(mix.get(main, 0.0), 4),
                 "seed_share": round(seed_mix[main], 4)}
            )  # fmt: skip
        matches.append(m)
    matches.sort(key=lambda m: (-m.score, m.creator_id))
    from closeknit.match.niche import niche_of

    niches = niche_of(store, workspace, [m.creator_id for m in matches[:limit]])
    for m in matches[:limit]:
        n = niches.get(m.creator_id)
        m.niche = str(n["niche"]) if n else None
    return DiscoverResult(
        brief={"like": f"@{seed['handle']}", "creator_id": sid},
        model=get_embedder(model).name,
        matches=matches[:limit],
        candidates=len(cids),
        excluded=excluded,
        weights=dict(WEIGHTS),
        notes=[]
        if broad
        else [
            "within the creator's niche and audience market (same niche; country mix at "
            f"least {MIN_COUNTRY_SIMILARITY:.0%} alike{market}, else the same country); ask "
            "for broad lookalikes to look further"
        ],
    )


def _seed_words(
    store: Store, workspace: str, model: str | None, ids: list[str], seed: int, order: list[int]
) -> np.ndarray:
    """Per candidate (positions ``order`` in ``ids``): BM25 of the seed's :data:`SEED_WORDS`
    most distinctive terms in its document, relative to the best candidate (0..1)."""
    bm = bm25_for(store, workspace, get_embedder(model).name, ids)
    terms = bm.doc_terms(seed)
    top = sorted(terms, key=lambda t: (-terms[t] * bm.idf[t], t))[:SEED_WORDS]
    s = bm.scores_terms(top)[np.asarray(order, np.int64)] if order else np.zeros(0)
    best = float(s.max()) if len(s) else 0.0
    return s / best if best > 0 else np.zeros(len(order))


def _main_market(mix: dict[str, float]) -> str:
    """A creator's main market: its audience's largest country (ties by code, for one answer)."""
    return min(mix, key=lambda k: (-mix[k], k))


def _same_market(
    store: Store,
    workspace: str,
    sid: str,
    cids: list[str],
    order: list[int],
    excluded: dict[str, int],
) -> tuple[list[int], str]:
    """The candidates (positions ``order``, ids ``cids``) in the seed's niche and market, and
    the main-market rule in words (", with at least 25.5% of the audience in IN, half the
    creator's"; "" when the seed has no demographics)."""
    from closeknit.match.niche import niche_of

    niches = niche_of(store, workspace, [sid, *cids])
    seed_n = (niches.get(sid) or {}).get("niche")
    demo = load_demographics(store, workspace, [sid, *cids])
    country = {
        r["creator_id"]: r["country"]
        for r in store.query(
            "SELECT creator_id, country FROM creators WHERE workspace_id = ? "
            "AND creator_id IN (SELECT unnest(?::VARCHAR[]))",
            [workspace, [sid, *cids]],
        )
    }
    seed_c = demo.get(sid, {}).get("country")
    main = _main_market(seed_c) if seed_c else ""
    keep = []
    for i, cid in zip(order, cids, strict=True):
        n = (niches.get(cid) or {}).get("niche")
        if seed_n and n and n != seed_n:
            excluded["other_niche"] = excluded.get("other_niche", 0) + 1
            continue
        cc = demo.get(cid, {}).get("country")
        if seed_c and cc:
            ok = _tvd_sim(seed_c, cc) >= MIN_COUNTRY_SIMILARITY and (
                cc.get(main, 0.0) >= MAIN_MARKET_KEEP * seed_c[main]
            )
        else:
            ok = not country.get(sid) or not country.get(cid) or country[sid] == country[cid]
        if not ok:
            excluded["other_market"] = excluded.get("other_market", 0) + 1
            continue
        keep.append(i)
    if not main or seed_c is None:
        return keep, ""
    least = figures.percent(MAIN_MARKET_KEEP * seed_c[main])
    return keep, (
        f", with at least {least} of the audience in {main}, its main market "
        f"({figures.percent(seed_c[main])} of the creator's)"
    )
