"""Checks for Chinese identity numbers, so a typo is caught at the window, not weeks later at service.

- Resident ID (居民身份证号码, GB 11643-1999): 17 digits and a check character (ISO 7064 MOD 11-2), with a
  province prefix and a real birth date.
- Unified social credit code (统一社会信用代码, GB 32100-2015): 17 characters and a check character
  (MOD 31 over its own 31-character alphabet).
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PROVINCE_PREFIXES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
    "83",
}
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def resident_id_check_character(first17: str) -> str:
    return _ID_CHECK[
        sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True)) % 11
    ]


def validate_resident_id(value: str, *, today: dt.date | None = None) -> str:
    number = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(
            _("A resident ID number has 17 digits and a final digit or X."), code="id_format"
        )
    if number[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(_("The ID number's region prefix does not exist."), code="id_region")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("The ID number's birth date does not exist."), code="id_birth") from None
    if not dt.date(1900, 1, 1) <= birth <= (today or dt.date.today()):
        raise ValidationError(_("The ID number's birth date does not exist."), code="id_birth")
    if resident_id_check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("The ID number's check digit is wrong: please check it again."), code="id_check"
        )
    return number


def uscc_check_character(first17: str) -> str:
    total = sum(
        USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, _USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 18 or any(char not in USCC_ALPHABET for char in code):
        raise ValidationError(
            _("A unified social credit code has 18 digits and capital letters (no I, O, Z, S or V)."),
            code="uscc_format",
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("The unified social credit code's check character is wrong."), code="uscc_check"
        )
    return code


def validate_phone(value: str) -> str:
    phone = "".join(value.split())
    if not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline with its area code, e.g. 0512-63000000."),
            code="phone",
        )
    return phone
