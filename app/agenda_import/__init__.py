"""Agenda import: an iCalendar file or an Indico timetable export becomes a draft meeting.

``preview(data, format)`` reads the file (``ics.py``, ``indico.py``), guesses each item's kind
(``kinds.py``) and makes the outcome document's skeleton (``skeleton.py``). Nothing is written:
the caller edits the preview's draft and creates the meeting with ``services.setup``.
"""

from app.agenda_import.preview import AgendaPreview, BadImportFile, ImportFormat, Unmapped
from app.agenda_import.skeleton import build_preview
from app.models.setup import GroupDraft

__all__ = ["AgendaPreview", "BadImportFile", "ImportFormat", "Unmapped", "preview"]


def preview(
    data: bytes,
    format: ImportFormat,
    *,
    time_zone: str | None = None,
    title: str | None = None,
    groups: list[GroupDraft] | None = None,
) -> AgendaPreview:
    """The draft meeting made from a file; ``time_zone`` overrides the file's zone."""
    # Imported here: icalendar takes a tenth of a second to import, and most commands and
    # requests never read a calendar.
    from app.agenda_import.ics import parse_ics
    from app.agenda_import.indico import parse_indico

    parse = parse_ics if format is ImportFormat.ICS else parse_indico
    return build_preview(parse(data, time_zone), title=title, groups=groups)
