"""What a fee rests on is one typed record, the same in `closeknit fees`, the API and the
creator page, and it reads as a sentence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from closeknit.cli.plan import fee_basis_line
from closeknit.service import creators as csvc
from closeknit.service import plans as psvc
from closeknit.service.fee_basis import FeeBasis
from closeknit.store import Store, open_store


@pytest.fixture(scope="module")
def st(small_world: Path) -> Iterator[Store]:
    s = open_store(small_world)
    yield s
    s.close()


def test_fee_basis_is_the_same_record_everywhere(st: Store) -> None:
    cid = st.query(
        "SELECT creator_id FROM creators WHERE workspace_id = 'default' AND followers > 0 "
        "ORDER BY followers DESC LIMIT 1"
    )[0]["creator_id"]
    fees = psvc.fees(st, "default", psvc.FeesIn(creators=[cid]))[0]
    b = fees.evidence
    assert isinstance(b, FeeBasis)
    prof = csvc.profile(st, "default", cid)
    assert prof.fee_basis == b
    if b.n_deals >= b.min_deals:  # the small world's brands have past deals
        assert b.followers_elasticity is not None and b.residual_sd_log is not None
        assert fees.formats["post"].method.startswith("deals_regression")
        assert "learned from" in fee_basis_line(b)
    else:
        assert "rate card" in fee_basis_line(b)


def test_fee_basis_sentence() -> None:
    card = FeeBasis(n_deals=3, min_deals=8)
    assert fee_basis_line(card) == (
        "rate card (followers and engagement); 3 agreed fees in this workspace, 8 needed to "
        "learn from them"
    )
    learned = FeeBasis(
        n_deals=40,
        min_deals=8,
        followers_elasticity=0.8,
        engagement_elasticity=0.1,
        real_share_elasticity=0.5,
        residual_sd_log=0.3,
        country="GB",
        niche="pets",
        country_multiplier=1.2,
        niche_multiplier=None,
    )
    line = fee_basis_line(learned)
    assert "learned from 40 agreed fees" in line and "followers^0.80" in line
    assert "market GB x1.20" in line and "no deal yet in niche pets" in line
    assert "no estimate: follower count unknown" == fee_basis_line(
        FeeBasis(n_deals=0, min_deals=8, reason="follower count unknown")
    )
