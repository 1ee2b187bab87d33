"""Niche assignment: each creator gets the niche whose prototype its content vector is nearest.

Prototypes start as the embedding of each niche's description and seed terms
(:mod:`closeknit.match.taxonomy`) and are refined twice from the creators confidently assigned
to them (a seeded k-means step), which pulls each prototype toward how creators really write.
Confidence is the softmax probability over the 30 similarities (temperature ``TEMPERATURE``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from closeknit.match.embed import Embedder, get_embedder
from closeknit.match.taxonomy import NICHE_IDS, NICHES
from closeknit.match.vectors import EmbedAhead, creator_matrix, refresh_creator_vectors
from closeknit.store import Store

TEMPERATURE = 0.05
REFINE_STEPS = 2
REFINE_MIX = 0.5  # weight of the seed prototype against the centroid of its creators


def prototypes(embedder: Embedder) -> np.ndarray:
    """(30, dim) seed prototype vectors, rows in ``NICHE_IDS`` order."""
    return embedder.encode([n.text() for n in NICHES])


def _norm(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1
    return (x / n).astype(np.float32)


def refine(protos: np.ndarray, mat: np.ndarray, steps: int = REFINE_STEPS) -> np.ndarray:
    """Seeded k-means: move each prototype toward the mean of the creators nearest to it."""
    p = protos
    for _ in range(steps):
        if len(mat) < 2 * len(p):
            break
        sims = mat @ p.T
        best = sims.argmax(1)
        new = p.copy()
        for j in range(len(p)):
            members = mat[best == j]
            if len(members) >= 2:
                new[j] = REFINE_MIX * protos[j] + (1 - REFINE_MIX) * _norm(members.mean(0)[None])[0]
        p = _norm(new)
    return p


def softmax(sims: np.ndarray, temperature: float = TEMPERATURE) -> np.ndarray:
    z = (sims - sims.max(1, keepdims=True)) / temperature
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


@dataclass
class NicheScores:
    creator_ids: list[str]
    probs: np.ndarray  # (n, 30)
    model: str

    def top(self, i: int) -> tuple[str, float, str, float]:
        order = np.argsort(-self.probs[i])
        a, b = int(order[0]), int(order[1])
        return NICHE_IDS[a], float(self.probs[i, a]), NICHE_IDS[b], float(self.probs[i, b])


def score_niches(
    store: Store,
    workspace: str,
    model: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    ahead: EmbedAhead | None = None,
) -> NicheScores:
    """Niche probabilities of every embedded creator (vectors refreshed first).

    ``on_progress(done, total)`` hears how many of the creators to (re-)embed are done;
    ``ahead``: vectors embedded beforehand in the background (:class:`EmbedAhead`).
    """
    emb = get_embedder(model)
    refresh_creator_vectors(store, workspace, model, on_progress=on_progress, ahead=ahead)
    ids, mat = creator_matrix(store, workspace, model)
    protos = refine(prototypes(emb), mat)
    return NicheScores(ids, softmax(mat @ protos.T) if len(ids) else np.zeros((0, 30)), emb.name)


def assign_niches(
    store: Store,
    workspace: str,
    model: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    ahead: EmbedAhead | None = None,
    *,
    rerank: bool = True,
) -> int:
    """Write ``creator_niche`` for every creator with content; returns the rows written.

    ``rerank``: rank engagement among the new niches' peers at once (the next feature build
    does it otherwise)."""
    sc = score_niches(store, workspace, model, on_progress, ahead)
    if not sc.creator_ids:
        return 0
    tops = [sc.top(i) for i in range(len(sc.creator_ids))]
    import pyarrow as pa

    table = pa.table(
        {
            "workspace_id": [workspace] * len(tops),
            "creator_id": sc.creator_ids,
            "niche": [t[0] for t in tops],
            "confidence": [round(t[1], 4) for t in tops],
            "second_niche": [t[2] for t in tops],
            "second_confidence": [round(t[3], 4) for t in tops],
            "model": [sc.model] * len(tops),
        }
    )
    with store.transaction() as tx:
        tx.execute("DELETE FROM creator_niche WHERE workspace_id = ?", [workspace])
        tx.insert_arrow("creator_niche", table)
    if rerank and "creator_features" in store.tables():
        # engagement is ranked among peers of a niche: built before this assignment, the
        # features ranked in the export's categories ("Fitness & Gym") until a full rebuild
        from closeknit.features.builder import refresh_cohorts

        refresh_cohorts(store, workspace)
    return len(tops)


def niche_counts(store: Store, workspace: str) -> list[dict[str, object]]:
    """Creators per niche with their mean confidence, largest niche first."""
    return store.query(
        "SELECT niche, count(*) AS creators, round(avg(confidence), 3) AS mean_confidence "
        "FROM creator_niche WHERE workspace_id = ? GROUP BY 1 ORDER BY 2 DESC, 1",
        [workspace],
    )


def niche_of(store: Store, workspace: str, creator_ids: list[str]) -> dict[str, dict[str, object]]:
    rows = store.query(
        "SELECT creator_id, niche, confidence, second_niche FROM creator_niche "
        "WHERE workspace_id = ? AND creator_id IN (SELECT unnest(?::VARCHAR[]))",
        [workspace, creator_ids],
    )
    return {r["creator_id"]: r for r in rows}


def accuracy(assigned: dict[str, str], truth: dict[str, str]) -> dict[str, float | int]:
    """Top-1 accuracy of assigned niches against true niches on the creators both know."""
    common = [c for c in truth if c in assigned]
    hits = sum(assigned[c] == truth[c] for c in common)
    return {"n": len(common), "accuracy": hits / len(common) if common else float("nan")}
