-- marts.mirror_flows — grain: (exporter_id, importer_id, year, product_level, product_code,
-- exporter_source, importer_source).
-- The same flow seen from both ends: what the exporter reports exporting to the importer against
-- what the importer reports importing from the exporter, per year and product (TOTAL = level 0, HS
-- chapters = level 2, ...; codes are compared across HS vintages), with the difference, the ratio
-- and each side's valuation basis (FAS/FOB for exports; CIF or customs value for imports). Each
-- source appears with its headline trade measure (core.dim_flow.headline_priority; charges, duties
-- and dutiable value never), so every pair of sources that covers both ends is one row. Yearly
-- values are the publisher's annual figure where it gives one, else its months summed
-- (months_covered says how many; compare like with like).
CREATE OR REPLACE VIEW marts.mirror_flows AS
WITH facts AS (
    SELECT
        f.source, f.reporter_id, f.partner_id, f.flow_id, fl.direction, fl.value_basis, fl.headline_priority,
        pr.level AS product_level, pr.code AS product_code, pe.period_grain, pe.year, pe.month, f.value_usd
    FROM core.fact_trade AS f
    JOIN core.dim_flow AS fl USING (flow_id)
    JOIN core.dim_product AS pr USING (product_id)
    JOIN core.dim_period AS pe USING (period_id)
    WHERE fl.is_trade_value
),

has_annual AS (
    SELECT DISTINCT source, reporter_id, partner_id, flow_id, product_level, product_code, year
    FROM facts WHERE period_grain = 'year'
),

yearly AS (
    SELECT
        f.source, f.reporter_id, f.partner_id, f.flow_id, f.direction, f.value_basis, f.headline_priority,
        f.product_level, f.product_code, f.year,
        sum(f.value_usd) AS value_usd,
        CASE WHEN bool_and(a.year IS NULL) THEN count(DISTINCT f.month) ELSE 12 END AS months_covered
    FROM facts AS f
    LEFT JOIN has_annual AS a USING (source, reporter_id, partner_id, flow_id, product_level, product_code, year)
    WHERE (a.year IS NULL AND f.period_grain = 'month') OR (a.year IS NOT NULL AND f.period_grain = 'year')
    GROUP BY ALL
),

headline AS (
    SELECT * FROM yearly
    QUALIFY row_number() OVER (
        PARTITION BY source, reporter_id, partner_id, direction, product_level, product_code, year
        ORDER BY headline_priority
    ) = 1
),

exports AS (SELECT * FROM headline WHERE direction = 'export'),
imports AS (SELECT * FROM headline WHERE direction = 'import')

SELECT
    x.reporter_id AS exporter_id,
    x.partner_id AS importer_id,
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
    CASE WHEN x.value_usd <> 0 THEN CAST(m.value_usd AS DOUBLE) / CAST(x.value_usd AS DOUBLE) END AS ratio
FROM exports AS x
JOIN imports AS m
    ON m.reporter_id = x.partner_id
   AND m.partner_id = x.reporter_id
   AND m.year = x.year
   AND m.product_level = x.product_level
   AND m.product_code = x.product_code;
