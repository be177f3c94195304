"""UN Comtrade records (CSV download or API v1 ``data``) to trade facts.

One dataset, ``comtrade``, whichever way it arrived (lineage is the landed file's hash). Reporter
and partner codes resolve through the crosswalk scheme ``comtrade`` (842 = USA, 0 = World).
Each valuation basis is its own flow: exports at FOB (``X_FOB``), imports at CIF (``M_CIF``) and,
where the reporter also gives it, at FOB (``M_FOB``). A record carrying neither ``cifvalue`` nor
``fobvalue`` falls back on ``primaryValue`` under its flow's default basis (X_FOB, M_CIF); with no
value at all it is kept as a suppressed (null) fact. The HS vintage is the record's own
classification (H6 = HS2022, ...), never inferred from the year.
"""

from __future__ import annotations

import polars as pl

from schemas.checks import is_blank
from schemas.columns import ROW_COLUMN
from schemas.numbers import parse_number
from schemas.validation import reject_rows, repeated_keys
from transforms.conformed import Conformed, hs_conformed
from transforms.countries import resolve_countries
from transforms.hs import normalise_hs, product_id_expr

SOURCE = "comtrade"
VINTAGES = {
    "H0": "HS1992",
    "H1": "HS1996",
    "H2": "HS2002",
    "H3": "HS2007",
    "H4": "HS2012",
    "H5": "HS2017",
    "H6": "HS2022",
}
FLOW_CODES = ("X", "M")
KEY = ["reporter_id", "partner_id", "product_id", "period_id", "flowCode"]


def _measures(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per (record, basis): flow_id, value_usd and whether the quantity goes with it."""
    cif, fob, primary = parse_number("cifvalue"), parse_number("fobvalue"), parse_number("primaryValue")
    no_basis = is_blank("cifvalue") & is_blank("fobvalue")
    is_x, is_m = pl.col("flowCode") == "X", pl.col("flowCode") == "M"
    parts = [
        rows.filter(is_x).with_columns(
            pl.lit("X_FOB").alias("flow_id"),
            pl.coalesce(fob, primary).alias("value_usd"),
            pl.lit(True).alias("with_qty"),
        ),
        rows.filter(is_m & (~is_blank("cifvalue") | no_basis)).with_columns(
            pl.lit("M_CIF").alias("flow_id"),
            pl.coalesce(cif, primary).alias("value_usd"),
            pl.lit(True).alias("with_qty"),
        ),
        rows.filter(is_m & ~is_blank("fobvalue")).with_columns(
            pl.lit("M_FOB").alias("flow_id"), fob.alias("value_usd"), pl.lit(False).alias("with_qty")
        ),
    ]
    return pl.concat(parts)


def conform(raw: pl.DataFrame, *, crosswalk: pl.DataFrame, file_hash: str) -> Conformed:
    """Validated raw records (text, with ``source_row``) to conformed facts; rows with unknown codes,
    flows other than X/M, or repeating another row's key after code mapping become rejects."""
    flows_ok = pl.col("flowCode").is_in(list(FLOW_CODES))
    rejects = [
        reject_rows(
            raw.filter(~flows_ok),
            "flowCode",
            pl.format("flowCode {} is not loaded (only X exports and M imports)", pl.col("flowCode")),
        )
    ]
    rows, bad_reporter = resolve_countries(
        raw.filter(flows_ok), code_column="reporterCode", schemes=["comtrade"], crosswalk=crosswalk, target="reporter_id"
    )
    rows, bad_partner = resolve_countries(
        rows, code_column="partnerCode", schemes=["comtrade"], crosswalk=crosswalk, target="partner_id"
    )
    rejects += [bad_reporter, bad_partner]
    rows = rows.with_columns(
        pl.col("classificationCode").replace_strict(VINTAGES).alias("hs_vintage"),
        normalise_hs(pl.col("cmdCode")).alias("code"),
        pl.col("cmdDesc").alias("description"),
        pl.when(pl.col("freqCode") == "A")  # the raw model checked the period against freqCode
        .then(pl.col("period"))
        .otherwise(pl.format("{}-{}", pl.col("period").str.slice(0, 4), pl.col("period").str.slice(4, 2)))
        .alias("period_id"),
    ).with_columns(product_id_expr(pl.col("hs_vintage"), pl.col("code")).alias("product_id"))

    rows = rows.sort(ROW_COLUMN)
    mapped = ["hs_vintage", "code", "description", "period_id", "product_id", "reporter_id", "partner_id"]
    kept, repeated = repeated_keys(
        rows.rename({c: f"__{c}" for c in mapped}),
        [f"__{c}" for c in KEY if c in mapped] + ["flowCode"],
        "partnerCode",
        "reporter, partner, product, period and flow after code mapping",
    )
    rejects.append(repeated)
    rows = kept.rename({f"__{c}": c for c in mapped})

    return hs_conformed([_facts(rows, file_hash)], rows, pl.concat(rejects, how="vertical_relaxed"))


def _facts(rows: pl.DataFrame, file_hash: str) -> pl.DataFrame:
    """One fact per record and measure; a quantity only with the record's own measure and a unit."""
    unit = pl.col("qtyUnitAbbr").str.strip_chars()
    has_qty = pl.col("with_qty") & unit.is_not_null() & ~unit.is_in(["", "N/A"])
    return _measures(rows).select(
        pl.lit(SOURCE).alias("source"),
        "reporter_id",
        "partner_id",
        "product_id",
        "period_id",
        "flow_id",
        pl.col("value_usd"),
        pl.when(has_qty).then(parse_number("qty")).otherwise(None).alias("quantity"),
        pl.when(has_qty).then(unit).otherwise(None).alias("quantity_unit"),
        pl.when(pl.col("value_usd").is_null())
        .then(pl.lit("suppressed"))
        .otherwise(pl.lit("reported"))
        .alias("value_status"),
        pl.lit(file_hash).alias("file_hash"),
    )
