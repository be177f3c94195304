"""Census HS10 monthly trade for every partner, in the API's landed format, at any size.

Used by ``entrepot bench``: writes one response per (direction, month) exactly as the Census API
formats it (a JSON array of arrays, header first, one row per line), lands each file under its hash
with a manifest line, and returns what it wrote. Built with polars string expressions so tens of
millions of rows take seconds, not minutes. Deterministic for a given row count.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from flows.sources import census_api
from flows.sources.landing import LandedPayload, land_bytes

SEEDS = Path(__file__).resolve().parents[2] / "warehouse" / "seeds" / "countries.csv"
ROWS_PER_FILE = 250_000


@dataclass(frozen=True)
class BenchData:
    rows: int
    payloads: list[LandedPayload]
    months: list[str]


def partner_codes() -> list[tuple[str, str]]:
    """Census codes and names of every non-aggregate country in the project's seed."""
    with open(SEEDS, encoding="utf-8") as handle:
        rows = [
            r
            for r in csv.DictReader(handle)
            if r["census_code"] and r["is_aggregate"] == "false" and r["country_id"] != "USA"
        ]
    return sorted((r["census_code"], r["name"].upper()) for r in rows)


def _months(count: int, *, first: str | None = None, last: str | None = None) -> list[str]:
    """``count`` consecutive months starting at ``first`` or ending at ``last``."""
    if first is not None:
        start = int(first[:4]) * 12 + int(first[5:7]) - 1
    else:
        assert last is not None
        start = int(last[:4]) * 12 + int(last[5:7]) - count
    return [f"{(start + i) // 12}-{(start + i) % 12 + 1:02d}" for i in range(count)]


def _q(expr: pl.Expr) -> pl.Expr:
    return pl.lit('"') + expr + pl.lit('"')


def response_body(direction: str, month: str, partners: pl.DataFrame, codes: pl.DataFrame) -> bytes:
    """One response: every partner x HS10 code, with deterministic values."""
    grid = partners.join(codes, how="cross").with_columns(
        (
            pl.concat_str([pl.col("cty"), pl.col("hs10"), pl.lit(month + direction)]).hash(seed=7) % 9_000_000
            + 100
        )
        .cast(pl.String)
        .alias("value"),
        (pl.concat_str([pl.col("hs10"), pl.col("cty")]).hash(seed=11) % 50_000).cast(pl.String).alias("qty"),
    )
    fixed = [pl.lit("HS10"), pl.lit(month)]
    described = [pl.col(c) for c in ("cty", "name", "hs10", "desc", "value")]
    if direction == "export":
        fields = [*described, pl.col("qty"), pl.lit("KG")]
    else:  # then consumption and CIF value, calculated duty (none), dutiable value
        fields = [*described, pl.col("value"), pl.col("value"), pl.lit("0"), pl.col("value"), pl.col("qty"), pl.lit("KG")]
    line = pl.lit("[") + pl.concat_str([_q(f) for f in [*fields, *fixed]], separator=",") + pl.lit("]")
    header = [*census_api.VARIABLES[direction], "COMM_LVL", "time"]
    if len(header) != len(fields) + 2:
        raise AssertionError(f"bench row shape {len(fields) + 2} does not match the API header {header}")
    lines = grid.select(line.alias("l")).get_column("l")
    head = "[" + "[" + ",".join(f'"{h}"' for h in header) + "],\n"
    return (head + ",\n".join(lines.to_list()) + "]").encode()


def generate(rows: int, landing_dir: Path, *, first_month: str | None = None, last_month: str | None = None) -> BenchData:
    """Write about ``rows`` data rows (half exports, half imports) into ``landing_dir``, in months
    starting at ``first_month`` or ending at ``last_month`` (default: ending 2015-12)."""
    partner_list = partner_codes()
    files = max(2, 2 * math.ceil(rows / (2 * ROWS_PER_FILE)))
    per_file = math.ceil(rows / files)
    n_codes = math.ceil(per_file / len(partner_list))
    partners = pl.DataFrame({"cty": [c for c, _ in partner_list], "name": [n for _, n in partner_list]})
    codes = pl.DataFrame(
        {"hs10": [f"{(i * 7919) % 9_700_000_000 + 100_000_000:010d}" for i in range(n_codes)]}
    )
    codes = codes.with_columns(pl.format("BENCH PRODUCT {}", pl.col("hs10")).alias("desc"))
    if first_month is None and last_month is None:
        last_month = "2015-12"
    months = _months(files // 2, first=first_month, last=last_month)
    payloads = []
    for month in months:
        for direction in ("export", "import"):
            body = response_body(direction, month, partners, codes)
            request = census_api.CensusRequest(direction, month, "HS10")
            payloads.append(
                land_bytes(
                    landing_dir,
                    source=census_api.SOURCE,
                    request=request.landing_request(),
                    content=body,
                    suffix=".json",
                    rows=partners.height * codes.height,
                )
            )
    return BenchData(rows=sum(p.rows or 0 for p in payloads), payloads=payloads, months=months)
