"""Numbers as people type them: case numbers （2026）沪0118民初1号, receipt numbers
KY320509-20261201-0001, mediation numbers （2026）苏0509民诉前调1号. A clerk or a litigant may type the
brackets half-width, the digits full-width, spaces anywhere and Latin letters in either case; the records
keep one canonical form, and every place a number is typed (status page, searches, filters) reads it
through `normalise_number`."""

import unicodedata

# Canonical case numbers use full-width brackets (the courts' own form); everything else is half-width.
_CANONICAL_BRACKETS = str.maketrans({"(": "（", ")": "）", "[": "（", "]": "）", "〔": "（", "〕": "）"})


def normalise_number(text: str) -> str:
    """`(2026) 沪0118民初１号` -> `（2026）沪0118民初1号`; `ky320509-20261201-0001` ->
    `KY320509-20261201-0001`."""
    folded = unicodedata.normalize("NFKC", text or "")  # full-width digits, letters, brackets -> half-width
    folded = "".join(folded.split()).upper()
    return folded.translate(_CANONICAL_BRACKETS)
