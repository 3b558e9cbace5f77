"""The library internals the pages rely on are still there, in the versions the frontend pins.

frontend/src/sync/room.ts replaces y-websocket's sync and auth message handlers and walks the
Y.Doc's struct store; tests/node/pinned_internals.js checks each assumption against the copies
in frontend/node_modules (what the bundle ships) and says which one broke.
"""

import shutil
import subprocess

from tests.support.server import ROOT

SCRIPT = ROOT / "tests" / "node" / "pinned_internals.js"


def test_yjs_and_y_websocket_internals_used_by_the_pages_are_unchanged() -> None:
    node = shutil.which("node")
    assert node is not None, "node is required for this test"
    assert (ROOT / "frontend" / "node_modules" / "y-websocket").is_dir(), (
        "frontend/node_modules is missing: `make frontend` installs it"
    )
    result = subprocess.run(
        [node, str(SCRIPT)], cwd=SCRIPT.parent, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
