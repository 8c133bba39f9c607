import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import codes

KEY = b"test-key"


def test_alphabet_has_32_symbols_without_confusable_characters() -> None:
    assert len(set(codes.ALPHABET)) == 32
    assert not set("0O1I") & set(codes.ALPHABET)


def test_secret_part_carries_at_least_40_bits() -> None:
    assert codes.SECRET_LENGTH * math.log2(len(codes.ALPHABET)) >= 40


def test_a_new_code_is_grouped_in_fours_after_its_class_key() -> None:
    shown = codes.grouped(codes.new_code("KX7P"))
    assert re.fullmatch(r"KX7P-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", shown)


def test_typed_code_is_normalised_from_lower_case_spaces_and_dashes() -> None:
    assert codes.normalise(" kx7p m4rd–q9zt ") == "KX7PM4RDQ9ZT"


def test_a_code_with_a_left_out_character_is_not_a_code() -> None:
    assert codes.normalise("KX7P-M4RD-Q9Z0") is None


@settings(deadline=None)
@given(st.text(alphabet=codes.ALPHABET, min_size=12, max_size=12))
def test_every_grouped_code_normalises_back_to_itself(compact: str) -> None:
    assert codes.normalise(codes.grouped(compact)) == compact


def test_the_hash_depends_on_the_key() -> None:
    assert codes.code_hash("KX7PM4RDQ9ZT", KEY) != codes.code_hash("KX7PM4RDQ9ZT", b"other")


def test_near_misses_keep_the_class_key_and_differ_in_one_slip() -> None:
    near = set(codes.near_misses("KX7PM4RDQ9ZT"))
    assert "KX7PM4RDQ9ZU" in near  # one wrong character
    assert "KX7PM4RDQZ9T" in near  # two swapped
    assert "KX7PM4RDQ9ZT" not in near
    assert all(code.startswith("KX7P") for code in near)
    assert len(near) == 8 * 31 + 7
