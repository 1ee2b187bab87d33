"""An unknown campaign id gets one error, worded alike by every step (report, lift, holdout,
halo): it read "no campaign 'x' in workspace 'w'" in two places and "campaign x not found",
without the workspace, in the others. It names the id as typed and never the workspace's
internal id (every interface shows the message)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from closeknit.errors import NotFound
from closeknit.store import Store
from closeknit.track import campaigns, halo, holdout, lift
from tests.track.helpers import seed

STEPS: dict[str, Callable[[Store], Any]] = {
    "campaign": lambda st: campaigns.get_campaign(st, "default", "nope"),
    "lift": lambda st: lift.estimate(st, "default", "nope"),
    "holdout": lambda st: holdout.analyze(st, "default", "nope"),
    "halo": lambda st: halo.halo(st, "default", "nope"),
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_every_step_words_an_unknown_campaign_alike(store: Store, step: str) -> None:
    seed(store)
    with pytest.raises(NotFound) as e:
        STEPS[step](store)
    assert str(e.value) == "no campaign nope"
    assert e.value.details.get("campaign_id") == "nope"
