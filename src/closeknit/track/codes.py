"""Unique discount codes and UTM tracking links per campaign creator.

A code is readable and derived from the handle: its first letters, upper-cased (``anna.runs`` →
``ANNA``), plus the discount percentage (``ANNA15``); a collision with any code already used in
the workspace adds a counter (``ANNA15B``, ``ANNA15C``...), so codes never collide. A link is the
campaign's landing URL with ``utm_source`` (the creator's platform), ``utm_medium=influencer``,
``utm_campaign`` (the campaign's UTM name) and ``utm_content`` (the creator's handle).
"""

from __future__ import annotations

import re
import string
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from closeknit import figures
from closeknit.errors import Conflict, ValidationError
from closeknit.store import Store, audit, resolve_creator_id
from closeknit.store.creators import creator_words
from closeknit.track.campaigns import CODE_RE, check_campaign, get_campaign, tracked_utms


def _first(q: dict[str, list[str]], key: str) -> str | None:
    v = q.get(key)
    return v[0] if v else None


def code_stem(handle: str, max_letters: int = 8) -> str:
    first = re.split(r"[._\-]", handle.lower().lstrip("@"))[0]
    letters = "".join(ch for ch in first if ch.isalnum())
    if not letters:
        letters = "".join(ch for ch in handle if ch.isalnum())
    return (letters[:max_letters] or "CK").upper()


DEFAULT_PATTERN = "{HANDLE}{DISCOUNT}"
_TOKEN_RE = re.compile(r"\{([A-Za-z]+)\}")


def check_pattern(pattern: str) -> str:
    """A code pattern: letters, digits, '-', '_' and the tokens {HANDLE} (the creator's handle,
    up to 8 letters) and {DISCOUNT} (the discount percent); it must name {HANDLE}."""
    p = pattern.strip().upper()
    for tok in _TOKEN_RE.findall(p):
        if tok not in ("HANDLE", "DISCOUNT"):
            raise ValidationError(
                f"unknown token {{{tok}}} in the code pattern; use {{HANDLE}} and {{DISCOUNT}}",
                field="code_pattern",
            )
    if "{HANDLE}" not in p:
        raise ValidationError(
            "the code pattern must contain {HANDLE}, e.g. SUMMER-{HANDLE}{DISCOUNT}",
            field="code_pattern",
        )
    literal = _TOKEN_RE.sub("", p)
    if not re.fullmatch(r"[A-Z0-9_-]*", literal) or len(literal) > 16:
        raise ValidationError(
            "the code pattern may hold letters, digits, '-' and '_' (16 at most) besides "
            "{HANDLE} and {DISCOUNT}",
            field="code_pattern",
        )
    return p


def make_code(
    handle: str,
    taken: set[str],
    discount_percent: float | None = None,
    pattern: str | None = None,
) -> str:
    """A readable code not in ``taken`` (compared upper-case), made from ``pattern``."""
    pct = str(int(round(discount_percent))) if discount_percent else ""
    pat = check_pattern(pattern or DEFAULT_PATTERN)
    base = pat.replace("{HANDLE}", code_stem(handle)).replace("{DISCOUNT}", pct)[:30]
    up = {t.upper() for t in taken}
    if base not in up:
        return base
    for suffix in string.ascii_uppercase[1:]:
        if base + suffix not in up:
            return base + suffix
    k = 2
    while f"{base}{k}" in up:
        k += 1
    return f"{base}{k}"


def tracking_link(
    base_url: str, *, source: str, campaign: str, content: str, medium: str = "influencer"
) -> str:
    """``base_url`` with utm_source/medium/campaign/content set; its other parameters kept as
    written (repeated and blank ones too) and its #fragment (a shop's page anchor) kept."""
    parts = urlsplit(base_url)
    if not parts.scheme or not parts.netloc:
        raise ValidationError(f"landing URL must be absolute (https://...): {base_url!r}")
    q = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith("utm_")
    ]
    q += [
        ("utm_source", source),
        ("utm_medium", medium),
        ("utm_campaign", campaign),
        ("utm_content", content),
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(q), parts.fragment))


def _taken(store: Store, workspace: str) -> set[str]:
    """Codes a new code may not be: every creator's, and every code the shop's orders used
    (a code freed by a regeneration and issued again credited its old orders to the new
    campaign)."""
    return {
        str(r["code"]).upper()
        for r in store.query(
            "SELECT discount_code AS code FROM campaign_creators WHERE workspace_id = ? "
            "AND discount_code IS NOT NULL UNION SELECT DISTINCT unnest(discount_codes) "
            "FROM orders WHERE workspace_id = ? AND discount_codes IS NOT NULL",
            [workspace, workspace],
        )
        if r["code"]
    }


def _with_orders(store: Store, workspace: str, codes: list[str]) -> dict[str, int]:
    """How many of the shop's orders used each of ``codes`` (upper case)."""
    if not codes:
        return {}
    rows = store.query(
        "SELECT upper(c) AS code, count(DISTINCT order_id) AS n FROM (SELECT order_id, "
        "unnest(discount_codes) AS c FROM orders WHERE workspace_id = ?) "
        "WHERE upper(c) IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1",
        [workspace, codes],
    )
    return {r["code"]: int(r["n"]) for r in rows}


def assign(
    store: Store,
    workspace: str,
    campaign_id: str,
    creators: list[str] | None = None,
    *,
    discount_percent: float | None = None,
    landing_url: str | None = None,
    overwrite: bool = False,
    pattern: str | None = None,
    actor: str = "user",
) -> list[dict[str, Any]]:
    """Give each campaign creator (all by default) a unique code made from ``pattern`` (or the
    campaign's) and, with a landing URL, a tracking link. Existing codes are kept unless
    ``overwrite``; even then a code the shop's orders already used is kept (its sales stay the
    creator's; ``kept_why`` says so). Two creators of the campaign with one handle (two
    platforms) get links told apart by ``utm_content`` (``handle-platform`` for the second)."""
    camp = get_campaign(store, workspace, campaign_id)
    pct = discount_percent if discount_percent is not None else camp.discount_percent
    pat = check_pattern(pattern or camp.code_pattern or DEFAULT_PATTERN)
    base = landing_url or camp.landing_url
    wanted = {resolve_creator_id(store, workspace, c) for c in creators} if creators else None
    taken = _taken(store, workspace)
    sold = _with_orders(
        store,
        workspace,
        [str(c["discount_code"]).upper() for c in camp.creators if c.get("discount_code")],
    )
    # the utm_content of every creator not given a new link here: a new one must differ
    contents = {
        str(c["utm_content"]).lower()
        for c in camp.creators
        if c.get("utm_content") and wanted is not None and c["creator_id"] not in wanted
    }
    # a declined creator gets no code (its orders credit no one: attribution skips them), and
    # one named here is refused rather than given a code that would sell for nobody
    refused = [
        c
        for c in camp.creators
        if c["stage"] == "declined" and wanted and c["creator_id"] in wanted
    ]
    if refused:
        who = ", ".join(f"@{c.get('handle') or c['creator_id']}" for c in refused)
        raise ValidationError(
            f"{who} declined this campaign: a declined creator gets no code or link",
            field="creators",
        )
    out: list[dict[str, Any]] = []
    with store.transaction() as tx:
        for c in camp.creators:
            cid = c["creator_id"]
            if (wanted is not None and cid not in wanted) or c["stage"] == "declined":
                continue
            handle = c.get("handle") or cid.split(":", 1)[-1]
            platform = str(c.get("platform") or cid.split(":", 1)[0]).lower()
            code = c.get("discount_code")
            n_sold = sold.get(str(code).upper(), 0) if code else 0
            kept = code is not None and (not overwrite or n_sold > 0)
            kept_why = None
            if kept and overwrite:
                kept_why = f"kept: {figures.count(n_sold, 'order')} used it"
            if not kept:
                if code:
                    taken.discard(str(code).upper())
                code = make_code(handle, taken, pct, pat)
            code = str(code)
            taken.add(code.upper())
            link = c.get("tracking_link")
            content = c.get("utm_content") or handle.lower()
            if content.lower() in contents and (overwrite or link is None):
                # one handle on two platforms: the same utm_content sent one creator's clicks
                # to the other. A link already given out is kept unless overwrite is asked
                # (its orders are told apart by utm_source): rewriting it sent the old link's
                # sales to the other creator
                content = f"{handle.lower()}-{platform}"
                link = None
            contents.add(content.lower())
            if base and (link is None or overwrite):
                link = tracking_link(
                    base,
                    source=c.get("platform") or cid.split(":", 1)[0],
                    campaign=camp.utm_campaign or campaign_id,
                    content=content,
                )
            tx.execute(
                "UPDATE campaign_creators SET discount_code = ?, tracking_link = ?, "
                "utm_content = ? WHERE workspace_id = ? AND campaign_id = ? AND creator_id = ?",
                [code, link, content, workspace, campaign_id, cid],
            )
            audit(
                tx,
                workspace,
                actor,
                "campaign.codes",
                "campaign_creator",
                f"{campaign_id}/{cid}",
                {"code": code, "link": link},
            )
            out.append(
                {
                    "creator_id": cid,
                    "handle": c.get("handle"),
                    "code": code,
                    "link": link,
                    "utm_content": content,
                    "kept": kept,
                    "kept_why": kept_why,
                }
            )
    return out


def _link_campaign(
    store: Store, workspace: str, campaign_id: str, cid: str, utm: str | None
) -> str | None:
    """The ``utm_campaign`` a creator's link brings to its campaign: None when it names none or
    the campaign's own; the link's, adopted as the campaign's, when no other link of the
    campaign uses the campaign's (links already live in the shop); refused when another
    campaign tracks that name, or the campaign's other links use its own (one creator's link
    renamed the whole campaign: its creators' clicks went to nobody, and another campaign's
    clicks to it)."""
    if not utm:
        return None
    camp = get_campaign(store, workspace, campaign_id)
    own = (camp.utm_campaign or campaign_id).lower()
    if utm.lower() == own:
        return None
    other = tracked_utms(store, workspace).get(utm.lower())
    if other is not None and other != campaign_id:
        raise Conflict(
            f"the link's utm_campaign {utm!r} is campaign {other}'s: its orders "
            f"would be credited to {campaign_id}; use a link with utm_campaign={own}"
        )
    linked = [
        c["handle"] or c["creator_id"]
        for c in camp.creators
        if c["creator_id"] != cid
        and c.get("tracking_link")
        and (
            _first(parse_qs(urlsplit(str(c["tracking_link"])).query), "utm_campaign") or ""
        ).lower()
        == own
    ]
    if linked:
        raise ValidationError(
            f"the link's utm_campaign {utm!r} is not the campaign's ({own}), which the links "
            f"of {figures.count(len(linked), 'other creator')} (@{linked[0]}…) carry: one "
            f"campaign has one utm_campaign; use a link with utm_campaign={own}",
            field="link",
        )
    return utm


def check_link_content(
    store: Store,
    workspace: str,
    campaign_id: str,
    cid: str,
    content: str | None,
    source: str | None,
) -> None:
    """Refuse a link for creator ``cid`` whose ``utm_content`` another creator of the campaign
    already carries, where the orders through the two links cannot be told apart: on the same
    platform, or without a ``utm_source`` naming ``cid``'s platform (attribution credits such
    orders to neither creator: a link copied from a colleague's set a 55.00 order through
    Ines's own link to no one, said only in the JSON). One handle on two platforms keeps one
    ``utm_content`` when each link names its platform, as :func:`assign` leaves it."""
    if not content:
        return
    camp = get_campaign(store, workspace, campaign_id)
    me = next((c for c in camp.creators if c["creator_id"] == cid), None)
    if me is None:
        return  # not in the campaign: the caller says so
    mine = str(me.get("platform") or cid.split(":", 1)[0]).lower()
    told_apart = (source or "").strip().lower() == mine
    for c in camp.creators:
        if c["creator_id"] == cid or str(c.get("utm_content") or "").lower() != content.lower():
            continue
        theirs = str(c.get("platform") or c["creator_id"].split(":", 1)[0]).lower()
        if theirs == mine or not told_apart:
            who = f"@{c['handle']}" if c.get("handle") else c["creator_id"]
            own = str(me.get("handle") or cid.split(":", 1)[-1]).lower()
            if own == content.lower():
                own = f"{own}-{mine}"  # as assign() tells one handle on two platforms apart
            raise Conflict(
                f"the link's utm_content {content!r} is already {who}'s in campaign "
                f"{campaign_id}: orders through either link would be credited to neither "
                f"creator; give this creator a link with their own utm_content (e.g. "
                f"utm_content={own})"
                + (
                    ""
                    if theirs == mine
                    else f", or one whose utm_source is {mine} (the platform tells them apart)"
                ),
                field="link",
            )


def set_code(
    store: Store,
    workspace: str,
    campaign_id: str,
    creator: str,
    *,
    code: str | None = None,
    link: str | None = None,
    actor: str = "user",
) -> dict[str, Any]:
    """Set a creator's code and/or link explicitly (e.g. codes already live in the shop)."""
    cid = resolve_creator_id(store, workspace, creator)
    if code is not None:
        code = code.strip().upper()
        if not CODE_RE.match(code):
            raise ValidationError(f"code must be 3-32 letters/digits/-/_: {code!r}")
        rows = store.query(
            "SELECT campaign_id, creator_id FROM campaign_creators WHERE workspace_id = ? "
            "AND upper(discount_code) = ?",
            [workspace, code],
        )
        if any((r["campaign_id"], r["creator_id"]) != (campaign_id, cid) for r in rows):
            raise Conflict(f"code {code} is already used by another creator or campaign")
    content = None
    adopt = None
    if link is not None:
        q = parse_qs(urlsplit(link).query)
        content = _first(q, "utm_content")
        adopt = _link_campaign(store, workspace, campaign_id, cid, _first(q, "utm_campaign"))
        check_link_content(store, workspace, campaign_id, cid, content, _first(q, "utm_source"))
    with store.transaction() as tx:
        n = tx.scalar(
            "SELECT count(*) FROM campaign_creators WHERE workspace_id = ? AND campaign_id = ? "
            "AND creator_id = ?",
            [workspace, campaign_id, cid],
        )
        if not n:
            from closeknit.errors import NotFound

            check_campaign(tx, workspace, campaign_id)
            raise NotFound(f"{creator_words(cid)} is not in campaign {campaign_id}")
        tx.execute(
            "UPDATE campaign_creators SET discount_code = coalesce(?, discount_code), "
            "tracking_link = coalesce(?, tracking_link), utm_content = coalesce(?, utm_content) "
            "WHERE workspace_id = ? AND campaign_id = ? AND creator_id = ?",
            [code, link, content, workspace, campaign_id, cid],
        )
        if adopt:
            tx.execute(
                "UPDATE campaign_settings SET utm_campaign = ? WHERE workspace_id = ? "
                "AND campaign_id = ?",
                [adopt, workspace, campaign_id],
            )
        audit(
            tx,
            workspace,
            actor,
            "campaign.codes",
            "campaign_creator",
            f"{campaign_id}/{cid}",
            {"code": code, "link": link},
        )
    return {"creator_id": cid, "code": code, "link": link, "utm_content": content}
