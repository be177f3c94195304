"""Applied rates from a tariff's rate layers, by a reviewed precedence table (pure functions).

A customs tariff such as Korea's prints several rate layers per line (basic A, WTO concession C,
adjustment L, quota P1, agreement rates FUS1 ...), each with its period. The applied rate on a
date is chosen among the layers in force by the precedence in ``core.dim_rate_layer`` (seed
``kcs_rate_precedence.csv``, citing Korea's Customs Act art. 50 and FTA Special Act art. 5):

* layers are applied from the highest ``precedence_rank`` to the lowest; within a rank, the
  overriding layers first (lowest of them), then the ``lowest_of`` ones;
* ``base`` starts the rate; ``overrides`` replaces the rate so far; ``overrides_basic`` replaces a
  basic or provisional rate (rank 50 or more) and otherwise applies only when lower; ``lowest_of``
  applies only when lower than the rate so far (equal keeps the rate so far); ``origin_specific``
  layers are never part of the MFN or agreement rate;
* the MFN applied rate uses every layer without a program; each agreement program's rate also
  uses its own layer (so a rank above it, e.g. a special safeguard, still prevails).

Only free and ad valorem rates are compared; a comparison the rule needs between other kinds is
never guessed: the result is a ``reference`` rate naming the layers that could not be compared.
A layer whose code the table does not know is left out and reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from transforms.rate_text import ParsedRate

BASIC_RANK = 50
"""Layers ranked here or above are the schedule's own rates (basic, provisional)."""


@dataclass(frozen=True)
class LayerRule:
    """One row of core.dim_rate_layer."""

    rate_code: str
    layer_kind: str
    precedence_rank: int
    rule: str
    program_code: str | None = None


@dataclass(frozen=True)
class Applied:
    """The rate that applies and the layer that produced it (``rate_code`` None when unresolved)."""

    rate_code: str | None
    rate: ParsedRate
    note: str | None = None


@dataclass(frozen=True)
class Layer:
    """One printed layer of one line: code, parsed rate text, period [valid_from, valid_to)."""

    rate_code: str
    rate: ParsedRate
    valid_from: dt.date
    valid_to: dt.date | None


def comparable_pct(rate: ParsedRate) -> float | None:
    """Percent of a free or ad valorem rate; None for a rate that cannot be compared as such."""
    if rate.kind == "free":
        return 0.0
    return rate.ad_valorem_pct if rate.kind == "ad_valorem" else None


def _lower(new: ParsedRate, current: ParsedRate) -> bool | None:
    a, b = comparable_pct(new), comparable_pct(current)
    if a is None or b is None:
        return None if new.text.strip() != current.text.strip() else False
    return a < b


def _step(current: Applied | None, rank_of: int | None, code: str, rate: ParsedRate, rule: LayerRule) -> Applied | None:
    """The applied rate after considering one layer."""
    if rule.rule == "origin_specific":
        return current
    if current is None:
        if rule.rule in {"base", "overrides"}:
            return Applied(code, rate)
        note = f"no basic rate in the source: {code} applies only where it is lower (rule {rule.rule})"
        return Applied(code, rate, note)
    if current.rate_code is None:
        return current if rule.rule not in {"overrides"} else Applied(code, rate)
    if rule.rule in {"base", "overrides"} or (rule.rule == "overrides_basic" and (rank_of or 0) >= BASIC_RANK):
        return Applied(code, rate)
    lower = _lower(rate, current.rate)
    if lower is None:
        why = f"layers {current.rate_code} ({current.rate.text}) and {code} ({rate.text}) cannot be compared without a price"
        return Applied(None, ParsedRate(f"{current.rate.text} | {rate.text}", "reference", reference=why))
    return Applied(code, rate) if lower else current


def _order(codes: list[str], rules: dict[str, LayerRule]) -> list[str]:
    overriding = {"base": 0, "overrides": 0, "overrides_basic": 0}

    def key(code: str) -> tuple[int, int, float, str]:
        rule = rules[code]
        return (-rule.precedence_rank, overriding.get(rule.rule, 1), 0.0, code)

    return sorted(codes, key=key)


def resolve(layers: dict[str, ParsedRate], rules: dict[str, LayerRule], program: str | None = None) -> Applied | None:
    """The applied rate among the layers in force (code -> rate): the MFN rate when ``program`` is
    None, else that agreement program's rate. None when no usable layer is in force."""
    usable = [c for c in layers if c in rules and rules[c].program_code in {None, program}]
    current: Applied | None = None
    for code in _order(usable, rules):
        rank_of = rules[current.rate_code].precedence_rank if current and current.rate_code else None
        current = _step(current, rank_of, code, layers[code], rules[code])
    return current


def periods(layers: list[Layer]) -> list[tuple[dt.date, dt.date | None, dict[str, ParsedRate]]]:
    """Split one line's layers into periods [start, end) with the same layers in force."""
    bounds = sorted({x.valid_from for x in layers} | {x.valid_to for x in layers if x.valid_to is not None})
    open_ended = any(x.valid_to is None for x in layers)
    out = []
    for i, start in enumerate(bounds):
        end = bounds[i + 1] if i + 1 < len(bounds) else None
        if end is None and not open_ended:
            break
        in_force = {x.rate_code: x.rate for x in layers if x.valid_from <= start and (x.valid_to is None or x.valid_to > start)}
        if in_force:
            out.append((start, end, in_force))
    return out


def applied_path(
    layers: list[Layer], rules: dict[str, LayerRule], program: str | None = None
) -> list[tuple[dt.date, dt.date | None, Applied]]:
    """(valid_from, valid_to, applied) for one line, adjacent periods with the same result merged."""
    out: list[tuple[dt.date, dt.date | None, Applied]] = []
    for start, end, in_force in periods(layers):
        applied = resolve(in_force, rules, program)
        if applied is None:
            continue
        if out and out[-1][1] == start and out[-1][2] == applied:
            out[-1] = (out[-1][0], end, applied)
        else:
            out.append((start, end, applied))
    return out
