-- mart_tables.mirror_flows_logic — grain: as marts.mirror_flows (described below), whose logic it holds, computed
-- from the views it reads; a load inserts the slices (exporter_iso3, importer_iso3, year) it touched (both directions of a pair) into
-- mart_tables.mirror_flows from this view (warehouse/mart_tables.py).
CREATE OR REPLACE VIEW mart_tables.mirror_flows_logic AS
WITH headline AS (
    SELECT
        source, reporter_iso3, partner_iso3, flow_id, direction, value_basis, product_level, product_code, year,
        sum(value_usd) AS value_usd,
        max(months_covered) AS months_covered,
        bool_or(is_partial_year) AS is_partial_year,
        CASE WHEN min(year_basis) = max(year_basis) THEN min(year_basis) ELSE 'mixed' END AS year_basis
    FROM marts.int_trade_yearly
    WHERE is_headline
    GROUP BY ALL
),

exports AS (SELECT * FROM headline WHERE direction = 'export'),
imports AS (SELECT * FROM headline WHERE direction = 'import')

SELECT
    x.reporter_iso3 AS exporter_id,
    x.partner_iso3 AS importer_id,
    x.year,
    x.product_level,
    x.product_code,
    x.source AS exporter_source,
    x.flow_id AS exporter_flow_id,
    x.value_basis AS exporter_value_basis,
    x.value_usd AS exporter_reported_usd,
    x.months_covered AS exporter_months,
    m.source AS importer_source,
    m.flow_id AS importer_flow_id,
    m.value_basis AS importer_value_basis,
    m.value_usd AS importer_reported_usd,
    m.months_covered AS importer_months,
    m.value_usd - x.value_usd AS difference_usd,
    CASE WHEN x.value_usd <> 0 THEN CAST(m.value_usd AS DOUBLE) / CAST(x.value_usd AS DOUBLE) END AS ratio,
    x.reporter_iso3 AS exporter_iso3,
    x.partner_iso3 AS importer_iso3,
    x.is_partial_year AS exporter_is_partial_year,
    m.is_partial_year AS importer_is_partial_year,
    x.year_basis AS exporter_year_basis,
    m.year_basis AS importer_year_basis
FROM exports AS x
JOIN imports AS m
    ON m.reporter_iso3 = x.partner_iso3
   AND m.partner_iso3 = x.reporter_iso3
   AND m.year = x.year
   AND m.product_level = x.product_level
   AND m.product_code = x.product_code;

-- marts.mirror_flows — grain: (exporter_iso3, importer_iso3, year, product_level, product_code,
-- exporter_source, importer_source).
-- The same flow seen from both ends: what the exporter reports exporting to the importer against
-- what the importer reports importing from the exporter, per year and product (TOTAL = level 0, HS
-- chapters = level 2, ...; codes are compared across HS vintages), with the difference, the ratio
-- and each side's valuation basis (FAS/FOB for exports; CIF or customs value for imports). Each
-- source appears with its headline trade measure (marts.int_trade_yearly.is_headline; charges,
-- duties and dutiable value never), so every pair of sources that covers both ends is one row.
-- Yearly values, months and basis as marts.int_trade_yearly (compare like with like).
-- exporter_id / importer_id are the former names of exporter_iso3 / importer_iso3, kept for scripts.
-- Stored: the rows of mart_tables.mirror_flows, refreshed by each load (inside its transaction, before
-- its quality gate) for the slices (exporter_iso3, importer_iso3, year) it touched (both directions of a pair), from mart_tables.mirror_flows_logic.
CREATE OR REPLACE VIEW marts.mirror_flows AS SELECT * FROM mart_tables.mirror_flows;
