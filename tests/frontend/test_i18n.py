"""The interface-language checks over the frontend (frontend/scripts/i18n-check.mjs): the three
catalogues have the same keys and placeholders, and no user-visible English is left in the
TypeScript. Each check is also shown to fail on a planted mistake, so a silent checker cannot
pass for a clean source."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.server import ROOT

FRONTEND = ROOT / "frontend"
SCRIPT = FRONTEND / "scripts" / "i18n-check.mjs"
CATALOGUES = FRONTEND / "src" / "i18n"


def check(*args: str) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node is not None, "node is required for this test"
    assert (FRONTEND / "node_modules" / "typescript").is_dir(), (
        "frontend/node_modules is missing: `make frontend` installs it"
    )
    return subprocess.run(
        [node, str(SCRIPT), *args], cwd=FRONTEND, capture_output=True, text=True, timeout=120
    )


def catalogues(tmp_path: Path) -> dict[str, dict[str, str]]:
    """Copies of the real catalogues in tmp_path/i18n, to plant mistakes in."""
    shutil.copytree(CATALOGUES, tmp_path / "i18n")
    return {
        lang: json.loads((tmp_path / "i18n" / f"{lang}.json").read_text())
        for lang in ("en", "fr", "ar")
    }


def write(tmp_path: Path, lang: str, catalogue: dict[str, str]) -> None:
    text = json.dumps(catalogue, ensure_ascii=False)
    (tmp_path / "i18n" / f"{lang}.json").write_text(text, encoding="utf-8")


def test_the_catalogues_agree_and_no_english_is_left_in_the_pages() -> None:
    result = check()
    assert result.returncode == 0, result.stderr
    assert "no English left in the pages" in result.stdout


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_key_missing_from_a_catalogue_fails(tmp_path: Path, lang: str) -> None:
    found = catalogues(tmp_path)
    del found[lang]["inbox.title"]
    write(tmp_path, lang, found[lang])
    result = check("--catalogues", str(tmp_path / "i18n"))
    assert result.returncode == 1
    assert f'{lang}.json: missing key "inbox.title"' in result.stderr


def test_an_extra_key_fails(tmp_path: Path) -> None:
    found = catalogues(tmp_path)
    found["ar"]["inbox.extra"] = "زائد"
    write(tmp_path, "ar", found["ar"])
    result = check("--catalogues", str(tmp_path / "i18n"))
    assert result.returncode == 1
    assert 'ar.json: extra key "inbox.extra"' in result.stderr


def test_placeholders_that_differ_between_languages_fail(tmp_path: Path) -> None:
    found = catalogues(tmp_path)
    found["fr"]["board.promoted"] = "Note ajoutée à « {titre} »."
    write(tmp_path, "fr", found["fr"])
    result = check("--catalogues", str(tmp_path / "i18n"))
    assert result.returncode == 1
    assert 'fr.json: "board.promoted" has placeholders {titre}, en.json has {title}' in (
        result.stderr
    )


def test_a_plural_without_an_other_form_fails(tmp_path: Path) -> None:
    found = catalogues(tmp_path)
    found["ar"]["board.count"] = "{count, plural, one {ملاحظة واحدة} two {ملاحظتان}}"
    write(tmp_path, "ar", found["ar"])
    result = check("--catalogues", str(tmp_path / "i18n"))
    assert result.returncode == 1
    assert 'ar.json: "board.count" is not an ICU message (MISSING_OTHER_CLAUSE)' in result.stderr


ENGLISH_LEFT = """
import { h } from "../dom";
const LABEL: Record<string, string> = { draft: "Draft" };
export function view(el: HTMLElement, name: string, notify: (t: string) => void): void {
  el.textContent = "Nothing recorded yet.";
  el.title = `Added by ${name}`;
  el.setAttribute("aria-label", "Move up");
  el.append(h("button", { class: "button save", text: "Save" }));
  notify("Sent to the secretariat.");
  window.confirm("Delete it?");
  button("Print cards", "people-print");
  const detail = `The server answered ${name}.`;
  el.querySelector(".status-label")?.classList.add("is-new");
}
"""


def test_english_left_in_the_typescript_fails(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "view.ts").write_text(ENGLISH_LEFT, encoding="utf-8")
    result = check("--src", str(tmp_path / "src"))
    assert result.returncode == 1
    flagged = [line for line in result.stderr.splitlines() if "English outside" in line]
    for text in (
        '"Draft"',
        '"Nothing recorded yet."',
        '"Added by  "',
        '"Move up"',
        '"Save"',
        '"Sent to the secretariat."',
        '"Delete it?"',
        '"Print cards"',
        '"The server answered  ."',
    ):
        assert any(line.endswith(text) for line in flagged), (text, flagged)
    # Class names and selectors are code, not text.
    assert len(flagged) == 9, flagged
