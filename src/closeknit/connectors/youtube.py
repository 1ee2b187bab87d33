"""YouTube Data API v3 list responses saved as files (``channelListResponse``,
``videoListResponse``, ``commentThreadListResponse``; ``.json``, ``.jsonl`` or a folder of them),
read as records for the landing zone with the normalizers of
:mod:`closeknit.connectors.youtube_rows`. The live fetch is :mod:`closeknit.connectors.youtube_api`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from closeknit.connectors.landing import Record, Rejected, canonical_json
from closeknit.connectors.youtube_rows import handle_of, item_record
from closeknit.errors import ValidationError

_KINDS = {
    "youtube#channelListResponse": "channel",
    "youtube#videoListResponse": "video",
    "youtube#commentThreadListResponse": "commentThread",
}


def _responses(path: Path) -> Iterator[tuple[int | None, Any, str | None]]:
    """(line or None, parsed response, parse error) for a .json or .jsonl file."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".jsonl" or (path.suffix != ".json" and "\n{" in text.strip()):
        for i, ln in enumerate(text.splitlines(), start=1):
            if not ln.strip():
                continue
            try:
                yield i, json.loads(ln), None
            except ValueError as exc:
                yield i, None, f"malformed JSON: {exc}"
        return
    try:
        obj = json.loads(text)
    except ValueError as exc:
        yield None, None, f"malformed JSON: {exc}"
        return
    if isinstance(obj, list):  # a JSON array of responses
        for i, o in enumerate(obj):
            yield i, o, None
    else:
        yield None, obj, None


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl"))
    else:
        files = [path]
    # channels first, so videos and comments find their channel's handle
    return sorted(files, key=lambda p: (0 if p.name.startswith("channels") else 1, str(p)))


def _sibling_handles(path: Path) -> dict[str, str]:
    folder = path if path.is_dir() else path.parent
    files = sorted(folder.glob("channels*.json*"))
    sig = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.is_file())
    return dict(_handles_of(sig))


@functools.lru_cache(maxsize=8)
def _handles_of(sig: tuple[tuple[str, int, int], ...]) -> tuple[tuple[str, str], ...]:
    """Channel id -> handle of the channel files in ``sig`` (cached: an importer reads a
    folder file by file, and every videos/comments file needs the same map)."""
    handles: dict[str, str] = {}
    for name, _, _ in sig:
        p = Path(name)
        try:
            for _, resp, err in _responses(p):
                if err is None and isinstance(resp, dict):
                    for it in resp.get("items") or []:
                        if isinstance(it, dict) and isinstance(it.get("id"), str):
                            handles[it["id"]] = handle_of(it)
        except OSError:
            continue
    return tuple(handles.items())


def iter_records(
    path: Path,
    *,
    channel_handles: Mapping[str, str] | None = None,
    snapshot_date: _dt.date | None = None,
) -> Iterator[Record | Rejected]:
    """Records of saved YouTube Data API v3 list responses under ``path``.

    ``path`` is a ``.json`` file holding one list response (or an array of them), a ``.jsonl``
    file of responses one a line, or a folder of such files. Supported kinds:
    ``youtube#channelListResponse``, ``youtube#videoListResponse``,
    ``youtube#commentThreadListResponse``. Each item becomes one :class:`Record`; an item with
    a field of the wrong type becomes a :class:`Rejected` naming the file, the line (JSONL) or
    item index (JSON), and the field (``items[3].statistics.viewCount``).
    Videos name their channel by id only; the handle comes from channel responses in the same
    folder (or ``channel_handles``), else the channel id stands in for it.
    """
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"no such file or folder: {path}")
    handles: dict[str, str] = dict(_sibling_handles(path))
    handles.update(channel_handles or {})
    for f in _files(path):
        fname = str(f)
        for line, resp, err in _responses(f):
            if err is not None:
                yield Rejected(reason=err, file=fname, line=line, field=None, raw=None)
                continue
            kind = _KINDS.get(str(resp.get("kind"))) if isinstance(resp, dict) else None
            if kind is None:
                got = resp.get("kind") if isinstance(resp, dict) else type(resp).__name__
                yield Rejected(
                    reason=f"not a supported YouTube list response (kind {got!r})",
                    file=fname,
                    line=line,
                    field="kind",
                    raw=canonical_json(resp),
                )
                continue
            items = resp.get("items")
            if items is None:
                continue  # an empty page carries no items
            if not isinstance(items, list):
                yield Rejected(
                    reason=f"expected a list, got {type(items).__name__}",
                    file=fname,
                    line=line,
                    field="items",
                    raw=canonical_json(resp),
                )
                continue
            for idx, item in enumerate(items):
                if kind == "channel" and isinstance(item, dict) and isinstance(item.get("id"), str):
                    handles.setdefault(item["id"], handle_of(item))
                yield item_record(
                    kind,
                    item,
                    handles=handles,
                    file=fname,
                    line=line if line is not None else idx,
                    prefix=f"items[{idx}].",
                    snapshot_date=snapshot_date,
                )
