"""Verifying a printed document by its code: the kind, the number, the court and the date, nothing else."""

from courts.documents import codes
from courts.models import IssuedDocument


def document_verify(text: str) -> IssuedDocument | None:
    """The issued copy whose code this is, or None: unknown, mistyped, altered, malformed or over-long codes
    all come back the same None (a hash lookup runs for every well-formed one)."""
    code = codes.normalise(text)
    if code is None:
        return None
    return IssuedDocument.objects.select_related("court").filter(code_hash=codes.code_hash(code)).first()
