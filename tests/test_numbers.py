from decimal import Decimal

import pytest

from reportmine import parse_number
from reportmine.numbers import canonical

CASES = [
    ("0", "0"), ("7", "7"), ("42,890", "42890"), ("1,234,567.5", "1234567.5"),
    ("3.14", "3.14"), ("２０２３", "2023"), ("１４.１７", "14.17"), ("-19.4", "-19.4"),
    ("负1200000", "-1200000"),
    ("十", "10"), ("十五", "15"), ("二十", "20"), ("三百二十", "320"), ("一百零五", "105"),
    ("一百五", "150"), ("两千三", "2300"), ("三万五", "35000"), ("三万零五", "30005"),
    ("两", "2"), ("兩", "2"), ("廿一", "21"), ("卅", "30"), ("〇", "0"), ("零点五", "0.5"),
    ("一点四五", "1.45"), ("一點四", "1.4"), ("二〇二三", "2023"), ("一九七五", "1975"),
    ("壹拾壹", "11"), ("壹佰貳拾萬", "1200000"), ("伍佰參拾肆", "534"), ("玖仟", "9000"),
    ("四千萬零五十", "40000050"), ("四百億點零五零", "40000000000.05"),
    ("一万亿", "1000000000000"), ("三亿五千万", "350000000"), ("一百億", "10000000000"),
    ("1.2万", "12000"), ("3.8亿", "380000000"), ("3千万", "30000000"), ("2千零30万", "20300000"),
    ("823131亿", "82313100000000"), ("3.8万亿", "3800000000000"), ("16.4亿", "1640000000"),
    ("1,234.5万", "12345000"), ("十萬", "100000"),
]
NOT_NUMERALS = ["", "万", "千万", "百分之五", "一一", "十五六", "3五", "abc", "5千米", "1+1",
                "2023年"]


@pytest.mark.parametrize("text,expected", CASES)
def test_parse_number(text, expected):
    value = parse_number(text)
    assert value is not None
    assert canonical(value) == expected
    assert isinstance(value, Decimal)


@pytest.mark.parametrize("text", NOT_NUMERALS)
def test_not_a_numeral(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("value,text", [
    (Decimal("1725000.0"), "1725000"), (Decimal("0.2740"), "0.274"), (Decimal("1E+3"), "1000"),
    (Decimal("-19.40"), "-19.4"), (None, ""),
])
def test_canonical(value, text):
    assert canonical(value) == text
