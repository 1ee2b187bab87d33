"""``closeknit bench``: run the scale benchmark suite and write a table."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from closeknit.cli.common import JsonOpt, cli_errors, console, print_json, write_output
from closeknit.errors import ConfigError


def register(app: typer.Typer) -> None:
    """Add ``bench`` to ``app``."""

    @app.command()
    def bench(
        sizes: Annotated[
            str, typer.Option(help="comma-separated creator counts")
        ] = "10000,100000,1000000",
        phases: Annotated[
            str,
            typer.Option(
                help="comma-separated phases: generate, import, features, portable_duckdb, "
                "portable_spark"
            ),
        ] = "generate,import,features,portable_duckdb,portable_spark",
        spark_cores: Annotated[
            str, typer.Option(help="local[N] values for the Spark curve")
        ] = "1,2",
        work: Annotated[Path | None, typer.Option(help="scratch directory")] = None,
        out: Annotated[Path | None, typer.Option(help="write the markdown table here")] = None,
        timeout: Annotated[
            float, typer.Option(help="seconds a phase may run before it is stopped")
        ] = 3600.0,
        as_json: JsonOpt = False,
    ) -> None:
        """Benchmark generate/import/feature builds at several sizes (time, peak memory, rows/s).

        Leaving out generate (and import) runs the later phases on the world (store) an
        earlier run left in ``--work``.
        """
        from closeknit.benchsuite import PHASES, run_suite

        with cli_errors(as_json):
            try:
                ns = [int(x) for x in sizes.split(",") if x.strip()]
                cores = [int(x) for x in spark_cores.split(",") if x.strip()]
            except ValueError as e:
                raise ConfigError(f"--sizes and --spark-cores take integers: {e}") from e
            ph = tuple(p.strip() for p in phases.split(",") if p.strip())
            bad = [p for p in ph if p not in PHASES]
            if bad or not ns:
                raise ConfigError(f"unknown phases {bad}" if bad else "--sizes is empty")
            wdir = work or Path(tempfile.mkdtemp(prefix="closeknit-bench-"))
            rep = run_suite(ns, wdir, phases=ph, spark_cores=cores, timeout=timeout)
        if out is not None:
            with cli_errors(as_json):
                write_output(out, rep.markdown())
        if as_json:
            print_json(rep.to_dict())
        else:
            console.print(rep.markdown())
