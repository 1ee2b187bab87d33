"""Discover's evidence is one of two typed records, never a free-form object: a brief search
shows posts, a lookalike search the followers in common."""

from __future__ import annotations

import pydantic
import pytest

from closeknit.service.discover import AudienceOverlap, MarketShare, MatchOut, PostEvidence


def _match(evidence: list[dict[str, object]]) -> MatchOut:
    base = {
        "creator_id": "instagram:a", "handle": "a", "platform": "instagram", "followers": 1,
        "country": None, "niche": None, "score": 0.5, "factors": {}, "missing": [],
        "vetted": False, "status": "ok", "fee_estimate": None, "fee_source": None,
        "expected_engagements": None, "evidence": evidence,
    }  # fmt: skip
    return MatchOut.model_validate(base)


def test_evidence_is_a_post_an_audience_overlap_or_a_market_share() -> None:
    m = _match([{"post_id": "instagram:1", "caption": "anklet", "score": 0.7}])
    assert isinstance(m.evidence[0], PostEvidence) and m.evidence[0].caption == "anklet"
    m = _match([{"audience_overlap_jaccard": 0.12}])
    assert isinstance(m.evidence[0], AudienceOverlap)
    m = _match([{"market": "GB", "share": 0.35, "seed_share": 0.6}])
    assert isinstance(m.evidence[0], MarketShare) and m.evidence[0].market == "GB"
    with pytest.raises(pydantic.ValidationError):
        _match([{"post_id": "instagram:1", "note": "a renamed field"}])


def test_a_result_reads_in_a_notebook() -> None:
    """Its repr was one line of up to 30,000 characters, and pd.DataFrame(result) gave
    (field, value) tuples: the repr is a summary and to_frame() the rows."""
    import pandas as pd

    from closeknit.service.base import Out

    class Row(Out):
        handle: str
        factors: dict[str, float]

    class Result(Out):
        model: str
        notes: list[str]
        results: list[Row]

    r = Result(model="m", notes=["a" * 500], results=[
        Row(handle=f"h{i}", factors={"content": i / 10}) for i in range(300)])  # fmt: skip
    assert repr(r) == "Result(model='m', notes=[1 item], results=[300 items])"
    f = r.to_frame()
    assert isinstance(f, pd.DataFrame) and list(f.columns) == ["handle", "factors.content"]
    assert len(f) == 300 and f["factors.content"].iloc[3] == 0.3
    from closeknit.errors import ValidationError

    with pytest.raises(ValidationError, match="no list of rows"):
        r.to_frame("model")
