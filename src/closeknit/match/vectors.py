"""Embedding cache and creator vectors in the store.

Texts are embedded once per (model, md5 of the text) into ``text_embeddings``. A creator's vector
(``creator_embeddings``) is the embedding of one document (bio, top hashtags, recent captions:
:func:`creator_document`) and carries its ``source_hash``, so a refresh re-embeds only creators
whose document changed. Post vectors (for evidence) are embedded lazily and cached the same way.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from closeknit.match.embed import Embedder, get_embedder, uses_onnx
from closeknit.store import Store

if TYPE_CHECKING:  # loaded where vectors are read or written, not by every importer
    import pyarrow as pa

    from closeknit.match.embed_proc import EmbedProcess

MAX_POSTS = 12  # recent posts per creator that shape its vector
DOC_CHARS = 2000  # the document is cut here (MiniLM reads its first MAX_TOKENS tokens)
EVIDENCE_FROM = 6  # latest posts per creator scored for evidence (closeknit.match.rank)
CHUNK = 500  # creators embedded and written per transaction (and per progress report)
AHEAD_CHUNK = 100  # documents an EmbedAhead embeds between looks at whether a refresh waits
# documents an EmbedAhead embeds at most: their vectors and texts wait in memory until taken
# (~2 KB per document), so a huge workspace embeds the rest in the refresh itself
AHEAD_MAX = 200_000

log = logging.getLogger(__name__)


def md5(text: str) -> str:
    return hashlib.md5((text or "").encode("utf-8")).hexdigest()


def _to_matrix(col: pa.ChunkedArray | pa.Array, dim: int) -> np.ndarray:
    import pyarrow as pa

    chunks = [c for c in (col.chunks if isinstance(col, pa.ChunkedArray) else [col]) if len(c)]
    n = sum(len(c) for c in chunks)
    if n == 0:
        return np.zeros((0, dim), np.float32)
    # one copy of the values into a writable float32 matrix (combining the chunks first, then
    # converting, copied 150 MB three times at 100k creators)
    parts = [c.flatten().to_numpy(zero_copy_only=False) for c in chunks]
    flat = np.concatenate(parts) if len(parts) > 1 else np.array(parts[0])
    return flat.astype(np.float32, copy=False).reshape(n, -1)


def _list_array(mat: np.ndarray) -> pa.Array:
    import pyarrow as pa

    n, d = mat.shape
    offsets = pa.array(np.arange(0, (n + 1) * d, d, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(mat.astype(np.float32).ravel()))


def cached_vectors(
    store: Store, workspace: str, model: str, hashes: Sequence[str], dim: int
) -> dict[str, np.ndarray]:
    if not hashes:
        return {}
    out: dict[str, np.ndarray] = {}
    uniq = list(dict.fromkeys(hashes))
    for i in range(0, len(uniq), 5000):
        chunk = uniq[i : i + 5000]
        # plain rows, not Arrow: a discover's evidence reads a few dozen vectors, and the Arrow
        # path imports pyarrow and pandas (~0.3 s of a CLI process)
        rows = store.query(
            "SELECT text_hash, vector FROM text_embeddings WHERE workspace_id = ? AND model = ? "
            "AND text_hash IN (SELECT unnest(?::VARCHAR[]))",
            [workspace, model, chunk],
        )
        for r in rows:
            out[r["text_hash"]] = np.asarray(r["vector"], dtype=np.float32).reshape(dim)
    return out


def embed_texts(
    store: Store,
    workspace: str,
    texts: Sequence[str],
    embedder: Embedder | None = None,
    ahead: EmbedAhead | None = None,
) -> np.ndarray:
    """Vectors for ``texts`` (rows in order), embedding only texts not cached yet.

    ``ahead``: texts it embedded in the background are taken from it (by md5), not again.
    """
    emb = embedder or get_embedder()
    hashes = [md5(t) for t in texts]
    have = cached_vectors(store, workspace, emb.name, hashes, emb.dim)
    missing: dict[str, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        if h not in have and h not in missing:
            missing[h] = t
    if missing:
        import pyarrow as pa

        keys = list(missing)
        pre = ahead.take(emb.name, keys) if ahead is not None else {}
        rest = [k for k in keys if k not in pre]
        if rest:
            pre.update(zip(rest, emb.encode([missing[k] for k in rest]), strict=True))
        vecs = np.stack([pre[k] for k in keys]).astype(np.float32)
        if store.read_only:  # used, not cached: a read-only store can still be searched
            have.update(zip(keys, vecs, strict=True))
            return np.stack([have[h] for h in hashes]).astype(np.float32)
        with store.transaction(derived=True) as tx:
            tx.insert_arrow(
                "text_embeddings",
                pa.table(
                    {
                        "workspace_id": [workspace] * len(keys),
                        "model": [emb.name] * len(keys),
                        "text_hash": keys,
                        "vector": _list_array(vecs),
                    }
                ),
            )
            # a concurrent writer may have added the same rows: PK conflicts fail the insert,
            # so rows are added only for hashes that were missing when read above
        have.update(zip(keys, vecs, strict=True))
    if not texts:
        return np.zeros((0, emb.dim), np.float32)
    return np.stack([have[h] for h in hashes]).astype(np.float32)


@dataclass
class RefreshResult:
    model: str
    creators: int
    updated: int
    texts_embedded: int

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


# the tables creator documents are made of (creator_texts reads nothing else): the vectors,
# their index, BM25 and the evidence posts are keyed by their content (text_key)
TEXT_TABLES = ("creators", "posts")


def creator_texts(
    store: Store,
    workspace: str,
    creator_ids: Sequence[str] | None = None,
    max_posts: int = MAX_POSTS,
    first: dict[str, list[tuple[str, str]]] | None = None,
    first_n: int = 0,
) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """creator_id -> (bio, [(post_id, caption text incl. hashtags)]) for recent posts.

    ``first`` (optional) receives, per creator, what ``max_posts=first_n`` would have returned
    (the same query's first ``first_n`` posts): the evidence texts, from one scan.
    """
    flt = ""
    params: list[object] = [workspace]
    if creator_ids is not None:
        flt = " AND creator_id IN (SELECT unnest(?::VARCHAR[]))"
        params.append(list(creator_ids))
    bios = store.query(
        "SELECT creator_id, coalesce(bio, '') AS bio, coalesce(name, '') AS name "
        f"FROM creators WHERE workspace_id = ?{flt}",
        params,
    )
    out: dict[str, tuple[str, list[tuple[str, str]]]] = {
        r["creator_id"]: ((r["name"] + " " + r["bio"]).strip(), []) for r in bios
    }
    posts = store.arrow(
        "SELECT creator_id, post_id, coalesce(caption, '') AS caption, hashtags FROM ("
        " SELECT *, row_number() OVER (PARTITION BY creator_id ORDER BY posted_at DESC NULLS LAST,"
        " post_id) AS rn FROM posts WHERE workspace_id = ?"
        f"{flt}) WHERE rn <= ? ORDER BY creator_id, rn",
        [*params, max_posts],
    )
    seen: dict[str, int] = {}  # rows so far per creator: the row's rank (rows come in rank order)
    # columns, not a dict per row: this runs over every creator's recent posts on each refresh
    for cid, pid, text, hashtags in zip(
        *(posts.column(k).to_pylist() for k in ("creator_id", "post_id", "caption", "hashtags")),
        strict=True,
    ):
        if hashtags:
            low = text.lower()
            tags = [t for t in hashtags if f"#{t}".lower() not in low]
            if tags:
                text = (text + " " + " ".join(f"#{t}" for t in tags)).strip()
        if cid in out and text:
            out[cid][1].append((pid, text))
            if first is not None and seen.get(cid, 0) < first_n:
                first.setdefault(cid, []).append((pid, text))
        seen[cid] = seen.get(cid, 0) + 1
    return out


def save_evidence_texts(
    store: Store,
    workspace: str,
    key: str | None,
    first: dict[str, list[tuple[str, str]]],
    hashes: tuple[np.ndarray, np.ndarray],
    since: tuple[dict[str, np.ndarray], list[str]] | None = None,
) -> None:
    """Each creator's recent evidence posts (closeknit.match.rank.EVIDENCE_FROM), saved per
    data version with the creators' text hashes (:func:`creator_text_hashes`): reading them
    from the store costs ~0.5 s a query at 100k creators (the caption column of every row
    group holding one of the creators).

    ``since``: (the arrays saved at an earlier version, the creators whose texts changed since
    it): those creators' posts come from ``first``, every other creator's from the saved
    arrays, without decoding them."""
    from closeknit.match import persist

    ids, h = hashes
    redo = None if since is None else set(since[1])
    base = None if since is None else since[0]
    at = {} if base is None else {c: k for k, c in enumerate(base["ids"].tolist())}
    # per creator: its place in the saved arrays, or -1: from ``first``
    src = np.array(
        [-1 if redo is None or c in redo else at.get(c, -1) for c in ids.tolist()], np.int64
    )
    new_ids = [c for c, k in zip(ids.tolist(), src.tolist(), strict=True) if k < 0]
    posts = [p for c in new_ids for p in first.get(c, [])]
    pid = [p.encode("utf-8") for p, _ in posts]
    cap = [c.encode("utf-8") for _, c in posts]
    new: dict[str, np.ndarray] = {
        "creator_off": np.cumsum([0] + [len(first.get(c, [])) for c in new_ids], dtype=np.int64),
        "post_id": np.frombuffer(b"".join(pid), np.uint8),
        "post_off": np.cumsum([0] + [len(x) for x in pid], dtype=np.int64),
        "caption": np.frombuffer(b"".join(cap), np.uint8),
        "caption_off": np.cumsum([0] + [len(x) for x in cap], dtype=np.int64),
    }
    if base is not None:
        arrays = _merge_posts(base, new, src)
    else:
        arrays = new
    persist.save(
        store,
        workspace,
        "evidence",
        key,
        {"ids": ids, "h": h, **arrays},
        # a result shows a dozen creators' posts: mapped, a process reads those (the texts of
        # every creator are ~80 MB at 100k, 0.2 s to read whole)
        mapped=("post_id", "post_off", "caption", "caption_off", "creator_off", "h"),
    )


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indices start, start+1, ... of each (start, count), one range after another."""
    total = int(counts.sum())
    before = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return np.repeat(starts - before, counts) + np.arange(total, dtype=np.int64)


def _merge_posts(
    base: dict[str, np.ndarray], new: dict[str, np.ndarray], src: np.ndarray
) -> dict[str, np.ndarray]:
    """Evidence arrays in the order of ``src``: creator i's posts are the saved creator
    ``src[i]``'s, or, where it is -1, the next creator's of ``new`` (in order)."""
    bco = np.asarray(base["creator_off"], np.int64)
    nco = new["creator_off"]
    n_base_posts = int(bco[-1])
    # one post numbering over both: the saved posts, then the new ones
    from_new = src < 0
    j = np.flatnonzero(from_new)  # creators from ``new``, in its order
    k = np.flatnonzero(~from_new)
    starts = np.zeros(len(src), np.int64)
    ends = np.zeros(len(src), np.int64)
    starts[j] = n_base_posts + nco[: len(j)]
    ends[j] = n_base_posts + nco[1 : len(j) + 1]
    starts[k] = bco[src[k]]
    ends[k] = bco[src[k] + 1]
    counts = ends - starts
    order = _ranges(starts.astype(np.int64), counts)
    out = {"creator_off": np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)}
    # runs of consecutive posts: each is one slice of bytes (the kept creators' posts are long
    # runs, so the texts are copied slice by slice, not byte by byte)
    brk = np.flatnonzero(np.diff(order) != 1) + 1
    run_a = np.concatenate([[0], brk]).astype(np.int64)
    run_b = np.concatenate([brk, [len(order)]]).astype(np.int64)
    for buf, off in (("post_id", "post_off"), ("caption", "caption_off")):
        b_off = np.asarray(base[off], np.int64)
        all_buf = np.concatenate([np.asarray(base[buf], np.uint8), new[buf]])
        all_off = np.concatenate([b_off, new[off][1:] + b_off[-1]])
        lens = all_off[order + 1] - all_off[order]
        pieces = [
            all_buf[all_off[order[a]] : all_off[order[b - 1] + 1]]
            for a, b in zip(run_a.tolist(), run_b.tolist(), strict=True)
            if b > a
        ]
        out[buf] = np.concatenate(pieces) if pieces else all_buf[:0]
        out[off] = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    return out


class EvidenceTexts:
    """The saved evidence posts; a creator's are decoded only when asked for."""

    def __init__(self, z: dict[str, np.ndarray]) -> None:
        self.pos = {str(c): k for k, c in enumerate(z["ids"].tolist())}
        self.z = z

    def get(self, cid: str) -> list[tuple[str, str]]:
        k = self.pos.get(cid)
        if k is None:
            return []
        z = self.z
        out = []
        for p in range(int(z["creator_off"][k]), int(z["creator_off"][k + 1])):
            a, b = z["post_off"][p], z["post_off"][p + 1]
            c, d = z["caption_off"][p], z["caption_off"][p + 1]
            out.append(
                (z["post_id"][a:b].tobytes().decode("utf-8"),
                 z["caption"][c:d].tobytes().decode("utf-8"))
            )  # fmt: skip
        return out


def load_evidence_texts(store: Store, workspace: str, key: str | None) -> EvidenceTexts | None:
    from closeknit.match import persist

    z = persist.load(store, workspace, "evidence", key)
    try:
        return EvidenceTexts(z) if z is not None else None
    except KeyError:
        return None


_TAG = re.compile(r"#\w+")
_SPACES = re.compile(r"\s+")


def creator_document(bio: str, captions: list[str], max_chars: int = DOC_CHARS) -> str:
    """One text per creator: bio, then its hashtags (most used first), then captions.

    Hashtags lead because they are the densest topic signal and the embedder truncates long
    texts (MiniLM at MAX_TOKENS tokens).
    """
    tags: dict[str, int] = {}
    plain: list[str] = []
    for c in captions:
        for t in _TAG.findall(c):
            t = t.lower()
            tags[t] = tags.get(t, 0) + 1
        body = _SPACES.sub(" ", _TAG.sub(" ", c)).strip()
        if body and body not in plain:
            plain.append(body)
    top = sorted(tags, key=lambda t: -tags[t])[:20]
    doc = ". ".join(x for x in [bio, " ".join(top), ". ".join(plain)] if x)
    return doc[:max_chars]


def _todo(
    texts: dict[str, tuple[str, list[tuple[str, str]]]], current: dict[str, str], force: bool
) -> list[tuple[str, str, int]]:
    """(creator_id, document, texts in it) of the creators to (re-)embed, by creator id: the
    order an :class:`EmbedAhead` embeds them in, so a refresh takes its vectors as they come."""
    todo: list[tuple[str, str, int]] = []
    for cid in sorted(texts):
        bio, posts = texts[cid]
        doc = creator_document(bio, [c for _, c in posts])
        if doc and (force or current.get(cid) != md5(doc)):
            todo.append((cid, doc, int(bool(bio)) + len(posts)))
    return todo


def _current(
    store: Store, workspace: str, model: str, creator_ids: Sequence[str] | None = None
) -> dict[str, str]:
    """creator_id -> md5 of the document its stored vector was made from (of ``creator_ids``
    only, when given)."""
    flt = ""
    params: list[object] = [workspace, model]
    if creator_ids is not None:
        flt = " AND creator_id IN (SELECT unnest(?::VARCHAR[]))"
        params.append(list(creator_ids))
    return {
        r["creator_id"]: r["source_hash"]
        for r in store.query(
            "SELECT creator_id, source_hash FROM creator_embeddings "
            f"WHERE workspace_id = ? AND model = ?{flt}",
            params,
        )
    }


class EmbedAhead:
    """Creator documents embedded in the background while other work runs.

    ``closeknit demo`` starts one once the Instagram posts are imported and asks it
    (:meth:`again`) for the creators the rest of the import added, so the embedding runs beside
    the rest of the import, the campaigns and the feature build (about one core each) instead
    of after them. A thread reads the documents to embed as :func:`refresh_creator_vectors`
    would (reads are safe beside writes: each thread has its own cursor) and writes nothing.
    MiniLM on onnxruntime embeds in a worker process (:class:`closeknit.match.embed_proc.
    EmbedProcess`: a thread would share the GIL with the caller's Python) on one thread while
    the caller works and on all of the embedder's once a refresh waits for the vectors; other
    embedders run in the thread. The refresh still derives every document itself and takes a
    vector from here only for a document with the same md5 (:meth:`take`), so data that changed
    meanwhile is embedded anew, and the vectors are those the refresh alone computes: texts are
    embedded one at a time, so a vector never depends on the others (bit for bit with the hash
    embedder; MiniLM on onnxruntime differs from run to run by under 1e-6 either way). If the
    background work fails, the refresh embeds what it lacks itself.
    """

    def __init__(
        self,
        store: Store,
        workspace: str,
        model: str | None = None,
        limit: int = AHEAD_MAX,
        start: bool = True,
    ) -> None:
        """``start=False``: only load the embedder (its worker process) now; documents are
        read from the first :meth:`again` (``closeknit demo`` loads it while the world is
        generated: a cold ONNX graph cache is built then, beside the generator)."""
        self._cond = threading.Condition()
        self._args = (store, workspace, model, limit)
        self._planned: set[str] = set()  # md5s the thread has still to hand out
        self._seen: set[str] = set()  # md5s it embedded or will
        self._vecs: dict[str, np.ndarray] = {}
        self._pending = start  # a read of the documents is due (take waits for it)
        self._urgent = False  # a refresh takes vectors: embed on every thread from now on
        self._done = not start
        self._stop = False
        self.name: str | None = None  # the embedder's vector name
        self.passes = 0  # reads of the documents done
        self.embedded = 0  # documents embedded in the background
        self.taken = 0  # of which handed to a refresh
        self.error: BaseException | None = None
        self._proc: EmbedProcess | None = None
        if uses_onnx(model):
            from closeknit.match.embed_proc import EmbedProcess

            self._proc = EmbedProcess(model)
        self._thread = self._start() if start else None

    def _start(self) -> threading.Thread:
        t = threading.Thread(target=self._run, name="closeknit-embed-ahead", daemon=True)
        t.start()
        return t

    def _run(self) -> None:
        store, workspace, model, limit = self._args
        proc = self._proc
        try:
            # the worker's name; in this thread, a cold graph cache is built off the main one
            name = proc.name if proc is not None else get_embedder(model).name
            self.name = name
            while True:
                with self._cond:
                    if self._stop or not self._pending:
                        self._pending = False
                        self._done = True  # under the lock: again() restarts a done thread
                        self._cond.notify_all()
                        return
                todo = _todo(creator_texts(store, workspace), _current(store, workspace, name),
                             force=False)  # fmt: skip
                with self._cond:
                    doc_of = {h: d for h, d in ((md5(d), d) for _, d, _ in todo)
                              if h not in self._seen}  # fmt: skip
                    keys = list(doc_of)[: max(0, limit - len(self._seen))]
                    self._seen.update(keys)
                    self._planned.update(keys)
                    self._pending = False
                    self.passes += 1
                    self._cond.notify_all()
                del todo
                for i in range(0, len(keys), AHEAD_CHUNK):
                    if self._stop:
                        break
                    part = keys[i : i + AHEAD_CHUNK]
                    docs = [doc_of[k] for k in part]
                    if proc is not None:
                        # one thread while the caller works (import, features: about one
                        # core each); all of the embedder's once the caller waits for these
                        vecs = proc.encode(docs, threads=0 if self._urgent else 1)
                    else:
                        vecs = get_embedder(model).encode(docs)
                    with self._cond:
                        self._vecs.update(
                            (k, v) for k, v in zip(part, vecs, strict=True) if k in self._planned
                        )
                        self.embedded += len(part)
                        self._cond.notify_all()
                del doc_of
        except BaseException as e:  # the refresh embeds whatever is not here itself
            log.warning("embedding ahead stopped: %s", e)
            with self._cond:
                self.error = e
                self._pending = False
                self._done = True
                self._cond.notify_all()

    def again(self) -> None:
        """Read the documents once more when the pass in hand ends (data was added since)."""
        with self._cond:
            if self._stop or self.error is not None:
                return
            self._pending = True
            if self._done:
                self._done = False
                self._thread = self._start()

    def hurry(self) -> None:
        """Embed on all of the embedder's threads from the next chunk on (the caller is about
        to wait for the vectors instead of working beside them)."""
        with self._cond:
            self._urgent = True

    def take(self, model_name: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of ``hashes`` this embedded (waiting for those still to come); others
        are left out. Each vector is handed out once."""
        with self._cond:
            self._cond.wait_for(lambda: self._done or not self._pending)
            if self.name != model_name:
                return {}
            want = [h for h in hashes if h in self._planned]
            self._urgent = True
            self._cond.wait_for(lambda: self._done or all(h in self._vecs for h in want))
            out = {h: self._vecs.pop(h) for h in want if h in self._vecs}
            self._planned.difference_update(want)
            self.taken += len(out)
            return out

    def wait(self) -> None:
        """Wait until the thread has embedded all it planned (or stopped)."""
        while True:
            with self._cond:
                t = self._thread
            if t is not None:
                t.join()
            with self._cond:
                if self._done:
                    return

    def stop(self) -> None:
        """Stop after the chunk in hand, wait for the thread, end the worker process and drop
        what was not taken."""
        with self._cond:
            self._stop = True
        self.wait()
        if self._proc is not None:
            self._proc.close()
        with self._cond:
            self._vecs.clear()
            self._planned.clear()


def refresh_creator_vectors(
    store: Store,
    workspace: str,
    model: str | None = None,
    *,
    creator_ids: Sequence[str] | None = None,
    force: bool = False,
    max_age_s: float = 0.0,
    on_progress: Callable[[int, int], None] | None = None,
    ahead: EmbedAhead | None = None,
) -> RefreshResult:
    """Build or update ``creator_embeddings`` for creators whose document changed.

    With ``max_age_s`` > 0, a check done by this process less than that many seconds ago is
    trusted (discover passes CHECK_EVERY_S so a burst of queries does not rescan the store).

    A cheap signature of the workspace's bios and captions skips the work when nothing changed
    since this process last refreshed (discover calls this on every query).

    ``on_progress(done, total)`` is called after each chunk of creators embedded. ``ahead``:
    vectors embedded beforehand in the background (:class:`EmbedAhead`), used by md5.
    """
    from closeknit.match import persist

    if ahead is not None:
        ahead.hurry()  # this refresh is about to wait for its vectors
    emb = get_embedder(model)
    key = (str(store.path), workspace, emb.name)
    # read before refreshing: the refresh's own writes are derived and leave it where it is
    ck = text_key(store, workspace) if creator_ids is None else None
    if ck is not None and not force:
        n_fresh = persist.vectors_fresh(store, workspace, emb.name, ck)
        if n_fresh is not None:  # a process refreshed at this data version already
            return RefreshResult(emb.name, n_fresh, 0, 0)
    # the trusted window is for stores without a write signature: with one, the marker above
    # answers a repeated call and any counted write sends it to the scan below
    if ck is None and creator_ids is None and not force and max_age_s > 0 and key in _seen:
        last_sig, at = _seen[key]
        window = max(max_age_s, CHECK_BUDGET * _cost.get(key, 0.0))
        if time.monotonic() - at < window:  # checked moments ago: trust it
            return RefreshResult(emb.name, int(last_sig[0]), 0, 0)
    t0 = time.monotonic()
    # without a saved data version, this process's memory of the texts' signature
    sig = _signature(store, workspace) if creator_ids is None and ck is None else None
    if sig is not None:
        _cost[key] = time.monotonic() - t0
    if sig is not None and not force and key in _seen and _seen[key][0] == sig:
        _seen[key] = (sig, time.monotonic())
        return RefreshResult(emb.name, int(sig[0]), 0, 0)
    first: dict[str, list[tuple[str, str]]] | None = {} if ck is not None else None
    scope, hashes, since = creator_ids, None, None
    if ck is not None:
        hashes = creator_text_hashes(store, workspace)
        if not force:
            # the documents saved at an earlier version: only creators whose texts changed
            # since (or who have no vector) are read again
            since = _since(store, workspace, emb.name, hashes)
            if since is not None:
                scope = sorted(set(since[0]) | set(since[1]))
    texts = creator_texts(store, workspace, scope, first=first, first_n=EVIDENCE_FROM)
    if first is not None and hashes is not None:
        save_evidence_texts(
            store,
            workspace,
            ck,
            first,
            hashes,
            since=None if since is None else (since[2], since[1]),
        )
    todo = _todo(texts, _current(store, workspace, emb.name, scope), force)
    n_before = store.scalar(
        "SELECT count(*) FROM text_embeddings WHERE workspace_id = ? AND model = ?",
        [workspace, emb.name],
    )
    if on_progress is not None:
        on_progress(0, len(todo))
    import pyarrow as pa

    for i in range(0, len(todo), CHUNK):
        part = todo[i : i + CHUNK]
        mat = embed_texts(store, workspace, [d for _, d, _ in part], emb, ahead)
        ids = [c for c, _, _ in part]
        with store.transaction(derived=True) as tx:
            tx.execute(
                "DELETE FROM creator_embeddings WHERE workspace_id = ? AND model = ? "
                "AND creator_id IN (SELECT unnest(?::VARCHAR[]))",
                [workspace, emb.name, ids],
            )
            tx.insert_arrow(
                "creator_embeddings",
                pa.table(
                    {
                        "workspace_id": [workspace] * len(ids),
                        "creator_id": ids,
                        "model": [emb.name] * len(ids),
                        "vector": _list_array(mat),
                        "n_texts": pa.array([n for _, _, n in part], pa.int32()),
                        "source_hash": [md5(d) for _, d, _ in part],
                    }
                ),
            )
        if on_progress is not None:
            on_progress(i + len(part), len(todo))
    n_after = store.scalar(
        "SELECT count(*) FROM text_embeddings WHERE workspace_id = ? AND model = ?",
        [workspace, emb.name],
    )
    if sig is not None:
        _seen[key] = (sig, time.monotonic())
    n = len(texts) if hashes is None else len(hashes[0])
    if hashes is not None:
        persist.save(
            store, workspace, f"vector-docs-{emb.name}", ck, {"ids": hashes[0], "h": hashes[1]}
        )
    persist.mark_vectors_fresh(store, workspace, emb.name, ck, n)
    return RefreshResult(emb.name, n, len(todo), int(n_after) - int(n_before))


def _since(
    store: Store, workspace: str, model: str, hashes: tuple[np.ndarray, np.ndarray]
) -> tuple[list[str], list[str], dict[str, np.ndarray]] | None:
    """(creators whose vector may be out of date, creators whose evidence posts may be, the
    evidence saved) against the documents of the last full or partial refresh saved for
    ``model`` (any data version); None: nothing saved to start from."""
    from closeknit.match import persist

    vec = persist.load_any(store, workspace, f"vector-docs-{model}")
    ev = persist.load_any(store, workspace, "evidence")
    if vec is None or ev is None:  # saved by this code (load_any): both hold "h"
        return None
    stale = _changed(vec[1], hashes)
    # a vector deleted since (a creator erased and imported again) is made again
    stale += [
        r["creator_id"]
        for r in store.query(
            "SELECT creator_id FROM creators c WHERE workspace_id = ? AND NOT EXISTS ("
            " SELECT 1 FROM creator_embeddings e WHERE e.workspace_id = c.workspace_id"
            " AND e.creator_id = c.creator_id AND e.model = ?)",
            [workspace, model],
        )
    ]
    return stale, _changed(ev[1], hashes), ev[1]


def _changed(saved: dict[str, np.ndarray], hashes: tuple[np.ndarray, np.ndarray]) -> list[str]:
    """Creators of ``hashes`` whose text hash is not the one ``saved`` (ids, h) holds."""
    before = dict(zip(saved["ids"].tolist(), saved["h"].tolist(), strict=True))
    ids, h = hashes
    return [c for c, x in zip(ids.tolist(), h.tolist(), strict=True) if before.get(c) != x]


# (store, workspace, model) -> (signature, when checked); CHECK_EVERY_S bounds how stale a burst
# of queries may be (the signature scans every bio and caption, which costs at 1M creators)
_seen: dict[tuple[str, str, str], tuple[tuple[int, ...], float]] = {}
CHECK_EVERY_S = 2.0
# the trusted window also grows to CHECK_BUDGET x the last signature scan's duration (seconds at
# 1M creators), so freshness checks take at most ~1/CHECK_BUDGET of a busy process's time
CHECK_BUDGET = 20.0
_cost: dict[tuple[str, str, str], float] = {}


def forget(store: Store) -> None:
    """Drop this process's freshness memory for a store (next call re-checks)."""
    for k in [k for k in _seen if k[0] == str(store.path)]:
        del _seen[k]
    for k in [k for k in _hashes if k[0] == str(store.path)]:
        del _hashes[k]
    from closeknit.match import persist

    persist.forget_content_keys(store)


# (store, workspace, write version of TEXT_TABLES) -> creator_text_hashes' answer
_hashes: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = {}


def creator_text_hashes(store: Store, workspace: str) -> tuple[np.ndarray, np.ndarray]:
    """(creator ids in id order, one 64-bit hash per creator of everything its document is
    made of: its id, name and bio, and each post's id, text, hashtags and time, in any
    order). NULL and empty texts hash alike, as the documents treat them. Remembered per
    write version of the text tables for this process."""
    from closeknit.match import persist

    ck = persist.cache_key(store, tables=TEXT_TABLES)
    mkey = (str(store.path), workspace, ck or "")
    if ck is not None and mkey in _hashes:
        return _hashes[mkey]
    t = store.arrow(
        "SELECT c.creator_id, hash(c.creator_id, coalesce(c.name, ''), coalesce(c.bio, ''),"
        " coalesce(p.h, 0::HUGEINT)) AS h FROM creators c LEFT JOIN ("
        " SELECT creator_id, sum(hash(post_id, coalesce(caption, ''), hashtags, posted_at)) AS h"
        " FROM posts WHERE workspace_id = ? GROUP BY creator_id) p USING (creator_id)"
        " WHERE c.workspace_id = ? ORDER BY c.creator_id",
        [workspace, workspace],
    )
    out = (
        np.array(t.column("creator_id").to_pylist(), dtype=object),
        t.column("h").to_numpy().astype(np.uint64),
    )
    if ck is not None:
        if len(_hashes) > 4:
            _hashes.clear()
        _hashes[mkey] = out
    return out


def text_key(store: Store, workspace: str) -> str | None:
    """The version of the workspace's creator documents, for data derived from them alone (the
    vectors, their index, BM25, the evidence posts); None: do not cache.

    It follows the documents' content, not the tables' write history
    (:func:`closeknit.match.persist.content_key` over :func:`creator_text_hashes`): a write to
    ``creators`` or ``posts`` that leaves every name, bio and post text as it was (follower
    counts refreshed by a connector, the same file imported again) keeps it, so the next
    process reads no creator's posts again.
    """
    from closeknit.match import persist

    return persist.content_key(
        store, workspace, "text", TEXT_TABLES, lambda: _texts_digest(store, workspace)
    )


def _texts_digest(store: Store, workspace: str) -> bytes:
    """What :func:`creator_text_hashes` hashes, as one digest in two parts: the creators'
    names and bios, read each time, and the hashes of every creator's texts, kept per write
    version of ``posts`` (a scan of every post's text: 0.3-0.4 s at 100k creators), so a write
    to ``creators`` alone (a connector's follower counts) reads no post. The kept part may
    hold names older than the creators' part: the two together still move with any text."""
    from closeknit.match import persist

    posts = persist.content_key(
        store,
        workspace,
        "text-posts",
        ("posts",),
        lambda: _text_bytes(*creator_text_hashes(store, workspace)),
    )
    own = store.query(
        "SELECT count(*) AS n, coalesce(sum(hash(creator_id, coalesce(name, ''),"
        " coalesce(bio, ''))), 0) AS h FROM creators WHERE workspace_id = ?",
        [workspace],
    )[0]
    return f"{posts}|{own['n']}|{own['h']}".encode()


def _signature(store: Store, workspace: str) -> tuple[int, ...]:
    """(creators, a digest of their text hashes): what :func:`creator_texts` reads, for a
    store without a saved data version (this process remembers it)."""
    ids, h = creator_text_hashes(store, workspace)
    return (len(ids), int.from_bytes(hashlib.md5(_text_bytes(ids, h)).digest()[:8], "big"))


def _text_bytes(ids: np.ndarray, h: np.ndarray) -> bytes:
    """The creators and their text hashes as one byte string (digested by the keys)."""
    return "\x00".join(ids.tolist()).encode() + h.tobytes()


def creator_matrix(
    store: Store, workspace: str, model: str | None = None, only: Sequence[str] | None = None
) -> tuple[list[str], np.ndarray]:
    """(creator_ids, vectors) of every embedded creator of the workspace (or of the creators
    ``only``), ordered by id."""
    emb = get_embedder(model)
    t = store.arrow(
        "SELECT creator_id, vector FROM creator_embeddings WHERE workspace_id = ? AND model = ? "
        + ("AND creator_id IN (SELECT unnest(?::VARCHAR[])) " if only is not None else "")
        + "ORDER BY creator_id",
        [workspace, emb.name] + ([list(only)] if only is not None else []),
    )
    return t.column("creator_id").to_pylist(), _to_matrix(t.column("vector"), emb.dim)
