"""The standalone HTML writer: one file, print-ready CSS, no external resource at all.

Every user string goes through :func:`html.escape`; links are only the safe ones the content
model made (http(s), mailto). Each block carries its own ``dir`` (and ``lang="ar"`` when it
reads right to left), so mixed paragraphs read as they do in the editor. The PDF writer adds
its ``@font-face`` rules through ``extra_css``.
"""

from html import escape

from app.exports.content import (
    AnnexRow,
    Block,
    Direction,
    ExportContent,
    Run,
    direction_of,
    long_date,
    utc_time,
)

# The browser must not fetch anything for this file, whatever a text says.
_CSP = "default-src 'none'; style-src 'unsafe-inline'"

STYLE = """
@page { size: A4; margin: 22mm 20mm 24mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; color: #555; } }
html { font-family: "Noto Sans", "Noto Naskh Arabic", sans-serif; font-size: 11pt;
  line-height: 1.45; color: #111; }
body { max-width: 46em; margin: 2em auto; padding: 0 1em; }
[lang="ar"] { font-family: "Noto Naskh Arabic", "Noto Sans", serif; font-size: 1.08em; }
header.title-block { border-block-end: 2px solid #1f4e9a; margin-block-end: 1.5em;
  padding-block-end: .8em; }
header.title-block h1 { font-size: 20pt; margin: 0 0 .3em; }
header.title-block p { margin: .15em 0; }
.meeting { font-size: 13pt; }
.status { font-weight: bold; }
h2 { font-size: 15pt; margin-block: 1.4em .4em; color: #1f4e9a; break-after: avoid; }
h3, h4, h5, h6 { font-size: 12pt; margin-block: 1em .3em; break-after: avoid; }
p, li { text-align: start; orphans: 2; widows: 2; overflow-wrap: anywhere; }
ul, ol { padding-inline-start: 1.6em; }
a { color: #1f4e9a; }
section.annex { break-before: page; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border: 1px solid #999; padding: .3em .4em; vertical-align: top; text-align: start;
  overflow-wrap: anywhere; }
th { background: #eef2f8; }
th:nth-child(1) { width: 22%; } th:nth-child(5) { width: 38%; }
@media print { body { margin: 0; max-width: none; padding: 0; } a { color: inherit; } }
"""


def _attrs(direction: Direction) -> str:
    return ' dir="rtl" lang="ar"' if direction == "rtl" else ' dir="ltr"'


def _runs(runs: tuple[Run, ...]) -> str:
    out = []
    for run in runs:
        text = escape(run.text, quote=False)
        if run.bold:
            text = f"<strong>{text}</strong>"
        if run.italic:
            text = f"<em>{text}</em>"
        if run.href:
            text = f'<a href="{escape(run.href)}" rel="noopener noreferrer">{text}</a>'
        out.append(text)
    return "".join(out)


def _text(tag: str, text: str, css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return f"<{tag}{klass}{_attrs(direction_of(text))}>{escape(text, quote=False)}</{tag}>"


def _blocks(blocks: tuple[Block, ...]) -> list[str]:
    out: list[str] = []
    open_list: str | None = None
    for block in blocks:
        tag = {"bullet": "ul", "number": "ol"}.get(block.kind)
        if open_list and tag != open_list:
            out.append(f"</{open_list}>")
            open_list = None
        if tag and not open_list:
            out.append(f'<{tag} dir="{block.direction}">')
            open_list = tag
        if tag:
            out.append(f"<li{_attrs(block.direction)}>{_runs(block.runs)}</li>")
        elif block.kind == "heading":
            level = min(block.level + 2, 6)
            out.append(f"<h{level}{_attrs(block.direction)}>{_runs(block.runs)}</h{level}>")
        else:
            out.append(f"<p{_attrs(block.direction)}>{_runs(block.runs)}</p>")
    if open_list:
        out.append(f"</{open_list}>")
    return out


def _annex_row(row: AnnexRow) -> str:
    cells = (
        f"{row.group} — {row.author} ({row.reference})",
        utc_time(row.submitted_at),
        f"{utc_time(row.accepted_at)} by {row.accepted_by}",
        row.section,
        row.paragraph,
    )
    return "<tr>" + "".join(_text("td", c) for c in cells) + "</tr>"


def _annex(rows: tuple[AnnexRow, ...]) -> list[str]:
    out = ['<section class="annex">', "<h2>Annex: provenance of accepted text</h2>"]
    if not rows:
        out.append("<p>No input was accepted and no board note was promoted.</p>")
    else:
        head = ("Source", "Submitted", "Accepted", "Section", "Paragraph")
        out.append("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>")
        out.append("<tbody>" + "".join(_annex_row(r) for r in rows) + "</tbody></table>")
    out.append("</section>")
    return out


def render_html(content: ExportContent, extra_css: str = "") -> str:
    """The document as one standalone HTML page."""
    when = " · ".join(x for x in (long_date(content.meeting_date), content.venue) if x)
    parts = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(content.title, quote=False)}</title>",
        f"<style>{extra_css}{STYLE}</style>",
        "</head>",
        "<body>",
        '<header class="title-block">',
        _text("h1", content.title),
        _text("p", content.meeting_title, "meeting"),
        _text("p", when, "when"),
        _text("p", content.status, "status"),
    ]
    if content.version:
        parts.append(_text("p", content.version, "version"))
    parts += ["</header>", "<main>"]
    for section in content.sections:
        parts.append("<section>")
        parts.append(_text("h2", section.title))
        parts.extend(_blocks(section.blocks))
        parts.append("</section>")
    parts.append("</main>")
    if content.annex is not None:
        parts.extend(_annex(content.annex))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
