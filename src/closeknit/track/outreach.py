"""Outreach messages from Jinja2 templates, filled from the creator's recent posts, and sent
only through the SMTP server configured in settings (``CLOSEKNIT_SMTP_HOST``/``_PORT``).

Templates run in Jinja2's sandbox (user-edited templates cannot reach Python internals).
Context: ``creator`` (handle, name, followers, platform), ``recent_posts`` (up to 3: caption
excerpt, date, likes, url), ``recent_post`` (the first of them), ``campaign`` (name, brief),
``brand``, ``sender``, ``fee``, ``code``, ``link``. Sending moves a shortlisted creator to
``contacted`` and writes the audit log.
"""

from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from closeknit.errors import ConfigError, ConnectorError, ValidationError
from closeknit.features.disclosure import disclosed_sql
from closeknit.settings import get_settings
from closeknit.store import Store, audit, resolve_creator_id
from closeknit.store.creators import creator_words
from closeknit.track.campaigns import get_campaign, set_stage

TEMPLATES: dict[str, tuple[str, str]] = {
    "intro": (
        "{{ brand }} x @{{ creator.handle }}: a paid collaboration?",
        """Hi {{ creator.name or creator.handle }},

I'm {{ sender }} from {{ brand }}.{% if recent_post %} I loved your post "{{ recent_post.excerpt }}"
{%- if recent_post.date %} ({{ recent_post.date }}){% endif %}.{% endif %}

We're planning "{{ campaign.name }}"{% if campaign.brief %} ({{ campaign.brief }}){% endif %} \
and think your audience would genuinely like it.
{% if fee %}
We can offer {{ fee }} for the collaboration{% if deliverables %} ({{ deliverables }}){% endif %}.
{%- endif %}
{% if code %}Your followers would get a personal discount code, {{ code }}.{% endif %}

Would you be open to a quick chat?

Best,
{{ sender }}
""",
    ),
    "follow_up": (
        "Following up: {{ brand }} x @{{ creator.handle }}",
        """Hi {{ creator.name or creator.handle }},

Just following up on my note about "{{ campaign.name }}". Happy to share details or adapt the
deliverables to what works for you.

Best,
{{ sender }}
""",
    ),
}


@dataclass
class OutreachMessage:
    campaign_id: str
    creator_id: str
    to: str | None
    subject: str
    body: str
    template: str
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _excerpt(caption: str | None, n: int = 80) -> str:
    text = re.sub(r"\s+", " ", caption or "").strip()
    text = re.sub(r"(#\w+\s*)+$", "", text).strip()
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def render(
    store: Store,
    workspace: str,
    campaign_id: str,
    creator: str,
    *,
    template: str = "intro",
    template_dir: Path | None = None,
    sender: str = "the team",
    brand: str | None = None,
    to: str | None = None,
) -> OutreachMessage:
    """Fill an outreach template for one campaign creator."""
    cid = resolve_creator_id(store, workspace, creator)
    camp = get_campaign(store, workspace, campaign_id)
    deal = next((c for c in camp.creators if c["creator_id"] == cid), None)
    if deal is None:
        from closeknit.errors import NotFound

        raise NotFound(f"{creator_words(cid)} is not in campaign {campaign_id}")
    cr = store.query(
        "SELECT handle, name, followers, platform, contact FROM creators WHERE workspace_id = ? "
        "AND creator_id = ?",
        [workspace, cid],
    )[0]
    posts = store.query(
        "SELECT p.post_id, p.caption, p.posted_at, p.likes, p.url FROM posts p "
        "LEFT JOIN creators c ON c.workspace_id = p.workspace_id AND c.creator_id = p.creator_id "
        "WHERE p.workspace_id = ? AND p.creator_id = ? AND p.caption IS NOT NULL AND NOT "
        f"{disclosed_sql('p', 'c.language')} ORDER BY p.posted_at DESC NULLS LAST LIMIT 3",
        [workspace, cid],
    )
    recent = [
        {
            "post_id": p["post_id"],
            "excerpt": _excerpt(p["caption"]),
            "date": p["posted_at"].date().isoformat() if p["posted_at"] else None,
            "likes": p["likes"],
            "url": p["url"],
        }
        for p in posts
    ]
    subj_t, body_t = _template(template, template_dir)
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=False)
    dv = deal.get("deliverables")
    ctx = {
        "creator": cr,
        "recent_posts": recent,
        "recent_post": recent[0] if recent else None,
        "campaign": {"name": camp.name, "brief": camp.brief},
        "brand": brand or camp.name,
        "sender": sender,
        "fee": f"{camp.currency} {deal['fee']:,.0f}" if deal.get("fee") else None,
        "deliverables": ", ".join(f"{v} {k}" for k, v in dv.items())
        if isinstance(dv, dict)
        else dv,
        "code": deal.get("discount_code"),
        "link": deal.get("tracking_link"),
    }
    try:
        subject = env.from_string(subj_t).render(**ctx).strip()
        body = env.from_string(body_t).render(**ctx).strip() + "\n"
    except TemplateError as e:
        raise ValidationError(f"template {template!r} failed: {e}") from e
    contact = cr.get("contact")
    addr = to or (contact if isinstance(contact, str) and _EMAIL.match(contact) else None)
    return OutreachMessage(campaign_id, cid, addr, subject, body, template, recent)


def _template(name: str, template_dir: Path | None) -> tuple[str, str]:
    if template_dir is not None:
        f = Path(template_dir) / f"{name}.txt"
        if f.exists():
            text = f.read_text("utf-8")
            first, _, rest = text.partition("\n")
            if not first.lower().startswith("subject:"):
                raise ValidationError(f"{f}: first line must be 'Subject: ...'")
            return first.split(":", 1)[1].strip(), rest.lstrip("\n")
    if name not in TEMPLATES:
        raise ValidationError(f"unknown template {name!r}; built in: {', '.join(TEMPLATES)}")
    return TEMPLATES[name]


def send(
    store: Store,
    workspace: str,
    msg: OutreachMessage,
    *,
    sender_address: str,
    smtp_host: str | None = None,
    smtp_port: int | None = None,
    timeout: float = 10.0,
    advance_stage: bool = True,
    actor: str = "user",
) -> dict[str, Any]:
    """Send ``msg`` through the configured SMTP server (never anywhere else)."""
    s = get_settings()
    host = smtp_host or s.smtp_host
    port = smtp_port or s.smtp_port
    if not host:
        raise ConfigError("no SMTP server configured (set CLOSEKNIT_SMTP_HOST and _PORT)")
    if not msg.to or not _EMAIL.match(msg.to):
        raise ValidationError(
            "no valid recipient address (the creator's contact or a recipient given)"
        )
    if not _EMAIL.match(sender_address):
        raise ValidationError(f"sender address is not an e-mail: {sender_address!r}")
    em = EmailMessage()
    em["From"] = sender_address
    em["To"] = msg.to
    em["Subject"] = msg.subject
    em.set_content(msg.body)
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            smtp.send_message(em)
    except (OSError, smtplib.SMTPException) as e:
        raise ConnectorError(f"SMTP {host}:{port} failed: {e}") from e
    with store.transaction() as tx:
        audit(
            tx,
            workspace,
            actor,
            "outreach.sent",
            "campaign_creator",
            f"{msg.campaign_id}/{msg.creator_id}",
            {"template": msg.template, "subject": msg.subject, "smtp": f"{host}:{port}"},
        )
    moved = None
    if advance_stage:
        camp = get_campaign(store, workspace, msg.campaign_id)
        cur = next(c["stage"] for c in camp.creators if c["creator_id"] == msg.creator_id)
        if cur == "shortlisted":
            set_stage(
                store,
                workspace,
                msg.campaign_id,
                msg.creator_id,
                "contacted",
                note=f"outreach e-mail: {msg.subject}",
                actor=actor,
            )
            moved = "contacted"
    return {"sent": True, "to": msg.to, "smtp": f"{host}:{port}", "stage": moved}
