"""Reading printed documents back in tests: their text (pypdf, as `pdftotext` would give it), their fonts
(each must be embedded: a font file in its descriptor, what `pdffonts` shows in its `emb` column), and the
verification code at their foot."""

import io
import re
import shutil
import subprocess

from pypdf import PdfReader

CODE = re.compile(r"核验码\s*([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})")


def pdf_text(pdf: bytes) -> str:
    """The text, joined without the spaces letter-spaced titles get (民 事 裁 定 书 → 民事裁定书)."""
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"(?<=[\u3000-\u9fff（）])[ \t]+(?=[\u3000-\u9fff（）])", "", text)


def fonts(pdf: bytes) -> dict[str, bool]:
    """Each font of the document by name, and whether its glyphs are embedded."""
    reader = PdfReader(io.BytesIO(pdf))
    found: dict[str, bool] = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            targets = [d.get_object() for d in descendants] if descendants else [font]
            for target in targets:
                descriptor = (
                    (target.get("/FontDescriptor") or {}).get_object()
                    if target.get("/FontDescriptor")
                    else {}
                )
                embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                found[str(target.get("/BaseFont"))] = embedded
    return found


def pdffonts(pdf: bytes, tmp_path) -> str | None:
    """poppler's own listing, when poppler-utils is installed (the test profile installs it)."""
    if shutil.which("pdffonts") is None:
        return None
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def verification_code(pdf: bytes) -> str:
    match = CODE.search(pdf_text(pdf).replace(" ", "").replace("核验码", "核验码 "))
    assert match, "no verification code printed"
    return match[1]


def print_document(resource: str, record, kind: str, user):
    """Issue one copy through the service, as the API does (a scene's or a fixture's printed document)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from courts.documents import registry
    from courts.documents.services import document_issue

    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    document_kind = registry.resource(resource).kinds[kind]
    return document_issue(kind=document_kind, record=record, printing=registry.Printing(request, user))
