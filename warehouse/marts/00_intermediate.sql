-- The intermediate layer (marts.int_*), between core (staging: one row per value as published) and
-- the marts: facts joined to their dimensions once, and the ONE definition of a yearly value. Every
-- trade mart and the tariff marts' trade weights read these views; no mart re-derives them. Each is
-- at a declared grain and holds no data today: any of them can become a table the loader refreshes
-- for the series and years a load touched, with the marts above unchanged.

-- marts.int_trade_facts — grain: the fact grain (source, reporter_iso3, partner_iso3, product_id,
-- period_id, flow_id). core.fact_trade with its product, period and flow attributes: the only join
-- of facts to those dimensions. quantity_unit_norm spells each unit one way (KGM and kg are kg).
CREATE OR REPLACE VIEW marts.int_trade_facts AS
SELECT
    f.source,
    f.reporter_id AS reporter_iso3,
    f.partner_id AS partner_iso3,
    f.product_id,
    pr.classification,
    pr.hs_vintage,
    pr.code AS product_code,
    pr.level AS product_level,
    CASE WHEN pr.classification = 'HS' THEN left(pr.code, 2) END AS hs_chapter,
    f.period_id,
    pe.period_grain,
    pe.year,
    pe.month,
    f.flow_id,
    fl.direction,
    fl.value_basis,
    fl.headline_priority,
    fl.is_trade_value,
    f.value_usd,
    f.value_status,
    f.quantity,
    f.quantity_unit,
    CASE lower(f.quantity_unit)
        WHEN 'kgm' THEN 'kg'
        WHEN 'l' THEN 'liter' WHEN 'ltr' THEN 'liter'
        WHEN 'no' THEN 'each' WHEN 'no.' THEN 'each' WHEN 'u' THEN 'each'
        WHEN 'doz' THEN 'doz.'
        ELSE lower(f.quantity_unit)
    END AS quantity_unit_norm
FROM core.fact_trade AS f
JOIN core.dim_product AS pr USING (product_id)
JOIN core.dim_period AS pe USING (period_id)
JOIN core.dim_flow AS fl USING (flow_id);

-- marts.int_trade_yearly — grain: (source, reporter_iso3, partner_iso3, flow_id, product_id, year).
-- The one definition of a yearly value:
--   * value_usd (and quantity) is the publisher's own annual figure where it publishes one with a
--     value, else its months summed (year_basis = 'published annual' or 'sum of months');
--   * months_covered counts the months the series (source, reporter, partner, flow, year) has
--     loaded: 12 for a published annual figure, the months loaded for a published year to date
--     (value_status partial; null when none are loaded), the months loaded when summed;
--   * is_partial_year: the published figure is a year to date, or fewer than 12 months were summed;
--   * is_headline: the measure a direction is reported in (lowest core.dim_flow.headline_priority
--     among trade values of the source, pair, product and year); charges, duties and dutiable
--     value never are.
CREATE OR REPLACE VIEW marts.int_trade_yearly AS
WITH series_months AS (
    SELECT source, reporter_iso3, partner_iso3, flow_id, year, count(DISTINCT month) AS months_loaded
    FROM marts.int_trade_facts
    WHERE period_grain = 'month'
    GROUP BY ALL
),

by_product AS (
    SELECT
        source, reporter_iso3, partner_iso3, flow_id, product_id, year,
        direction, value_basis, headline_priority, is_trade_value,
        classification, hs_vintage, product_code, product_level, hs_chapter,
        sum(value_usd) FILTER (WHERE period_grain = 'year') AS published_usd,
        sum(quantity) FILTER (WHERE period_grain = 'year') AS published_quantity,
        bool_or(value_status = 'partial') FILTER (WHERE period_grain = 'year' AND value_usd IS NOT NULL)
            AS published_is_partial,
        sum(value_usd) FILTER (WHERE period_grain = 'month') AS months_usd,
        sum(quantity) FILTER (WHERE period_grain = 'month') AS months_quantity,
        min(quantity_unit_norm) AS quantity_unit,
        count(DISTINCT quantity_unit_norm) AS quantity_units
    FROM marts.int_trade_facts
    WHERE period_grain IN ('year', 'month')
    GROUP BY ALL
),

yearly AS (
    SELECT
        p.*,
        p.published_usd IS NOT NULL AS has_published_year,
        coalesce(m.months_loaded, 0) AS months_loaded
    FROM by_product AS p
    LEFT JOIN series_months AS m USING (source, reporter_iso3, partner_iso3, flow_id, year)
)

SELECT
    source, reporter_iso3, partner_iso3, flow_id, product_id, year,
    CASE WHEN has_published_year THEN published_usd ELSE months_usd END AS value_usd,
    CASE WHEN has_published_year THEN published_quantity ELSE months_quantity END AS quantity,
    quantity_unit,
    quantity_units,
    CASE
        WHEN NOT has_published_year THEN months_loaded
        WHEN published_is_partial THEN nullif(months_loaded, 0)
        ELSE 12
    END AS months_covered,
    CASE WHEN has_published_year THEN published_is_partial ELSE months_loaded < 12 END AS is_partial_year,
    CASE WHEN has_published_year THEN 'published annual' ELSE 'sum of months' END AS year_basis,
    direction, value_basis, headline_priority, is_trade_value,
    is_trade_value AND row_number() OVER (
        PARTITION BY source, reporter_iso3, partner_iso3, direction, product_id, year, is_trade_value
        ORDER BY headline_priority
    ) = 1 AS is_headline,
    classification, hs_vintage, product_code, product_level, hs_chapter
FROM yearly;

-- marts.int_trade_series_yearly — grain: (source, reporter_iso3, partner_iso3, flow_id, year).
-- Each series' yearly value of all goods, never adding two product levels together: only the
-- coarsest level the source publishes for the series and year is summed (product_level: 0 the
-- publisher's total of all goods, 2 HS chapters, more a detailed extract, a total only if the
-- extract covered every code). Yearly values, months and basis as marts.int_trade_yearly;
-- is_headline picks the direction's headline measure of the source, pair and year.
CREATE OR REPLACE VIEW marts.int_trade_series_yearly AS
WITH levelled AS (
    SELECT
        *,
        min(product_level) OVER (PARTITION BY source, reporter_iso3, partner_iso3, flow_id, year) AS series_level
    FROM marts.int_trade_yearly
),

series AS (
    SELECT
        source, reporter_iso3, partner_iso3, flow_id, year,
        direction, value_basis, headline_priority, is_trade_value,
        product_level,
        sum(value_usd) AS value_usd,
        max(months_covered) AS months_covered,
        bool_or(is_partial_year) AS is_partial_year,
        CASE WHEN min(year_basis) = max(year_basis) THEN min(year_basis) ELSE 'mixed' END AS year_basis
    FROM levelled
    WHERE product_level = series_level
    GROUP BY ALL
)

SELECT
    *,
    is_trade_value AND row_number() OVER (
        PARTITION BY source, reporter_iso3, partner_iso3, direction, year, is_trade_value
        ORDER BY headline_priority
    ) = 1 AS is_headline
FROM series;
