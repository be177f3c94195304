-- marts.trade_yearly — grain: (source, reporter_id, partner_id, flow_id, year).
-- Yearly value of each published measure, built so that nothing is counted twice:
--   * one product level per series: the coarsest the source publishes (TOTAL before HS2 chapters),
--     so rows of different HS levels are never added together;
--   * the publisher's own annual figure where it gives one, otherwise its months summed.
CREATE OR REPLACE VIEW marts.trade_yearly AS
WITH facts AS (
    SELECT
        f.source, f.reporter_id, f.partner_id, f.flow_id,
        pr.level AS product_level,
        pe.period_grain, pe.year, pe.month,
        f.value_usd, f.value_status
    FROM core.fact_trade AS f
    JOIN core.dim_product AS pr USING (product_id)
    JOIN core.dim_period AS pe USING (period_id)
),

coarsest_level AS (
    SELECT source, reporter_id, partner_id, flow_id, year, min(product_level) AS product_level
    FROM facts
    GROUP BY ALL
),

series AS (
    SELECT facts.*
    FROM facts
    JOIN coarsest_level USING (source, reporter_id, partner_id, flow_id, year, product_level)
),

published_years AS (
    SELECT
        source, reporter_id, partner_id, flow_id, year, product_level,
        sum(value_usd) AS value_usd,
        bool_or(value_status = 'partial') AS is_partial
    FROM series
    WHERE period_grain = 'year'
    GROUP BY ALL
),

summed_months AS (
    SELECT
        source, reporter_id, partner_id, flow_id, year, product_level,
        sum(value_usd) AS value_usd,
        count(DISTINCT month) AS months_covered
    FROM series
    WHERE period_grain = 'month'
    GROUP BY ALL
)

SELECT
    source, reporter_id, partner_id, flow_id, year,
    coalesce(y.value_usd, m.value_usd) AS value_usd,
    coalesce(m.months_covered, 12) AS months_covered,
    coalesce(y.is_partial, m.months_covered < 12) AS is_partial_year,
    CASE WHEN y.year IS NULL THEN 'sum of months' ELSE 'published annual' END AS year_basis,
    -- 0: the publisher's total of all goods; 2: HS chapters summed; more: detailed codes summed,
    -- a total only if the extract covered every code (a seafood-only extract does not)
    coalesce(y.product_level, m.product_level) AS product_level
FROM published_years AS y
FULL JOIN summed_months AS m USING (source, reporter_id, partner_id, flow_id, year, product_level);
