"""One entry point per source, and the import of a whole synthetic-world directory.

``import_path(store, workspace, source, path, **opts)`` dispatches to the source's module;
``import_world(store, workspace, world_dir)`` imports every file of a world in dependency
order: profiles before posts (so posts merge into complete creators), vendor exports in date
order (so the newest month's follower count wins), snapshots, audience, YouTube files (through
:func:`closeknit.connectors.youtube.import_youtube`), then shop orders (the JSON orders first,
then the admin CSV export of the same orders merges into them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from closeknit.connectors.csvio import check_encoding
from closeknit.connectors.landing import ImportResult
from closeknit.connectors.values import date_in_text
from closeknit.errors import CloseknitError, ImportError_, ValidationError
from closeknit.store import Store

log = logging.getLogger(__name__)

SOURCES = (
    "instagram",
    "vendor_csv",
    "snapshots",
    "posts_csv",
    "audience",
    "demographics",
    "shopify_csv",
    "shopify_orders",
    "shopify",
    "youtube",
    "world",
)

Progress = Callable[[int], None] | None
# what a follower export can be (connectors.audience.read_profiles), compressed or not
_EXPORTS = tuple(
    f"{e}{z}"
    for e in (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ".xlsx")
    for z in ("", ".gz", ".bz2", ".xz")
)

# WAL size past which a commit checkpoints, while a whole world imports. At DuckDB's default
# (16 MiB) every few vendor files a commit checkpointed and re-wrote the partly filled row
# groups of the big tables: 3.5-6 CPU s each, ~60% of the vendor phase on the 10k world.
WORLD_CHECKPOINT_THRESHOLD = "4GB"


@contextmanager
def deferred_checkpoints(
    store: Store, threshold: str = WORLD_CHECKPOINT_THRESHOLD
) -> Iterator[None]:
    """Checkpoint once at the end of a multi-file import instead of after every few commits.

    Commits stay durable (the WAL holds them); the previous threshold is restored and one
    CHECKPOINT runs on the way out, also after a failure.
    """
    old = store.scalar("SELECT current_setting('checkpoint_threshold')")
    store.execute(f"SET checkpoint_threshold = '{_q(threshold)}'")
    try:
        yield
    except BaseException:
        # the import's own error is the one to report, not a failing checkpoint after it
        try:
            store.execute(f"SET checkpoint_threshold = '{_q(str(old))}'")
            store.checkpoint()
        except Exception as e:  # noqa: BLE001
            log.warning("checkpoint after a failed import failed too: %s", e)
        raise
    store.execute(f"SET checkpoint_threshold = '{_q(str(old))}'")
    store.checkpoint()


def _q(text: str) -> str:
    return text.replace("'", "''")


def import_path(
    store: Store,
    workspace: str,
    source: str,
    path: Path,
    *,
    on_progress: Progress = None,
    **opts: Any,
) -> ImportResult:
    """Import one file or folder of ``source``; several files combine into one result."""
    results = import_many(store, workspace, source, path, on_progress=on_progress, **opts)
    return combine(results, source=source, path=str(path))


def import_many(
    store: Store,
    workspace: str,
    source: str,
    path: Path,
    *,
    on_progress: Progress = None,
    **opts: Any,
) -> list[ImportResult]:
    """Like :func:`import_path` but one result per file (each file is its own atomic batch)."""
    path = Path(path)
    if source not in SOURCES:
        raise ValidationError(f"unknown source {source!r} (one of: {', '.join(SOURCES)})")
    if not path.exists():
        raise ValidationError(f"no such file or folder: {path}", path=str(path))
    if opts.get("encoding"):
        check_encoding(opts["encoding"])  # an unknown name fails before any file is read
    if source == "world":
        return import_world(store, workspace, path, on_progress=on_progress)
    if source == "instagram":
        from closeknit.connectors.instagram import import_instagram

        return import_instagram(
            store, workspace, path, kind=opts.get("kind"), on_progress=on_progress
        )
    if source == "vendor_csv":
        from closeknit.connectors.vendor_csv import import_vendor_csv

        files = _files(path, (".csv", ".tsv", ".txt", ".xlsx", ".xlsm"))
        return _each(
            sorted(files, key=_date_key),
            lambda f: import_vendor_csv(
                store,
                workspace,
                f,
                platform=opts.get("platform"),
                mapping=opts.get("mapping"),
                date=opts.get("date"),
                on_progress=on_progress,
                encoding=opts.get("encoding"),
            ),
        )
    if source == "snapshots":
        from closeknit.connectors.snapshots import import_snapshots

        return _each(
            _files(path, (".csv", ".tsv")),
            lambda f: import_snapshots(
                store, workspace, f, on_progress=on_progress, encoding=opts.get("encoding")
            ),
        )
    if source == "posts_csv":
        from closeknit.connectors.posts_csv import import_posts_csv

        return _each(
            _files(path, (".csv", ".tsv")),
            lambda f: import_posts_csv(
                store, workspace, f, on_progress=on_progress, encoding=opts.get("encoding")
            ),
        )
    if source == "audience" and opts.get("creator"):
        from closeknit.connectors.follower_export import import_follower_export
        from closeknit.store.creators import resolve_creator_id

        # a follower export of one creator, read as `audience score` reads it; the creator is
        # found once, not once per file of a folder
        creator = resolve_creator_id(store, workspace, opts["creator"])
        return _each(
            _files(path, _EXPORTS, "follower export (CSV, JSON lines, Excel)"),
            lambda f: import_follower_export(
                store,
                workspace,
                f,
                creator=creator,
                relation=opts.get("relation"),
                fmt=opts.get("format"),
                mapping=opts.get("mapping"),
                on_progress=on_progress,
            ),
        )
    if source == "audience":
        from closeknit.connectors.audience import import_audience

        return import_audience(
            store, workspace, path, on_progress=on_progress, encoding=opts.get("encoding")
        )
    if source == "demographics":
        from closeknit.connectors.audience import import_demographics

        return _each(
            _files(path, (".csv", ".tsv")),
            lambda f: import_demographics(
                store, workspace, f, on_progress=on_progress, encoding=opts.get("encoding")
            ),
        )
    if source in ("shopify", "shopify_csv", "shopify_orders"):
        from closeknit.connectors.shopify import import_shopify

        exts = {
            "shopify_csv": (".csv",),
            "shopify_orders": (".jsonl", ".json", ".ndjson"),
            "shopify": (".csv", ".jsonl", ".json", ".ndjson"),
        }[source]
        files = sorted(_files(path, exts), key=lambda f: (f.suffix.lower() == ".csv", f.name))
        return _each(
            files,
            lambda f: import_shopify(
                store,
                workspace,
                f,
                cogs_rate=opts.get("cogs_rate"),
                on_progress=on_progress,
                encoding=opts.get("encoding"),
            ),
        )
    if source == "youtube":
        from closeknit.connectors.youtube import import_youtube

        return _each(
            _files(path, (".json", ".jsonl")),
            lambda f: import_youtube(store, workspace, f, on_progress=on_progress),
        )
    raise ValidationError(f"unknown source {source!r}")  # pragma: no cover


def _each(
    files: list[Path], one: Callable[[Path], ImportResult | list[ImportResult]]
) -> list[ImportResult]:
    """Import each file as its own atomic batch. A file that cannot be imported at all (no
    header, not text) no longer stops the folder where it stands, with some files in and the
    rest not and nothing said: every other file is imported, then one error names each file
    that was not and what the others loaded."""
    out: list[ImportResult] = []
    failed: list[tuple[Path, CloseknitError]] = []
    for f in files:
        try:
            r = one(f)
        except CloseknitError as e:
            if len(files) == 1:
                raise
            failed.append((f, e))
            continue
        out.extend(r if isinstance(r, list) else [r])
    if failed:
        done = len(files) - len(failed)
        loaded = sum(r.n_loaded for r in out)
        raise ImportError_(
            f"{len(failed)} of {len(files)} files could not be imported ("
            + "; ".join(f"{f.name}: {e.message}" for f, e in failed)
            + f"); the other {done} were ({loaded:,} rows loaded)",
            failed=[f.name for f, _ in failed],
            imported=done,
            loaded=loaded,
        )
    return out


def _files(path: Path, exts: tuple[str, ...], what: str | None = None) -> list[Path]:
    if path.is_file():
        return [path]
    files = sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(exts))
    if not files:
        raise ValidationError(f"no {what or '/'.join(exts)} files in {path}", path=str(path))
    return files


def _date_key(p: Path) -> tuple[str, str]:
    d = date_in_text(p.name)  # "2022-12", "sep 2022", "DEC2022"... (vendor_csv.date_of)
    return (d.isoformat() if d else "", p.name)


def combine(results: list[ImportResult], *, source: str, path: str | None) -> ImportResult:
    """Sum several per-file results into one (batch ids joined)."""
    if len(results) == 1:
        return results[0]
    out = ImportResult(
        batch_id=",".join(r.batch_id for r in results if r.n_loaded or r.n_new_quarantine),
        source=source,
        path=path,
    )
    for r in results:
        out.add(r)
    return out


def world_plan(world_dir: Path) -> list[tuple[str, Path]]:
    """(source, file) in the order :func:`import_world` imports them."""
    w = Path(world_dir)
    plan: list[tuple[str, Path]] = []

    def add(source: str, pattern: str, key: Callable[[Path], Any] = lambda p: p.name) -> None:
        for f in sorted(w.glob(pattern), key=key):
            if f.is_file():
                plan.append((source, f))

    add("instagram", "instagram/profiles-*.jsonl")
    add("instagram", "instagram/posts-*.jsonl")
    add("vendor_csv", "vendor/*.csv", _date_key)
    add("snapshots", "snapshots/*.csv")
    # every creator before the audience files that name them: the YouTube channels came after
    # them, and each of their 741 creators was warned about as unknown (the demo's import)
    add("youtube", "youtube/channels-*.json")
    add("youtube", "youtube/videos-*.json")
    add("youtube", "youtube/comments-*.json")
    add("audience", "audience/samples-*.jsonl")
    add("demographics", "audience/demographics*.csv")
    add("shopify_orders", "shop/*.jsonl")
    add("shopify_csv", "shop/*.csv")
    return plan


def import_world(
    store: Store,
    workspace: str,
    world_dir: Path,
    *,
    on_progress: Progress = None,
    on_file: Callable[[str, Path], None] | None = None,
) -> list[ImportResult]:
    """Import every file of a world directory in dependency order; one result per file."""
    w = Path(world_dir)
    if not w.is_dir():
        raise ValidationError(f"not a world directory: {w}", path=str(w))
    plan = world_plan(w)
    if not plan:
        raise ValidationError(f"no importable files in {w} (is it a world directory?)")
    results: list[ImportResult] = []
    with deferred_checkpoints(store):
        for source, f in plan:
            if on_file is not None:
                on_file(source, f)
            if source == "instagram":
                from closeknit.connectors.instagram import import_instagram

                results.extend(import_instagram(store, workspace, f, on_progress=on_progress))
            else:
                results.extend(import_many(store, workspace, source, f, on_progress=on_progress))
    return results
