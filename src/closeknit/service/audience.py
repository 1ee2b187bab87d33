"""Audience quality of a follower export: ``closeknit audience score FILE``, ``POST
/api/v1/audience/score`` and the web's *Score a follower export* (an upload).

One call reads the export (:func:`closeknit.connectors.audience.read_profiles`), puts rows with
unreadable numbers or no handle in the workspace's quarantine (file, line, field), and estimates
the shares with the same estimator the creator vetting uses
(:func:`closeknit.features.audience.estimate`).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import pandas as pd
from pydantic import Field

from closeknit import figures
from closeknit.connectors import landing
from closeknit.connectors.audience import parse_maps as parse_maps  # the interfaces' --map
from closeknit.connectors.audience import read_profiles
from closeknit.errors import CloseknitError, InsufficientData
from closeknit.features import audience
from closeknit.features.models import ModelMissing
from closeknit.service.audience_fit import PopulationFit
from closeknit.service.base import In, Out, RowIssue
from closeknit.service.imports import hide_folder, save_upload, upload_name

if TYPE_CHECKING:
    from closeknit.store import Store

QUARANTINE_SOURCE = "audience-score"


class ScoreIn(In):
    """A follower export to score: its path, format (default: from the suffix) and column map."""

    # a notebook passes "followers.csv": strict mode refused anything but a Path
    path: Path = Field(strict=False)
    format: Literal["csv", "jsonl"] | None = None
    map: dict[str, str] = Field(default_factory=dict, description="export column -> field")


class SourceWeight(Out):
    """One labelled population's estimate and its weight in the combined one."""

    source: str
    weight: float
    fake_share: float
    sees_less: bool = Field(
        default=False,
        description="the source sees only some of the fields another source sees in this "
        "sample: it carries no weight (seeing less, it fits anything)",
    )
    fields_seen: list[str] = Field(
        default_factory=list, description="the sample's columns this source's table reads"
    )


#: a fake-share interval wider than this says the estimate cannot be pinned down: a follower
#: list of a handle and two flags read "36.6% fake [2.3%, 71.6%]" where 4.8% was true, a point
#: value shown as if it meant something
WIDE_INTERVAL = 0.3


#: the fields that show which labelled population a sample is like (docs/vetting.md step 6)
COUNT_FIELDS = ("followers", "following", "posts_count")


def thin_reason(
    n: int,
    lo: float,
    hi: float,
    sources: list[dict[str, Any]] | None = None,
    counts_given: bool = True,
) -> str | None:
    """Why an estimate is too thin to read its point value, or None. Without follower,
    following or post counts a good fit is no evidence of which labelled population the sample
    is like (a tester's 79-account list of handles and two flags read 62.5% fake [45.5, 80.4]
    from InstaFake's table while Kaggle's read 33.4%, and the full profiles of the same
    accounts 23.0%): another population's reading outside the interval is said."""
    if n < audience.MIN_SAMPLE:
        return f"{n} accounts, under the {audience.MIN_SAMPLE} an estimate needs"
    outside = [
        s
        for s in sources or []
        # a source seeing one field reads noise (Purba, the picture flag alone: 100%)
        if len(s.get("fields_seen") or ()) >= 2 and not lo <= float(s["fake_share"]) <= hi
    ]
    if not counts_given and outside:
        said = ", ".join(
            f"{figures.SOURCE_NAMES.get(str(s['source']), str(s['source']))}'s "
            f"{figures.percent(float(s['fake_share']))}"
            for s in outside
        )
        return (
            "without follower, following or post counts the fields cannot show which labelled "
            f"population the accounts are like, and another reads them outside the interval "
            f"({said})"
        )
    if hi - lo > WIDE_INTERVAL:
        return (
            f"the fields given cannot pin the fake share down: its 90% interval spans "
            f"{100 * (hi - lo):.0f} points"
        )
    return None


class AudienceScore(PopulationFit, Out):
    """Shares of fake, inactive and real-active accounts in an export, with 90% intervals."""

    n: int = Field(description="rows the estimate used")
    fake_share: float
    fake_lo: float
    fake_hi: float
    inactive_share: float | None = Field(description="None when no row has posts_count")
    inactive_lo: float | None
    inactive_hi: float | None
    real_share: float = Field(description="real and active (1 - fake - inactive)")
    real_lo: float
    real_hi: float
    level: float = 0.9
    method: str
    status: Literal["ok", "thin"] = Field(
        description=f"thin below {audience.MIN_SAMPLE} rows, or when the fake share's 90% "
        f"interval spans more than {WIDE_INTERVAL:.0%} of the audience (the fields given "
        "cannot pin it down): read the interval, not the point value"
    )
    thin_reason: str | None = Field(default=None, description="why the status is thin, in words")
    file: str
    format: str
    n_rows: int = Field(description="data rows in the file")
    n_used: int
    n_rejected: int
    n_posts_known: int
    columns_used: dict[str, str]
    columns_ignored: list[str]
    fields_missing: list[str]
    rejected: list[RowIssue] = Field(description="the first 20 rejected rows")
    n_duplicates: int = Field(
        default=0, description="rows left out because their account came earlier in the file"
    )
    n_warnings: int = Field(default=0, description="rows used with a field left unknown")
    warnings: list[RowIssue] = Field(
        default_factory=list,
        description="the first 20 rows used with a field left unknown (its cell unreadable)",
    )
    quarantine_batch: str | None
    sources: list[SourceWeight]


def score_file(store: Store, workspace: str, req: ScoreIn) -> AudienceScore:
    """Estimate the audience shares of one follower export; rejected rows are quarantined."""
    pf = read_profiles(req.path, fmt=req.format, mapping=req.map)
    # a file without a handle column is scored (labelled sets, ours and others', publish none;
    # the creator import refuses it: a sample keeps accounts by handle); in a file with one, a
    # row without a handle is quarantined by both, never counted
    batch = None
    if pf.rejected:
        res = landing.load(
            store, pf.rejected, source=QUARANTINE_SOURCE, workspace=workspace, path=pf.path
        )
        batch = res.batch_id if res.n_new_quarantine else None
    if not pf.rows:
        raise InsufficientData(
            f"{pf.path}: no row could be read ({pf.n_rows} rows, {len(pf.rejected)} rejected; "
            "the rows set aside say why)",
            path=pf.path,
        )
    model, method = audience.load_model()
    if model is None:
        raise ModelMissing(method)
    frame = pd.DataFrame(pf.rows)
    p = audience.estimate(frame, model)
    if p is None:
        raise InsufficientData(
            f"{pf.path}: the rows give no field the account model can use "
            f"(columns used: {', '.join(pf.columns_used) or 'none'})",
            path=pf.path,
        )
    given = set(pf.columns_used.values())
    why = thin_reason(
        p.n, p.fake_lo, p.fake_hi, p.sources, counts_given=any(f in given for f in COUNT_FIELDS)
    )
    return AudienceScore(
        n=p.n,
        fake_share=p.fake_share,
        fake_lo=p.fake_lo,
        fake_hi=p.fake_hi,
        inactive_share=p.inactive_share,
        inactive_lo=p.inactive_lo,
        inactive_hi=p.inactive_hi,
        real_share=p.real_share,
        real_lo=p.real_lo,
        real_hi=p.real_hi,
        level=p.level,
        method=p.method,
        status="ok" if why is None else "thin",
        thin_reason=why,
        file=pf.path,
        format=pf.format,
        n_rows=pf.n_rows,
        n_used=len(pf.rows),
        n_rejected=len(pf.rejected),
        n_posts_known=p.n_posts_known,
        columns_used=pf.columns_used,
        columns_ignored=[c for c in pf.columns_found if c not in pf.columns_used],
        fields_missing=pf.fields_missing,
        rejected=[
            RowIssue(file=r.file, line=r.line, field=r.field, reason=r.reason)
            for r in pf.rejected[:20]
        ],
        n_duplicates=pf.n_duplicates,
        n_warnings=len(pf.notes),
        warnings=[
            RowIssue(file=r.file, line=r.line, field=r.field, reason=r.reason)
            for r in pf.notes[:20]
        ],
        quarantine_batch=batch,
        sources=[SourceWeight(**s) for s in p.sources],
        lack_of_fit=None if p.lack_of_fit is None else round(p.lack_of_fit, 4),
        unlike_sources=p.unlike_sources,
        shift=round(p.shift, 4),
    )


def score_upload(
    store: Store,
    workspace: str,
    *,
    filename: str | None,
    data: BinaryIO,
    max_mb: int,
    format: Literal["csv", "jsonl"] | None = None,
    map: dict[str, str] | None = None,
) -> AudienceScore:
    """:func:`score_file` on an uploaded export: saved under a temporary folder, scored, then
    removed. The result and its errors name the upload, never the server's folder."""
    tmp = Path(tempfile.mkdtemp(prefix="closeknit-upload-"))
    try:
        path = tmp / upload_name(filename)
        save_upload(data, path, max_mb)
        try:
            out = score_file(store, workspace, ScoreIn(path=path, format=format, map=map or {}))
        except CloseknitError as e:
            e.message = hide_folder(e.message, tmp)
            e.args = (e.message,)
            e.details = {k: v for k, v in e.details.items() if k != "path"}
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out.model_copy(
        update={
            "file": path.name,
            "rejected": [
                r.model_copy(update={"file": Path(r.file).name if r.file else None})
                for r in out.rejected
            ],
        }
    )
