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

yearly AS (
    SELECT
        source, reporter_id, partner_id, flow_id, year, product_level,
        sum(value_usd) FILTER (WHERE period_grain = 'year') AS published_usd,
        count(*) FILTER (WHERE period_grain = 'year') > 0 AS has_published_year,
        bool_or(value_status = 'partial') FILTER (WHERE period_grain = 'year') AS published_is_partial,
        sum(value_usd) FILTER (WHERE period_grain = 'month') AS months_usd,
        count(DISTINCT month) FILTER (WHERE period_grain = 'month') AS months_covered
    FROM series
    WHERE period_grain IN ('year', 'month')
    GROUP BY ALL
)

-- one aggregate (not a join of annual and monthly rows), so a filter on the series pushes down
SELECT
    source, reporter_id, partner_id, flow_id, year,
    coalesce(published_usd, months_usd) AS value_usd,
    CASE WHEN months_covered > 0 THEN months_covered ELSE 12 END AS months_covered,
    coalesce(published_is_partial, months_covered < 12) AS is_partial_year,
    CASE WHEN has_published_year THEN 'published annual' ELSE 'sum of months' END AS year_basis,
    -- 0: the publisher's total of all goods; 2: HS chapters summed; more: detailed codes summed,
    -- a total only if the extract covered every code (a seafood-only extract does not)
    product_level
FROM yearly;
