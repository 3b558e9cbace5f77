"""``outcomes export`` as a real subprocess, over a SQLite file the app wrote to."""

import subprocess
from pathlib import Path

from fastapi.testclient import TestClient

from app.db import make_engine, session_scope
from app.main import create_app
from app.migrations import upgrade_database
from app.services.demo import create_demo
from tests.exports.readers import read_docx
from tests.routes.conftest import make_settings
from tests.support.server import OUTCOMES, ROOT, server_env


def _run(args: list[str], url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OUTCOMES, *args],
        env=server_env(url, 8766),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_export_writes_the_live_text_and_prints_the_path(
    tmp_path: Path, frontend_dist: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'outcomes.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    with session_scope(engine) as session:
        created = create_demo(session)
    engine.dispose()
    token = next(link.token for link in created.links if link.role == "secretariat")
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(make_settings(url, frontend_dist))) as client:
        doc = client.get(f"/api/documents/{created.document_id}", headers=headers).json()
        first = doc["sections"][0]["id"]
        patched = client.patch(
            f"/api/documents/{created.document_id}/sections/{first}",
            json={"body": "Typed live: الحكومة الرقمية digital government 2024"},
            headers=headers,
        )
        assert patched.status_code == 200, patched.text

    out = tmp_path / "out.md"
    result = _run(
        ["export", str(created.document_id), "--format", "md", "-o", str(out), "--annex"], url
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out.resolve())
    text = out.read_text(encoding="utf-8")
    assert "Typed live: الحكومة الرقمية digital government 2024" in text
    assert "## Annex: provenance of accepted text" in text

    docx = tmp_path / "out.docx"
    result = _run(["export", str(created.document_id), "--format", "docx", "-o", str(docx)], url)
    assert result.returncode == 0, result.stderr
    paragraphs = [p.text for p in read_docx(docx.read_bytes()).paragraphs]
    assert "Typed live: الحكومة الرقمية digital government 2024" in paragraphs

    bad = _run(["export", str(created.document_id), "--format", "odt"], url)
    assert bad.returncode == 2
    assert "docx, pdf, html or md" in bad.stderr
    missing = _run(["export", "999", "--format", "md"], url)
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr
