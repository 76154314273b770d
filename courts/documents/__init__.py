"""Printed documents (文书): a registry each flow adds its kinds to (registry.py), rendering to PDF with
WeasyPrint and the embedded Noto CJK fonts (rendering.py), dates in Chinese numerals (dates.py), every copy
issued with a verification code (services.py, codes.py) that /verify/ and its API confirm (selectors.py,
views.py, api.py). Templates: templates/pdf/."""
