"""A customs service's layered tariff (Korea Customs Service form) to applied-rate facts.

Raw rows: one rate layer of one 10-digit line (hs10, rate_code, rate_text) with its period, either
``year`` (1 January to 1 January of the next year) or ``valid_from`` / ``valid_to`` as printed
(both days included, as the KCS portal prints "(2024-01-01 ~ 2024-06-30)"; stored with an
exclusive end). A layer printed for only part of a line (``part``: e.g. a partial WTO concession,
"- 기타") is resolved for that part as a sub-item p1, p2 ... of the line, never as the whole line.

Facts: rate_type mfn (the applied MFN rate) and preferential (each agreement layer's program),
each naming the layer that produced it in ``rate_code`` (:mod:`transforms.rate_layers`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl

from transforms.rate_layers import Applied, Layer, LayerRule, applied_path, periods
from transforms.rate_text import parse_rate
from transforms.usitc_hts import LINE_SCHEMA, RATE_SCHEMA, rate_record

SOURCE = "kcs_tariff"
RATE_SCHEMA_DATED = {**RATE_SCHEMA, "valid_from": pl.Date, "valid_to": pl.Date}


def layer_period(year: str | None, valid_from: str | None, valid_to: str | None) -> tuple[dt.date, dt.date | None]:
    """[start, end) of a layer: its year, or its printed days (end included as printed)."""
    if valid_from:
        end = dt.date.fromisoformat(valid_to) + dt.timedelta(days=1) if valid_to else None
        return dt.date.fromisoformat(valid_from), end
    y = int(str(year))
    return dt.date(y, 1, 1), dt.date(y + 1, 1, 1)


def _layers(raw: pl.DataFrame) -> dict[tuple[str, str | None], list[Layer]]:
    """Layers by (line, part); a partial layer also sees the whole line's layers."""
    whole: dict[str, list[Layer]] = {}
    parts: dict[tuple[str, str], list[Layer]] = {}
    for hs10, code, text, year, start, end, part in raw.select(
        "hs10", "rate_code", "rate_text", "year", "valid_from", "valid_to", "part"
    ).iter_rows():
        frm, to = layer_period(year, start, end)
        layer = Layer(code, parse_rate(text), frm, to)
        if part:
            parts.setdefault((hs10, part), []).append(layer)
        else:
            whole.setdefault(hs10, []).append(layer)
    out: dict[tuple[str, str | None], list[Layer]] = {(k, None): v for k, v in whole.items()}
    for (hs10, part), layers in parts.items():
        out[(hs10, part)] = [*whole.get(hs10, []), *layers]
    return out


def _record(line: str, sub: str | None, program: str | None, frm: dt.date, to: dt.date | None, a: Applied) -> dict:
    rate = replace(a.rate, condition="; ".join(x for x in (a.rate.condition, a.note) if x) or None)
    kind = "preferential" if program else "mfn"
    return {**rate_record(line, kind, program, rate), "rate_code": a.rate_code, "sub_item": sub,
            "valid_from": frm, "valid_to": to}


def _program_path(layers: list[Layer], rules: dict[str, LayerRule], code: str, program: str):
    """The program's path, only over the periods its own layer is in force."""
    own = {(s, e) for s, e, f in periods(layers) if code in f}
    return [(s, e, a) for s, e, a in applied_path(layers, rules, program)
            if any(s >= a0 and (e0 is None or (e is not None and e <= e0)) for a0, e0 in own)]


def conform(raw: pl.DataFrame, rules: dict[str, LayerRule]) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """(lines, dated rates, rate codes the precedence table does not know) of validated layers."""
    records: list[dict] = []
    line_rows: dict[str, dict] = {}
    sub_names: dict[tuple[str, str], str] = {}
    descriptions = dict(raw.select("hs10", "description").drop_nulls().iter_rows())
    unknown = sorted(set(raw.get_column("rate_code").to_list()) - set(rules))
    for (hs10, part), layers in sorted(_layers(raw).items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        sub = None
        if part is not None:
            sub = sub_names.setdefault((hs10, part), f"p{sum(1 for k in sub_names if k[0] == hs10) + 1}")
        key = hs10 if sub is None else f"{hs10}/{sub}"
        line_rows[key] = _line(key, hs10, part or descriptions.get(hs10), hs10 if sub else None)
        for frm, to, applied in applied_path(layers, rules):
            records.append(_record(hs10, sub, None, frm, to, applied))
        for code in sorted({x.rate_code for x in layers}):
            rule = rules.get(code)
            if rule is None or rule.program_code is None:
                continue
            for frm, to, applied in _program_path(layers, rules, code, rule.program_code):
                records.append(_record(hs10, sub, rule.program_code, frm, to, applied))
    lines = pl.DataFrame(list(line_rows.values()), schema=LINE_SCHEMA)
    return lines, pl.DataFrame(records, schema=RATE_SCHEMA_DATED), unknown


def _line(key: str, hs10: str, description: str | None, parent: str | None) -> dict:
    return {"line_key": key, "tariff_line": hs10, "level": 10, "indent": None, "parent_key": parent,
            "description": description, "description_path": description, "units": None, "footnotes": None,
            "is_heading": False}
