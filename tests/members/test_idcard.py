from __future__ import annotations

import datetime as dt

import pytest

from jifen.members import idcard


def test_a_valid_number_passes_and_is_normalised() -> None:
    assert idcard.validate("11010519491231002x") == "11010519491231002X"
    assert idcard.validate("１１０１０５１９４９１２３１００２Ｘ ") == "11010519491231002X"
    assert idcard.birth_date("11010519491231002X") == dt.date(1949, 12, 31)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1101051949123100", "18 位"),
        ("11010519491231002A", "末位为数字或 X"),
        ("11010519491331002X", "不是有效日期"),
        ("110105194912310021", "校验位错误：末位应为 X"),
    ],
)
def test_a_wrong_number_is_refused_with_the_reason(raw: str, reason: str) -> None:
    with pytest.raises(idcard.InvalidIdNumber, match=reason):
        idcard.validate(raw)


def test_the_check_digit_follows_gb_11643() -> None:
    assert idcard.check_digit("11010519491231002") == "X"
    assert idcard.check_digit("44052418800101001") == "4"


def test_numbers_are_masked_to_the_first_and_last_four() -> None:
    assert idcard.mask("320102198001011234") == "3201**********1234"
    assert idcard.mask_phone("13812345678") == "138****5678"
