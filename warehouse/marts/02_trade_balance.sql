-- marts.trade_balance — grain: (source, reporter_iso3, partner_iso3, year).
-- Exports, imports and the balance from the reporter's side, each source on its own rows.
-- Where a source publishes several measures for one direction, the headline one is used
-- (core.dim_flow.headline_priority) and named in exports_basis / imports_basis.
-- product_level says what was summed: 0 the publisher's total, 2 HS chapters, more a detailed
-- extract (a total only if the extract covered every code).
CREATE OR REPLACE VIEW marts.trade_balance AS
WITH ranked_measures AS (
    SELECT
        ty.*,
        fl.direction,
        fl.value_basis,
        row_number() OVER (
            PARTITION BY ty.source, ty.reporter_id, ty.partner_id, ty.year, fl.direction
            ORDER BY fl.headline_priority
        ) AS measure_rank
    FROM marts.trade_yearly AS ty
    JOIN core.dim_flow AS fl USING (flow_id)
    WHERE fl.is_trade_value  -- charges, duties and dutiable value are not a direction's trade
),

headline AS (
    SELECT * FROM ranked_measures WHERE measure_rank = 1
),

pivoted AS (
    SELECT
        source, reporter_id, partner_id, year,
        max(value_usd) FILTER (WHERE direction = 'export') AS exports_usd,
        max(value_usd) FILTER (WHERE direction = 'import') AS imports_usd,
        max(value_basis) FILTER (WHERE direction = 'export') AS exports_basis,
        max(value_basis) FILTER (WHERE direction = 'import') AS imports_basis,
        min(months_covered) AS months_covered,
        bool_or(is_partial_year) AS is_partial_year,
        max(product_level) AS product_level
    FROM headline
    GROUP BY ALL
)

SELECT
    p.reporter_id AS reporter_iso3,
    p.partner_id AS partner_iso3,
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
    p.product_level
FROM pivoted AS p
JOIN core.dim_country AS partner ON partner.country_id = p.partner_id;
