"""Apache Spark (PySpark) engine for feature builds beyond one machine.

This and :mod:`closeknit.store.db` are the only modules that import an engine. Spark reads the
canonical tables as Parquet folders, runs SQL (Spark dialect, transpiled from the DuckDB
definitions by the caller) and writes Parquet that the serving store attaches.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from closeknit.errors import ConfigError, StoreError


class SparkEngine:
    """A Spark session over Parquet folders. Use as a context manager."""

    def __init__(
        self,
        master: str = "local[2]",
        *,
        app_name: str = "closeknit-features",
        conf: dict[str, str] | None = None,
    ) -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as e:  # optional extra
            raise ConfigError(
                "PySpark is not installed: pip install 'closeknit[spark]' (needs Java 17+)"
            ) from e
        os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
        b = SparkSession.builder.master(master).appName(app_name)
        settings = {
            # Identical results across engines: session time zone fixed, ANSI arithmetic off
            # (DuckDB returns NULL-free doubles), no adaptive shuffle surprises in small tests.
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.ansi.enabled": "false",
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.shuffle.partitions": "8",
            "spark.driver.memory": "2g",
            "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
            "spark.sql.parquet.datetimeRebaseModeInWrite": "CORRECTED",
        }
        settings.update(conf or {})
        for k, v in settings.items():
            b = b.config(k, v)
        try:
            self.spark = b.getOrCreate()
        except Exception as e:  # Java missing, bad master URL, ...
            raise StoreError(f"cannot start Spark at {master}: {e}") from e
        self.spark.sparkContext.setLogLevel("ERROR")
        self.master = master

    def register_parquet(self, name: str, path: str | Path) -> None:
        self.spark.read.parquet(str(path)).createOrReplaceTempView(name)

    def write_parquet(self, sql: str, path: str | Path) -> int:
        df = self.spark.sql(sql)
        df.write.mode("overwrite").parquet(str(path))
        return int(self.spark.read.parquet(str(path)).count())

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return [r.asDict() for r in self.spark.sql(sql).collect()]

    def stop(self) -> None:
        self.spark.stop()

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
