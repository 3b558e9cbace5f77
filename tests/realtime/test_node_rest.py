"""REST and realtime agree: REST writes land in stock Yjs clients and REST reads live text."""

from typing import Any

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer, api

pytestmark = pytest.mark.node


def utf16_len(text: str) -> int:
    """Yjs counts UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _sections(server: RunningServer) -> list[dict[str, Any]]:
    with api(server, "secretariat") as client:
        document = client.get(f"/api/documents/{server.demo['document_id']}").json()
    return list(document["sections"])


def _patch(server: RunningServer, section_id: int, **body: Any) -> dict[str, Any]:
    path = f"/api/documents/{server.demo['document_id']}/sections/{section_id}"
    with api(server, "secretariat") as client:
        response = client.patch(path, json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_rest_patch_with_arabic_and_emoji_lands_in_a_yjs_client(
    shared_server: RunningServer,
) -> None:
    server = shared_server
    section = _sections(server)[2]
    name = section["text"]
    client = await NodeClient.connect(server.ws_url, section["room"], server.token("secretariat"))
    try:
        await client.synced()
        text = "مرحبا بالعالم 👋🏽 — نص عربي 😀 and English"
        _patch(server, section["id"], body=text)
        await client.wait_text(name, text)
        # The client edits right after the skin-toned emoji, at a UTF-16 index.
        cut = text.index("👋🏽") + len("👋🏽")
        await client.call("insert", name=name, index=utf16_len(text[:cut]), text="X")
        edited = text[:cut] + "X" + text[cut:]
        await client.wait_text(name, edited)
        rest = next(s for s in _sections(server) if s["id"] == section["id"])
        assert rest["body"] == edited

        # A PATCH is a minimal edit: an offline client's concurrent deletion still applies.
        await client.call("disconnect")
        await client.event(lambda e: e.get("event") == "status" and e["status"] == "disconnected")
        tail = " and English"
        await client.call(
            "delete", name=name, index=utf16_len(edited) - len(tail), length=len(tail)
        )
        patched = edited.replace("مرحبا", "أهلا وسهلا")
        _patch(server, section["id"], body=patched)
        await client.call("reconnect")
        merged = patched.removesuffix(tail)
        await client.wait_text(name, merged)
        rest = next(s for s in _sections(server) if s["id"] == section["id"])
        assert rest["body"] == merged
    finally:
        await client.aclose()


async def test_rest_structure_changes_reach_the_sections_map(shared_server: RunningServer) -> None:
    server = shared_server
    doc_id = server.demo["document_id"]
    client = await NodeClient.connect(server.ws_url, f"doc-{doc_id}", server.token("projector"))
    try:
        await client.synced()
        with api(server, "secretariat") as rest:
            created = rest.post(
                f"/api/documents/{doc_id}/sections",
                json={"title": "Annex ✓", "body": "Seeded — نص 😀", "kind": "other"},
            ).json()
        key = str(created["id"])
        entry = await client.call("wait_map_key", name="sections", key=key)
        assert entry["value"]["title"] == "Annex ✓"
        await client.wait_text(created["text"], "Seeded — نص 😀")

        _patch(server, created["id"], title="Annex A")
        await client.call("wait_map_key", name="sections", key=key, field="title", equals="Annex A")
        with api(server, "secretariat") as rest:
            status = rest.post(
                f"/api/documents/{doc_id}/sections/{created['id']}/status",
                json={"status": "agreed"},
            )
            assert status.status_code == 200
            await client.call(
                "wait_map_key", name="sections", key=key, field="status", equals="agreed"
            )
            order = [s["id"] for s in _sections(server)]
            moved = [order[-1], *order[:-1]]
            assert rest.put(f"/api/documents/{doc_id}/sections/order", json={"section_ids": moved})
            await client.call("wait_map_key", name="sections", key=key, field="position", equals=0)
            restored = rest.put(
                f"/api/documents/{doc_id}/sections/order", json={"section_ids": order}
            )
            assert restored.status_code == 200
        entry = await client.call(
            "wait_map_key", name="sections", key=key, field="position", equals=len(order) - 1
        )
        assert entry["value"]["version"] >= 3
    finally:
        await client.aclose()


async def test_projector_settings_reach_a_yjs_client_and_are_server_owned(
    shared_server: RunningServer,
) -> None:
    server = shared_server
    doc_id = server.demo["document_id"]
    watcher = await NodeClient.connect(server.ws_url, f"doc-{doc_id}", server.token("projector"))
    writer = await NodeClient.connect(server.ws_url, f"doc-{doc_id}", server.token("secretariat"))
    try:
        await watcher.synced()
        await writer.synced()
        with api(server, "secretariat") as rest:
            put = rest.put(
                f"/api/documents/{doc_id}/projector", json={"mode": "current", "size": 3}
            )
            assert put.status_code == 200, put.text
        await watcher.call("wait_map_key", name="projector", key="mode", equals="current")
        await watcher.call("wait_map_key", name="projector", key="size", equals=3)
        # Not even the secretariat writes it over the wire.
        await writer.call("set_map", name="projector", key="size", value=0)
        denied = await writer.event(lambda e: e.get("event") == "permission-denied")
        assert "server-owned" in denied["reason"]
        with api(server, "secretariat") as rest:
            reset = rest.put(f"/api/documents/{doc_id}/projector", json={})
            assert reset.status_code == 200, reset.text
        await watcher.call("wait_map_key", name="projector", key="size", equals=0)
    finally:
        await watcher.aclose()
        await writer.aclose()
