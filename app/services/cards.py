"""Printable join cards: a new personal join link per person, as a QR code on an A4 sheet.

Tokens are stored hashed, so a card needs a fresh one: printing cards issues one new link per
person. Their older links keep working (a card printed twice, or a link sent by e-mail, both
still sign in); revoke one in the links list to stop it. The cards are 2 × 4 to an A4 page,
with dashed cut lines; each has the meeting title, the person's name, role and group, the QR
code of the personal join link and the link itself, short and in full.
"""

import html
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.fonts import FONT_STACK
from app.models.joining import OpenLinkJoin
from app.models.meeting import BreakoutGroup, Meeting
from app.models.participant import Participant, Role
from app.qr import qr_svg, short_link
from app.services import audit, links
from app.services.actor import Actor

CARDS_PER_PAGE = 8
ROLE_LABEL = {
    Role.SECRETARIAT: "Secretariat",
    Role.CHAIR: "Chair",
    Role.RAPPORTEUR: "Rapporteur",
    Role.PARTICIPANT: "Participant",
    Role.PROJECTOR: "Projector",
}

if TYPE_CHECKING:
    from app.pdf import BundledFontsOnly


@dataclass(frozen=True)
class Card:
    """What one card shows."""

    participant_id: int
    name: str
    role: Role
    group: str | None
    url: str


def join_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/join/{token}"


def default_people(session: Session, meeting_id: int) -> list[Participant]:
    """Everyone of the meeting but the projector, removed people and the devices that joined
    by open link."""
    opened = select(OpenLinkJoin.participant_id)
    return list(
        session.exec(
            select(Participant)
            .where(
                Participant.meeting_id == meeting_id,
                Participant.role != Role.PROJECTOR.value,
                col(Participant.removed_at).is_(None),
                col(Participant.id).not_in(opened),
            )
            .order_by(col(Participant.id))
        )
    )


def issue_cards(
    session: Session,
    actor: Actor,
    meeting_id: int,
    participant_ids: list[int] | None,
    *,
    hours: int,
    public_url: str,
) -> tuple[Meeting, list[Card]]:
    """A new join link for each person (default: ``default_people``), audited as one event."""
    actor.check_meeting(meeting_id)
    actor.require(Role.SECRETARIAT)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"Meeting {meeting_id} does not exist.")
    if participant_ids is None:
        people = default_people(session, meeting_id)
    else:
        wanted = list(dict.fromkeys(participant_ids))
        found = {
            p.id: p
            for p in session.exec(
                select(Participant).where(
                    col(Participant.id).in_(wanted),
                    Participant.meeting_id == meeting_id,
                    col(Participant.removed_at).is_(None),
                )
            )
        }
        missing = [i for i in wanted if i not in found]
        if missing:
            raise NotFound(f"The meeting has no participant {missing[0]}.")
        people = [found[i] for i in wanted]
    if not people:
        raise InvalidInput("The meeting has nobody to print join cards for.")
    groups = {
        g.code: g.name
        for g in session.exec(select(BreakoutGroup).where(BreakoutGroup.meeting_id == meeting_id))
    }
    cards: list[Card] = []
    issued_links = []
    for person in people:
        issued = links.new_link(session, person, hours=hours)
        assert person.id is not None
        group = None
        if person.group_code:
            name = groups.get(person.group_code)
            group = f"Group {person.group_code}" + (f" — {name}" if name else "")
        url = join_url(public_url, issued.token)
        cards.append(Card(person.id, person.name, Role(person.role), group, url))
        issued_links.append(
            {"participant_id": person.id, "link_id": issued.link.id, "prefix": issued.link.prefix}
        )
    audit.record(
        session,
        actor,
        meeting_id,
        "cards.issued",
        "meeting",
        meeting_id,
        links=issued_links,
        expires_in_hours=hours,
    )
    return meeting, cards


def direction(text: str) -> str:
    """``rtl`` or ``ltr`` from the first strong character (what ``dir="auto"`` does)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _text(tag: str, css_class: str, text: str) -> str:
    # Each text is a block of its own with its own direction: a name never reorders its
    # neighbours (WeasyPrint takes dir, not yet unicode-bidi: isolate).
    escaped = html.escape(text, quote=True)
    return f'<{tag} class="{css_class}" dir="{direction(text)}">{escaped}</{tag}>'


def card_html(meeting_title: str, card: Card) -> str:
    role = ROLE_LABEL[card.role] + (f" · {card.group}" if card.group else "")
    return (
        '<div class="card">'
        f'<div class="qr">{qr_svg(card.url)}</div>'
        '<div class="who">'
        f"{_text('div', 'meeting', meeting_title)}"
        f"{_text('div', 'name long' if len(card.name) > 40 else 'name', card.name)}"
        f"{_text('div', 'role', role)}"
        "</div>"
        '<div class="how">Scan the code, or open the link, to join.</div>'
        f'<div class="short">{html.escape(short_link(card.url))}</div>'
        f'<div class="full">{html.escape(card.url)}</div>'
        "</div>"
    )


CARDS_CSS = f"""
@page {{ size: A4; margin: 10mm; }}
html {{ font-family: {FONT_STACK}; color: #000; }}
body {{ margin: 0; }}
.sheet {{ break-after: page; }}
.sheet:last-child {{ break-after: auto; }}
.card {{
  float: left; position: relative; box-sizing: border-box; overflow: hidden;
  width: 94.5mm; height: 68.5mm; padding: 5mm; border: 0.3mm dashed #888;
}}
.qr {{ position: absolute; top: 5mm; right: 5mm; width: 36mm; height: 36mm; }}
.qr svg {{ width: 36mm; height: 36mm; }}
.who {{ width: 46mm; max-height: 42mm; overflow: hidden; }}
.who div {{ overflow-wrap: anywhere; }}
.meeting {{ font-size: 7.5pt; color: #333; margin-bottom: 2mm; }}
.name {{ font-size: 15pt; font-weight: bold; line-height: 1.25; }}
.name.long {{ font-size: 10.5pt; }}
.name[dir=rtl] {{ font-family: "Noto Naskh Arabic", "Noto Sans"; }}
.role {{ font-size: 9pt; margin-top: 1.5mm; }}
.how {{ position: absolute; left: 5mm; right: 5mm; bottom: 15mm; font-size: 7pt; color: #333; }}
.short {{ position: absolute; left: 5mm; right: 5mm; bottom: 9.5mm; font-size: 10pt;
  font-weight: bold; }}
.full {{ position: absolute; left: 5mm; right: 5mm; bottom: 4mm; font-size: 5.5pt;
  color: #333; word-break: break-all; }}
"""


def cards_html(meeting_title: str, cards: list[Card]) -> str:
    sheets = []
    for start in range(0, len(cards), CARDS_PER_PAGE):
        page = cards[start : start + CARDS_PER_PAGE]
        body = "".join(card_html(meeting_title, c) for c in page)
        sheets.append(f'<section class="sheet">{body}</section>')
    title = html.escape(f"Join cards — {meeting_title}")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body>{''.join(sheets)}</body></html>"
    )


def render_cards(
    meeting_title: str, cards: list[Card], *, fetcher: "BundledFontsOnly | None" = None
) -> bytes:
    """The PDF of ``cards``: A4, eight to a page."""
    from app import pdf  # WeasyPrint loads on the first render, not at start-up

    return pdf.render_pdf(cards_html(meeting_title, cards), CARDS_CSS, fetcher=fetcher)
