"""No silent split: without a backplane, a second instance on the same database refuses to
start with a clear message; a restart after SIGKILL is not refused. And PostgreSQL unreachable
when a room first loads: the client gets 1013 and the stored document stays intact."""

from pathlib import Path

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.scaleout.util import section, stored_seqs
from tests.support.databases import database
from tests.support.redis_server import SHARED_REDIS, delete_prefix, unique_prefix
from tests.support.server import demo_server, start_server
from tests.support.tcpproxy import TcpProxy

REFUSED = "another Outcomes instance already serves this database"


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_a_second_instance_without_a_backplane_refuses_to_start(kind: str, tmp_path: Path) -> None:
    with database(kind, tmp_path) as url, demo_server(url, tmp_path) as first:
        with pytest.raises(RuntimeError, match="server exited early") as refused:
            start_server(url, tmp_path / "second.log")
        assert REFUSED in str(refused.value)
        assert "OUTCOMES_REDIS_URL" in str(refused.value)
        # Joining it with a backplane is refused too: the first one is alone.
        prefix = unique_prefix()
        env = {"OUTCOMES_REDIS_URL": SHARED_REDIS, "OUTCOMES_REDIS_PREFIX": prefix}
        lone = "without a backplane" if kind == "postgresql" else "the database is not PostgreSQL"
        with pytest.raises(RuntimeError, match=lone):
            start_server(url, tmp_path / "third.log", extra_env=env)
        delete_prefix(SHARED_REDIS, prefix)
        # A crash leaves nothing behind that refuses the restart.
        first.kill()
        again = start_server(url, tmp_path / "again.log", port=first.port)
        again.stop()


@pytest.mark.node
async def test_postgres_unreachable_when_a_room_first_loads(tmp_path: Path) -> None:
    with database("postgresql", tmp_path) as direct:
        host, _, rest = direct.rpartition("@")[2].partition(":")
        pg_port = int(rest.split("/", 1)[0])
        proxy = TcpProxy(pg_port)
        proxy.start()
        url = direct.replace(f"{host}:{pg_port}", f"127.0.0.1:{proxy.port}")
        try:
            with demo_server(url, tmp_path) as server:
                target = section(server)
                room = target["room"]
                before = stored_seqs(direct, room)
                proxy.cut()  # the database is gone before anyone opened the room
                client = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
                try:
                    assert await client.close_code() == 1013
                finally:
                    await client.aclose()
                proxy.restore()
                assert stored_seqs(direct, room) == before
                # Once it is back the room loads with exactly what was stored.
                again = await NodeClient.connect(server.ws_url, room, server.token("projector"))
                try:
                    await again.synced()
                    assert await again.text(target["text"]) == target["body"]
                finally:
                    await again.aclose()
        finally:
            proxy.close()
