"""Any agreement's annex schedule (importer's base rates and staging categories) to dated facts.

* Rows that share a code are sub-items (an "ex" split of the line), each with its own
  description, base rate and category: every one is kept as sub_item s1, s2 ... in file order.
* Base rates are the importer's MFN rates as of the base date, the annex named as their source:
  rate_type mfn, in force for the base date's calendar year (the annex says nothing of later years).
* Staging categories become yearly preferential paths (program = the agreement code) through the
  agreement's reviewed rule table (core.dim_staging_category) from entry into force; a category
  without a usable rule, or an agreement without a known entry into force, stays one flagged
  ``reference`` row, so the line is visible and counted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import polars as pl

from transforms.kcs_tariff import RATE_SCHEMA_DATED
from transforms.korea_tariff import _scaled
from transforms.korus_staging import StagingRule, UnusableRuleError, path
from transforms.rate_text import ParsedRate, parse_rate
from transforms.usitc_hts import LINE_SCHEMA, rate_record


def source_name(agreement: str) -> str:
    """The dataset name of an agreement's annex (one scope per agreement and importer)."""
    return f"fta_annex_{agreement.lower()}"


def sub_items(codes: list[str]) -> list[str | None]:
    """s1, s2 ... for codes printed more than once (file order), None for a code printed once."""
    counts: dict[str, int] = {}
    for code in codes:
        counts[code] = counts.get(code, 0) + 1
    seen: dict[str, int] = {}
    out: list[str | None] = []
    for code in codes:
        if counts[code] == 1:
            out.append(None)
            continue
        seen[code] = seen.get(code, 0) + 1
        out.append(f"s{seen[code]}")
    return out


def _preferential(
    line: str, sub: str | None, base_text: str | None, category: str, rule: StagingRule | None,
    in_force: dt.date | None, program: str, fallback: dt.date,
) -> list[dict]:
    base = parse_rate(base_text)
    try:
        steps = path(rule, in_force) if rule and in_force else None
    except UnusableRuleError:
        steps = None
    scaled = [(_scaled(base, s.factor, s.floor_pct), s) for s in steps] if steps else []
    extra = {"staging_category": category, "sub_item": sub}
    if not steps or not base.parsed or any(r is None for r, _ in scaled):
        why = ("agreement entry into force unknown" if in_force is None else "rule not available") if not steps \
            else f"cannot stage base rate {base_text!r}"
        flagged = ParsedRate(base_text or "", "reference", reference=f"staging category {category}: {why}")
        return [{**rate_record(line, "preferential", program, flagged), **extra,
                 "valid_from": in_force or fallback, "valid_to": None}]
    return [{**rate_record(line, "preferential", program, replace(r, text=base_text or "",
             condition=f"base rate staged under category {category}")), **extra,
             "valid_from": s.valid_from, "valid_to": s.valid_to} for r, s in scaled]


def conform(
    raw: pl.DataFrame, rules: dict[str, StagingRule], in_force: dt.date | None, agreement: str, base_date: dt.date,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(lines, dated rates) of a validated annex: MFN base rates and the agreement's paths."""
    codes = [re.sub(r"\D", "", c) for c in raw.get_column("hs_code").to_list()]
    subs = sub_items(codes)
    ex_items = raw.get_column("ex_item").to_list() if "ex_item" in raw.columns else [None] * raw.height
    mfn_to = dt.date(base_date.year + 1, 1, 1)
    lines: list[dict] = []
    records: list[dict] = []
    rows = raw.select("description", "base_rate", "staging_category").iter_rows()
    for line, sub, ex_item, (description, base_text, category) in zip(codes, subs, ex_items, rows, strict=True):
        text = " > ".join(x for x in (ex_item, description) if x) or None
        lines.append({"line_key": line if sub is None else f"{line}/{sub}", "tariff_line": line,
                      "level": len(line), "indent": None, "parent_key": None if sub is None else line,
                      "description": description, "description_path": text, "units": None, "footnotes": None,
                      "is_heading": False})
        base = parse_rate(base_text)
        base = base if base.kind != "empty" else ParsedRate(base_text or "", "reference", reference="no base rate printed")
        records.append({**rate_record(line, "mfn", None, replace(base, condition=f"base rate of the {agreement} annex")),
                        "sub_item": sub, "valid_from": base_date, "valid_to": mfn_to})
        records.extend(_preferential(line, sub, base_text, category, rules.get(category), in_force, agreement, base_date))
    return pl.DataFrame(lines, schema=LINE_SCHEMA), pl.DataFrame(records, schema=RATE_SCHEMA_DATED)
