# ruff: noqa: UP031  (printf-style templates are the fast path for millions of lines)
"""Audience samples, as ``connectors.audience`` reads them (``audience/samples-NNNNN.jsonl``: one
``{"creator", "relation", "profile"}`` object a line, the profile an Instagram web profile), and
the truth of every sampled account (``truth/_accounts/accounts-NNNNN.csv``: handle, id, kind)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from closeknit.world import audience as aud
from closeknit.world.config import FILE_BUFFER

_KIND_NAMES = {aud.KIND_REAL: "real", aud.KIND_FAKE: "fake", aud.KIND_INACTIVE: "inactive"}


def write_samples(
    seed: int, samples: list[tuple[str, str, np.ndarray]], path: Path, truth_path: Path
) -> None:
    """Write ``samples`` ((creator id, relation, member ids), from
    :func:`~closeknit.world.draw_shard.audience_samples`) and their accounts' truth."""
    pres: list[str] = []  # one line prefix per sampled member
    for cid, rel, mids in samples:
        pres += ['{"creator": "%s", "relation": "%s", "profile": ' % (cid, rel)] * len(mids)
    groups = [mids for _, _, mids in samples]
    cat = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
    profs = aud.member_profiles_cached(seed, cat)
    with open(path, "w", encoding="utf-8", buffering=FILE_BUFFER) as f:
        f.writelines([p + prof + "}\n" for p, prof in zip(pres, profs, strict=True)])
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    mids_all = np.unique(cat)
    kinds = aud.member_kind(mids_all) if len(mids_all) else np.array([], dtype=int)
    pools = mids_all // 100_000
    hs = aud.member_handles_cached(seed, mids_all) if len(mids_all) else []
    with open(truth_path, "w", encoding="utf-8") as f:
        f.write("handle,id,kind\n")
        f.write(
            "".join(
                f"{h},{5_000_000_000 + m},{'bot' if p == aud.BOT_POOL_ID else _KIND_NAMES[k]}\n"
                for h, m, k, p in zip(
                    hs, mids_all.tolist(), kinds.tolist(), pools.tolist(), strict=True
                )
            )
        )
