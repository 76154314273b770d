"""Scans as staff meet them in a list: a thumbnail of an image, the page count of a PDF, the size; the
SHA-256 kept and shown only when asked for (issue 14, item 14)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from cases.services.filings import filing_attach
from courts.uploads import check_scan
from tests.cases.test_filing_api import PNG

pytestmark = pytest.mark.django_db


def pdf_of(pages: int) -> bytes:
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdfs_pages_are_counted_and_an_unreadable_one_is_still_accepted():
    assert check_scan(SimpleUploadedFile("起诉状.pdf", pdf_of(3))).page_count == 3
    broken = check_scan(SimpleUploadedFile("坏.pdf", b"%PDF-1.4 not really a pdf"))
    assert broken.content_type == "application/pdf" and broken.page_count is None
    assert check_scan(SimpleUploadedFile("照片.png", PNG)).page_count is None


def test_the_filing_page_shows_a_thumbnail_or_the_pages_and_folds_the_checksum_away(
    client, settings, tmp_path, received, qingpu_clerk
):
    settings.MEDIA_ROOT = str(tmp_path)
    pdf = filing_attach(
        filing_id=received.pk, actor=qingpu_clerk, upload=SimpleUploadedFile("证据.pdf", pdf_of(12))
    )
    png = filing_attach(
        filing_id=received.pk, actor=qingpu_clerk, upload=SimpleUploadedFile("身份证.png", PNG)
    )
    client.force_login(qingpu_clerk)
    page = client.get(f"/filings/{received.pk}/").content.decode()
    pdf_row = page.split(f'data-testid="scan-{pdf.pk}"')[1].split('data-testid="scan-')[0]
    png_row = page.split(f'data-testid="scan-{png.pk}"')[1].split("</li>")[0]
    assert "12" in pdf_row and "页" in pdf_row and "<img" not in pdf_row
    assert f'<img src="{png.download_url}"' in png_row
    assert client.get(png.download_url).status_code == 200  # the thumbnail comes through the checked view
    # The checksum is there, folded inside a disclosure, not in the line itself.
    line, folded = pdf_row.split("<details", 1)
    assert pdf.sha256 not in line and pdf.sha256 in folded
