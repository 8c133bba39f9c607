"""Swedish number formatting, one place (lagesbild.numbers)."""

from lagesbild import numbers

NBSP = "\u00a0"


def test_counts_have_no_break_thousands_separators() -> None:
    assert numbers.count(7) == "7"
    assert numbers.count(12450) == f"12{NBSP}450"
    assert numbers.count(1234567) == f"1{NBSP}234{NBSP}567"


def test_decimals_have_a_comma_and_no_trailing_zero() -> None:
    assert numbers.decimal(2.5) == "2,5"
    assert numbers.decimal(15.0) == "15"
    assert numbers.decimal(1234.56) == f"1{NBSP}234,6"


def test_a_share_of_one_reads_as_percent() -> None:
    assert numbers.percent_of_one(0.95) == f"95{NBSP}%"
    assert numbers.percent_of_one(0.125) == f"12,5{NBSP}%"


def test_units_never_break_from_their_number() -> None:
    assert numbers.no_break("ökat 7 p.e. till 38 %") == f"ökat 7{NBSP}p.e. till 38{NBSP}%"
