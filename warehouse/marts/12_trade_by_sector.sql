-- marts.trade_by_sector — grain: (source, reporter_id, partner_id, flow_id, year, chapter).
-- Trade by HS chapter with its section (core.dim_hs_section), so that a section ("textiles and
-- textile articles", section 11 = chapters 50-63) or a chapter ('85') is one filter. Built like
-- marts.trade_yearly so nothing counts twice: per series and year only the coarsest HS level the
-- source publishes is used, then rolled up to its chapter; the publisher's annual figure where it
-- gives one, else its months summed. Chapters 98-99 (national provisions) have no section.
CREATE OR REPLACE VIEW marts.trade_by_sector AS
WITH facts AS (
    SELECT
        f.source, f.reporter_id, f.partner_id, f.flow_id,
        pr.level AS product_level, pr.hs_vintage, left(pr.code, 2) AS chapter,
        pe.period_grain, pe.year, pe.month, f.value_usd
    FROM core.fact_trade AS f
    JOIN core.dim_product AS pr USING (product_id)
    JOIN core.dim_period AS pe USING (period_id)
    WHERE pr.classification = 'HS'
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

has_annual AS (
    SELECT DISTINCT source, reporter_id, partner_id, flow_id, year
    FROM series WHERE period_grain = 'year'
),

chapters AS (
    SELECT
        s.source, s.reporter_id, s.partner_id, s.flow_id, s.year, s.chapter,
        string_agg(DISTINCT s.hs_vintage, ',') AS hs_vintages,
        sum(s.value_usd) AS value_usd,
        CASE WHEN a.year IS NULL THEN count(DISTINCT s.month) ELSE 12 END AS months_covered,
        CASE WHEN a.year IS NULL THEN 'sum of months' ELSE 'published annual' END AS year_basis
    FROM series AS s
    LEFT JOIN has_annual AS a USING (source, reporter_id, partner_id, flow_id, year)
    WHERE (a.year IS NULL AND s.period_grain = 'month') OR (a.year IS NOT NULL AND s.period_grain = 'year')
    GROUP BY s.source, s.reporter_id, s.partner_id, s.flow_id, s.year, s.chapter, a.year
)

SELECT
    c.source, c.reporter_id, c.partner_id, c.flow_id, c.year,
    sec.section, sec.roman AS section_roman, sec.title AS section_title,
    c.chapter, c.value_usd, c.months_covered, c.year_basis, c.hs_vintages
FROM chapters AS c
LEFT JOIN core.dim_hs_section AS sec
    ON CAST(c.chapter AS INTEGER) BETWEEN sec.first_chapter AND sec.last_chapter;
