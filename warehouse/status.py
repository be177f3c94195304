"""Read-only queries about the state of the warehouse: what is loaded, the last runs, quarantine."""

from __future__ import annotations

import duckdb


def _rows(con: duckdb.DuckDBPyConnection, query: str, params: dict[str, object] | None = None) -> list[dict]:
    relation = con.sql(query, params=params)
    names = relation.columns
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def table_row_counts(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = ("core", "meta")) -> list[dict]:
    """Rows of every base table in ``schemas``: [{table, rows}], by name."""
    tables = con.sql(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name IN (SELECT unnest($schemas)) ORDER BY 1",
        params={"schemas": list(schemas)},
    ).fetchall()
    return [{"table": t, "rows": con.sql(f"SELECT count(*) FROM {t}").fetchall()[0][0]} for (t,) in tables]


def sources_status(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per source: last period loaded, the newest payload seen (its request and when) and when it
    was last loaded; tariff sources report their newest edition as the last period."""
    return _rows(
        con,
        """
        WITH facts AS (
            SELECT f.source,
                   max(p.period_id) FILTER (WHERE p.period_grain = 'month') AS last_month,
                   max(p.period_id) FILTER (WHERE p.period_grain = 'year') AS last_year,
                   count(*) AS facts
            FROM core.fact_trade AS f JOIN core.dim_period AS p USING (period_id)
            GROUP BY f.source
        ),
        tariffs AS (
            SELECT source, strftime(max(valid_from), '%Y-%m-%d') AS last_edition, sum(rates) AS facts
            FROM core.dim_tariff_edition GROUP BY source
        ),
        files AS (
            SELECT source,
                   arg_max(request, strftime(fetched_at, '%Y%m%d%H%M') || request) AS last_release,
                   max(fetched_at) AS last_seen_at,
                   max(last_loaded_at) AS last_loaded_at,
                   count(*) AS payloads
            FROM meta.landed_files GROUP BY source
        )
        SELECT source,
               coalesce(facts.last_month, facts.last_year, tariffs.last_edition) AS last_period,
               coalesce(facts.facts, tariffs.facts, 0) AS facts,
               files.payloads, files.last_release, files.last_seen_at, files.last_loaded_at
        FROM files
        FULL JOIN facts USING (source)
        FULL JOIN tariffs USING (source)
        ORDER BY source
        """,
    )


def last_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict]:
    """The latest runs, newest first, with outcome and duration in seconds."""
    return _rows(
        con,
        """
        SELECT run_id, flow_name, source, status, started_at, finished_at,
               epoch(finished_at - started_at) AS duration_s,
               rows_in, rows_loaded, rows_quarantined, facts_inserted, facts_updated
        FROM meta.runs ORDER BY finished_at DESC LIMIT $limit
        """,
        {"limit": limit},
    )


def quarantine_counts(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Quarantined rows per source and reason, most frequent first."""
    return _rows(
        con,
        """
        SELECT source, reason, count(*) AS rows, max(quarantined_at) AS last_at
        FROM meta.quarantine GROUP BY source, reason ORDER BY rows DESC, source, reason
        """,
    )


def run_by_source(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    """One flow run's loads per source (a backfill's run ids are ``<run_id>:<source>:<year>``)."""
    return _rows(
        con,
        """
        SELECT source, count(*) AS loads, sum(rows_in) AS rows_extracted, sum(rows_loaded) AS rows_loaded,
               sum(rows_quarantined) AS rows_quarantined, sum(facts_inserted) AS facts_inserted,
               sum(facts_updated) AS revisions
        FROM meta.runs WHERE run_id = $run_id OR starts_with(run_id, $run_id || ':')
        GROUP BY source ORDER BY source
        """,
        {"run_id": run_id},
    )
