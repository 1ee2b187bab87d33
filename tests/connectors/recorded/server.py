"""A local recorded-response HTTP server for the live connector tests (127.0.0.1 only).

It serves the JSON files beside this module like the real APIs would (paging by the
platforms' own tokens/cursors), records every request, and can be scripted to misbehave:
``fault(...)`` queues a response (429 with Retry-After, 500, Meta error 190, quotaExceeded,
malformed JSON) for the next matching requests; ``hang_when`` blocks a matching request until
released (used to kill a fetch mid-run).
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from closeknit.store import Store, open_store

HERE = Path(__file__).resolve().parent


def recorded(name: str) -> Any:
    return json.loads((HERE / name).read_text())


@dataclass
class Req:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    raw_url: str


@dataclass
class Fault:
    match: Callable[[Req], bool]
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


Reply = tuple[int, dict[str, str], bytes]


def js(obj: Any, status: int = 200, **headers: str) -> Reply:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(obj).encode()


class RecordedServer:
    def __init__(self) -> None:
        self.requests: list[Req] = []
        self.faults: list[Fault] = []
        self.hang_when: Callable[[Req], bool] | None = None
        self.hanging = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.usage_headers: dict[str, str] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                req = Req(
                    method,
                    parts.path,
                    query,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    self.path,
                )
                status, headers, payload = outer.dispatch(req)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- scripting -----------------------------------------------------------------------------
    def fault(
        self,
        match: Callable[[Req], bool],
        status: int,
        body: Any = None,
        *,
        raw: bytes | None = None,
        times: int = 1,
        **headers: str,
    ) -> None:
        payload = raw if raw is not None else json.dumps(body if body is not None else {}).encode()
        hdrs = {
            "Content-Type": "application/json",
            **{k.replace("_", "-"): v for k, v in headers.items()},
        }
        self.faults.append(Fault(match, status, payload, hdrs, times))

    def dispatch(self, req: Req) -> Reply:
        with self.lock:
            self.requests.append(req)
            for f in self.faults:
                if f.times > 0 and f.match(req):
                    f.times -= 1
                    return f.status, f.headers, f.body
        if self.hang_when is not None and self.hang_when(req):
            self.hanging.set()
            self.release.wait(30)
        status, headers, payload = route(req)
        return status, {**headers, **self.usage_headers}, payload

    def hits(self, path_part: str) -> list[Req]:
        return [r for r in self.requests if path_part in r.path]

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def serve() -> Iterator[RecordedServer]:
    srv = RecordedServer()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.close()


# --------------------------------------------------------------------------------------------
# Routing like the real APIs


def route(req: Req) -> Reply:
    p = req.path.rstrip("/")
    if p.endswith("/channels"):
        if req.query.get("forHandle", "").lower() == "@quietmaker":
            return js(recorded("youtube/channels_hidden.json"))
        if req.query.get("forHandle", "").lower() in ("@trailkitchen",) or req.query.get("id"):
            return js(recorded("youtube/channels.json"))
        return js({"kind": "youtube#channelListResponse", "etag": "x", "pageInfo": {}})
    if p.endswith("/playlistItems"):
        n = {"": 1, "TOKEN_P2": 2, "TOKEN_P3": 3, "TOKEN_P4": 4}.get(req.query.get("pageToken", ""))
        if n is None:
            return js(
                {
                    "error": {
                        "code": 400,
                        "message": "bad pageToken",
                        "errors": [{"reason": "invalidPageToken"}],
                    }
                },
                400,
            )
        return js(recorded(f"youtube/playlistItems_p{n}.json"))
    if p.endswith("/search"):
        vids = [v["id"] for v in recorded("youtube/videos.json")["items"]]
        pages = {"": (vids[:4], "S2"), "S2": ([], "S3"), "S3": (vids[4:], None)}
        ids, nxt = pages[req.query.get("pageToken", "")]
        out: dict[str, Any] = {
            "kind": "youtube#searchListResponse",
            "items": [
                {"kind": "youtube#searchResult", "id": {"kind": "youtube#video", "videoId": v}}
                for v in ids
            ],
        }
        if nxt:
            out["nextPageToken"] = nxt
        return js(out)
    if p.endswith("/videos"):
        ids = set(req.query.get("id", "").split(","))
        allv = recorded("youtube/videos.json")
        allv["items"] = [v for v in allv["items"] if v["id"] in ids]
        return js(allv)
    if p.endswith("/comments"):  # comments.list(parentId): replies a thread did not include
        parent = req.query.get("parentId", "")
        ch = recorded("youtube/channels.json")["items"][0]["id"]

        def reply(j: int, author: str) -> dict[str, Any]:
            return {
                "kind": "youtube#comment",
                "id": f"{parent}.X{j}",
                "snippet": {
                    "channelId": ch,
                    "textOriginal": f"more {j}",
                    "parentId": parent,
                    "authorDisplayName": "@someone",
                    "authorChannelId": {"value": author},
                    "likeCount": 0,
                    "publishedAt": "2024-05-22T10:00:00Z",
                },
            }

        if req.query.get("pageToken") == "R2":
            return js({"kind": "youtube#commentListResponse", "items": [reply(3, ch)]})
        return js(
            {
                "kind": "youtube#commentListResponse",
                "items": [reply(1, "UCa"), reply(2, "UCb")],
                "nextPageToken": "R2",
            }
        )
    if p.endswith("/commentThreads"):
        pages = recorded("youtube/commentThreads.json").get(req.query.get("videoId", ""))
        if pages == "disabled":
            return js(recorded("youtube/comments_disabled.json"), 403)
        if pages is None:
            return js({"kind": "youtube#commentThreadListResponse", "items": []})
        return js(pages[1] if req.query.get("pageToken") == "CT_P2" else pages[0])
    m = re.match(r"^/(\d+)$", p)
    if m:  # Graph API: /{ig-user-id}?fields=business_discovery...
        fields = req.query.get("fields", "")
        after = re.search(r"media\.after\(([^)]*)\)", fields)
        n = {None: 1, "CURSOR_A": 2, "CURSOR_B": 3, "CURSOR_C": 4}.get(
            after.group(1) if after else None
        )
        if n is None:
            return js(
                {"error": {"code": 100, "message": "bad cursor", "type": "OAuthException"}}, 400
            )
        return js(recorded(f"graph/bd_p{n}.json"))
    if p.endswith("/v2/user/info"):
        return js(recorded("tiktok/user_info.json"))
    if p.endswith("/v2/video/list"):
        cur = (req.body or {}).get("cursor")
        n = {None: 1, 1715000000000: 2, 1714000000000: 3}.get(cur)
        return js(recorded(f"tiktok/video_list_p{n or 3}.json"))
    if p.endswith("/v2/research/user/info"):
        return js(recorded("tiktok/research_user.json"))
    if p.endswith("/v2/research/video/query"):
        b = req.body or {}
        n = {None: 1, 2: 2, 5: 3}.get(b.get("cursor"))
        if n is None or (n > 1 and b.get("search_id") != "7301-search"):
            return js({"error": {"code": "invalid_params", "message": "bad cursor"}}, 400)
        return js(recorded(f"tiktok/research_p{n}.json"))
    return js({"error": {"message": f"no route {req.path}"}}, 404)


# --------------------------------------------------------------------------------------------
# A fast ``store`` fixture: migrating a fresh DuckDB file costs about a second of CPU on the
# shared machine; the live tests copy one migrated template instead (same schema, own file).

_TEMPLATE: dict[str, Path] = {}


def template_store(tmp_path: Path, factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Body of the test modules' ``store`` fixture."""
    if "db" not in _TEMPLATE:
        path = factory.mktemp("template") / "t.duckdb"
        st = open_store(path, create=True)
        st.checkpoint()
        st.close()
        _TEMPLATE["db"] = path
    dst = tmp_path / "t.duckdb"
    shutil.copyfile(_TEMPLATE["db"], dst)
    st = open_store(dst)
    try:
        yield st
    finally:
        st.close()
