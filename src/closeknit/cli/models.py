"""``closeknit models``: train, evaluate and describe the shipped account/comment classifiers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from closeknit.cli.common import CsvOpt, JsonOpt, cli_errors, console, emit, esc
from closeknit.service import models as svc

DatasetsOpt = Annotated[
    Path | None,
    typer.Option(
        "--datasets",
        help="folder holding fake-accounts/ and comment-spam/ (default ../shared/datasets or "
        "$CLOSEKNIT_DATASETS_DIR)",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the ``models`` sub-app."""
    sub = typer.Typer(
        name="models",
        help="Fake-account and spam-comment classifiers: train, evaluate, info.",
        no_args_is_help=True,
    )

    @sub.command("train")
    def train_cmd(
        datasets: DatasetsOpt = None,
        out: Annotated[
            Path | None,
            typer.Option("--out", help="write artifacts here (default: inside the package)"),
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Retrain both models from the public datasets (fixed seeds) and rewrite the artifacts."""
        with cli_errors(as_json):
            d = svc.train(datasets, out)
        emit(
            d,
            as_json=as_json,
            rows=[
                {"model": "account", **_flat(d["account"])},
                {"model": "comment", **_flat(d["comment"])},
            ],
            title=f"trained in {d['seconds']} s → {d['out_dir']}",
        )

    @sub.command("evaluate")
    def evaluate_cmd(
        datasets: DatasetsOpt = None,
        folds: Annotated[int, typer.Option("--folds", min=2, help="CV folds")] = 10,
        purba_sample: Annotated[
            int, typer.Option("--purba-sample", help="Purba rows used (0 = all 43,307)")
        ] = 12000,
        parts: Annotated[
            str,
            typer.Option(
                "--parts", help="comma list of instafake,purba,kaggle,comment_spam,production"
            ),
        ] = "instafake,purba,kaggle,comment_spam,production",
        as_json: JsonOpt = False,
        as_csv: CsvOpt = False,
    ) -> None:
        """Stratified k-fold CV on InstaFake, Purba, Kaggle and YouTube spam vs published."""
        names = tuple(p.strip() for p in parts.split(",") if p.strip())
        with cli_errors(as_json):
            d = svc.evaluate(datasets, folds=folds, purba_sample=purba_sample or None, parts=names)
        slim = [
            {
                "dataset": r["dataset"],
                "model": r["model"],
                "accuracy": r["accuracy"],
                "macro F1": r["f1_macro"],
                "published": r["published"],
            }
            for r in d["table"]
        ]
        emit(
            d,
            as_json=as_json,
            as_csv=as_csv,
            rows=d["table"] if as_csv else slim,
            title=f"{folds}-fold CV ({d['seconds']} s)",
        )

    @sub.command("info")
    def info_cmd(as_json: JsonOpt = False, as_csv: CsvOpt = False) -> None:
        """Describe the shipped artifacts: training data, size, estimator.

        --csv prints one row a model."""
        with cli_errors(as_json):
            d = svc.info()
        if as_json or as_csv:
            rows = [{"model": name, **m} for name, m in d["models"].items()]
            emit(d, as_json=as_json, as_csv=as_csv, rows=rows)
            return
        for name, m in d["models"].items():
            console.print(
                f"[bold]{esc(name)}[/bold]: {esc(str(m['file']))} ({m['bytes']:,} bytes)",
                markup=True,
            )
            for k, v in m.items():
                if k not in ("file", "bytes"):
                    console.print(f"  {k}: {v}", highlight=False)

    app.add_typer(sub, name="models")


def _flat(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if not isinstance(v, dict)} | {
        f"{k}": ", ".join(f"{a}={b}" for a, b in v.items())
        for k, v in d.items()
        if isinstance(v, dict)
    }
