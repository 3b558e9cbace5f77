"""Updates with missing dependencies: held back within a bound, then the connection closes.

docs/protocol.md: yrs keeps an update whose changes follow changes it has not seen as
*pending* (not stored, not broadcast) until they arrive. Each connection may have at most
``pending_bytes`` (1 MiB) pending at a time; the update that would pass it is refused and
the connection closed with 4400, logged once at WARNING. Changes that arrive out of order
and are completed later (two tabs of one browser) integrate as usual.
"""

from pathlib import Path
from typing import Any

from pycrdt import Doc, Text

from tests.hardening.conftest import room_of, writer_token
from tests.hardening.wire import alive, fresh_state, fresh_text, wire
from tests.support.server import RunningServer


def _rss_kib(server: RunningServer) -> int:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])


def _changes(doc: Doc[Any], name: str, text: str) -> bytes:
    state = doc.get_state()
    doc.get(name, type=Text).insert(0, text)
    return doc.get_update(state)


async def test_pending_changes_past_the_bound_close_the_connection(server: RunningServer) -> None:
    room = server.demo["room"]
    name = server.demo["sections"][3]["text"]
    token = server.token("secretariat")
    before = await fresh_state(server, room, token)
    baseline = _rss_kib(server)
    offset = len(server.log())
    source: Doc[Any] = Doc()
    _changes(source, name, "never sent ")  # the gap every later change depends on
    async with wire(server, room, token) as hostile:
        await hostile.send_update(_changes(source, name, "held back "))
        await hostile.sync()
        assert hostile.close_code is None  # a little pending state is allowed
        for _ in range(4):  # 4 × 400 kB: past the 1 MiB bound
            try:
                await hostile.send_update(_changes(source, name, "x" * 400_000))
            except Exception:  # closed meanwhile: nothing more was sent
                break
        assert await hostile.closed() == 4400
    alive(server)
    other = room_of(server, "group")
    await fresh_state(server, other, writer_token(server, "group"))  # other rooms still sync
    assert await fresh_state(server, room, token) == before  # nothing applied or stored
    assert "held back" not in await fresh_text(server, room, server.token("chair"), name)
    logged = server.log()[offset:]
    assert len([ln for ln in logged.splitlines() if "missing dependencies" in ln]) == 1, logged
    assert "ERROR" not in logged
    assert token not in logged
    assert _rss_kib(server) - baseline < 60_000  # KiB: the bound, not 1.6 MB × copies


async def test_changes_completed_later_integrate(server: RunningServer) -> None:
    room = server.demo["room"]
    name = server.demo["sections"][3]["text"]
    source: Doc[Any] = Doc()
    first = _changes(source, name, "FIRST ")
    second = _changes(source, name, "SECOND ")
    async with wire(server, room, server.token("secretariat")) as tab:
        await tab.send_update(second)  # arrives before what it follows
        await tab.sync()
        await tab.send_update(first)
        async with wire(server, room, server.token("chair")) as reader:
            await reader.until(lambda: reader.text(name).startswith("SECOND FIRST "))
        assert tab.close_code is None
