"""USITC DataWeb annual query exports (wide: one column per year) to trade facts.

Reporter USA; partners by DataWeb's country names (crosswalk schemes ``dataweb_name`` for DataWeb's
own spellings, then ``name``); product = the HTS code in the HS vintage of each year. The measure
comes from the preamble's trade flow and the ``Data Type`` column (``MEASURES``): "General Import
Charges" are freight and insurance charges, not import values, so they load as their own flow.
The ``Total:`` footer is not a fact: each year's footer is checked against the sum of the file's data
rows (a mismatch quarantines the footer row) and the comparison is reported in ``notes``.
Year columns that are 0 in every row and in the footer (the current, unpublished year) are skipped.
"""

from __future__ import annotations

import re

import polars as pl

from schemas.checks import is_blank
from schemas.numbers import parse_number
from schemas.raw.usitc_dataweb import DATAWEB_USD
from schemas.validation import reject_rows, repeated_keys
from transforms.conformed import Conformed, fact_frame
from transforms.countries import resolve_countries
from transforms.hs import hs_vintage_expr, normalise_hs, product_id_expr, product_rows
from transforms.periods import period_rows

SOURCE = "usitc_dataweb"
REPORTER = "USA"
FOOTER = "Total:"
# (trade flow in the preamble, Data Type) -> flow_id
MEASURES: dict[tuple[str, str], str] = {
    ("Total Exports", "FAS Value"): "X_FAS",
    ("General Imports", "Customs Value"): "M_GEN_CUSTOMS",
    ("General Imports", "CIF Import Value"): "M_GEN_CIF",
    ("General Imports", "General Import Charges"): "M_GEN_CHARGES",
    ("Imports for Consumption", "Customs Value"): "M_CON_CUSTOMS",
    ("Imports for Consumption", "Calculated Duties"): "M_CAL_DUTY",
    ("Imports for Consumption", "Dutiable Value"): "M_DUTIABLE",
}
_YEAR = re.compile(r"^\d{4}$")
TOLERANCE_USD = 0.5


def year_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if _YEAR.match(c)]


def unpublished_years(data: pl.DataFrame, footer: pl.DataFrame) -> list[str]:
    """Trailing year columns that are 0 in every data row and in the footer."""
    years = year_columns(data)
    both = pl.concat([data.select(years), footer.select(years)])
    zero = [y for y in years if both.select(parse_number(y, DATAWEB_USD).fill_null(0).abs().sum()).item() == 0]
    trailing: list[str] = []
    for year in reversed(years):
        if year not in zero:
            break
        trailing.insert(0, year)
    return trailing


def check_footer(
    data: pl.DataFrame, loaded: pl.DataFrame, footer: pl.DataFrame, years: list[str]
) -> tuple[pl.DataFrame, list[str]]:
    """Compare each year's footer with the file's rows and with what loads; rejects for mismatches."""
    notes, rejects = [], []
    if footer.height != 1:
        return pl.DataFrame(), [
            f"expected one {FOOTER} footer row, found {footer.height}: totals not checked"
        ]
    for year in years:
        published = footer.select(parse_number(year, DATAWEB_USD)).item()
        rows_sum = data.select(parse_number(year, DATAWEB_USD).sum()).item() or 0.0
        loaded_sum = loaded.filter(pl.col("period_id") == year).get_column("value_usd").sum() or 0.0
        notes.append(
            f"{year}: publisher total {published:,.0f}, rows {rows_sum:,.0f}, loaded {loaded_sum:,.0f}"
        )
        if published is None or abs(published - rows_sum) > TOLERANCE_USD:
            rejects.append(
                reject_rows(
                    footer,
                    year,
                    pl.lit(
                        f"{FOOTER} footer for {year} is {published} "
                        f"but the file's data rows sum to {rows_sum:.2f}"
                    ),
                )
            )
    return (pl.concat(rejects) if rejects else pl.DataFrame()), notes


def _with_measure(data: pl.DataFrame) -> pl.DataFrame:
    """The data rows with the ``flow_id`` of their measure (null for a measure not loaded)."""
    measures = pl.DataFrame(
        [(flow, kind, flow_id) for (flow, kind), flow_id in MEASURES.items()],
        schema={"Trade Flow": pl.String, "Data Type": pl.String, "flow_id": pl.String},
        orient="row",
    )
    return data.join(measures, on=["Trade Flow", "Data Type"], how="left", maintain_order="left")


def _unusable(data: pl.DataFrame) -> list[pl.DataFrame]:
    """Rejects for data rows of a measure not loaded, without an HTS number, or without a country."""
    return [
        reject_rows(
            data.filter(pl.col("flow_id").is_null()).drop("flow_id"),
            "Data Type",
            pl.format(
                "measure '{}' of '{}' is not one entrepot loads", pl.col("Data Type"), pl.col("Trade Flow")
            ),
        ),
        reject_rows(
            data.filter(pl.col("flow_id").is_not_null() & is_blank("HTS Number")).drop("flow_id"),
            "HTS Number",
            pl.lit("data row without an HTS number"),
        ),
        reject_rows(
            data.filter(pl.col("flow_id").is_not_null() & ~is_blank("HTS Number") & is_blank("Country")).drop(
                "flow_id"
            ),
            "Country",
            pl.lit("data row without a country"),
        ),
    ]


def _facts(rows: pl.DataFrame, years: list[str], file_hash: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows long (one per year, with their product) and their facts."""
    long = (
        rows.unpivot(
            on=years,
            index=["partner_id", "flow_id", "HTS Number", "Description"],
            variable_name="period_id",
            value_name="text",
        )
        .with_columns(
            normalise_hs(pl.col("HTS Number")).alias("code"),
            hs_vintage_expr(pl.col("period_id").cast(pl.Int32)).alias("hs_vintage"),
            pl.col("Description").alias("description"),
        )
        .with_columns(product_id_expr(pl.col("hs_vintage"), pl.col("code")).alias("product_id"))
    )
    return long, fact_frame(
        long.with_columns(
            pl.lit(SOURCE).alias("source"),
            pl.lit(REPORTER).alias("reporter_id"),
            parse_number("text", DATAWEB_USD).alias("value_usd"),
            pl.lit(None, pl.Float64).alias("quantity"),
            pl.lit(None, pl.String).alias("quantity_unit"),
            pl.when(is_blank("text"))
            .then(pl.lit("suppressed"))
            .otherwise(pl.lit("reported"))
            .alias("value_status"),
            pl.lit(file_hash).alias("file_hash"),
        )
    )


def conform(raw: pl.DataFrame, *, crosswalk: pl.DataFrame, file_hash: str) -> Conformed:
    """Validated raw rows (text, with ``source_row``) to conformed facts, rejects and notes."""
    years = year_columns(raw)
    is_footer = pl.col("Data Type") == FOOTER
    footer, data = raw.filter(is_footer), raw.filter(~is_footer)
    data = _with_measure(data)
    rejects = _unusable(data)
    usable = data.filter(pl.col("flow_id").is_not_null() & ~is_blank("HTS Number") & ~is_blank("Country"))
    rows, unknown = resolve_countries(
        usable, code_column="Country", schemes=["dataweb_name", "name"], crosswalk=crosswalk, target="partner_id"
    )
    rejects.append(unknown)
    rows, repeated = repeated_keys(
        rows.rename({"partner_id": "__partner_id", "flow_id": "__flow_id"}),
        ["__partner_id", "__flow_id", "HTS Number"],
        "Country",
        "measure, HTS number and country",
    )
    rejects.append(repeated)
    rows = rows.rename({"__partner_id": "partner_id", "__flow_id": "flow_id"})
    skipped_years = unpublished_years(data, footer)
    published_years = [y for y in years if y not in skipped_years]

    long, facts = _facts(rows, published_years, file_hash)
    footer_rejects, notes = check_footer(data, facts, footer, published_years)
    if footer_rejects.height:
        rejects.append(footer_rejects)
    return Conformed(
        facts=facts,
        products=product_rows(long),
        periods=period_rows(facts.get_column("period_id")),
        rejects=pl.concat(rejects, how="vertical_relaxed"),
        rows_skipped=rows.height * len(skipped_years),
        notes=tuple(notes),
    )
