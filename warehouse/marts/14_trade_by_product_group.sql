-- marts.trade_by_product_group — grain: (source, reporter_iso3, partner_iso3, flow_id, year, product_group).
-- Trade by an analyst's product group (core.dim_product_group, warehouse/seeds/product_groups.csv),
-- aggregation = 'group': the group rows that marts.trade_by_sector cannot hold without every
-- existing sum over it counting the same trade twice. Built on marts.int_trade_yearly as
-- marts.trade_by_sector: per series and HS range of the group, only the coarsest HS level the source
-- publishes that is at least as detailed as the range (a heading range such as beef 0201-0202 needs
-- 4 digits; a series published by chapter only has no beef row), so nothing counts twice.
-- Partial coverage shows: hs_codes counts the codes behind each figure, chapters_covered lists the
-- chapters that have trade, group_chapters the chapters the group spans; source names the dataset.
CREATE OR REPLACE VIEW marts.trade_by_product_group AS
WITH ranges AS (
    SELECT
        product_group, hs_from, hs_to, length(hs_from) AS digits,
        (SELECT string_agg(lpad(CAST(c AS VARCHAR), 2, '0'), ',' ORDER BY c)
         FROM generate_series(CAST(left(hs_from, 2) AS INTEGER), CAST(left(hs_to, 2) AS INTEGER)) AS t(c)) AS chapters
    FROM core.dim_product_group
),

matched AS (
    SELECT y.*, r.product_group, r.hs_from
    FROM marts.int_trade_yearly AS y
    JOIN ranges AS r
        ON y.classification = 'HS' AND y.product_level >= r.digits
        AND left(y.product_code, r.digits) BETWEEN r.hs_from AND r.hs_to
),

levelled AS (
    SELECT
        *,
        min(product_level) OVER (
            PARTITION BY source, reporter_iso3, partner_iso3, flow_id, year, product_group, hs_from
        ) AS range_level
    FROM matched
),

groups AS (
    SELECT product_group, string_agg(chapters, ',' ORDER BY hs_from) AS group_chapters
    FROM ranges
    GROUP BY product_group
)

SELECT
    l.source, l.reporter_iso3, l.partner_iso3, l.flow_id, l.year,
    'group' AS aggregation,
    l.product_group,
    sum(l.value_usd) AS value_usd,
    count(DISTINCT l.product_code) AS hs_codes,
    array_to_string(list_sort(list(DISTINCT l.product_level)), ',') AS product_levels,  -- levels in order (4,6,10)
    string_agg(DISTINCT l.hs_chapter, ',' ORDER BY l.hs_chapter) AS chapters_covered,
    any_value(g.group_chapters) AS group_chapters,
    max(l.months_covered) AS months_covered,
    bool_or(l.is_partial_year) AS is_partial_year,
    CASE WHEN min(l.year_basis) = max(l.year_basis) THEN min(l.year_basis) ELSE 'mixed' END AS year_basis,
    string_agg(DISTINCT l.hs_vintage, ',' ORDER BY l.hs_vintage) AS hs_vintages
FROM levelled AS l
JOIN groups AS g USING (product_group)
WHERE l.product_level = l.range_level
GROUP BY l.source, l.reporter_iso3, l.partner_iso3, l.flow_id, l.year, l.product_group;
