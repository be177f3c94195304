"""Validate a frame against a pandera model, splitting good rows from failed ones.

Schema-level failures (a missing column, a frame of the wrong shape) stop the load with an error
naming the file and the column; row-level failures become quarantine rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandera.errors as pa_errors
import pandera.polars as pa
import polars as pl

from schemas.columns import ROW_COLUMN
from schemas.numbers import format_of_check, number_problem

REJECT_SCHEMA = {
    "row_number": pl.Int64,
    "field": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "raw_record": pl.String,
}


class PayloadSchemaError(ValueError):
    """A payload cannot be read at all: a required column is missing or renamed."""

    def __init__(self, file_name: str, problems: list[str]) -> None:
        self.file_name = file_name
        self.problems = problems
        super().__init__(f"{file_name}: " + "; ".join(problems))


@dataclass(frozen=True)
class Validated:
    """Rows that passed and the rejects (one row per failed field) with their reasons."""

    valid: pl.DataFrame
    rejects: pl.DataFrame


def empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECT_SCHEMA)


def raw_records(frame: pl.DataFrame) -> pl.Series:
    """Each row as a JSON object of its raw fields (the row number column left out)."""
    fields = [c for c in frame.columns if c != ROW_COLUMN]
    return pl.Series(
        "raw_record",
        [json.dumps(row, ensure_ascii=False) for row in frame.select(fields).iter_rows(named=True)],
        dtype=pl.String,
    )


def reject_rows(frame: pl.DataFrame, field: str, reason: pl.Expr) -> pl.DataFrame:
    """One reject per row of ``frame`` (raw rows with ``source_row``) for ``field``, with ``reason``."""
    return frame.select(
        pl.col(ROW_COLUMN).cast(pl.Int64).alias("row_number"),
        pl.lit(field).alias("field"),
        pl.col(field).cast(pl.String).alias("value"),
        reason.alias("reason"),
    ).with_columns(raw_records(frame))


def repeated_keys(frame: pl.DataFrame, key: list[str], field: str, what: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows whose ``key`` no other row has, a reject for EVERY row of a repeated key): no copy is kept
    as the right one. ``frame`` is raw rows with ``source_row``; ``what`` names the key in the reason."""
    repeated = frame.select(pl.struct(key).is_duplicated()).to_series()  # once: it hashes every key
    rejects = reject_rows(
        frame.filter(repeated).drop(c for c in frame.columns if c.startswith("__")),
        field,
        pl.lit(f"duplicate key ({what}): more than one row has it, all of them are quarantined"),
    )
    return (frame.filter(~repeated) if rejects.height else frame), rejects


def _schema_problems(cases: pl.DataFrame) -> list[str]:
    problems = []
    for row in cases.iter_rows(named=True):
        if row["check"] == "column_in_dataframe":
            problems.append(f"missing column {row['failure_case']!r}")
        else:
            problems.append(f"{row['check']} failed for {row['failure_case']!r}")
    return problems


def _row_reason(cases: pl.DataFrame) -> pl.Expr:
    """"<column> failed <check>", or for a number check, what is wrong with the number."""
    reason = pl.format("{} failed {}", pl.col("column"), pl.col("check"))
    for name in cases.get_column("check").unique().to_list():
        fmt = format_of_check(name)
        if fmt is not None:
            problem = number_problem(pl.col("failure_case"), fmt)
            reason = pl.when(pl.col("check") == name).then(
                pl.format("{}: {}", pl.col("column"), problem.fill_null("not a number"))
            ).otherwise(reason)
    return reason


def split_valid(frame: pl.DataFrame, model: type[pa.DataFrameModel], file_name: str) -> Validated:
    """Validate ``frame``; return the passing rows and one reject row per failing field."""
    missing = [
        name for name, column in model.to_schema().columns.items()
        if not column.regex and column.required and name not in frame.columns
    ]
    if missing:  # checked first: pandera's row checks can crash on a frame without its columns
        raise PayloadSchemaError(file_name, [f"missing column {name!r}" for name in missing])
    try:
        model.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
        schema_level = cases.filter(pl.col("index").is_null())
        if schema_level.height:
            raise PayloadSchemaError(file_name, _schema_problems(schema_level)) from None
        bad_index = cases.get_column("index").unique().sort()
        unique = list(getattr(model.Config, "unique", None) or [])
        key = ", ".join(unique)
        key_values = pl.concat_str(unique, separator=", ") if unique else pl.lit(None, pl.String)
        duplicate = pl.col("check") == "multiple_fields_uniqueness"
        indexed = frame.with_row_index("__index")
        bad_rows = indexed.filter(pl.col("__index").is_in(bad_index.implode()))
        records = bad_rows.select("__index", ROW_COLUMN, key_values.alias("__key")).with_columns(
            raw_records(bad_rows.drop("__index"))
        )
        rejects = (
            cases.select(
                pl.col("index").cast(pl.UInt32).alias("__index"),
                pl.when(duplicate).then(pl.lit(key)).otherwise(pl.col("column")).alias("field"),
                pl.col("failure_case").cast(pl.String).alias("value"),
                duplicate.alias("__duplicate"),
                pl.when(duplicate)
                .then(pl.lit(f"duplicate key ({key}): more than one row has it, all of them are quarantined"))
                .otherwise(_row_reason(cases))
                .alias("reason"),
            )
            .join(records, on="__index", how="left")
            .select(
                pl.col(ROW_COLUMN).cast(pl.Int64).alias("row_number"),
                "field",
                pl.when("__duplicate").then("__key").otherwise("value").alias("value"),
                "reason",
                "raw_record",
            )
            .sort("row_number", "field")
        )
        valid = indexed.filter(~pl.col("__index").is_in(bad_index.implode())).drop("__index")
        return Validated(valid=valid, rejects=rejects)
    return Validated(valid=frame, rejects=empty_rejects())


def assert_valid(frame: pl.DataFrame, model: type[pa.DataFrameModel], table: str) -> pl.DataFrame:
    """Validate a conformed frame bound for a warehouse table; any failure is a bug, so it raises."""
    try:
        return model.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
        summary = cases.group_by("column", "check").agg(pl.len().alias("rows"), pl.col("failure_case").first())
        problems = "; ".join(
            f"{r['column']} {r['check']} ({r['rows']} rows, e.g. {r['failure_case']!s:.120})"
            for r in summary.sort("column", "check").iter_rows(named=True)
        )
        raise ValueError(f"conformed rows for {table} break its model: {problems}") from None
