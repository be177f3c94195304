"""Korea's MFN tariff lines and KORUS annex schedule to conformed lines and rates.

MFN: one rate row (rate_type mfn) per HSK line. KORUS: each line's base rate follows its staging
category's rule (core.dim_staging_category) from entry into force, giving one preferential row per
step (valid_from, valid_to). A category without a usable rule gives one open row of kind
reference ("staging category B: rule not available"), so the line stays visible and is counted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import polars as pl

from transforms.korus_staging import StagingRule, UnusableRuleError, path
from transforms.rate_text import ParsedRate, parse_rate
from transforms.usitc_hts import LINE_SCHEMA, RATE_SCHEMA, rate_record

IMPORTER = "KOR"
MFN_SOURCE = "korea_mfn"
KORUS_SOURCE = "korus_schedule"
KORUS_PROGRAM = "KORUS"


def _lines(frame: pl.DataFrame, code: str) -> pl.DataFrame:
    digits = pl.col(code).str.replace_all(r"\D", "")
    return frame.select(
        digits.alias("line_key"),
        digits.alias("tariff_line"),
        digits.str.len_chars().cast(pl.Int32).alias("level"),
        pl.lit(None, dtype=pl.Int32).alias("indent"),
        pl.lit(None, dtype=pl.String).alias("parent_key"),
        pl.col("description"),
        pl.col("description").alias("description_path"),
        pl.lit(None, dtype=pl.String).alias("units"),
        pl.lit(None, dtype=pl.String).alias("footnotes"),
        pl.lit(False).alias("is_heading"),
    ).unique("line_key", keep="first", maintain_order=True).cast(LINE_SCHEMA)


def conform_mfn(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(lines, rates) of validated WITS rows for one year (MFN duty type only)."""
    mfn = raw.filter(pl.col("duty_type") == "MFN")
    records = [
        rate_record(re.sub(r"\D", "", line), "mfn", None, parse_rate(text))
        for line, text in mfn.select("tariff_line", "rate_text").iter_rows()
    ]
    return _lines(mfn, "tariff_line"), pl.DataFrame(records, schema=RATE_SCHEMA)


def _scaled(rate: ParsedRate, factor: float, floor_pct: float | None) -> ParsedRate | None:
    """The base rate after a path step, or None when the step cannot apply to this base."""
    if rate.kind == "free":
        return rate
    if floor_pct is not None and rate.kind != "ad_valorem":
        return None
    if rate.kind not in {"ad_valorem", "specific", "compound", "greater_of", "lesser_of"}:
        return None
    if floor_pct is not None:
        base = rate.components[0].value
        floor = min(floor_pct, base)
        value = round(floor + (base - floor) * factor, 6)
        parts = (replace(rate.components[0], value=value),)
    else:
        parts = tuple(replace(c, value=round(c.value * factor, 10)) for c in rate.components)
    if all(c.value == 0 for c in parts):
        return ParsedRate(rate.text, "free")
    return replace(rate, components=parts)


def conform_korus(
    raw: pl.DataFrame, rules: dict[str, StagingRule], in_force: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(lines, rates with valid_from / valid_to) of a validated KORUS annex of Korea."""
    records: list[dict] = []
    for code, base_text, category in raw.select("hs_code", "base_rate", "staging_category").iter_rows():
        line = re.sub(r"\D", "", code)
        base = parse_rate(base_text)
        rule = rules.get(category)
        try:
            steps = path(rule, in_force) if rule else None
        except UnusableRuleError:
            steps = None
        scaled = [(_scaled(base, s.factor, s.floor_pct), s) for s in steps] if steps else []
        if not steps or not base.parsed or any(r is None for r, _ in scaled):
            why = "rule not available" if not steps else f"cannot stage base rate {base_text!r}"
            flagged = ParsedRate(base_text or "", "reference", reference=f"staging category {category}: {why}")
            records.append({**rate_record(line, "preferential", KORUS_PROGRAM, flagged),
                            "staging_category": category, "valid_from": in_force, "valid_to": None})
            continue
        for rate, step in scaled:
            staged = replace(rate, text=base_text or "", condition=f"base rate staged under category {category}")
            records.append({**rate_record(line, "preferential", KORUS_PROGRAM, staged),
                            "staging_category": category, "valid_from": step.valid_from, "valid_to": step.valid_to})
    schema = {**RATE_SCHEMA, "valid_from": pl.Date, "valid_to": pl.Date}
    return _lines(raw, "hs_code"), pl.DataFrame(records, schema=schema)
