"""frontend/src/sync/rekey.ts carries what a page typed under a refused client id over to a fresh
doc made from the server's state, and no one's text disappears (issue 16, "Client identity").

The module is TypeScript: tests/node/rekey_units.mjs is bundled with the frontend's rolldown
(the same yjs the pages ship, one copy) and run under Node; it says which case broke.
"""

import shutil
import subprocess
from pathlib import Path

from tests.support.server import ROOT

SCRIPT = ROOT / "tests" / "node" / "rekey_units.mjs"
FRONTEND = ROOT / "frontend"


def test_refused_edits_are_carried_over_unit_by_unit(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "node is required for this test"
    rolldown = FRONTEND / "node_modules" / ".bin" / "rolldown"
    assert rolldown.exists(), "frontend/node_modules is missing: `make frontend` installs it"
    bundle = tmp_path / "rekey_units.mjs"
    built = subprocess.run(
        [str(rolldown), str(SCRIPT), "--platform", "node", "--format", "esm", "-o", str(bundle)],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert built.returncode == 0, built.stderr
    result = subprocess.run([node, str(bundle)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
