"""Dates as court documents print them: 二〇二六年十二月一日 (the year digit by digit, 〇 and never 零)."""

import datetime as dt

_DIGITS = "〇一二三四五六七八九"


def _number(value: int) -> str:
    """1-31 in Chinese numerals: 一 … 十, 十一 … 十九, 二十, 二十一 … 三十一."""
    tens, units = divmod(value, 10)
    text = ("" if tens <= 1 else _DIGITS[tens]) + ("十" if tens else "")
    return text + (_DIGITS[units] if units else "")


def chinese_date(day: dt.date) -> str:
    year = "".join(_DIGITS[int(digit)] for digit in f"{day.year:04d}")
    return f"{year}年{_number(day.month)}月{_number(day.day)}日"
