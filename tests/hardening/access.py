"""The expected-access table of every route and room kind (the spec the matrix checks).

Every route of the app (``fastapi.routing.iter_route_contexts`` over ``create_app().routes``)
must have an entry here, and every room kind the document API names: a new endpoint or room
without one fails ``test_every_route_and_room_kind_has_an_entry``. The rules come from
docs/architecture.md ("Who may do what"), docs/security.md and docs/protocol.md ("Who may
read and write").
"""

from dataclasses import dataclass, field
from typing import Any

ROLES = ("secretariat", "chair", "rapporteur", "participant", "projector", "organiser")

EVERYONE = frozenset(ROLES)
# ``organiser``: an organiser who did not create the meeting (the demo's): server-wide
# routes treat it as an organiser, a meeting's routes and rooms as a stranger (404 / 4404).
# The organiser who created a meeting is its secretariat (tests/routes/test_roles.py).
SECRETARIAT = frozenset({"secretariat", "organiser"})
ORGANISER = frozenset({"organiser"})
CHAIR_TOO = frozenset({"secretariat", "organiser", "chair"})
AUTHORS = frozenset({"secretariat", "organiser", "rapporteur"})  # inputs
NOBODY: frozenset[str] = frozenset()
VOTERS = frozenset({"rapporteur", "participant"})  # board voting rounds
WRITERS = frozenset({"secretariat", "organiser", "rapporteur", "participant"})  # board notes


@dataclass(frozen=True)
class Rule:
    """Who may call a route.

    ``scope``: ``meeting`` — the route names a meeting's object, so another meeting's caller
    gets 404 and callers without a valid token 401; ``server`` — signed-in callers of any
    meeting (no 404); ``public`` — no token needed (pages, health, the open link's own
    routes, keyed by their token).
    ``body``: a JSON body that is valid, so a refused role meets the role check (403), not
    body validation (422). ``query``: what the path needs after ``?``.
    """

    allowed: frozenset[str]
    scope: str = "meeting"
    body: Any = None
    query: str = ""
    success: int = 200
    csv: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


PUBLIC = Rule(EVERYONE, scope="public")

CSV = "name,role,group,email,language\nMatrix Delegate,participant,B,,ar\n"

# "METHOD path" as the route table spells it.
ACCESS: dict[str, Rule] = {
    # Framework and static routes.
    "GET /api/openapi.json": PUBLIC,
    "GET /api/docs": PUBLIC,
    "GET /docs/oauth2-redirect": PUBLIC,
    "MOUNT /assets": PUBLIC,
    # Pages: static shells; the data comes from the API with the caller's cookie.
    "GET /": PUBLIC,
    "GET /meetings": PUBLIC,
    "GET /m/{meeting_id}/setup": PUBLIC,
    "GET /d/{document_id}": PUBLIC,
    "GET /d/{document_id}/projector": PUBLIC,
    "GET /d/{document_id}/board": PUBLIC,
    "GET /d/{document_id}/group/{group_code}": PUBLIC,
    "GET /sw.js": PUBLIC,
    "GET /join/{token}": PUBLIC,
    "GET /open/{token}": PUBLIC,
    "WS /yjs/{room}": PUBLIC,  # its matrix is ROOMS below
    # API.
    "GET /api/health": PUBLIC,
    # Timing percentiles only, and only with OUTCOMES_TRACE_PATH (off here: 404 to anyone).
    "GET /api/debug/path": PUBLIC,
    "DELETE /api/debug/path": PUBLIC,
    "GET /api/me": Rule(EVERYONE, scope="server"),
    "GET /api/meetings": Rule(EVERYONE, scope="server"),
    "POST /api/meetings": Rule(
        ORGANISER,
        scope="server",
        body={"title": "Matrix meeting", "date": "2031-01-01", "time_zone": "Asia/Amman"},
        success=201,
    ),
    # Preview reads a file and writes nothing: any secretariat (of any meeting) may.
    "POST /api/meetings/import/preview": Rule(SECRETARIAT, scope="server", body={}),
    "POST /api/meetings/import": Rule(
        ORGANISER,
        scope="server",
        body={"title": "Matrix import", "date": "2031-01-01"},
        query="source=ics",
    ),
    "GET /api/meetings/{meeting_id}": Rule(EVERYONE),
    "PATCH /api/meetings/{meeting_id}": Rule(SECRETARIAT, body={"venue": "Dubai"}),
    "POST /api/meetings/{meeting_id}/copy": Rule(ORGANISER, body={"date": "2031-01-02"}),
    "POST /api/meetings/{meeting_id}/archive": Rule(ORGANISER),
    "POST /api/meetings/{meeting_id}/unarchive": Rule(ORGANISER),
    "GET /api/meetings/{meeting_id}/agenda": Rule(EVERYONE),
    "POST /api/meetings/{meeting_id}/agenda": Rule(
        SECRETARIAT, body={"start": "16:00", "end": "16:10", "title": "Photo", "kind": "break"}
    ),
    "PATCH /api/meetings/{meeting_id}/agenda/{item_id}": Rule(SECRETARIAT, body={"end": "10:30"}),
    "DELETE /api/meetings/{meeting_id}/agenda/{item_id}": Rule(SECRETARIAT),
    "GET /api/meetings/{meeting_id}/groups": Rule(EVERYONE),
    "POST /api/meetings/{meeting_id}/groups": Rule(
        SECRETARIAT, body={"code": "Q", "name": "Matrix group"}
    ),
    "GET /api/meetings/{meeting_id}/groups/{code}": Rule(EVERYONE),
    "PATCH /api/meetings/{meeting_id}/groups/{code}": Rule(
        SECRETARIAT, body={"facilitator": "Dr. Rana"}
    ),
    "DELETE /api/meetings/{meeting_id}/groups/{code}": Rule(SECRETARIAT),
    "GET /api/meetings/{meeting_id}/people": Rule(SECRETARIAT),
    "POST /api/meetings/{meeting_id}/people": Rule(
        SECRETARIAT, body={"name": "Delegate", "role": "participant", "language": "fr"}
    ),
    "POST /api/meetings/{meeting_id}/people/links": Rule(
        SECRETARIAT, body={"person_ids": ["{person_id}"]}
    ),
    "POST /api/meetings/{meeting_id}/people/import": Rule(
        SECRETARIAT, query="preview=true", csv=CSV
    ),
    "PATCH /api/meetings/{meeting_id}/people/{person_id}": Rule(
        SECRETARIAT, body={"name": "Hall screen 2"}
    ),
    "DELETE /api/meetings/{meeting_id}/people/{person_id}": Rule(SECRETARIAT),
    "POST /api/meetings/{meeting_id}/people/{person_id}/links": Rule(SECRETARIAT, body={}),
    "PATCH /api/meetings/{meeting_id}/people/{person_id}/links/{link_id}": Rule(
        SECRETARIAT, body={"expires_at": "2031-01-01T00:00:00Z"}
    ),
    "POST /api/meetings/{meeting_id}/people/{person_id}/links/{link_id}/revoke": Rule(SECRETARIAT),
    "GET /api/meetings/{meeting_id}/links": Rule(SECRETARIAT),
    "POST /api/meetings/{meeting_id}/links": Rule(
        SECRETARIAT, body={"role": "participant", "name": "Delegate"}
    ),
    "POST /api/meetings/{meeting_id}/links/{link_id}/revoke": Rule(SECRETARIAT),
    "GET /api/meetings/{meeting_id}/audit": Rule(CHAIR_TOO),
    "POST /api/meetings/{meeting_id}/cards": Rule(SECRETARIAT, body={}),
    "GET /api/meetings/{meeting_id}/open-link": Rule(SECRETARIAT),
    "POST /api/meetings/{meeting_id}/open-link": Rule(SECRETARIAT),
    "POST /api/meetings/{meeting_id}/open-link/revoke": Rule(SECRETARIAT),
    "PUT /api/meetings/{meeting_id}/open-link/display": Rule(
        SECRETARIAT, body={"url": "{open_url}"}
    ),
    "DELETE /api/meetings/{meeting_id}/open-link/display": Rule(SECRETARIAT),
    "GET /api/meetings/{meeting_id}/open-link/display": Rule(
        frozenset({"secretariat", "organiser", "chair", "projector"})
    ),
    "GET /api/open/{token}": PUBLIC,
    "POST /api/open/{token}/join": Rule(EVERYONE, scope="public", body={"name": "Matrix phone"}),
    "GET /api/meetings/{meeting_id}/events": Rule(EVERYONE),
    "POST /api/meetings/{meeting_id}/inputs": Rule(
        AUTHORS, body={"text": "Matrix input", "group_code": "A"}
    ),
    "GET /api/meetings/{meeting_id}/inputs": Rule(
        frozenset({"secretariat", "organiser", "chair", "rapporteur"})
    ),
    "POST /api/meetings/{meeting_id}/inputs/accept-batch": Rule(
        SECRETARIAT, body={"input_ids": ["{input_id}"], "text": "Consolidated"}
    ),
    "GET /api/inputs/{input_id}": Rule(
        frozenset({"secretariat", "organiser", "chair", "rapporteur"})
    ),
    "PATCH /api/inputs/{input_id}": Rule(
        frozenset({"rapporteur"}), body={"text": "Matrix input, edited"}
    ),
    "POST /api/inputs/{input_id}/withdraw": Rule(frozenset({"rapporteur"}), body={}),
    "POST /api/inputs/{input_id}/review": Rule(
        SECRETARIAT, body={"action": "defer", "reason": "later"}
    ),
    "GET /api/documents/{document_id}": Rule(EVERYONE),
    "GET /api/documents/{document_id}/sections": Rule(EVERYONE),
    "POST /api/documents/{document_id}/sections": Rule(SECRETARIAT, body={"title": "Annex"}),
    "PUT /api/documents/{document_id}/sections/order": Rule(
        SECRETARIAT, body={"section_ids": "{section_order}"}
    ),
    "GET /api/documents/{document_id}/sections/{section_id}": Rule(EVERYONE),
    "PATCH /api/documents/{document_id}/sections/{section_id}": Rule(
        SECRETARIAT, body={"title": "Renamed"}
    ),
    "DELETE /api/documents/{document_id}/sections/{section_id}": Rule(SECRETARIAT),
    "PUT /api/documents/{document_id}/projector": Rule(SECRETARIAT, body={"mode": "document"}),
    "POST /api/documents/{document_id}/sections/{section_id}/status": Rule(
        CHAIR_TOO, body={"status": "agreed"}
    ),
    "POST /api/documents/{document_id}/adopt": Rule(CHAIR_TOO, body={}),
    "POST /api/documents/{document_id}/reopen": Rule(SECRETARIAT, body={"reason": "typo"}),
    "GET /api/documents/{document_id}/sections/{section_id}/revisions": Rule(EVERYONE),
    "GET /api/documents/{document_id}/sections/{section_id}/revisions/{number}": Rule(EVERYONE),
    "GET /api/documents/{document_id}/sections/{section_id}/diff": Rule(
        EVERYONE, query="from={number}"
    ),
    "POST /api/documents/{document_id}/sections/{section_id}/revisions/{number}/restore": Rule(
        SECRETARIAT, body={}
    ),
    "GET /api/documents/{document_id}/sections/{section_id}/timeline": Rule(EVERYONE),
    "GET /api/documents/{document_id}/sections/{section_id}/authors": Rule(EVERYONE),
    "POST /api/documents/{document_id}/checkpoints": Rule(SECRETARIAT, body={"name": "Matrix"}),
    "GET /api/documents/{document_id}/checkpoints": Rule(EVERYONE),
    "GET /api/documents/{document_id}/compare": Rule(EVERYONE, query="from=live"),
    "GET /api/documents/{document_id}/provenance": Rule(EVERYONE),
    "GET /api/documents/{document_id}/sections/{section_id}/provenance": Rule(EVERYONE),
    "GET /api/documents/{document_id}/board": Rule(EVERYONE),
    "POST /api/documents/{document_id}/board/notes/{note_id}/promote": Rule(
        SECRETARIAT, body={"section_id": "{section_id}"}
    ),
    "POST /api/documents/{document_id}/board/notes/{note_id}/inbox": Rule(
        SECRETARIAT, body={"section_id": "{section_id}"}, success=201
    ),
    "GET /api/documents/{document_id}/board/columns": Rule(EVERYONE),
    "POST /api/documents/{document_id}/board/columns": Rule(
        SECRETARIAT, body={"title": "Matrix"}, success=201
    ),
    "PATCH /api/documents/{document_id}/board/columns/{column_id}": Rule(
        SECRETARIAT, body={"title": "Matrix"}
    ),
    "DELETE /api/documents/{document_id}/board/columns/{column_id}": Rule(SECRETARIAT),
    "POST /api/documents/{document_id}/board/rounds": Rule(
        SECRETARIAT, body={"duration_seconds": 60}, success=201
    ),
    "GET /api/documents/{document_id}/board/rounds/latest": Rule(EVERYONE),
    "GET /api/documents/{document_id}/board/rounds/{round_id}": Rule(EVERYONE),
    "POST /api/documents/{document_id}/board/rounds/{round_id}/close": Rule(SECRETARIAT),
    "POST /api/documents/{document_id}/board/rounds/{round_id}/votes": Rule(
        VOTERS, body={"note_id": "{note_id}"}, success=201
    ),
    "POST /api/documents/{document_id}/board/notes": Rule(
        WRITERS, body={"text": "Matrix"}, success=201
    ),
    "POST /api/documents/{document_id}/board/notes/{note_id}/hide": Rule(SECRETARIAT),
    "POST /api/documents/{document_id}/board/notes/{note_id}/merge": Rule(
        SECRETARIAT, body={"note_ids": ["matrix-note-2"]}
    ),
    "GET /api/documents/{document_id}/board/suggestions": Rule(SECRETARIAT),
    "GET /api/documents/{document_id}/export": Rule(EVERYONE, query="format=md"),
}

# Room kind -> role -> "write" | "read" | 4403 (docs/protocol.md, "Who may read and write").
# The rapporteur is group A's; ``group-other`` is group B's room.
ROOMS: dict[str, dict[str, str | int]] = {
    "doc": {
        "secretariat": "write",
        "organiser": 4404,
        "chair": "read",
        "rapporteur": "read",
        "participant": "read",
        "projector": "read",
    },
    "group": {
        "secretariat": "read",
        "organiser": 4404,
        "chair": "read",
        "rapporteur": "write",
        "participant": 4403,
        "projector": 4403,
    },
    "group-other": {
        "secretariat": "read",
        "organiser": 4404,
        "chair": "read",
        "rapporteur": 4403,
        "participant": 4403,
        "projector": 4403,
    },
    "board": {
        "secretariat": "write",
        "organiser": 4404,
        "chair": "read",
        "rapporteur": "write",
        "participant": "write",
        "projector": "read",
    },
}
