"""The rate-text parser: every documented form, the Special column, and properties (hypothesis)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.rate_text import ALL_PROGRAMS, Component, normalise, parse_rate, parse_special


@pytest.mark.parametrize(
    ("text", "kind", "pct"),
    [
        ("6.8%", "ad_valorem", 6.8),
        ("Free", "free", 0.0),
        ("33 1/3%", "ad_valorem", 33.333333),
        ("10% <u></u>", "ad_valorem", 10.0),
        ("20%<il></il>", "ad_valorem", 20.0),
        ("37% /", "ad_valorem", 37.0),
        ("8", "ad_valorem", 8.0),
        ("1.5 percent of the fair retail value", "ad_valorem", 1.5),
    ],
)
def test_ad_valorem_and_free(text: str, kind: str, pct: float) -> None:
    rate = parse_rate(text)
    assert rate.kind == kind
    assert rate.ad_valorem_pct == pytest.approx(pct)
    assert rate.specific is None


@pytest.mark.parametrize(
    ("text", "amount", "unit", "basis"),
    [
        ("1¢/kg", 0.01, "kg", None),
        ("$3/head", 3.0, "head", None),
        ("$1.32/pf. liter", 1.32, "pf. liter", None),
        ("0.5¢/pf.liter", 0.005, "pf. liter", None),
        ("14.27¢/ liter", 0.1427, "liter", None),
        ("$1.16 each", 1.16, "each", None),
        ("$1.15/1,000", 1.15, "1000", None),
        ("$2.50/thou- sand", 2.5, "1000", None),
        ("18.7¢/clean kg", 0.187, "clean kg", None),
        ("$1.13/m<sup>3</sup>", 1.13, "m3", None),
        ("10.1¢/kg on drained weight", 0.101, "kg", "on drained weight"),
        ("$1.32/t, including weight of container", 1.32, "t", "including weight of container"),
        ("0.18¢/line/ gross", 0.0018, "line/gross", None),
    ],
)
def test_specific(text: str, amount: float, unit: str, basis: str | None) -> None:
    rate = parse_rate(text)
    assert rate.kind == "specific"
    assert rate.specific == Component("specific", pytest.approx(amount), "USD", unit, basis)
    assert rate.ad_valorem_pct is None


@pytest.mark.parametrize(
    ("text", "amount", "unit", "pct"),
    [
        ("$1.035/kg + 17.5%", 1.035, "kg", 17.5),
        ("$1.035/kg +13.6%", 1.035, "kg", 13.6),
        ("$9.92/kg+ 25%", 9.92, "kg", 25.0),
        ("2.2¢/kg  +  33.5%", 0.022, "kg", 33.5),
        ("14.5¢/m<sup>2 </sup>+ 0.4%", 0.145, "m2", 0.4),
        ("0.16¢ each + 2.2%", 0.0016, "each", 2.2),
    ],
)
def test_compound(text: str, amount: float, unit: str, pct: float) -> None:
    rate = parse_rate(text)
    assert rate.kind == "compound"
    assert rate.ad_valorem_pct == pytest.approx(pct)
    assert rate.specific.value == pytest.approx(amount)
    assert rate.specific.unit == unit


def test_multi_component_keeps_every_term_but_no_single_columns() -> None:
    rate = parse_rate("$1.70 each + 45% on the case + 35% on the battery")
    assert rate.kind == "multi_component"
    assert [(c.kind, c.value, c.basis) for c in rate.components] == [
        ("specific", 1.7, None), ("ad_valorem", 45.0, "on the case"), ("ad_valorem", 35.0, "on the battery"),
    ]
    assert rate.ad_valorem_pct is None and rate.specific is None
    assert json.loads(rate.components_json())[1] == {"kind": "ad_valorem", "value": 45.0, "basis": "on the case"}


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("See 9822.05.15", "9822.05.15"),
        ("See additional U.S. note 1", "additional U.S. note 1"),
        ("No change", "No change"),
        ("The rate applicable to the natural juice in heading 2009", None),
        ("The duty provided in the applicable subheading + 25%", None),
        ("A duty upon the value of the repairs or alterations (see U.S. note 3 of this subchapter)", None),
    ],
)
def test_reference(text: str, reference: str | None) -> None:
    rate = parse_rate(text)
    assert rate.kind == "reference"
    assert rate.reference == (reference or normalise(text))
    assert rate.ad_valorem_pct is None


def test_free_with_condition() -> None:
    rate = parse_rate("Free, under bond, as prescribed in U.S. note 1 to this subchapter")
    assert (rate.kind, rate.condition) == ("free", "under bond, as prescribed in U.S. note 1 to this subchapter")
    assert parse_rate("No additional duty").ad_valorem_pct == 0.0


def test_korean_greater_of() -> None:
    rate = parse_rate("270% or 6,210won/kg, whichever is the greater")
    assert rate.kind == "greater_of"
    assert rate.components == (Component("ad_valorem", 270.0), Component("specific", 6210.0, "KRW", "kg"))
    assert parse_rate("-").kind == "empty"


@pytest.mark.parametrize(
    "text",
    [
        "1.4606¢/kg less 0.020668¢/kg for each degree under 100 degrees (and fractions of a degree in "
        "proportion) but not less than 0.943854¢/kg",
        "4.3% + 1.7¢/jewel + 0.2¢ for each other piece or part, but if consisting in part of a plate",
        ":",
        "5 apples",
        "12¢",
    ],
)
def test_unparsed_is_kept_not_guessed(text: str) -> None:
    rate = parse_rate(text)
    assert rate.kind == "unparsed"
    assert rate.text == text
    assert rate.components == () and rate.ad_valorem_pct is None


def test_special_column_beef() -> None:
    text = "Free (BH,CL,CO,JO, MA,OM,P,PE,S, SG) 3.5% (KR) See 9823.01.01-9823.01.07 (S+)"
    by_program = {s.program: s.rate for s in parse_special(text)}
    assert by_program["KR"].ad_valorem_pct == 3.5
    assert by_program["MA"].kind == "free"
    assert by_program["S+"].reference == "9823.01.01-9823.01.07"
    assert list(by_program)[:4] == ["BH", "CL", "CO", "JO"]


@pytest.mark.parametrize(
    "text",
    [
        "Free (A+,AU,BH,CL,CO,D,E, IL,JO,KR,MA,OM,P,PA,PE,S, SG)",
        "Free \n(A+, AU, BH, CL,CO,D, E, IL, JO, KR, MA, OM, P, PA, PE, S, SG)",
        "Free (A +,AU,BH,CL,CO,D,E IL,JO,KR,MA,,OM,P,PA,PE,S,SG)",
        "Free(A+ ,AU,BH,CL,CO,D,E,IL,JO,KR,MA,.OM,P,PA,PE,S,SG,)",
    ],
)
def test_irregular_program_lists(text: str) -> None:
    rates = parse_special(text)
    assert [r.program for r in rates] == ["A+", "AU", "BH", "CL", "CO", "D", "E", "IL", "JO", "KR", "MA", "OM", "P", "PA", "PE", "S", "SG"]
    assert all(r.rate.kind == "free" for r in rates)


def test_special_without_list_and_leftovers() -> None:
    assert [(r.program, r.rate.kind) for r in parse_special("No change")] == [(ALL_PROGRAMS, "reference")]
    trailing = parse_special("Free (AU,KR) 2.8¢/liter")
    assert [(r.program, r.rate.kind) for r in trailing] == [("AU", "free"), ("KR", "free"), (ALL_PROGRAMS, "unparsed")]
    assert parse_special("") == [] and parse_special(None) == []


def test_program_listed_twice() -> None:
    same = parse_special("Free (IL,L,KR,L,MA)")
    assert [r.program for r in same] == ["IL", "L", "KR", "MA"]
    clash = {r.program: r.rate for r in parse_special("Free (L,KR) 5% (L)")}
    assert clash["L"].kind == "unparsed" and clash["KR"].kind == "free"


_pct = st.decimals(min_value=0, max_value=999, places=2, allow_nan=False, allow_infinity=False)


@given(_pct)
def test_any_percent_round_trips(value) -> None:
    assert parse_rate(f"{value}%").ad_valorem_pct == pytest.approx(float(value))


@given(_pct, _pct, st.sampled_from(["kg", "liter", "doz.", "head", "m2", "pf. liter"]), st.booleans())
def test_any_compound_round_trips(cents, pct, unit, dollars) -> None:
    amount = f"${cents}/{unit}" if dollars else f"{cents}¢/{unit}"
    rate = parse_rate(f"{amount} + {pct}%")
    assert rate.kind == "compound"
    assert rate.specific.value == pytest.approx(float(cents) / (1 if dollars else 100))
    assert rate.specific.unit == unit
    assert rate.ad_valorem_pct == pytest.approx(float(pct))


@given(st.text(max_size=60))
def test_never_raises_and_always_keeps_the_text(text: str) -> None:
    rate = parse_rate(text)
    assert rate.text == text
    assert rate.kind in {"empty", "free", "ad_valorem", "specific", "compound", "multi_component",
                         "greater_of", "lesser_of", "reference", "unparsed"}
    assert rate.ad_valorem_pct is None or rate.ad_valorem_pct >= 0
    for entry in parse_special(text):
        assert entry.program


@given(st.lists(st.sampled_from(["A+", "AU", "BH", "KR", "S+", "P", "JO"]), min_size=1, max_size=7, unique=True),
       st.sampled_from([",", ", ", " ,", ",  "]))
def test_program_lists_with_any_spacing(codes, separator) -> None:
    rates = parse_special(f"Free ({separator.join(codes)}) 3.5% (JP)")
    assert [r.program for r in rates] == [*codes, "JP"]
    assert rates[-1].rate.ad_valorem_pct == 3.5
