"""Applied rate among rate layers (Customs Act art. 50, FTA Special Act art. 5), hand cases and properties."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from transforms.rate_layers import Layer, LayerRule, applied_path, resolve
from transforms.rate_text import currency_code, parse_rate

SEED = Path(__file__).parents[2] / "warehouse" / "seeds" / "kcs_rate_precedence.csv"
RULES = {
    r["rate_code"]: LayerRule(r["rate_code"], r["layer_kind"], int(r["precedence_rank"]), r["rule"], r["program_code"] or None)
    for r in csv.DictReader(SEED.open(encoding="utf-8"))
}


def _r(**layers: str):
    return resolve({k: parse_rate(v) for k, v in layers.items()}, RULES)


def test_wto_rate_applies_only_when_lower_than_basic():
    assert _r(A="8%", C="0%").rate_code == "C"
    assert _r(A="8%", C="13%").rate_code == "A"
    assert _r(A="8%", C="8%").rate_code == "A"  # equal: the basic rate stands


def test_adjustment_and_quota_override_basic_and_concession_only_if_lower():
    assert _r(A="8%", L="30%").rate_code == "L"
    assert _r(A="8%", P1="0%", C="5%").rate_code == "P1"
    assert _r(A="8%", L="30%", C="13%").rate_code == "C"  # art. 50(3): rank 2 when lower than rank 3


def test_agricultural_concession_overrides_basic_even_when_higher():
    assert _r(A="30%", W1="300%").rate_code == "W1"


def test_fta_rate_when_lower_and_safeguard_prevails():
    layers = {"A": parse_rate("8%"), "C": parse_rate("6.5%"), "FUS1": parse_rate("0%")}
    assert resolve(layers, RULES, "FUS1").rate_code == "FUS1"
    assert resolve(layers, RULES).rate_code == "C"  # the MFN rate ignores agreement layers
    assert resolve({**layers, "T1": parse_rate("40%")}, RULES, "FUS1").rate_code == "T1"
    assert resolve({"A": parse_rate("0%"), "FUS1": parse_rate("0%")}, RULES, "FUS1").rate_code == "A"


def test_incomparable_rates_are_not_guessed_and_anti_dumping_stays_out():
    applied = _r(A="270% or 6,210won/kg, whichever is the greater", C="250%")
    assert applied.rate_code is None and applied.rate.kind == "reference"
    assert _r(A="8%", I="30%").rate_code == "A"


def test_periods_split_and_merge():
    d = dt.date
    layers = [Layer("A", parse_rate("8%"), d(2017, 1, 1), d(2020, 1, 1)),
              Layer("C", parse_rate("2%"), d(2018, 1, 1), d(2019, 1, 1))]
    path = [(s, e, a.rate_code) for s, e, a in applied_path(layers, RULES)]
    assert path == [(d(2017, 1, 1), d(2018, 1, 1), "A"), (d(2018, 1, 1), d(2019, 1, 1), "C"),
                    (d(2019, 1, 1), d(2020, 1, 1), "A")]


PCT = st.integers(0, 50_000).map(lambda x: x / 100)


@given(a=PCT, c=PCT, p=st.one_of(st.none(), PCT))
def test_mfn_never_above_basic_without_rank3_and_equals_a_layer(a, c, p):
    layers = {"A": parse_rate(f"{a}%"), "C": parse_rate(f"{c}%")}
    if p is not None:
        layers["P1"] = parse_rate(f"{p}%")
    applied = resolve(layers, RULES)
    assert applied.rate in layers.values()
    if p is None:
        assert applied.rate.ad_valorem_pct == min(a, c)


def test_currencies():
    assert [parse_rate(t).specific.currency for t in ("₩1,200/kg", "1,200원/kg", "JPY 35/kg", "¥35/kg", "EUR 2.5/kg")] == [
        "KRW", "KRW", "JPY", "JPY", "EUR"]
    assert parse_rate("270% 또는 6,210원/kg 중 높은 것").kind == "greater_of"
    assert parse_rate("270% 또는 6,210원").kind == "unparsed"  # no unit, no rule: not guessed
    assert currency_code("yen") == "JPY"
