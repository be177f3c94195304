-- mart_tables.trade_balance_logic — grain: as marts.trade_balance (described below), whose logic it holds, computed
-- from the views it reads; a load inserts the slices (source, reporter_iso3, partner_iso3, year) it touched into
-- mart_tables.trade_balance from this view (warehouse/mart_tables.py).
CREATE OR REPLACE VIEW mart_tables.trade_balance_logic AS
WITH pivoted AS (
    SELECT
        source, reporter_iso3, partner_iso3, year,
        max(value_usd) FILTER (WHERE direction = 'export') AS exports_usd,
        max(value_usd) FILTER (WHERE direction = 'import') AS imports_usd,
        max(value_basis) FILTER (WHERE direction = 'export') AS exports_basis,
        max(value_basis) FILTER (WHERE direction = 'import') AS imports_basis,
        min(months_covered) AS months_covered,
        bool_or(is_partial_year) AS is_partial_year,
        CASE WHEN min(year_basis) = max(year_basis) THEN min(year_basis) ELSE 'mixed' END AS year_basis,
        max(product_level) AS product_level,
        max(product_level) FILTER (WHERE direction = 'export') AS exports_product_level,
        max(product_level) FILTER (WHERE direction = 'import') AS imports_product_level
    FROM marts.int_trade_series_yearly
    WHERE is_headline
    GROUP BY ALL
)

SELECT
    p.reporter_iso3,
    p.partner_iso3,
    p.year,
    p.exports_usd,
    p.imports_usd,
    p.exports_usd - p.imports_usd AS balance_usd,
    p.source,
    partner.name AS partner_name,
    partner.is_aggregate AS partner_is_aggregate,
    p.exports_basis,
    p.imports_basis,
    p.months_covered,
    p.is_partial_year,
    p.product_level,
    p.year_basis,
    p.exports_product_level,
    p.imports_product_level
FROM pivoted AS p
JOIN core.dim_country AS partner ON partner.country_id = p.partner_iso3;

-- marts.trade_balance — grain: (source, reporter_iso3, partner_iso3, year).
-- Exports, imports and the balance from the reporter's side, each source on its own rows: the
-- headline measure of each direction (marts.int_trade_series_yearly.is_headline), named in
-- exports_basis / imports_basis. product_level says what was summed: 0 the publisher's total, 2 HS
-- chapters, more a detailed extract (a total only if the extract covered every code).
-- Stored: the rows of mart_tables.trade_balance, refreshed by each load (inside its transaction, before
-- its quality gate) for the slices (source, reporter_iso3, partner_iso3, year) it touched, from mart_tables.trade_balance_logic.
CREATE OR REPLACE VIEW marts.trade_balance AS SELECT * FROM mart_tables.trade_balance;
