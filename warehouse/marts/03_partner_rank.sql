-- marts.partner_rank — grain: (source, reporter_iso3, year, partner_iso3).
-- Partners ranked by total trade (exports + imports) within each source and year.
-- Only countries are ranked: World, unions, regions and other aggregates never are.
CREATE OR REPLACE VIEW marts.partner_rank AS
WITH countries AS (
    SELECT
        reporter_iso3, year, partner_iso3, partner_name, source,
        coalesce(exports_usd, 0) + coalesce(imports_usd, 0) AS total_trade_usd,
        exports_usd, imports_usd
    FROM marts.trade_balance
    WHERE NOT partner_is_aggregate
)

SELECT
    reporter_iso3,
    year,
    partner_iso3,
    total_trade_usd,
    rank() OVER (PARTITION BY source, reporter_iso3, year ORDER BY total_trade_usd DESC) AS rank,
    source,
    partner_name,
    exports_usd,
    imports_usd
FROM countries;
