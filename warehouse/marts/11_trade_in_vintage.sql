-- marts.trade_in_vintage(target) — grain: the fact grain, products in the HS vintage ``target``.
-- Presents a long series in one vintage: each HS fact of another vintage is spread over the target
-- codes through core.hs_concordance (weights of a code sum to 1, so every total is conserved).
-- National lines (8 or 10 digits) convert through their HS6 subheading. TOTAL and facts already in
-- the target vintage pass unchanged; a code the concordance does not know keeps its own product_id
-- (has_unmapped = true), so nothing is lost. Loaded pairs: see SELECT DISTINCT from_vintage,
-- to_vintage FROM core.hs_concordance. Example: SELECT * FROM marts.trade_in_vintage('HS2022').
CREATE OR REPLACE MACRO marts.trade_in_vintage(target) AS TABLE
WITH facts AS (
    SELECT
        f.source, f.reporter_id, f.partner_id, f.product_id, f.period_id, f.flow_id, f.value_usd,
        p.hs_vintage,
        CASE WHEN p.level > 6 THEN left(p.code, 6) ELSE p.code END AS lookup_code
    FROM core.fact_trade AS f
    JOIN core.dim_product AS p USING (product_id)
),

parts AS (
    SELECT
        f.source, f.reporter_id, f.partner_id, f.period_id, f.flow_id,
        CASE
            WHEN f.hs_vintage IS NULL OR f.hs_vintage = target OR c.to_code IS NULL THEN f.product_id
            ELSE target || ':' || c.to_code
        END AS product_id,
        f.value_usd * coalesce(c.weight, 1.0) AS value_usd,
        f.hs_vintage AS from_vintage,
        c.to_code IS NOT NULL AS converted,
        f.hs_vintage IS NOT NULL AND f.hs_vintage <> target AND c.to_code IS NULL AS unmapped
    FROM facts AS f
    LEFT JOIN core.hs_concordance AS c
        ON f.hs_vintage <> target
       AND c.from_vintage = f.hs_vintage
       AND c.from_code = f.lookup_code
       AND c.to_vintage = target
)

SELECT
    source, reporter_id, partner_id, product_id, period_id, flow_id,
    sum(value_usd) AS value_usd,
    list_sort(list_distinct(list(from_vintage))) AS from_vintages,
    bool_or(converted) AS is_converted,
    bool_or(unmapped) AS has_unmapped
FROM parts
GROUP BY ALL;
