"""Use cases for briefings: generate one for a partner, a prospective organisation or a
neighbourhood; store it with who made it, when and the data it was made from; reopen it exactly
as it was handed over; make its PDF; and generate one for every active partner in a batch.

Each takes the acting user first and checks `briefing.generate`. The HTML is rendered once,
from the snapshot, and stored; the PDF is made by WeasyPrint from that stored HTML with a URL
fetcher that serves only our own static files, so nothing is fetched from the network; it is
made once, by a job started when the briefing is made (`jobs.work`), and stored (issue 14: a
PDF took 3-12 s inside its request).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from accounts.actor import Actor
from briefings import charts
from briefings.content import (
    CityData,
    load_city,
    neighbourhood_content,
    partner_content,
    prospect_content,
)
from briefings.models import Briefing
from capabilities.services import list_capabilities
from commonground.config import ROOT
from commonground.db_types import utcnow
from commonground.errors import DomainError
from commonground.extensions import db
from commonground.lookup import get_or_not_found
from commonground.transaction import unit_of_work
from geo.services import list_neighbourhoods
from partners.models import Partner
from planning import specs
from planning.prospects import place_prospect

log = logging.getLogger(__name__)
STATIC = ROOT / "static"

Progress = Callable[[int, int], None]


# --- generating ------------------------------------------------------------------------------


def generate_partner_briefing(
    actor: Actor, partner_id: int, *, now: datetime | None = None, city: CityData | None = None
) -> Briefing:
    """A briefing for a registered partner, stored."""
    actor.require("briefing.generate")
    if city is None:
        now = now or utcnow()
        found = specs.partner_specs(now, partner_ids={partner_id})
        city = load_city(actor, now, within=found[0] if found else None)
    snapshot = partner_content(actor, city, partner_id)
    return _store(actor, snapshot, partner_id=partner_id)


def generate_prospect_briefing(
    actor: Actor, data: dict[str, Any], *, now: datetime | None = None
) -> Briefing:
    """A briefing for an organisation outreach is talking to, not registered yet, stored; placed
    at its coordinates, its typed address or its neighbourhood's centre (`place_prospect`)."""
    actor.require("briefing.generate")
    data = place_prospect(data)
    snapshot = prospect_content(actor, load_city(actor, now or utcnow()), data)
    return _store(
        actor, snapshot, neighbourhood=(snapshot["subject"]["neighbourhoods"] or [None])[0]
    )


def generate_neighbourhood_briefing(
    actor: Actor, neighbourhood: str, *, weekly_tasks: int = 5, now: datetime | None = None
) -> Briefing:
    """A briefing for a neighbourhood's community meeting, stored."""
    actor.require("briefing.generate")
    city = load_city(actor, now or utcnow())
    snapshot = neighbourhood_content(actor, city, neighbourhood, weekly_tasks=weekly_tasks)
    return _store(actor, snapshot, neighbourhood=neighbourhood)


def _store(
    actor: Actor,
    snapshot: dict[str, Any],
    *,
    partner_id: int | None = None,
    neighbourhood: str | None = None,
) -> Briefing:
    briefing = Briefing(
        kind=snapshot["kind"],
        subject=snapshot["subject"]["name"][:200],
        partner_id=partner_id,
        neighbourhood=neighbourhood,
        created_by_id=actor.user_id,
        created_by_label=actor.label,
        created_at=datetime.fromisoformat(snapshot["generated_at"]),
        snapshot=snapshot,
        html=render_html(snapshot),
    )
    with unit_of_work():
        db.session.add(briefing)
    return briefing


# --- rendering -------------------------------------------------------------------------------


def briefing_charts(snapshot: dict[str, Any]) -> dict[str, str]:
    """The SVG charts and map of a briefing, drawn from its snapshot."""
    area = snapshot["area"]
    trend = area["trend"]
    drawn = snapshot["map"]
    circle = tuple(drawn["circle"]) if drawn["circle"] else None
    join = snapshot.get("join")  # briefings stored before issue 16 have none
    return {
        "open_by_capability": charts.bar_chart(
            [(c["label"], c["open_needs"]) for c in area["open_by_capability"]],
            title="Open needs by kind of work",
        ),
        "trend": charts.line_chart(
            [month_label(m) for m in trend["months"]],
            [("Needs posted", trend["posted"]), ("Needs completed", trend["completed"])],
            title="Needs posted and completed per month",
        ),
        "map": charts.area_map(
            [charts.MapPoint(p["lat"], p["lon"], p["kind"], p["label"]) for p in drawn["points"]],
            title=f"Map of open needs: {snapshot['subject']['name']}",
            circle=circle,
            places=[tuple(p) for p in drawn["places"]],
            note=map_note(snapshot),
        ),
        "join": charts.qr_code(join["url"], title=f"QR code: {join['url']}") if join else "",
    }


def map_note(snapshot: dict[str, Any]) -> str:
    """What a map that could not draw every open need says about it ("2,000 of 36,412 open
    needs drawn: ..."); nothing when it draws them all (and for briefings stored before the
    map was capped, which drew them all)."""
    drawn = snapshot["map"]
    total = drawn.get("open_needs", len(drawn["points"]))
    if total <= len(drawn["points"]):
        return ""
    what = "open jobs" if snapshot["kind"] == "neighbourhood" else "open needs"
    return (
        f"{len(drawn['points']):,} of {total:,} {what} drawn: the suggested, those nobody "
        "covers and the most urgent"
    )


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def month_label(month: str) -> str:
    """'2026-06' as 'Jun 2026'."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def render_html(snapshot: dict[str, Any]) -> str:
    """The briefing document (HTML with print styles) for a snapshot."""
    return render_template("briefings/document.html", b=snapshot, charts=briefing_charts(snapshot))


def static_file_for(url: str) -> Path | None:
    """The file under static/ a file:// URL names, or None for anything else."""
    parsed = urlparse(url)
    if parsed.scheme != "file" or "/static/" not in parsed.path:
        return None
    target = (STATIC / parsed.path.split("/static/", 1)[1]).resolve()
    return target if STATIC.resolve() in target.parents and target.is_file() else None


def _local_fetcher():
    """WeasyPrint's URL fetcher: our static files only, never the network."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_file_for(url)
            if path is None:
                raise ValueError(f"Briefings load no external resources ({url}).")
            kind = (
                "text/css; charset=utf-8" if path.suffix == ".css" else "application/octet-stream"
            )
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    return LocalFetcher()


def html_to_pdf(html: str) -> bytes:
    """A PDF of the given briefing HTML, made by WeasyPrint from local files only."""
    from weasyprint import HTML  # imported here: loading pango takes a moment

    base = Path("/").as_uri()
    return HTML(string=html, base_url=base, url_fetcher=_local_fetcher()).write_pdf()


# --- reading ---------------------------------------------------------------------------------


def get_briefing(actor: Actor, briefing_id: int) -> Briefing:
    """One stored briefing, exactly as it was generated."""
    actor.require("briefing.generate")
    return get_or_not_found(Briefing, briefing_id, f"No briefing with id {briefing_id}.")


def render_pdf(actor: Actor, briefing_id: int) -> bytes:
    """The PDF of a stored briefing, made from its stored HTML (not stored)."""
    return html_to_pdf(get_briefing(actor, briefing_id).html)


def briefing_pdf(actor: Actor, briefing_id: int) -> bytes:
    """The PDF of a stored briefing: the one stored by the job started when it was made, else
    (made before PDFs were stored, by a batch, or asked for before the job ran) made now from
    its stored HTML and stored, so it is made once."""
    briefing = get_briefing(actor, briefing_id)
    return briefing.pdf if briefing.pdf is not None else _store_pdf(briefing)


def store_pdf(actor: Actor, briefing_id: int) -> int:
    """Make and store a briefing's PDF unless it is stored already (the PDF job's work);
    returns its size in bytes."""
    return len(briefing_pdf(actor, briefing_id))


def _store_pdf(briefing: Briefing) -> bytes:
    pdf = html_to_pdf(briefing.html)
    with unit_of_work():
        briefing.pdf = pdf
    return pdf


def list_briefings(
    actor: Actor,
    *,
    kind: str | None = None,
    partner_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Briefing], int]:
    """Stored briefings, newest first, and how many match: only the columns a list shows
    (`present_briefing` without the snapshot), never a briefing's HTML or snapshot (at 100k
    needs a briefing's HTML is ~2 MB: a list of 25 read ~60 MB and took 2-3 s)."""
    actor.require("briefing.generate")
    conditions = []
    if kind:
        conditions.append(Briefing.kind == kind)
    if partner_id:
        conditions.append(Briefing.partner_id == partner_id)
    total = db.session.scalar(select(func.count(Briefing.id)).where(*conditions)) or 0
    shown = (*(getattr(Briefing, name) for name in BRIEFING_FIELDS), Briefing.created_by_label)
    rows = db.session.scalars(
        select(Briefing)
        .options(load_only(*shown, Briefing.created_at))
        .where(*conditions)
        .order_by(Briefing.created_at.desc(), Briefing.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), total


BRIEFING_FIELDS = ("id", "kind", "subject", "partner_id", "neighbourhood")


def present_briefing(briefing: Briefing, *, with_snapshot: bool = False) -> dict[str, Any]:
    """A stored briefing as plain data (without its HTML)."""
    data = {name: getattr(briefing, name) for name in BRIEFING_FIELDS}
    data.update(created_by=briefing.created_by_label, created_at=briefing.created_at)
    if with_snapshot:
        data["snapshot"] = briefing.snapshot
    return data


# --- the batch -------------------------------------------------------------------------------


@dataclass
class BatchResult:
    """What a batch did: briefings made, and the partners that failed with why."""

    total: int = 0
    generated: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)


def active_partner_ids(actor: Actor) -> list[int]:
    """Ids of every active partner, in id order (the batch's work list)."""
    actor.require("briefing.generate")
    return list(
        db.session.scalars(
            select(Partner.id).where(Partner.status == "active").order_by(Partner.id)
        )
    )


def run_batch(
    actor: Actor,
    partner_ids: list[int] | None = None,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    already: Mapping[int, int] | None = None,
    within: Callable[[int, Briefing], None] | None = None,
) -> BatchResult:
    """A briefing for each partner (default: every active partner). One partner's failure is
    recorded (whatever that partner's briefing wrote is rolled back) and the batch goes on; the
    shared city data is read once.

    A batch run again after an interruption passes `already` (partner id -> briefing id made
    before) so those partners are skipped, and `within(partner_id, briefing)`, called inside
    each briefing's unit of work, to record it together with the briefing."""
    actor.require("briefing.generate")
    ids = active_partner_ids(actor) if partner_ids is None else list(partner_ids)
    result = BatchResult(total=len(ids))
    city = load_city(actor, now or utcnow())
    for done, partner_id in enumerate(ids, start=1):
        if already and partner_id in already:
            result.generated.append({"partner_id": partner_id, "briefing_id": already[partner_id]})
            continue
        try:
            with unit_of_work():
                briefing = generate_partner_briefing(actor, partner_id, city=city)
                if within is not None:
                    within(partner_id, briefing)
            result.generated.append(
                {"partner_id": partner_id, "briefing_id": briefing.id, "subject": briefing.subject}
            )
        except DomainError as exc:
            result.failures.append({"partner_id": partner_id, "error": exc.message})
        except Exception as exc:  # one partner must not stop the batch
            log.exception("Briefing for partner %s failed", partner_id)
            result.failures.append(
                {"partner_id": partner_id, "error": f"{type(exc).__name__}: {exc}"}
            )
        if progress is not None:
            progress(done, len(ids))
    return result


def pdf_filename(briefing: Briefing) -> str:
    """A safe download name such as 'briefing-12-green-hands.pdf'."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in briefing.subject.lower()).strip("-")
    slug = "-".join(part for part in slug.split("-") if part)[:60] or briefing.kind
    return f"briefing-{briefing.id}-{slug}.pdf"


def briefing_page_options(actor: Actor) -> dict[str, Any]:
    """What the briefings page offers: active partners, neighbourhoods, capabilities, sectors,
    and the most recent stored briefings."""
    actor.require("briefing.generate")
    partners = db.session.execute(
        select(Partner.id, Partner.name).where(Partner.status == "active").order_by(Partner.name)
    )
    recent, total = list_briefings(actor, limit=25)
    return {
        "partners": [{"id": pid, "name": name} for pid, name in partners],
        "neighbourhoods": [n.name for n in list_neighbourhoods()],
        "capabilities": [{"code": c.code, "label": c.label} for c in list_capabilities(actor)],
        "recent": [present_briefing(b) for b in recent],
        "stored": total,
    }
