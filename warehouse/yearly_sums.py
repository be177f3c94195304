"""The yearly sums under the stored marts: ``mart_tables.int_trade_yearly_sums`` holds the additive
sums and counts of every yearly value (``marts.int_trade_yearly`` states the rule over them).

A load adds its changes to them (``note_inserted``, ``note_replaced``: new facts added, a revised
fact's old version taken away and its new one added, applied once at its end by ``apply_changes``), so
no refresh rescans a year of facts; a group whose quantity unit a revision changed is recomputed from
its facts (its first and last units cannot be subtracted from). A load that starts on empty sums (a
new warehouse, a rebuild) notes nothing and ``derive_all`` computes them once at its end. Applying
records the (source, reporter, partner, year) the changes touched in ``TOUCHED``, from which
``warehouse.mart_tables`` refreshes the stored marts' slices.
"""

from __future__ import annotations

import duckdb

from schemas.core.fact_trade import GRAIN

TOUCHED = "mart_touched"
"""Temporary table of the (source, reporter_iso3, partner_iso3, year) a load's facts touched."""


DELTA = "mart_sums_delta"
"""Temporary table of a load's signed changes to ``SUMS``, one row per group and noted part."""
RECOUNT = "mart_sums_recount"
"""Temporary table of the ``SUMS`` groups a load must recompute from their facts."""
SUMS = "mart_tables.int_trade_yearly_sums"
GROUP = ("source", "reporter_iso3", "partner_iso3", "flow_id", "product_id", "year")
"""The grain of ``SUMS``."""
EXACT_QUANTITY = "DECIMAL(38, 9)"
"""The type quantities are summed in: exact, so a sum is the same however its facts were added up
(piece by piece by each load, or in one pass by a rebuild), which DOUBLE additions are not (0.1 +
0.2 then + 0.5 is not 0.1 + 0.7 in binary floating point). Quantities are below
``schemas.numbers.QUANTITY_LIMIT`` (FactTrade), so a year's sum fits; nine decimals are kept."""


def _exact(quantity: str) -> str:
    return f"CAST({quantity} AS {EXACT_QUANTITY})"


_ADDED = ("published_usd", "published_values", "published_partials", "published_quantity", "published_quantities",
          "months_usd", "months_values", "months_quantity", "months_quantities")


def sums_of(facts: str, sign: int = 1) -> str:
    """The SELECT of ``SUMS`` rows from a relation of facts (core.fact_trade's columns), each sum and
    count multiplied by ``sign``: -1 takes those facts away (their months and units are never taken
    away: a revision keeps its key; a group whose unit a revision changed is recounted)."""
    grain = "p.period_grain = 'year'"
    month = "p.period_grain = 'month'"
    adds = sign > 0
    return f"""
        SELECT
            f.source, f.reporter_id AS reporter_iso3, f.partner_id AS partner_iso3, f.flow_id, f.product_id, p.year,
            {sign} * coalesce(sum(f.value_usd) FILTER (WHERE {grain}), 0) AS published_usd,
            {sign} * count(f.value_usd) FILTER (WHERE {grain}) AS published_values,
            {sign} * count(f.value_usd) FILTER (WHERE {grain} AND f.value_status = 'partial') AS published_partials,
            {sign} * coalesce(sum({_exact("f.quantity")}) FILTER (WHERE {grain}), 0) AS published_quantity,
            {sign} * count(f.quantity) FILTER (WHERE {grain}) AS published_quantities,
            {sign} * coalesce(sum(f.value_usd) FILTER (WHERE {month}), 0) AS months_usd,
            {sign} * count(f.value_usd) FILTER (WHERE {month}) AS months_values,
            {sign} * coalesce(sum({_exact("f.quantity")}) FILTER (WHERE {month}), 0) AS months_quantity,
            {sign} * count(f.quantity) FILTER (WHERE {month}) AS months_quantities,
            {"coalesce(bit_or(CAST(1 AS INTEGER) << p.month) FILTER (WHERE " + month + "), 0)" if adds else "0"}
                AS month_bits,
            {"min(marts.quantity_unit_norm(f.quantity_unit))" if adds else "CAST(NULL AS VARCHAR)"} AS unit_min,
            {"max(marts.quantity_unit_norm(f.quantity_unit))" if adds else "CAST(NULL AS VARCHAR)"} AS unit_max
        FROM {facts} AS f
        JOIN core.dim_period AS p USING (period_id)
        WHERE p.period_grain IN ('year', 'month')
        GROUP BY ALL
    """


def _sums_of_one_period(facts: str, sign: int, grain: str, year: int, month: int | None) -> str:
    """``sums_of`` for facts that all have one period (``grain``, ``year``, ``month``): each fact is then
    its own group (facts are unique on their grain), so the sums are a projection, with no grouping."""
    if grain not in ("year", "month"):
        return f"{sums_of(facts, sign)} LIMIT 0"
    adds = sign > 0

    def part(expression: str, of: str) -> str:
        return expression if grain == of else "0"

    value = f"{sign} * coalesce(f.value_usd, 0)"
    values = f"{sign} * CAST(f.value_usd IS NOT NULL AS BIGINT)"
    quantity = f"{sign} * coalesce({_exact('f.quantity')}, 0)"
    quantities = f"{sign} * CAST(f.quantity IS NOT NULL AS BIGINT)"
    partials = f"{sign} * CAST(f.value_usd IS NOT NULL AND f.value_status = 'partial' AS BIGINT)"
    bits = f"CAST(1 AS INTEGER) << {month}" if adds and grain == "month" else "CAST(0 AS INTEGER)"
    unit = "marts.quantity_unit_norm(f.quantity_unit)" if adds else "CAST(NULL AS VARCHAR)"
    return f"""
        SELECT
            f.source, f.reporter_id AS reporter_iso3, f.partner_id AS partner_iso3, f.flow_id, f.product_id,
            CAST({year} AS INTEGER) AS year,
            {part(value, "year")} AS published_usd, {part(values, "year")} AS published_values,
            {part(partials, "year")} AS published_partials,
            {part(quantity, "year")} AS published_quantity, {part(quantities, "year")} AS published_quantities,
            {part(value, "month")} AS months_usd, {part(values, "month")} AS months_values,
            {part(quantity, "month")} AS months_quantity, {part(quantities, "month")} AS months_quantities,
            {bits} AS month_bits, {unit} AS unit_min, {unit} AS unit_max
        FROM {facts} AS f
    """


def _sums_select(con: duckdb.DuckDBPyConnection, facts: str, sign: int = 1) -> str:
    """``sums_of(facts, sign)``, or its projection when every fact has the same period (a month's
    payload: grouping 1.5M facts on six text keys costs a second; projecting them a tenth of it)."""
    periods = con.sql(f"SELECT min(period_id), max(period_id) FROM {facts}").fetchall()[0]
    if periods[0] is None or periods[0] != periods[1]:
        return sums_of(facts, sign)
    period = con.execute(
        "SELECT period_grain, year, month FROM core.dim_period WHERE period_id = ?", [periods[0]]
    ).fetchall()
    if not period:  # no such period: the join finds no row either
        return sums_of(facts, sign)
    grain, year, month = period[0]
    if grain == "month" and month is None:  # a month without its number: no month bit, as grouped
        return sums_of(facts, sign)
    return _sums_of_one_period(facts, sign, grain, year, month)


DERIVE = "mart_sums_derive"
"""Temporary table with one row when the load started on an empty ``SUMS`` (a new warehouse, a
rebuild): it notes nothing and derives the sums and every stored mart in full at its end."""


REGROUP = "mart_sums_regroup"
"""Temporary table with one row once ``DELTA`` may hold two rows of one group (two notes that share a
series), so that applying it must first add them up."""
APPLY_AT = 1_000_000
"""``apply_if_large`` applies the noted changes once ``DELTA`` holds this many rows (about 170 MB, and
each note copies it once: a long backfill onto a loaded warehouse stays within a load's memory limit);
other loads apply them once, at their end."""


def start(con: duckdb.DuckDBPyConnection, *, deferred: bool = False) -> None:
    """An empty record of a new load's changes on ``con``; ``deferred``: note nothing whatever the
    sums hold (the caller derives them in full later, see ``LoadSession``'s ``defer_marts``)."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {TOUCHED} "
        "(source VARCHAR, reporter_iso3 VARCHAR, partner_iso3 VARCHAR, year INTEGER)"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {DELTA} AS SELECT * FROM {SUMS} LIMIT 0")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {RECOUNT} AS SELECT {', '.join(GROUP)} FROM {SUMS} LIMIT 0")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {REGROUP} AS SELECT 1 AS regroup LIMIT 0")
    empty = "true" if deferred else f"NOT EXISTS (SELECT 1 FROM {SUMS})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {DERIVE} AS SELECT 1 AS derive WHERE {empty}")


def append_temp(con: duckdb.DuckDBPyConnection, table: str, select: str) -> None:
    """Add the rows of ``select`` to the temporary ``table`` by re-creating it (CREATE TABLE AS):
    DuckDB 2.0 hides rows INSERTed into a temporary table, from some scans, once the same transaction
    has appended many rows to a stored table (``tests/warehouse/test_mart_tables.py`` shows it)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {table} UNION ALL ({select})")


def empty_temp(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {table} LIMIT 0")


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def deriving(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(count_rows(con, DERIVE))


_SERIES_OF_GROUP = ("source", "reporter_iso3", "partner_iso3", "flow_id", "year")


def _note(con: duckdb.DuckDBPyConnection, select: str) -> None:
    """Add the ``SUMS`` rows of ``select`` (one per group) to ``DELTA``, noting when two rows of one
    group may now be in it (the new rows share a series with rows noted before)."""
    if not count_rows(con, DELTA):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {DELTA} AS {select}")
        return
    con.execute(f"CREATE OR REPLACE TEMP TABLE mart_sums_note AS {select}")
    if not count_rows(con, REGROUP):
        series = ", ".join(_SERIES_OF_GROUP)
        shared = con.sql(
            f"SELECT count(*) FROM (SELECT DISTINCT {series} FROM mart_sums_note "
            f"INTERSECT SELECT DISTINCT {series} FROM {DELTA})"
        ).fetchall()[0][0]
        if shared:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {REGROUP} AS SELECT 1 AS regroup")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {DELTA} AS SELECT * FROM {DELTA} UNION ALL BY NAME SELECT * FROM mart_sums_note")
    con.execute("DROP TABLE mart_sums_note")


def note_inserted(con: duckdb.DuckDBPyConnection, facts: str) -> None:
    """Add ``facts`` (a relation of new core.fact_trade rows) to the load's changes."""
    if deriving(con):
        return
    _note(con, _sums_select(con, facts))


def note_replaced(con: duckdb.DuckDBPyConnection, old: str, new: str) -> None:
    """Add a revision to the load's changes: ``old`` (the replaced versions of facts) taken away, ``new``
    (their new versions, same keys) added; a group whose unit changed is recounted from its facts."""
    if deriving(con):
        return
    _note(con, _sums_select(con, old, -1))
    _note(con, _sums_select(con, new))
    on = " AND ".join(f"o.{c} = n.{c}" for c in GRAIN)
    append_temp(con, RECOUNT, f"""
        SELECT DISTINCT o.source, o.reporter_id, o.partner_id, o.flow_id, o.product_id, p.year
        FROM {old} AS o JOIN {new} AS n ON {on} JOIN core.dim_period AS p ON p.period_id = o.period_id
        WHERE marts.quantity_unit_norm(o.quantity_unit) IS DISTINCT FROM marts.quantity_unit_norm(n.quantity_unit)
        """)


def apply_if_large(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the changes noted so far once they hold ``APPLY_AT`` rows (the loader calls it after each
    part, so a long load's record of changes stays bounded)."""
    if count_rows(con, DELTA) >= APPLY_AT:
        apply_changes(con)


def _changes(con: duckdb.DuckDBPyConnection) -> str:
    """The relation of the noted changes with one row per group: ``DELTA`` itself, or ``DELTA`` added
    up by group when two of its rows may share one."""
    if not count_rows(con, REGROUP):
        return DELTA
    keys = ", ".join(GROUP)
    sums = ", ".join(f"sum({c}) AS {c}" for c in _ADDED)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE mart_sums_regrouped AS
        SELECT {keys}, {sums}, bit_or(month_bits) AS month_bits, min(unit_min) AS unit_min, max(unit_max) AS unit_max
        FROM {DELTA} GROUP BY ALL
        """
    )
    return "mart_sums_regrouped"


def apply_changes(con: duckdb.DuckDBPyConnection) -> None:
    """Add the changes noted so far to ``SUMS``, recount the groups that need it, and note the slices
    (source, reporter, partner, year) they touched."""
    if not con.sql(f"SELECT count(*) FROM (SELECT 1 FROM {DELTA} UNION ALL SELECT 1 FROM {RECOUNT} LIMIT 1)").fetchall()[0][0]:
        return
    keys = ", ".join(GROUP)
    change = _changes(con)
    append_temp(con, TOUCHED, f"SELECT DISTINCT source, reporter_iso3, partner_iso3, year FROM {change} "
                              f"UNION SELECT DISTINCT source, reporter_iso3, partner_iso3, year FROM {RECOUNT}")
    match = " AND ".join(f"s.{k} = c.{k}" for k in GROUP)
    where = scope(con, change, ("source", "reporter_iso3", "year"), "s")
    if where and con.sql(f"SELECT count(*) FROM (SELECT 1 FROM {SUMS} AS s WHERE {where} LIMIT 1)").fetchall()[0][0]:
        # the changed groups' new rows (their old sums plus the change), then the old rows replaced: a
        # delete and an append, far cheaper in DuckDB than updating rows in place
        added = ", ".join(f"c.{c} + coalesce(s.{c}, 0) AS {c}" for c in _ADDED)
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE mart_sums_change AS
            SELECT {", ".join(f"c.{k}" for k in GROUP)}, {added},
                   c.month_bits | coalesce(s.month_bits, 0) AS month_bits,
                   least(s.unit_min, c.unit_min) AS unit_min, greatest(s.unit_max, c.unit_max) AS unit_max
            FROM {change} AS c
            LEFT JOIN (SELECT * FROM {SUMS} AS s WHERE {where}) AS s USING ({keys})
            """
        )
        change = "mart_sums_change"
        con.execute(f"DELETE FROM {SUMS} AS s WHERE {where} AND EXISTS (SELECT 1 FROM {change} AS c WHERE {match})")
    con.execute(f"INSERT INTO {SUMS} BY NAME SELECT * FROM {change}")
    con.execute("DROP TABLE IF EXISTS mart_sums_change")
    con.execute("DROP TABLE IF EXISTS mart_sums_regrouped")
    if count_rows(con, RECOUNT):
        match = " AND ".join(f"s.{k} = r.{k}" for k in GROUP)
        con.execute(f"DELETE FROM {SUMS} AS s WHERE EXISTS (SELECT 1 FROM {RECOUNT} AS r WHERE {match})")
        facts = (
            f"(SELECT f.* FROM core.fact_trade AS f JOIN core.dim_period AS p USING (period_id) "
            f"SEMI JOIN {RECOUNT} AS r ON f.source = r.source AND f.reporter_id = r.reporter_iso3 "
            f"AND f.partner_id = r.partner_iso3 AND f.flow_id = r.flow_id AND f.product_id = r.product_id "
            f"AND p.year = r.year)"
        )
        con.execute(f"INSERT INTO {SUMS} BY NAME {sums_of(facts)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {DELTA} AS SELECT * FROM {SUMS} LIMIT 0")
    empty_temp(con, RECOUNT)
    empty_temp(con, REGROUP)


def scope(con: duckdb.DuckDBPyConnection, table: str, keys: tuple[str, ...], alias: str) -> str:
    """``alias.key IN (...)`` for each of ``keys``' values in ``table`` (constants reach the scan's zone
    maps), joined by AND; empty when ``table`` is empty."""
    parts = []
    for key in keys:
        values = [r[0] for r in con.sql(f"SELECT DISTINCT {key} FROM {table} WHERE {key} IS NOT NULL ORDER BY 1").fetchall()]
        if not values:
            return ""
        if len(values) <= 1000:
            parts.append(f"{alias}.{key} IN ({literals(values)})")
    return " AND ".join(parts) or "true"


def literals(values: list[object]) -> str:
    return ", ".join(str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'" for v in values)


def derive_all(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute ``SUMS`` in full from core.fact_trade (in the caller's transaction), and record every
    (source, reporter, partner, year) it holds as touched."""
    con.execute(f"DELETE FROM {SUMS}")
    # a year and a flow at a time: a year's groups at once outgrow a rebuild's memory limit and spill to disk
    # (32 s for a year of 18M facts, 14 s in 14 parts)
    # every flow the facts have (not only core.dim_flow's: a full recompute counts them all)
    chunks = con.sql(
        "WITH years AS (SELECT year, list(period_id ORDER BY period_id) AS periods FROM core.dim_period GROUP BY year), "
        "flows AS (SELECT DISTINCT flow_id FROM core.fact_trade) "
        "SELECT f.flow_id, y.periods FROM years AS y, flows AS f ORDER BY y.year, f.flow_id"
    ).fetchall()
    for flow_id, periods in chunks:
        facts = f"(SELECT * FROM core.fact_trade WHERE period_id IN ({literals(periods)}) AND flow_id = {literals([flow_id])})"
        con.execute(f"INSERT INTO {SUMS} BY NAME {sums_of(facts)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED} AS SELECT DISTINCT source, reporter_iso3, partner_iso3, year FROM {SUMS}")
