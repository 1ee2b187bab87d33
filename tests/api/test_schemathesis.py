"""The OpenAPI schema tells the truth: schemathesis, every check, every operation, every phase.

Checks: server errors, status codes, content types, response schemas and headers, rejection of
schema-invalid input (negative data), acceptance of schema-valid input (positive data), missing
auth, unsupported methods and their ``Allow`` header, use after free, resource availability.
Phases: examples, coverage (boundary values, missing parameters, unexpected methods), fuzzing and
stateful. The only checks switched off are listed with their reason in ``tests/api/fuzz.py``.

Bounded for CI: a fixed seed and ``CLOSEKNIT_FUZZ_EXAMPLES`` examples per operation in the
fuzzing phase (default 5). Hunt harder locally with
``CLOSEKNIT_FUZZ_EXAMPLES=100 CLOSEKNIT_FUZZ_SEED=$RANDOM`` or ``python -m tests.api.fuzz``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from closeknit.server import create_app
from closeknit.store import open_store
from tests.api.seeding import Seeded

pytest.importorskip("schemathesis", reason="schemathesis is in the test extra")

from tests.api import fuzz  # noqa: E402  (needs schemathesis)


def test_schemathesis_all_checks_find_nothing(
    template_db: tuple[Path, Seeded, Seeded], tmp_path: Path
) -> None:
    db = tmp_path / "fuzz.duckdb"
    shutil.copy(template_db[0], db)
    st = open_store(db)
    try:
        app = create_app(store=st)
        rep = fuzz.run(
            app,
            st,
            examples=int(os.environ.get("CLOSEKNIT_FUZZ_EXAMPLES", "5")),
            seed=int(os.environ.get("CLOSEKNIT_FUZZ_SEED", "20")),
        )
        n_ops = sum(
            1 for ops in app.openapi()["paths"].values() for m in ops if m not in ("parameters",)
        )
    finally:
        st.close()
    report = "\n".join(map(str, rep.findings)) + "\n".join(f"ERROR {e}" for e in rep.errors)
    assert not rep.findings and not rep.errors, (
        f"{len(rep.findings)} findings, {len(rep.errors)} errors:\n{report}"
    )
    # every operation was exercised (an operation schemathesis could not test is an error above)
    assert len(rep.operations) >= n_ops, (sorted(rep.operations), n_ops)
    assert rep.cases > 10 * n_ops
