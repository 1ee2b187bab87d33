"""Monthly vendor exports shaped like creator-lists/top1000-instagram-2022-12.csv."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.world import vocab

HEADER = [
    "Rank",
    "name",
    "instagram name",
    "Category_1",
    "Category_2",
    "followers",
    "followers",
    "country",
    "Eng. (Auth.)",
    "Eng. (Auth.)",
    "Eng. (Avg.)",
    "Eng. (Avg.)",
]
MONTHS = 12


def abbreviate(n: int) -> str:
    """'409.8M', '523M', '26.1K', '998': one decimal (half up), trailing .0 dropped, as in the
    source file."""
    return abbreviate_many(np.array([n]))[0][0]


def unabbreviate(n: int) -> int:
    """The full-number column repeats the abbreviated value (409.8M -> 409800000)."""
    return abbreviate_many(np.array([n]))[1][0]


def month_ends(ref: dt.date, months: int = MONTHS) -> list[dt.date]:
    out = []
    y, m = ref.year, ref.month
    for _ in range(months):
        first_next = dt.date(y + (m == 12), m % 12 + 1, 1)
        out.append(first_next - dt.timedelta(days=1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return sorted(out)


def abbreviate_many(x: np.ndarray) -> tuple[list[str], list[int]]:
    """Vectorized :func:`abbreviate` / :func:`unabbreviate` (same results)."""
    x = np.asarray(x, dtype=np.int64)
    div = np.where(
        x >= 1_000_000_000, 10**9, np.where(x >= 1_000_000, 10**6, np.where(x >= 1000, 1000, 1))
    )
    v10 = (x * 10 + div // 2) // div  # tenths, rounded half up in integers
    roll = (v10 >= 10_000) & (div < 10**9) & (div > 1)  # 999.95K rounds to 1M
    div = np.where(roll, div * 1000, div)
    v10 = np.where(roll, (x * 10 + div // 2) // div, v10)
    plain = div == 1
    full = np.where(plain, x, v10 * div // 10).tolist()
    suf = {1: "", 1000: "K", 10**6: "M", 10**9: "B"}
    out = []
    for v, d, p, xv in zip(v10.tolist(), div.tolist(), plain.tolist(), x.tolist(), strict=True):
        if p:
            out.append(str(xv))
        else:
            q, r = divmod(v, 10)
            out.append(f"{q}{suf[d]}" if r == 0 else f"{q}.{r}{suf[d]}")
    return out, full


def write_vendor(
    out: Path,
    cols: dict[str, Any],
    month_followers: list[np.ndarray],
    dates: list[dt.date],
    messy_seed: int,
    max_rows: int | None = None,
) -> int:
    """One CSV per month over Instagram creators, ranked by followers that month (top
    ``max_rows`` when given). Text fields never hold commas or quotes, so lines are joined."""
    vdir = out / "vendor"
    vdir.mkdir(parents=True, exist_ok=True)
    handles, names = cols["handles"], cols["names"]
    cat1_all = [vocab.NICHES[vocab.NICHE_IDS[k]][3] for k in cols["niche"].tolist()]
    cat2_all = [vocab.NICHES[vocab.NICHE_IDS[k]][3] for k in cols["niche2"].tolist()]
    ctry_all = [vocab.COUNTRIES[vocab.COUNTRY_IDS[k]][2] for k in cols["country"].tolist()]
    er, fake = cols["er"], cols["fake_share"]
    rng = np.random.default_rng(messy_seed)
    n = 0
    header = ",".join(HEADER) + "\n"
    for d, fol in zip(dates, month_followers, strict=True):
        order = np.lexsort((np.arange(len(fol)), -fol))
        if max_rows is not None:
            order = order[:max_rows]
        messy = rng.random(len(fol))[order]
        fo = fol[order]
        avg = (fo * er[order] * (1 - fake[order]) * 1.03).astype(np.int64)
        auth = (avg * (0.75 + 0.2 * (1 - fake[order]))).astype(np.int64)
        fa, ff = abbreviate_many(fo)
        aa, af = abbreviate_many(auth)
        va, vf = abbreviate_many(avg)
        lines = [header]
        ol = order.tolist()
        ml = messy.tolist()
        for rank, i in enumerate(ol):
            k = rank
            cat1 = cat1_all[i]
            cat2 = cat2_all[i]
            if cat2 == cat1 or i % 3:
                cat2 = ""
            m = ml[k]
            ctry = "" if m < 0.02 else ctry_all[i]
            a_a, a_f = (aa[k], af[k]) if m <= 0.997 else ("#VALOR!", "#VALOR!")
            lines.append(
                f"{rank + 1},{handles[i]},{names[i]},{cat1},{cat2},{fa[k]},{ff[k]},{ctry},"
                f"{a_a},{a_f},{va[k]},{vf[k]}\n"
            )
        with open(vdir / f"creators-{d.strftime('%Y-%m')}.csv", "w", encoding="utf-8") as f:
            f.write("".join(lines))
        n += len(ol)
    return n
