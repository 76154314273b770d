"""HTML templates to PDF with WeasyPrint. The Noto CJK fonts (Debian's fonts-noto-cjk) are found through
fontconfig and embedded as subsets, so a court's printer or a litigant's viewer shows the same glyphs
(reportlab's built-in STSong is not embedded: STACK-NOTES.md)."""

import logging
from functools import cache

import segno
from django.conf import settings
from django.template.loader import render_to_string

# WeasyPrint logs each of its seven steps at INFO for every document: noise in the server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@cache
def _fonts():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@cache
def _fetcher():
    """Only inline images (the QR code, data: URIs) are fetched: nothing in a document reaches the network
    or the disk, whatever text a record holds."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), allow_redirects=False)


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_fetcher())
    return document.write_pdf(font_config=_fonts())


def qr_data_uri(url: str) -> str:
    """A QR code of `url` as an inline SVG (a data: URI), black on white, for an <img> in the template."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#000", light="#fff")
