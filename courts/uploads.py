"""Uploaded scans: PDF, JPEG or PNG only, recognised by their content (not their name), at most
UPLOAD_MAX_BYTES, stored with a SHA-256 checksum."""

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int
    sha256: str
    page_count: int | None = None  # a PDF's pages, for the clerk's list; None where it cannot be read


def pdf_page_count(upload) -> int | None:
    """How many pages a PDF has (pypdf, lenient): shown beside a scan instead of a thumbnail. A PDF it
    cannot read is still accepted (the content check above is what refuses files), just without a count."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    upload.seek(0)
    try:
        return len(PdfReader(upload, strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        return None
    finally:
        upload.seek(0)


def check_scan(upload) -> CheckedUpload:
    """Raise ValidationError unless the file is a PDF, JPEG or PNG within the size limit."""
    size = upload.size
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.")
            % {"limit": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    content_type = next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)
    if content_type is None:
        raise ValidationError(_("Only PDF, JPEG and PNG files are accepted."), code="file_type")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    pages = pdf_page_count(upload) if content_type == "application/pdf" else None
    return CheckedUpload(content_type=content_type, size=size, sha256=digest.hexdigest(), page_count=pages)


def checked_scan(upload, field: str = "file") -> CheckedUpload:
    """`check_scan`, with its refusal naming the form or API field."""
    try:
        return check_scan(upload)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


@contextmanager
def stored_file(field_file, upload):
    """Write the upload to storage now; remove it again if the block (the recording transaction) fails."""
    field_file.save(upload.name or "scan", upload, save=False)
    try:
        yield field_file
    except BaseException:
        field_file.delete(save=False)
        raise
