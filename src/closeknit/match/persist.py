"""Derived match data persisted per data version, so a new process does not re-derive it.

Every CLI call used to re-read all creator documents (to check the vectors are current), the
whole vector matrix and every column of the candidate table, and to recompute every fee: about
5-30 CPU-s at 100k creators before the first result. Those depend only on the store's data and
the code that derives them, so they are saved once under ``<db>.cache/`` and reused while both
are unchanged:

* the key is the store's :meth:`~closeknit.store.Store.write_signature` (moves with every
  committed write), the settings the derivation reads, the UTC day (one input is "posts older
  than three days") and an md5 of the source files that derive the data (:data:`CODE_FILES`):
  a write, a code change or a new day makes every entry stale;
* one entry per (workspace, name): a stale one is ignored and replaced, so the folder never
  holds more than the current version;
* plain ``.npz`` / ``.npy`` files read without pickle (strings as unicode arrays plus a None
  mask); an unreadable or corrupted file is treated as missing (and removed), never as an error.

A store without a write signature (opened read-only before migration 0002) or in memory gets
no cache: callers compute as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import zipfile
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.settings import get_settings
from closeknit.store import Store

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the file layout below changes
# the modules whose code derives what is cached here (relative to the closeknit package)
CODE_FILES = (
    "match/persist.py",
    "match/bm25.py",
    "match/candidates.py",
    "match/vectors.py",
    "match/index.py",
    "match/embed.py",
    "features/fees.py",
    "features/deal_model.py",
    "features/frame.py",
    "features/scores.py",
    "features/rate_card.json",
    "match/rank.py",
    "match/audience.py",
    "match/relevance.py",
    "match/relevance.json",
    "match/brief.py",
    "plan/planner.py",
    "plan/conversion.py",
    "plan/overlap.py",
)

_code_md5: str | None = None


def code_md5() -> str:
    """md5 over :data:`CODE_FILES` (computed once per process)."""
    global _code_md5
    if _code_md5 is None:
        h = hashlib.md5(str(FORMAT).encode())
        root = resources.files("closeknit")
        for rel in CODE_FILES:
            h.update(rel.encode())
            h.update(root.joinpath(rel).read_bytes())
        _code_md5 = h.hexdigest()
    return _code_md5


def cache_key(store: Store, *, tables: tuple[str, ...] | None = None) -> str | None:
    """The current data version of ``store`` for cached derived data; None: do not cache.
    ``tables``: the version of those tables only, for data derived from nothing else (the
    creator documents' vectors from ``creators`` and ``posts``): a write elsewhere (an order,
    a feature build) leaves it."""
    if str(store.path) == ":memory:":
        return None
    sig = store.write_signature(tables)
    if sig is None:
        return None
    if tables is not None:
        sig = ",".join(sorted(tables)) + ":" + sig
    tiers = sorted(get_settings().tiers, key=lambda t: t[1])
    # the UTC day too: the posts fallback of the engagement rate counts posts older than three
    # days (closeknit.features.frame), so a cached fee may age by at most a day
    day = dt.datetime.now(dt.UTC).date().isoformat()
    return hashlib.md5(f"{sig}|{tiers}|{day}|{code_md5()}".encode()).hexdigest()


# (store, workspace, name, write version of its tables) -> content_key's answer, this process
_content_keys: dict[tuple[str, str, str, str], str] = {}


def content_key(
    store: Store,
    workspace: str,
    name: str,
    tables: tuple[str, ...],
    content: Callable[[], bytes],
) -> str | None:
    """A version of data derived from what it reads of ``tables``, following that content
    rather than their write history; None: do not cache.

    ``content()`` returns bytes that change when what the derivation reads changes (hashes of
    the columns it reads): it runs once per counted write to ``tables``, and its answer is
    saved under their write version (``{name}-version``), so a write that leaves those columns
    as they were (a follower count refreshed, post likes updated) keeps the key, and with it
    everything saved under it."""
    ck = cache_key(store, tables=tables)
    if ck is None:
        return None
    mkey = (str(store.path), workspace, name, ck)
    key = _content_keys.get(mkey)
    if key is not None:
        return key
    got = load(store, workspace, f"{name}-version", ck)
    if got is not None:
        key = str(got["key"][0])
    else:
        m = hashlib.md5(f"{name}|{code_md5()}|".encode())
        m.update(content())
        key = m.hexdigest()
        save(store, workspace, f"{name}-version", ck, {"key": np.array([key])})
    if len(_content_keys) > 32:
        _content_keys.clear()
    _content_keys[mkey] = key
    return key


def forget_content_keys(store: Store) -> None:
    """Drop this process's memory of ``store``'s content keys (the next call re-checks)."""
    for k in [k for k in _content_keys if k[0] == str(store.path)]:
        del _content_keys[k]


def _dir(store: Store, workspace: str) -> Path:
    ws = hashlib.md5(workspace.encode()).hexdigest()[:16]
    return Path(str(store.path) + ".cache") / ws


def _path(store: Store, workspace: str, name: str, suffix: str) -> Path:
    return _dir(store, workspace) / f"{name}{suffix}"


def _encode(d: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Object arrays of str/None become text and a None mask (no pickle): codes into the
    distinct values where there are few, else one UTF-8 buffer (or a unicode array)."""
    out: dict[str, np.ndarray] = {}
    for k, v in d.items():
        a = np.asarray(v)
        if a.dtype == object:
            mask = np.fromiter((x is None for x in a), bool, len(a))
            vals = ["" if x is None else str(x) for x in a]
            cats = list(dict.fromkeys(vals))
            joined = SEP.join(cats)
            if (
                len(vals) >= 64
                and 8 * len(cats) <= len(vals)
                and joined.count(SEP) == len(cats) - 1
            ):
                # few distinct values (platform, country, niche): codes into them, which load
                # takes ~10x faster than splitting every row's text
                at = {c: i for i, c in enumerate(cats)}
                out["c:" + k] = np.fromiter((at[x] for x in vals), np.int32, len(vals))
                out["k:" + k] = np.frombuffer(joined.encode("utf-8"), np.uint8)
                out["m:" + k] = mask
                continue
            joined = SEP.join(vals)
            if joined.count(SEP) == max(len(vals) - 1, 0):
                # one UTF-8 buffer split on load: a unicode array is as wide as its longest
                # string (4 bytes a character), this is the text itself
                out["j:" + k] = np.frombuffer(joined.encode("utf-8"), np.uint8)
                out["n:" + k] = np.array([len(vals)], np.int64)
            else:
                out["s:" + k] = np.array(vals, dtype=str) if vals else np.zeros(0, "U1")
            out["m:" + k] = mask
        else:
            out["a:" + k] = a
    return out


SEP = "\x00"


def _decode(z: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for k in z:
        kind, name = k[:2], k[2:]
        if kind == "a:":
            out[name] = np.asarray(z[k])
        elif kind == "s:":
            a = np.asarray(z[k]).astype(object)
            a[np.asarray(z["m:" + name], bool)] = None
            out[name] = a
        elif kind == "c:":
            text = np.asarray(z["k:" + name]).tobytes().decode("utf-8")
            cats = np.empty(text.count(SEP) + 1, dtype=object)
            cats[:] = text.split(SEP)
            a = cats[np.asarray(z[k])]
            a[np.asarray(z["m:" + name], bool)] = None
            out[name] = a
        elif kind == "j:":
            n = int(z["n:" + name][0])
            text = np.asarray(z[k]).tobytes().decode("utf-8")
            parts = text.split(SEP) if n else []
            if len(parts) != n:
                raise ValueError(f"{name}: {len(parts)} strings, expected {n}")
            a = np.empty(n, dtype=object)
            a[:] = parts
            a[np.asarray(z["m:" + name], bool)] = None
            out[name] = a
    return out


def load(store: Store, workspace: str, name: str, key: str | None) -> dict[str, np.ndarray] | None:
    """The arrays saved under ``name`` for ``key``; None when missing, stale or unreadable.
    Members saved ``mapped`` come back memory-mapped (read-only)."""
    if key is None:
        return None
    got = _read(store, workspace, name, key)
    return None if got is None else got[1]


def load_any(store: Store, workspace: str, name: str) -> tuple[str, dict[str, np.ndarray]] | None:
    """(key, arrays) of whatever version is saved under ``name`` by this version of the code:
    the starting point of an update to a new data version (the creator documents' data after a
    few texts changed). Another version of the code may have derived it otherwise: None."""
    return _read(store, workspace, name, None)


def _read(
    store: Store, workspace: str, name: str, key: str | None
) -> tuple[str, dict[str, np.ndarray]] | None:
    p = _path(store, workspace, name, ".npz")
    if not p.exists():
        return None
    try:
        with np.load(p, allow_pickle=False) as z:
            saved = str(z["__key__"])
            if key is not None and saved != key:
                return None  # stale: the next save replaces it
            if key is None and ("__code__" not in z.files or str(z["__code__"]) != code_md5()):
                return None
            key = saved
            out = _decode({k: z[k] for k in z.files if k[:2] not in ("__", "x:")})
            marks = {k[2:]: str(z[k][0]) for k in z.files if k[:2] == "x:"}
        for member, mark in marks.items():
            a = np.load(_mapped_path(store, workspace, name, member, key), mmap_mode="r")
            if _fingerprint(a) != mark:  # damaged: recompute
                return None
            out[member] = a
        return key, out
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
        log.warning("ignoring unreadable cache file %s: %s", p, e)
        p.unlink(missing_ok=True)
        return None


def _mapped_path(store: Store, workspace: str, name: str, member: str, key: str) -> Path:
    # the version in the name: a process still reading an older version's file is never
    # handed the newer one (a save removes the files of other versions)
    return _path(store, workspace, f"{name}.{member}.{key[:16]}", ".npy")


def _fingerprint(a: np.ndarray) -> str:
    """dtype, shape and md5 of the first and last 4 KiB: catches a damaged or truncated mapped
    member without reading it whole."""
    raw = a.reshape(-1).view(np.uint8) if a.size else np.zeros(0, np.uint8)
    h = hashlib.md5(f"{a.dtype.str}|{a.shape}".encode())
    h.update(np.ascontiguousarray(raw[:4096]).tobytes())
    h.update(np.ascontiguousarray(raw[-4096:]).tobytes())
    return h.hexdigest()


def save(
    store: Store,
    workspace: str,
    name: str,
    key: str | None,
    arrays: Mapping[str, np.ndarray],
    *,
    mapped: tuple[str, ...] = (),
) -> None:
    """Save ``arrays`` under ``name`` for ``key`` (atomically; failures only log). The numeric
    members named in ``mapped`` go to ``.npy`` files of their own, which :func:`load` maps
    instead of reading: a process that needs a few rows of a large array reads only those."""
    if key is None:
        return
    p = _path(store, workspace, name, ".npz")
    tmp = p.with_name(f"{p.stem}.{os.getpid()}.tmp.npz")
    written: list[Path] = []
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        marks: dict[str, Any] = {}
        for member in mapped:  # written before the .npz that names them (its key is the commit)
            a = np.ascontiguousarray(arrays[member])
            if a.dtype == object:
                raise TypeError(f"{name}.{member}: only numeric members can be mapped")
            mp = _mapped_path(store, workspace, name, member, key)
            mtmp = mp.with_name(f"{mp.stem}.{os.getpid()}.tmp.npy")
            written.append(mtmp)
            np.save(mtmp, a)
            mtmp.replace(mp)
            marks["x:" + member] = np.array([_fingerprint(a)])
            stem = f"{name}.{member}."
            for old in mp.parent.glob(f"{stem}*.npy"):  # other versions' files of this member
                version = old.name[len(stem) : -len(".npy")]
                if old != mp and "." not in version:  # not another member's, nor a .tmp
                    old.unlink(missing_ok=True)
        rest = {k: v for k, v in arrays.items() if k not in mapped}
        members: dict[str, Any] = {
            "__key__": np.array(key),
            "__code__": np.array(code_md5()),
            **_encode(rest),
            **marks,
        }
        np.savez(tmp, **members)
        tmp.replace(p)
    except OSError as e:  # a read-only or full disk: the next process computes again
        log.warning("cannot write cache file %s: %s", p, e)
        tmp.unlink(missing_ok=True)
        for w in written:
            w.unlink(missing_ok=True)


def load_matrix(store: Store, workspace: str, name: str, key: str | None) -> np.ndarray | None:
    """A float32 matrix saved by :func:`save_matrix` for ``key``, memory-mapped."""
    if key is None:
        return None
    meta = load(store, workspace, name + ".meta", key)
    p = _path(store, workspace, name, ".npy")
    if meta is None or not p.exists():
        return None
    try:
        m = np.load(p, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as e:
        log.warning("ignoring unreadable cache file %s: %s", p, e)
        p.unlink(missing_ok=True)
        return None
    want = tuple(int(x) for x in meta["shape"])
    if m.shape != want or m.dtype != np.float32 or str(meta["md5"][0]) != _sample_md5(m):
        return None
    return np.asarray(m)


def _sample_md5(m: np.ndarray) -> str:
    """md5 of the first and last rows: catches a matrix file left from another version."""
    if m.size == 0:
        return ""
    return hashlib.md5(np.ascontiguousarray(m[[0, -1]]).tobytes()).hexdigest()


def save_matrix(store: Store, workspace: str, name: str, key: str | None, mat: np.ndarray) -> None:
    if key is None:
        return
    p = _path(store, workspace, name, ".npy")
    tmp = p.with_name(f"{p.stem}.{os.getpid()}.tmp.npy")
    mat = np.ascontiguousarray(mat, dtype=np.float32)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        np.save(tmp, mat)
        tmp.replace(p)
    except OSError as e:
        log.warning("cannot write cache file %s: %s", p, e)
        tmp.unlink(missing_ok=True)
        return
    save(
        store,
        workspace,
        name + ".meta",
        key,
        {"shape": np.array(mat.shape, np.int64), "md5": np.array([_sample_md5(mat)])},
    )


def vectors_fresh(store: Store, workspace: str, model: str, key: str | None) -> int | None:
    """Creators embedded, when a full vector refresh for ``model`` ran at this data version.

    Vector refreshes write only derived rows (they leave the write signature alone), so after
    one the creator vectors stay current until the next counted write.
    """
    got = load(store, workspace, f"vectors-fresh-{model}", key)
    return None if got is None else int(got["creators"][0])


def mark_vectors_fresh(
    store: Store, workspace: str, model: str, key: str | None, creators: int
) -> None:
    save(store, workspace, f"vectors-fresh-{model}", key, {"creators": np.array([creators])})
