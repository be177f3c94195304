-- mart_tables.partner_rank_logic — grain: as marts.partner_rank (described below), whose logic it holds, computed
-- from the views it reads; a load inserts the slices (source, reporter_iso3, year) it touched (whole rankings) into
-- mart_tables.partner_rank from this view (warehouse/mart_tables.py).
CREATE OR REPLACE VIEW mart_tables.partner_rank_logic AS
WITH countries AS (
    SELECT
        reporter_iso3, year, partner_iso3, partner_name, source,
        coalesce(exports_usd, 0) + coalesce(imports_usd, 0) AS total_trade_usd,
        exports_usd, imports_usd, months_covered, is_partial_year
    FROM marts.trade_balance
    WHERE NOT partner_is_aggregate
      AND coalesce(exports_product_level, 0) <= 2
      AND coalesce(imports_product_level, 0) <= 2
),

both_directions AS (
    SELECT source, reporter_iso3, year
    FROM countries
    GROUP BY ALL
    HAVING count(exports_usd) > 0 AND count(imports_usd) > 0
)

SELECT
    c.reporter_iso3,
    c.year,
    c.partner_iso3,
    c.total_trade_usd,
    rank() OVER (PARTITION BY c.source, c.reporter_iso3, c.year ORDER BY c.total_trade_usd DESC) AS rank,
    c.source,
    c.partner_name,
    c.exports_usd,
    c.imports_usd,
    c.is_partial_year,
    c.months_covered
FROM countries AS c
JOIN both_directions USING (source, reporter_iso3, year);

-- marts.partner_rank — grain: (source, reporter_iso3, year, partner_iso3).
-- Partners ranked by total trade (exports + imports) within each source, reporter and year.
-- Only countries are ranked: World, unions, regions and other aggregates never are. Only series
-- that cover all goods in both directions are ranked: a partner's values must be the publisher's
-- total or its HS chapters summed (product_level 0 or 2, never a detailed extract such as seafood
-- only), and the source must give that reporter and year both exports and imports (an exports-only
-- file is not total trade). A partial year is ranked on the months it covers and says so
-- (is_partial_year, months_covered).
-- Stored: the rows of mart_tables.partner_rank, refreshed by each load (inside its transaction, before
-- its quality gate) for the slices (source, reporter_iso3, year) it touched (whole rankings), from mart_tables.partner_rank_logic.
CREATE OR REPLACE VIEW marts.partner_rank AS SELECT * FROM mart_tables.partner_rank;
