"""Verification codes printed on every issued document.

16 characters drawn by `secrets` from an alphabet without look-alikes (no 0/O, no 1/I/L): 31**16, about 79
bits, printed in groups of four (7KQM-3XRT-...). Read back case-insensitively, with spaces and dashes
ignored. Only a keyed hash (HMAC-SHA256) is stored: the lookup is an exact match on an indexed column, and
whoever reads the table cannot learn a code to print on a forgery. The key is derived from FIELD_LOOKUP_KEY
(which must never change) with its own label, so a code's hash never equals an ID number's.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 16
_SEPARATORS = str.maketrans("", "", " -\t\r\n\u3000")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def printed(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise(text: str) -> str | None:
    """The code as stored, or None for anything that cannot be one (too long, wrong characters)."""
    if len(text) > 4 * LENGTH:
        return None
    code = text.translate(_SEPARATORS).upper()
    if len(code) != LENGTH or any(character not in ALPHABET for character in code):
        return None
    return code


def _key() -> bytes:
    return hmac.new(settings.FIELD_LOOKUP_KEY.encode(), b"document-verification", hashlib.sha256).digest()


def code_hash(code: str) -> str:
    return hmac.new(_key(), code.encode(), hashlib.sha256).hexdigest()
