"""Join cards: a PDF of QR codes, one per person, each a new personal join link that signs in
as that person; names are printed as typed (Arabic shaped, markup as text); secretariat only."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.fonts import FONT_FILES
from app.models.participant import Role
from app.pdf import BundledFontsOnly, font_url
from app.services.cards import Card, render_cards
from tests.routes.util import Meeting, assert_error, audit_events
from tests.support.qr import decode_pdf, pdf_text

ARABIC = "ليلى بن علي"
XSS = "<img src=x onerror=alert(1)>"
STYLE = "</style><script>alert(1)</script>"


def _cards(demo: Meeting) -> str:
    return f"/api/meetings/{demo.meeting_id}/cards"


def _issue(client: TestClient, demo: Meeting, **body: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/meetings/{demo.meeting_id}/links", json=body, headers=demo.auth("secretariat")
    )
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


def _me(client: TestClient, token: str) -> dict[str, Any]:
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    me: dict[str, Any] = response.json()
    return me


def printed(name: str, text: str) -> bool:
    """``name`` is in the PDF's text, however its lines were wrapped."""
    return name in text.replace("\n", " ") or name in text.replace("\n", "")


def _landing(demo: Meeting, role: str, group: str | None) -> str:
    base = f"/d/{demo.document_id}"
    if role == "projector":
        return f"{base}/projector"
    if role in ("rapporteur", "participant") and group:
        return f"{base}/group/{group}"
    return f"{base}/board" if role == "participant" else base


def test_cards_sign_in_as_each_person(
    client: TestClient, demo: Meeting, db_engine: Engine, tmp_path: Path
) -> None:
    arabic = _issue(client, demo, role="participant", name=ARABIC, group_code="B")
    people = {
        "secretariat": _me(client, demo.tokens["secretariat"]),
        "chair": _me(client, demo.tokens["chair"]),
        "rapporteur": _me(client, demo.rapporteurs["C"]),
        "arabic": arabic["participant"],
    }
    ids = [p["id"] for p in people.values()]
    response = client.post(
        _cards(demo),
        json={"participant_ids": ids, "expires_in_hours": 5},
        headers=demo.auth("secretariat"),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="join-cards-')
    assert disposition.endswith('.pdf"')
    pdf = response.content
    assert pdf.startswith(b"%PDF-")

    pages = decode_pdf(pdf, tmp_path)
    assert len(pages) == 1
    urls = pages[0]
    assert len(urls) == len(ids)
    seen: dict[int, dict[str, Any]] = {}
    for url in urls:
        assert url.startswith("http://testserver/join/")
        token = url.removeprefix("http://testserver/join/")
        joined = client.get(f"/join/{token}")
        assert joined.status_code == 303
        me = client.get("/api/me")  # with the cookie the join link set
        assert me.status_code == 200
        person = me.json()
        assert joined.headers["location"] == _landing(demo, person["role"], person["group_code"])
        assert _me(client, token) == person
        seen[person["id"]] = person
        client.cookies.clear()
    assert set(seen) == set(ids)
    for person in people.values():
        assert seen[person["id"]]["name"] == person["name"]
        assert seen[person["id"]]["role"] == person["role"]

    # The older links keep working; the new ones are in the links list, named by prefix.
    assert _me(client, demo.tokens["chair"])["role"] == "chair"
    assert _me(client, arabic["token"])["name"] == ARABIC
    prefixes = {url.removeprefix("http://testserver/join/")[:8] for url in urls}
    listed = client.get(f"/api/meetings/{demo.meeting_id}/links", headers=demo.auth("secretariat"))
    assert prefixes <= {link["prefix"] for link in listed.json()}

    text = pdf_text(pdf, tmp_path)
    for person in people.values():
        assert printed(person["name"], text)
    assert ARABIC in text  # in logical order, as typed
    assert printed("Rapporteur · Group C", text)
    for prefix in prefixes:
        assert f"testserver/join/{prefix}…" in text

    events = [e for e in audit_events(db_engine, demo.meeting_id) if e.action == "cards.issued"]
    assert len(events) == 1
    assert [entry["participant_id"] for entry in events[0].data["links"]] == ids
    assert events[0].data["expires_in_hours"] == 5
    assert all(token not in str(events[0].data) for token in demo.tokens.values())


def test_cards_by_default_for_everyone_but_the_projector(
    client: TestClient, demo: Meeting, tmp_path: Path
) -> None:
    response = client.post(_cards(demo), json={}, headers=demo.auth("secretariat"))
    assert response.status_code == 200, response.text
    pages = decode_pdf(response.content, tmp_path)
    roles = sorted(_me(client, url.rsplit("/", 1)[1])["role"] for page in pages for url in page)
    # The demo: a secretariat, a chair, three rapporteurs and a participant (and a projector).
    assert roles == [
        "chair",
        "participant",
        "rapporteur",
        "rapporteur",
        "rapporteur",
        "secretariat",
    ]


def test_removed_people_get_no_card(client: TestClient, demo: Meeting, tmp_path: Path) -> None:
    chair = _me(client, demo.tokens["chair"])
    people = f"/api/meetings/{demo.meeting_id}/people/{chair['id']}"
    assert client.delete(people, headers=demo.auth("secretariat")).status_code == 204
    response = client.post(_cards(demo), json={}, headers=demo.auth("secretariat"))
    assert response.status_code == 200, response.text
    urls = [url for page in decode_pdf(response.content, tmp_path) for url in page]
    assert len(urls) == 5
    assert all(_me(client, url.rsplit("/", 1)[1])["role"] != "chair" for url in urls)
    asked = client.post(
        _cards(demo), json={"participant_ids": [chair["id"]]}, headers=demo.auth("secretariat")
    )
    assert_error(asked, 404, "not_found")


def test_names_print_as_text_and_nothing_is_fetched(
    client: TestClient, demo: Meeting, tmp_path: Path
) -> None:
    ids = [
        _issue(client, demo, role="participant", name=name)["participant"]["id"]
        for name in (XSS, STYLE)
    ]
    response = client.post(
        _cards(demo), json={"participant_ids": ids}, headers=demo.auth("secretariat")
    )
    assert response.status_code == 200, response.text
    text = pdf_text(response.content, tmp_path)
    assert printed(XSS, text)
    assert printed(STYLE, text)
    assert len(decode_pdf(response.content, tmp_path)[0]) == 2

    # The same markup rendered with a fetcher that records what WeasyPrint asked for.
    fetcher = BundledFontsOnly()
    cards = [
        Card(1, XSS, Role.PARTICIPANT, None, "http://testserver/join/x"),
        Card(2, STYLE, Role.CHAIR, STYLE, "http://testserver/join/y"),
    ]
    pdf = render_cards(f"{STYLE} {XSS}", cards, fetcher=fetcher)
    assert fetcher.requested
    assert set(fetcher.requested) <= {font_url(name) for name in FONT_FILES}
    assert printed(XSS, pdf_text(pdf, tmp_path))


def test_a_url_in_markup_is_refused() -> None:
    fetcher = BundledFontsOnly()
    with pytest.raises(ValueError, match="bundled font"):
        fetcher.fetch("http://example.invalid/x.png")
    with pytest.raises(ValueError, match="bundled font"):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.requested == ["http://example.invalid/x.png", "file:///etc/passwd"]


@pytest.mark.read_only
@pytest.mark.parametrize("role", ["chair", "rapporteur", "participant", "projector"])
def test_only_the_secretariat_prints_cards(client: TestClient, demo: Meeting, role: str) -> None:
    assert_error(client.post(_cards(demo), json={}, headers=demo.auth(role)), 403, "forbidden")


@pytest.mark.read_only
def test_cards_of_another_meeting_do_not_exist(
    client: TestClient, demo: Meeting, other: Meeting
) -> None:
    response = client.post(_cards(other), json={}, headers=demo.auth("secretariat"))
    assert_error(response, 404, "not_found")
    theirs = _me(client, other.tokens["chair"])["id"]
    response = client.post(
        _cards(demo), json={"participant_ids": [theirs]}, headers=demo.auth("secretariat")
    )
    assert_error(response, 404, "not_found")
    assert_error(client.post(_cards(demo), json={}), 401, "unauthenticated")


@pytest.mark.read_only
@pytest.mark.parametrize(
    "body",
    [
        {"participant_ids": []},
        {"participant_ids": [0]},
        {"participant_ids": [2**31]},
        {"participant_ids": list(range(1, 202))},
        {"expires_in_hours": 0},
        {"participant_ids": "all"},
    ],
)
def test_bad_card_requests(client: TestClient, demo: Meeting, body: dict[str, Any]) -> None:
    response = client.post(_cards(demo), json=body, headers=demo.auth("secretariat"))
    assert_error(response, 422, "invalid_input")
