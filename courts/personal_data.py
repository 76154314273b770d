"""ID numbers and phones: encrypted at rest, hashed for lookup, masked for display (PIPL 13, 33-35).

- `seal(value)` returns the three stored forms: Fernet ciphertext, an HMAC for exact-match lookup, and the
  masked form shown everywhere (3205**********1234, 138****5678).
- `unseal(ciphertext)` is for the few roles that need the real value; callers log each such access with
  `personal_data_access_log`.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

from courts.models import PersonalDataAccess


@dataclass(frozen=True)
class Sealed:
    ciphertext: str
    lookup: str
    masked: str


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def _lookup_key() -> bytes:
    return settings.FIELD_LOOKUP_KEY.encode()


def lookup_hash(value: str) -> str:
    """Deterministic, keyed: the same number always finds the same rows; the hash alone reveals nothing."""
    return hmac.new(_lookup_key(), normalise(value).encode(), hashlib.sha256).hexdigest()


def normalise(value: str) -> str:
    return "".join(value.split()).upper()


def mask(value: str) -> str:
    """Keep what a clerk needs to tell people apart: the region prefix and last four of an ID number, the
    first three and last four of a mobile number."""
    value = normalise(value)
    if not value:
        return ""
    if len(value) >= 15:  # resident ID numbers, unified social credit codes
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    if len(value) >= 11:  # mobile numbers, landlines with area code
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 2) + value[-2:]
    return "*" * len(value)


# A run of 11 or more letters and digits (an ID number, a credit code, a phone, an account) with at least
# 7 digits: free text typed by staff may carry one.
_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?=(?:[A-Za-z-]*\d){7})[0-9A-Za-z][0-9A-Za-z-]{9,}[0-9A-Za-z]")


def mask_in_text(text: str) -> str:
    """Free text shown to the public (the items a correction asks for): every number in it masked as `mask`
    masks a field ("带身份证 320509199001011234" -> "带身份证 3205**********1234")."""
    return _NUMBER_IN_TEXT.sub(lambda match: mask(match.group(0).replace("-", "")), text or "")


def seal(value: str) -> Sealed:
    value = normalise(value)
    if not value:
        return Sealed("", "", "")
    return Sealed(_fernet().encrypt(value.encode()).decode(), lookup_hash(value), mask(value))


def unseal(ciphertext: str) -> str:
    return _fernet().decrypt(ciphertext.encode()).decode() if ciphertext else ""


def personal_data_access_log(
    *, user, subject, fields: list[str], purpose: str = "", address: str = ""
) -> None:
    PersonalDataAccess.objects.create(
        user=user,
        court=getattr(user, "court", None),
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        fields=",".join(fields),
        purpose=purpose[:200],
        address=address[:64],
    )
