-- mart_tables.trade_by_sector_logic — grain: as marts.trade_by_sector (described below), whose logic it holds, computed
-- from the views it reads; a load inserts the slices (source, reporter_iso3, partner_iso3, year) it touched into
-- mart_tables.trade_by_sector from this view (warehouse/mart_tables.py).
CREATE OR REPLACE VIEW mart_tables.trade_by_sector_logic AS
WITH chapters_by_level AS (
    SELECT
        source, reporter_iso3, partner_iso3, flow_id, year, product_level, hs_chapter AS chapter,
        string_agg(DISTINCT hs_vintage, ',' ORDER BY hs_vintage) AS hs_vintages,  -- in order: the same text every refresh
        sum(value_usd) AS value_usd,
        max(months_covered) AS months_covered,
        bool_or(is_partial_year) AS is_partial_year,
        CASE WHEN min(year_basis) = max(year_basis) THEN min(year_basis) ELSE 'mixed' END AS year_basis
    FROM marts.int_trade_yearly
    WHERE classification = 'HS'
    GROUP BY ALL
),

-- per series and year, the coarsest HS level it has (grouped first: a few rows per chapter, not one per product)
chapters AS (
    SELECT * FROM chapters_by_level
    QUALIFY product_level = min(product_level) OVER (PARTITION BY source, reporter_iso3, partner_iso3, flow_id, year)
)

SELECT
    c.source, c.reporter_iso3, c.partner_iso3, c.flow_id, c.year,
    sec.section, sec.roman AS section_roman, sec.title AS section_title,
    c.chapter, c.value_usd, c.months_covered, c.year_basis, c.hs_vintages,
    c.is_partial_year,
    c.reporter_iso3 AS reporter_id,
    c.partner_iso3 AS partner_id
FROM chapters AS c
LEFT JOIN core.dim_hs_section AS sec
    ON CAST(c.chapter AS INTEGER) BETWEEN sec.first_chapter AND sec.last_chapter;

-- marts.trade_by_sector — grain: (source, reporter_iso3, partner_iso3, flow_id, year, chapter).
-- Trade by HS chapter with its section (core.dim_hs_section), so that a section ("textiles and
-- textile articles", section 11 = chapters 50-63) or a chapter ('85') is one filter. Built on
-- marts.int_trade_yearly (yearly values, months_covered, is_partial_year and year_basis as there):
-- per series and year only the coarsest HS level the source publishes is used, then rolled up to
-- its chapter, so nothing counts twice. Chapters 98-99 (national provisions) have no section.
-- reporter_id / partner_id are the former names of reporter_iso3 / partner_iso3, kept for scripts.
-- Stored: the rows of mart_tables.trade_by_sector, refreshed by each load (inside its transaction, before
-- its quality gate) for the slices (source, reporter_iso3, partner_iso3, year) it touched, from mart_tables.trade_by_sector_logic.
CREATE OR REPLACE VIEW marts.trade_by_sector AS SELECT * FROM mart_tables.trade_by_sector;
