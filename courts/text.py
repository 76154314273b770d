"""Text that changes shape with the language, beyond translating words: lists ("甲、乙" but "A, B") and
amounts of money (¥128,000.00 in both languages, grouped)."""

from decimal import Decimal

from django.utils.translation import gettext as _


def join_list(items) -> str:
    """Items in a sentence: 吴江法院、嘉善法院 in Chinese, Wujiang Court, Jiashan Court in English."""
    # Translators: the separator between the items of a list in a sentence.
    return _(", ").join(str(item) for item in items)


def money(amount) -> str:
    """An amount in yuan as the courts write it in both languages: ¥1,280,000.00."""
    if amount is None or amount == "":
        return ""
    return f"¥{Decimal(amount):,.2f}"
