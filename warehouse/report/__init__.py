"""``entrepot report``: a self-contained HTML report with inline SVG charts (opens offline).

Sections: for each configured pair, exports, imports and balance by year (marts.trade_balance) with
the milestones of the agreements between them (core.dim_agreement, seeded from
``warehouse/seeds/tariff_agreements.csv``); the pair's top HS chapters and their change on the year
before (marts.trade_by_sector); tariffs by HS section, MFN against KORUS (marts.tariff_indicators),
where a schedule is loaded. It reads the warehouse only. A section whose data is absent says so instead of failing.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from string import Template

import duckdb

from warehouse.connection import warehouse
from warehouse.report.charts import Milestone, bar_pairs_chart, year_chart

TEMPLATE = Path(__file__).parent / "templates" / "report.html"
TOP_PRODUCTS = 8


def _exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    query = (
        "SELECT count(*) FROM (SELECT schema_name, table_name AS name FROM duckdb_tables() UNION ALL "
        "SELECT schema_name, view_name FROM duckdb_views()) WHERE schema_name = $s AND name = $n"
    )
    return con.sql(query, params={"s": schema, "n": name}).fetchall()[0][0] > 0


def _months(n: int | None) -> str:
    return "months unknown" if n is None else f"{n} month{'' if n == 1 else 's'}"


def _note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def agreement_milestones(con: duckdb.DuckDBPyConnection, reporter: str, partner: str) -> list[Milestone]:
    """Signed, in force and amended dates of every agreement between the two (core.dim_agreement)."""
    if not _exists(con, "core.dim_agreement"):
        return []
    rows = con.sql(
        """
        SELECT agreement_id, signed_date, in_force_date, amended_in_force_date FROM core.dim_agreement
        WHERE list_has_all(list_transform(string_split(parties, ','), lambda p: trim(p)), [$r, $p])
        ORDER BY in_force_date, agreement_id
        """,
        params={"r": reporter, "p": partner},
    ).fetchall()
    found = [
        Milestone(day, f"{agreement} {what}")
        for agreement, *days in rows
        for day, what in zip(days, ("signed", "in force", "amended"), strict=True)
        if day is not None
    ]
    return sorted(found, key=lambda m: m.day)


def balance_section(con: duckdb.DuckDBPyConnection, reporter: str, partner: str) -> str:
    """Exports, imports and balance by year, one chart per source, the pair's agreements marked."""
    rows = con.sql(
        """
        SELECT source, year, exports_usd / 1e9, imports_usd / 1e9, months_covered
        FROM marts.trade_balance WHERE reporter_iso3 = $r AND partner_iso3 = $p ORDER BY source, year
        """,
        params={"r": reporter, "p": partner},
    ).fetchall()
    html = [f"<h2>{escape(reporter)} trade with {escape(partner)}</h2>"]
    if not rows:
        return html[0] + _note(f"No trade between {reporter} and {partner} is loaded yet.")
    milestones = agreement_milestones(con, reporter, partner)
    for source in sorted({r[0] for r in rows}):
        series = [r for r in rows if r[0] == source]
        years = list(range(series[0][1], series[-1][1] + 1))
        by_year = {r[1]: r for r in series}
        shown = [m for m in milestones if years[0] <= m.day.year <= years[-1]]
        html.append(year_chart(
            f"{reporter}–{partner}: exports, imports and balance by year ({source})", years,
            [float(by_year[y][2]) if y in by_year and by_year[y][2] is not None else None for y in years],
            [float(by_year[y][3]) if y in by_year and by_year[y][3] is not None else None for y in years],
            shown,
        ))
        partial = [f"{y} ({_months(by_year[y][4])})" for y in years if y in by_year and (by_year[y][4] or 12) < 12]
        hidden = [f"{m.label} {m.day.isoformat()}" for m in milestones if m not in shown]
        captions = ([f"Partial years: {', '.join(partial)}."] if partial else []) + (
            [f"Outside the years shown: {'; '.join(hidden)}."] if hidden else [])
        html += [f'<p class="caption">{escape(" ".join(captions))}</p>'] if captions else []
    return "\n".join(html)


def products_section(con: duckdb.DuckDBPyConnection, reporter: str, partner: str) -> str:
    """Top HS chapters each way in the latest year (a full one if any), against the year before."""
    title = f"<h3>Top products, {escape(reporter)} with {escape(partner)}</h3>"
    if not _exists(con, "marts.trade_by_sector"):
        return title + _note("marts.trade_by_sector is not in this warehouse: upgrade it with `entrepot migrate`.")
    rows = con.sql(
        """
        WITH s AS (
            SELECT s.year, d.direction, s.chapter, sum(s.value_usd) / 1e9 AS value, max(s.months_covered) AS months
            FROM marts.trade_by_sector AS s JOIN core.dim_flow AS d USING (flow_id)
            WHERE s.reporter_iso3 = $r AND s.partner_iso3 = $p AND d.is_trade_value AND d.headline_priority = 1
            GROUP BY ALL
        ),
        latest AS (SELECT coalesce(max(year) FILTER (WHERE months = 12), max(year)) AS year FROM s),
        -- a chapter's name from its latest HS edition that names it (any_value picked one at random)
        names AS (SELECT code, arg_max(description, hs_vintage) AS description FROM core.dim_product
                  WHERE level = 2 AND description IS NOT NULL GROUP BY code)
        SELECT s.direction, s.chapter, names.description, s.value, prev.value, s.year, s.months
        FROM s JOIN latest USING (year)
        LEFT JOIN s AS prev ON prev.year = s.year - 1 AND prev.direction = s.direction AND prev.chapter = s.chapter
        LEFT JOIN names ON names.code = s.chapter
        ORDER BY s.direction, s.value DESC
        """,
        params={"r": reporter, "p": partner},
    ).fetchall()
    if not rows:
        return title + _note("No trade by HS chapter is loaded for this pair.")
    html = [title]
    for direction in ("export", "import"):
        top = [r for r in rows if r[0] == direction][:TOP_PRODUCTS]
        if not top:
            continue
        year, months = top[0][5], top[0][6]
        labels = [f"{r[1]} {(r[2] or '').capitalize()}" for r in top]
        notes = [f"{(r[3] / r[4] - 1):+.1%} on {year - 1}" if r[4] else "new" for r in top]
        html.append(bar_pairs_chart(
            f"{direction}s {year}{'' if months == 12 else f' ({_months(months)})'} against {year - 1}",
            labels, [float(r[3]) for r in top], [float(r[4]) if r[4] is not None else None for r in top],
            (str(year), str(year - 1)), "billion USD", notes,
        ))
    return "\n".join(html)


def tariffs_section(con: duckdb.DuckDBPyConnection) -> str:
    """Simple average rates by HS section (marts.tariff_indicators): MFN against KORUS, per importer,
    for the latest year whose schedule is in force."""
    title = "<h2>Tariffs by sector: MFN against KORUS</h2>"
    if not (_exists(con, "marts.tariff_indicators") and _exists(con, "core.dim_hs_section")):
        return title + _note("No tariff tables in this warehouse yet: upgrade it with `entrepot migrate`.")
    rows = con.sql(
        """
        WITH latest AS (
            SELECT importer_iso3, max(year) AS year FROM marts.tariff_indicators
            WHERE year <= year(current_date) GROUP BY ALL
        )
        SELECT t.importer_iso3, t.year, s.section, s.roman || ' ' || s.title,
               max(t.simple_avg_pct) FILTER (WHERE t.rate_type = 'mfn') AS mfn,
               max(t.simple_avg_pct) FILTER (WHERE t.rate_type = 'preferential' AND t.agreement_id = 'KORUS') AS korus,
               max(t.tariff_lines) FILTER (WHERE t.rate_type = 'mfn') AS lines
        FROM marts.tariff_indicators AS t
        JOIN latest USING (importer_iso3, year)
        JOIN core.dim_hs_section AS s ON s.section = t.hs_section
        WHERE t.aggregation = 'section'
        GROUP BY ALL HAVING mfn IS NOT NULL OR korus IS NOT NULL
        ORDER BY t.importer_iso3, s.section
        """
    ).fetchall()
    if not rows:
        return title + _note(
            "No tariff schedule is loaded: load one with `entrepot ingest usitc-hts --file ... --valid-from ...`."
        )
    html = [title, _note(
        "Simple average rates in force on 31 December (marts.tariff_indicators, WTO definition: lines averaged "
        "within each HS6 subheading, then the subheadings averaged; specific rates through their ad valorem "
        "equivalent where a unit value is known, else left out)."
    )]
    for importer in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == importer]
        html.append(bar_pairs_chart(
            f"{importer}: average ad valorem rate by HS section, {mine[0][1]}", [r[3] for r in mine],
            [r[4] for r in mine], [r[5] for r in mine], ("MFN", "KORUS"), "percent",
            [f"{r[6]:,} line{'s' if r[6] != 1 else ''}" if r[6] else "" for r in mine],
        ))
    return "\n".join(html)


def render_report(con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]], warehouse_name: str) -> str:
    """The report as one HTML document."""
    sections = []
    for reporter, partner in pairs:
        sections += [balance_section(con, reporter, partner), products_section(con, reporter, partner)]
    sections.append(tariffs_section(con))
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Template(TEMPLATE.read_text()).substitute(
        title="entrepot trade report",
        meta=escape(f"Warehouse {warehouse_name}, generated {now}. Values in US dollars as published by each source."),
        sections="\n".join(sections),
    )


def write_report(path: Path, out: Path, pairs: list[tuple[str, str]]) -> Path:
    """Render the report of the warehouse at ``path`` (read-only) into ``out``."""
    with warehouse(path, read_only=True) as con:
        html = render_report(con, pairs, Path(path).name)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out
