"""Issuing a document: every PDF printed is an issued copy with a fresh verification code and a row saying
what was printed, by whom, from which record (courts.models.IssuedDocument)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from courts.documents import codes
from courts.documents.dates import chinese_date
from courts.documents.registry import DocumentKind, Printing
from courts.documents.rendering import render_pdf
from courts.models import IssuedDocument


@dataclass(frozen=True)
class Issued:
    document: IssuedDocument
    code: str  # in clear: printed on this copy, never stored
    pdf: bytes


def document_issue(*, kind: DocumentKind, record, printing: Printing) -> Issued:
    """Render `kind` of `record` with a new verification code, then record the copy. The row is written after
    the PDF is made (no transaction held open while it renders); a code drawn twice (79 bits: never in
    practice) is drawn again rather than failing the print."""
    court = kind.court(record)
    number = kind.number(record)
    dated = kind.dated(record)
    for _attempt in range(3):
        code = codes.new_code()
        context = {
            **kind.context(record, printing),
            "kind": kind,
            "title": kind.title,
            "issuing_court": court,
            "number": number,
            "date_cn": chinese_date(dated),
            "verification_code": codes.printed(code),
            "verify_url": printing.absolute("/verify/"),
        }
        pdf = render_pdf(kind.template, context)
        try:
            with transaction.atomic():
                document = IssuedDocument.objects.create(
                    kind=kind.name,
                    number=number,
                    court=court,
                    dated=dated,
                    subject_type=record._meta.label_lower,
                    subject_id=record.pk,
                    code_hash=codes.code_hash(code),
                    issued_by=printing.user if getattr(printing.user, "pk", None) else None,
                    issued_at=timezone.now(),
                )
        except IntegrityError:
            continue
        if kind.issued is not None:
            kind.issued(record, printing)
        return Issued(document, code, pdf)
    raise RuntimeError("no fresh verification code after three draws")
