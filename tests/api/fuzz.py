"""Run schemathesis (every phase, every check) in process against the ASGI app.

Used by ``test_schemathesis.py``; run it directly for a longer, louder hunt::

    .venv/bin/python -m tests.api.fuzz --examples 50 --seed 7
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events
from schemathesis.engine import from_schema as engine_from_schema

from closeknit.server import create_app
from closeknit.service import accounts
from closeknit.store import Store, open_store
from tests.api.seeding import build_template

OWNER_EMAIL = "fuzz-owner@alpha.test"

# Checks that are genuinely inapplicable to one operation, with the reason. Keep this short: every
# entry is a place where the schema cannot say the whole truth.
_CROSS_FIELD = {"checks": {"positive_data_acceptance": {"enabled": False}}}
DISABLED: list[dict[str, Any]] = [
    {
        # Schema-valid but refused (422): end_date must not be before start_date (in the body,
        # or against the stored campaign). JSON Schema has no keyword to compare two fields.
        "include-path": "/api/v1/campaigns",
        "include-method": "POST",
        **_CROSS_FIELD,
    },
    {
        "include-path": "/api/v1/campaigns/{campaign_id}",  # the same rule as above
        "include-method": "PATCH",
        **_CROSS_FIELD,
    },
    {
        # Schema-valid but refused (422): `until` must be after `since`. OpenAPI cannot relate
        # two query parameters, so the schema cannot say it.
        "include-path": "/api/v1/trends",
        "include-method": "GET",
        **_CROSS_FIELD,
    },
    {
        # Schema-valid but refused (422): min_creators <= max_creators, and a plan needs text,
        # a brief_id or creators (not text and brief_id both). JSON Schema has no keyword to
        # compare two fields; the description says it.
        "include-path": "/api/v1/plans",
        "include-method": "POST",
        **_CROSS_FIELD,
    },
]


@dataclass
class Finding:
    operation: str
    code: str
    title: str
    message: str
    curl: str
    response: str = ""

    def __str__(self) -> str:
        msg = " ".join(self.message.split())[:300]
        head = f"{self.operation}: {self.code} {self.title}: {msg}"
        return f"{head}\n    {self.response}\n    {self.curl}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    seconds_by_operation: dict[str, float] = field(default_factory=dict)


class OwnerKey:
    """A live owner API key for the fuzzer: a new one is made when a fuzzed call revoked it or
    demoted its creator (both are legitimate things for the API to do)."""

    def __init__(self, store: Store, workspace: str) -> None:
        self.store, self.workspace, self.key = store, workspace, ""

    def current(self) -> str:
        p = accounts.key_principal(self.store, self.key) if self.key else None
        if p is None or p.role != "owner":
            user = accounts.create_user(
                self.store,
                OWNER_EMAIL,
                "fuzz password 123",
                workspace=self.workspace,
                role="owner",
            )
            accounts.set_membership(self.store, self.workspace, user["user_id"], "owner")
            _meta, self.key = accounts.create_key(
                self.store, self.workspace, name="fuzz", role="owner", user_id=user["user_id"]
            )
        return self.key


PHASES = ("examples", "coverage", "fuzzing", "stateful")


def _config(examples: int, seed: int, phases: tuple[str, ...]) -> SchemathesisConfig:
    # No max-time: with one, schemathesis repeats fuzzing and stateful runs until it is spent.
    return SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "workers": 1,
            # a slow call on a busy machine is not a finding (the benchmarks measure speed)
            "request-timeout": 120,
            "checks": {"enabled": True},
            "phases": {ph: {"enabled": ph in phases} for ph in PHASES},
            "generation": {"max-examples": examples, "deterministic": True},
            "suppress-health-check": ["all"],
            "cache": {"enabled": False},
            "operations": DISABLED,
            "output": {"sanitization": {"enabled": False}},
        }
    )


def run(
    app: Any, store: Store, *, examples: int, seed: int, phases: tuple[str, ...] = PHASES
) -> Report:
    """Run every phase with every check; return the findings (empty when the API conforms)."""
    owner = OwnerKey(store, "alpha")
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json",
        app,
        config=_config(examples, seed, phases),
        headers={"Authorization": f"Bearer {owner.current()}"},
    )

    @schema.auth(refresh_interval=None)
    class _Auth:
        def get(self, case: Any, ctx: Any) -> str:
            return owner.current()

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    report = Report()
    seen: set[tuple[str, str, str]] = set()
    t0 = time.monotonic()
    for ev in engine_from_schema(schema).execute():
        if isinstance(ev, events.ScenarioFinished | events.FuzzScenarioFinished):
            rec = ev.recorder
            report.operations.add(rec.label)
            t = report.seconds_by_operation.get(rec.label, 0.0) + getattr(ev, "elapsed_time", 0)
            report.seconds_by_operation[rec.label] = t
            report.cases += len(rec.cases)
            for case_id, checks in rec.checks.items():
                for node in checks:
                    if node.status != Status.FAILURE or node.failure_info is None:
                        continue
                    f = node.failure_info.failure
                    key = (rec.label, f.code, f.title)
                    if key in seen:
                        continue
                    seen.add(key)
                    steps = node.failure_info.steps
                    curl = steps[-1].curl if steps else node.failure_info.code_sample
                    resp = rec.find_response(case_id=case_id)
                    got = f"[{resp.status_code}] {resp.text[:300]}" if resp is not None else ""
                    report.findings.append(
                        Finding(rec.label, f.code, f.title, f.message, curl, got)
                    )
        elif isinstance(ev, events.NonFatalError):
            report.errors.append(f"{ev.label}: {ev.info.message}")
        elif isinstance(ev, events.FatalError):
            report.errors.append(f"fatal: {ev.exception!r}")
    report.seconds = time.monotonic() - t0
    return report


@contextmanager
def seeded_app(template: Path | None = None) -> Iterator[tuple[Any, Store]]:
    """The app on a private copy of the seeded two-workspace store."""
    tmp = Path(tempfile.mkdtemp(prefix="closeknit-fuzz-"))
    try:
        db = tmp / "fuzz.duckdb"
        if template is None:
            build_template(db)
        else:
            shutil.copy(template, db)
        st = open_store(db)
        try:
            yield create_app(store=st), st
        finally:
            st.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    import faulthandler
    import signal

    faulthandler.register(signal.SIGUSR1, all_threads=True)  # kill -USR1 <pid>: where is it?
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--examples", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--phases", default=",".join(PHASES))
    ap.add_argument("--slowest", type=int, default=0, help="list the N slowest operations")
    a = ap.parse_args()
    with seeded_app() as (app, st):
        rep = run(app, st, examples=a.examples, seed=a.seed, phases=tuple(a.phases.split(",")))
    for op, t in sorted(rep.seconds_by_operation.items(), key=lambda x: -x[1])[: a.slowest]:
        print(f"{t:7.1f} s  {op}")
    for f in rep.findings:
        print(f)
    for e in rep.errors:
        print("ERROR", e)
    print(
        f"{len(rep.findings)} findings, {len(rep.errors)} errors over {len(rep.operations)} "
        f"operations, {rep.cases} cases in {rep.seconds:.0f} s"
    )


if __name__ == "__main__":
    main()
