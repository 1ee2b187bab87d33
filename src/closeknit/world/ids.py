"""The ids the world's files carry: Instagram post, comment and owner ids and shortcodes, YouTube
video and channel ids, brand account ids. All are pure functions of a creator's or post's number,
so every writer (and the per-post reference) derives the same id."""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

import numpy as np

from closeknit.world import audience as aud

POST_ID_BASE = 1_900_000_000_000_000_000
COMMENT_ID_BASE = 17_800_000_000_000_000
OWNER_ID_BASE = 100_000_000
_SC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_SC_BYTES = np.frombuffer(_SC.encode(), dtype=np.uint8)


def shortcode(n: int) -> str:
    """Instagram shortcode: the media id in base64url (A-Z a-z 0-9 - _), no leading zeros."""
    return base64.urlsafe_b64encode(n.to_bytes(9, "big")).decode().lstrip("A")


def shortcodes(ids: np.ndarray, as_bytes: bool = False) -> list[Any]:
    """Vectorized :func:`shortcode` for ids in [2**60, 2**66) (11 base64url digits, the case of
    every post id here); other ids fall back to the scalar function. ASCII bytes if ``as_bytes``."""
    ids = np.asarray(ids, dtype=np.uint64)
    if len(ids) == 0:
        return []
    if int(ids.min()) < 1 << 60:
        sc = [shortcode(int(x)) for x in ids.tolist()]
        return [x.encode() for x in sc] if as_bytes else sc
    shifts = np.arange(60, -1, -6, dtype=np.uint64)
    digits = (ids[:, None] >> shifts[None, :]) & np.uint64(63)
    chars = np.ascontiguousarray(_SC_BYTES[digits.astype(np.intp)]).view("S11").ravel()
    out: list[Any] = chars.tolist() if as_bytes else chars.astype("U11").tolist()
    return out


def yt_id(n: int, length: int) -> str:
    """A YouTube-looking id (base64url chars) from a stateless 64-bit mix of ``n``."""
    m = (1 << 64) - 1
    x = (n + 0x9E3779B97F4A7C15) & m
    z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    z ^= z >> 31
    raw = z.to_bytes(8, "big") + (z ^ 0x5DEECE66D).to_bytes(8, "big")
    return base64.urlsafe_b64encode(raw).decode()[:length]


def yt_ids(n: np.ndarray, length: int) -> list[str]:
    """Vectorized :func:`yt_id` (``length`` at most 22: the characters of the 16 hashed bytes)."""
    assert length <= 22
    z = aud._mix(np.asarray(n, dtype=np.int64))
    raw = np.zeros((len(z), 18), dtype=np.uint8)
    raw[:, :8] = z.astype(">u8").view(np.uint8).reshape(-1, 8)
    raw[:, 8:16] = (z ^ np.uint64(0x5DEECE66D)).astype(">u8").view(np.uint8).reshape(-1, 8)
    b = raw.reshape(-1, 6, 3).astype(np.uint32)
    v = (b[:, :, 0] << 16) | (b[:, :, 1] << 8) | b[:, :, 2]
    digits = np.stack([v >> 18, (v >> 12) & 63, (v >> 6) & 63, v & 63], axis=2).reshape(-1, 24)
    chars = np.ascontiguousarray(_SC_BYTES[digits[:, :length]])
    out: list[str] = chars.view(f"S{length}").ravel().astype(f"U{length}").tolist()
    return out


@lru_cache(maxsize=4096)
def channel_id(gid: int) -> str:
    """The YouTube channel id of creator ``gid`` (global index)."""
    return "UC" + yt_id(gid + 77, 22)


def channel_ids(gid: np.ndarray) -> list[str]:
    """Vectorized :func:`channel_id`."""
    return ["UC" + x for x in yt_ids(np.asarray(gid, dtype=np.int64) + 77, 22)]


@lru_cache(maxsize=65536)
def author_channel(author_id: int) -> str:
    """The YouTube channel id of a commenting account."""
    return "UC" + yt_id(author_id, 22)


def hash_brand(brand: str) -> int:
    h = 0
    for ch in brand:
        h = (h * 131 + ord(ch)) % 1_000_000
    return h
