"""The Markdown export, and the one escaping rule for bodies in Markdown.

Bodies keep the Markdown the editor writes (headings, lists, bold, italic, safe links), but a
reader that renders HTML must show raw HTML as text. The editor gives backslashes no
meaning, so each is doubled first (a backslash typed before ``<`` cannot undo the escaping
below); then an ``&`` that would start an entity is escaped, every ``<`` becomes ``&lt;``,
and a link with another scheme than http(s)/mailto gets its ``[`` escaped so it stays text.
Titles are plain text and escaped whole.
"""

import re

from app.exports.content import AnnexRow, ExportContent, long_date, safe_href, utc_time

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def escape_text(text: str) -> str:
    """Plain text (a title, a table cell) that Markdown must not read as markup."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|&" else ch for ch in text)


def _unsafe_link(match: re.Match[str]) -> str:
    return match.group() if safe_href(match.group(2)) else "\\" + match.group()


def safe_body(body: str) -> str:
    """``body`` with raw HTML and unsafe links neutralised, its Markdown markup kept."""
    body = body.replace("\\", "\\\\")
    body = _ENTITY.sub("\\\\&", body)
    body = body.replace("<", "&lt;")
    return _LINK.sub(_unsafe_link, body)


def _annex_line(row: AnnexRow) -> str:
    cells = (
        f"{row.group} — {row.author} ({row.reference})",
        utc_time(row.submitted_at),
        f"{utc_time(row.accepted_at)} by {row.accepted_by}",
        row.section,
        row.paragraph.replace("\n", " "),
    )
    return "| " + " | ".join(escape_text(c) for c in cells) + " |"


def render_markdown(content: ExportContent) -> str:
    """The document as Markdown: title block, a ``##`` heading per section, the annex."""
    when = " · ".join(x for x in (long_date(content.meeting_date), content.venue) if x)
    lines = [f"# {escape_text(content.title)}", "", escape_text(content.meeting_title), ""]
    lines += [escape_text(when), "", f"**{escape_text(content.status)}**", ""]
    if content.version:
        lines += [f"*{escape_text(content.version)}*", ""]
    for section in content.sections:
        lines += [f"## {escape_text(section.title)}", ""]
        if section.source:
            lines += [safe_body(section.source), ""]
    if content.annex is not None:
        lines += ["## Annex: provenance of accepted text", ""]
        if not content.annex:
            lines += ["No input was accepted and no board note was promoted.", ""]
        else:
            lines += ["| Source | Submitted | Accepted | Section | Paragraph |"]
            lines += ["| --- | --- | --- | --- | --- |"]
            lines += [_annex_line(row) for row in content.annex]
    return "\n".join(lines).rstrip() + "\n"
