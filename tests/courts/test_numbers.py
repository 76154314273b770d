"""Numbers typed with brackets and digits of either width, spaces and lower case all find the record."""

import pytest

from courts.numbers import normalise_number


@pytest.mark.parametrize(
    "typed",
    [
        "（2026）沪0118民初1号",
        "(2026)沪0118民初1号",
        "（２０２６）沪０１１８民初１号",
        " ( 2026 ) 沪 0118 民初 1 号 ",
        "[2026]沪0118民初1号",
        "〔2026〕沪0118民初1号",
    ],
)
def test_every_way_of_typing_a_case_number_gives_the_stored_one(typed):
    assert normalise_number(typed) == "（2026）沪0118民初1号"


def test_receipt_numbers_come_out_upper_case_and_half_width():
    assert normalise_number("ky320509－20261201－0001") == "KY320509-20261201-0001"
    assert normalise_number("ＫＹ320509-20261201-0001") == "KY320509-20261201-0001"
