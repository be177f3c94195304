"""The one strict parser for numbers in text (schemas.numbers): every valid form round-trips, every
malformed form is refused with its reason and never read as a different number."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.numbers import PLAIN_USD, NumberFormat, is_number, number_problem, parse_number
from schemas.raw.census_country_totals import MILLIONS_USD
from schemas.raw.usitc_dataweb import DATAWEB_USD

GROUPED = NumberFormat(grouping=True)
SIGNED = NumberFormat(non_negative=False)


def run(values: list[str | None], fmt: NumberFormat) -> list[tuple[float | None, str | None]]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    out = frame.select(parse_number("v", fmt).alias("x"), number_problem("v", fmt).alias("why"))
    return list(out.iter_rows())


def plain_text(value: Decimal) -> str:
    return format(value, "f")


def grouped_text(value: Decimal) -> str:
    whole, _, cents = format(value, "f").partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-')):,}"
    return sign + grouped + (f".{cents}" if cents else "")


amounts = st.decimals(min_value=-(10**15), max_value=10**15, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=20))
def test_plain_decimals_round_trip(values: list[Decimal]) -> None:
    texts = [plain_text(v) for v in values]
    for (parsed, why), value in zip(run(texts, SIGNED), values, strict=True):
        assert why is None
        assert parsed == float(value)


@settings(max_examples=300, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=20))
def test_the_exact_grouping_round_trips_where_a_source_declares_it(values: list[Decimal]) -> None:
    texts = [grouped_text(v) for v in values]
    signed_grouped = NumberFormat(grouping=True, non_negative=False)
    for (parsed, why), value in zip(run(texts, signed_grouped), values, strict=True):
        assert why is None
        assert parsed == float(value)
    refused = [row for row, text in zip(run(texts, SIGNED), texts, strict=True) if "," in text]
    assert all(parsed is None and why for parsed, why in refused), "no grouping where not declared"


def _decimal_comma(value: Decimal) -> str:
    return plain_text(value).replace(".", ",")


malformed = st.one_of(
    amounts.filter(lambda v: v != v.to_integral_value()).map(_decimal_comma),
    st.sampled_from(["NaN", "nan", "-NaN", "inf", "-inf", "Infinity", "INF"]),
    st.builds(lambda m, e: f"{m}e{e}", st.integers(1, 999), st.integers(-30, 30)),
    st.builds(lambda m, e: f"{m}E+{e}", st.integers(1, 999), st.integers(0, 30)),
    st.builds(lambda a, b: f"{a},{b:02d}", st.integers(1, 9999), st.integers(0, 99)),  # 2-digit group
    st.builds(lambda a, b: f"{a:04d},{b:03d}", st.integers(1000, 9999), st.integers(0, 999)),  # 4-digit head
    st.builds(lambda a, b: f"{a},{b:03d},", st.integers(1, 999), st.integers(0, 999)),
    st.builds(lambda a: f"{a:,}".replace(",", "."), st.integers(10**6, 10**12)),  # points as separators
    st.builds(lambda a: f"{a}.", st.integers(0, 10**6)),
    st.builds(lambda a: f"${a}", st.integers(0, 10**6)),
    st.builds(lambda a: f"{a} USD", st.integers(0, 10**6)),
    st.builds(lambda a: f"1{'0' * a}", st.integers(18, 40)),  # beyond DECIMAL(20, 2)
)


@settings(max_examples=500, deadline=None)
@given(st.lists(malformed, min_size=1, max_size=20))
def test_every_malformed_form_is_refused_never_read_as_another_number(texts: list[str]) -> None:
    for fmt in (PLAIN_USD, GROUPED):
        for (parsed, why), text in zip(run(texts, fmt), texts, strict=True):
            assert why, f"{text!r} was accepted"
            if not text.startswith("1000"):
                assert parsed is None, f"{text!r} parsed as {parsed}"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("71469488662,5", "decimal comma"),
        ("1.234,56", "decimal comma"),
        ("1,234", "a comma: this source writes neither"),
        ("1,23,456", "misplaced thousands separator"),
        ("NaN", "NaN is not a number"),
        ("-inf", "infinite"),
        ("1e23", "exponent notation"),
        ("1O.5", "not a plain decimal number"),
        ("-12.5", "negative"),
        ("1" + "0" * 18, "beyond the range"),
        ("9" * 300_000, "beyond the range"),
    ],
)
def test_each_refusal_says_why(text: str, reason: str) -> None:
    [(parsed, why)] = run([text], PLAIN_USD)
    assert why is not None and reason in why
    assert parsed is None or why.startswith(("beyond", "negative"))  # parsed, but refused by the check


def test_blank_is_a_problem_only_where_a_number_is_required() -> None:
    assert run(["", "  ", None], PLAIN_USD) == [(None, None)] * 3
    assert [why for _, why in run(["", None], MILLIONS_USD)] == ["empty where a number is required"] * 2


def test_declared_forms_stay_with_their_source() -> None:
    assert run(["1,429,995,404,019", "4483.00", "0"], DATAWEB_USD) == [
        (1429995404019.0, None), (4483.0, None), (0.0, None)
    ]
    assert run(["2e-06", "1e23"], MILLIONS_USD)[0] == (2e-06, None)
    assert run(["1e23"], MILLIONS_USD)[0][1].startswith("beyond the range")  # exponents, but in range only
    assert run(["2e-06"], PLAIN_USD)[0][1].startswith("exponent notation")
    assert run(["1,429,995,404,019"], PLAIN_USD)[0][0] is None


FORMATS = [
    PLAIN_USD, GROUPED, SIGNED, MILLIONS_USD, DATAWEB_USD, NumberFormat(exponent=True),
    NumberFormat(exponent=True, grouping=True, non_negative=False, limit=1e6, required=True),
    NumberFormat(required=True),
]
number_like = st.one_of(
    st.text(alphabet="0123456789.,-+eEnaNiIfty ", max_size=12),
    st.builds(str, st.floats(allow_nan=True, allow_infinity=True)),
    st.builds(str, st.integers(min_value=-(10**22), max_value=10**22)),
    st.builds(grouped_text, amounts),
    st.none(),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(number_like, min_size=1, max_size=30), st.sampled_from(FORMATS))
def test_the_fast_check_passes_exactly_the_texts_without_a_problem(values: list[str | None], fmt: NumberFormat) -> None:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    out = frame.select(is_number("v", fmt).alias("ok"), number_problem("v", fmt).alias("why"))
    for ok, why in out.iter_rows():
        assert ok == (why is None)
