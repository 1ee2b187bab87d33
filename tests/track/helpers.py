"""Fixtures shared by the track tests: a small workspace with creators, a campaign and orders."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from typing import Any

from closeknit.store import Store

T0 = dt.datetime(2026, 9, 1, 12, 0)


def seed(store: Store, ws: str = "default") -> None:
    creators = [
        ("anna.runs", 12_000, "anna@example.org"),
        ("anna_bakes", 8_000, None),
        ("bigmike", 450_000, None),
        ("zoe", 30_000, None),
    ]
    with store.transaction() as tx:
        tx.insert_rows(
            "creators",
            [
                {
                    "workspace_id": ws,
                    "creator_id": f"instagram:{h}",
                    "platform": "instagram",
                    "handle": h,
                    "name": h.title(),
                    "followers": f,
                    "contact": c,
                }
                for h, f, c in creators
            ],
        )
        tx.insert_rows(
            "posts",
            [
                {
                    "workspace_id": ws,
                    "post_id": f"instagram:{h}_{k}",
                    "platform": "instagram",
                    "external_id": f"{h}_{k}",
                    "creator_id": f"instagram:{h}",
                    "posted_at": T0 - dt.timedelta(days=10 * (k + 1)),
                    "caption": f"Morning trail run number {k} with the crew #running",
                    "likes": 100 * (k + 1),
                    "comments": 10,
                    "views": 1000,
                }
                for h, _, _ in creators
                for k in range(3)
            ],
        )


def order(
    oid: int,
    when: dt.datetime,
    total: float,
    *,
    code: str | None = None,
    landing: str | None = None,
    new: bool = True,
    cogs: float | None = None,
    refunded: float = 0.0,
    ws: str = "default",
) -> dict[str, Any]:
    from urllib.parse import parse_qs, urlsplit

    q = parse_qs(urlsplit(landing).query) if landing else {}
    return {
        "workspace_id": ws,
        "order_id": str(oid),
        "source": "test",
        "created_at": when,
        "is_new_customer": new,
        "currency": "USD",
        "subtotal": total,
        "total": total,
        "cogs": cogs,
        "refunded": refunded,
        "discount_codes": [code] if code else [],
        "landing_site": landing,
        "utm_source": (q.get("utm_source") or [None])[0],
        "utm_campaign": (q.get("utm_campaign") or [None])[0],
        "utm_content": (q.get("utm_content") or [None])[0],
    }


def shopify_payload(oid: int, total: float, code: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": oid,
            "name": f"#{oid}",
            "created_at": "2026-09-03T10:00:00+00:00",
            "email": "buyer@example.org",
            "customer": {"id": 77, "orders_count": 1},
            "currency": "USD",
            "subtotal_price": f"{total:.2f}",
            "total_price": f"{total:.2f}",
            "total_discounts": "0.00",
            "discount_codes": [{"code": code, "amount": "1.00"}] if code else [],
            "landing_site": "/",
            "referring_site": "",
            "refunds": [],
            "line_items": [],
        }
    ).encode()


class MiniSMTP:
    """A minimal SMTP server on 127.0.0.1 that stores what it receives (one thread)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.messages: list[dict[str, Any]] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        f = conn.makefile("rb")

        def say(line: str) -> None:
            conn.sendall((line + "\r\n").encode())

        say("220 localhost ESMTP test")
        msg: dict[str, Any] = {"rcpt": []}
        while True:
            line = f.readline().decode().rstrip("\r\n")
            if not line:
                break
            cmd = line[:4].upper()
            if cmd in ("EHLO", "HELO"):
                say("250 localhost")
            elif cmd == "MAIL":
                msg["from"] = line[10:]
                say("250 OK")
            elif cmd == "RCPT":
                msg["rcpt"].append(line[8:])
                say("250 OK")
            elif cmd == "DATA":
                say("354 end with .")
                data = []
                while True:
                    d = f.readline().decode()
                    if d in (".\r\n", ".\n"):
                        break
                    data.append(d)
                msg["data"] = "".join(data)
                self.messages.append(msg)
                msg = {"rcpt": []}
                say("250 OK queued")
            elif cmd == "QUIT":
                say("221 bye")
                break
            else:
                say("250 OK")
        conn.close()
        self.sock.close()


def contracted(store: Store, name: str, handle: str, fee: float, budget: float = 900.0) -> str:
    """A campaign ``name`` (after ``seed``) with ``handle`` moved to contracted at ``fee``;
    returns the campaign id."""
    from closeknit.track import campaigns as cp

    cid = cp.create_campaign(
        store, "default", name, landing_url="https://s.example/", budget=budget
    ).campaign_id
    cp.add_creator(store, "default", cid, handle)
    for stage in ("contacted", "negotiating"):
        cp.set_stage(store, "default", cid, handle, stage)
    cp.set_stage(store, "default", cid, handle, "contracted", fee=fee)
    return str(cid)


def live_run(
    store: Store, fees: dict[str, float], live_at: dt.datetime, name: str = "Run"
) -> dict[str, str]:
    """Campaign ``name`` (after ``seed``; landing https://s.example/) with each handle of
    ``fees`` walked to contracted at its fee and live at ``live_at``, codes and links assigned;
    returns creator_id -> code."""
    from closeknit.track import campaigns as cp
    from closeknit.track.codes import assign

    cid = cp.create_campaign(store, "default", name, landing_url="https://s.example/").campaign_id
    for h, fee in fees.items():
        cp.add_creator(store, "default", cid, f"@{h}")
        for st in ("contacted", "negotiating"):
            cp.set_stage(store, "default", cid, f"@{h}", st)
        cp.set_stage(store, "default", cid, f"@{h}", "contracted", fee=fee)
        cp.set_stage(store, "default", cid, f"@{h}", "content_live", at=live_at)
    return {r["creator_id"]: r["code"] for r in assign(store, "default", cid)}
