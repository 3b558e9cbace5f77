"""The one check of REST writes that change an adopted document's content (409 ``adopted``).

Section create, rename, reorder, status and body, input accept and batch accept, board
promote and revision restore call :func:`refuse_if_adopted` before they change anything;
adopting and reopening are in ``app/services/adoption.py``.
"""

from sqlmodel import Session

from app.errors import Conflict
from app.models.document import Document


def refuse_if_adopted(document: Document) -> None:
    """409 ``adopted`` while the document is adopted (the secretariat may reopen it)."""
    if document.adopted_at is not None:
        raise Conflict(
            "The document is adopted and read-only; the secretariat may reopen it.",
            code="adopted",
        )


def refuse_if_document_adopted(session: Session, document_id: int) -> None:
    """:func:`refuse_if_adopted` for a document given by its id."""
    document = session.get(Document, document_id)
    if document is not None:
        refuse_if_adopted(document)
