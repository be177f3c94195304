-- The intermediate layer (marts.int_*), between core (staging: one row per value as published) and
-- the marts: facts joined to their dimensions once, and the ONE definition of a yearly value. Every
-- trade mart and the tariff marts' trade weights read these views; no mart re-derives them. Each is
-- at a declared grain; marts.int_trade_yearly reads the sums each load keeps in
-- mart_tables.int_trade_yearly_sums (warehouse/yearly_sums.py), the others are plain views.

-- marts.quantity_unit_norm — grain: a scalar macro, one spelling per quantity unit (KGM and kg are kg).
CREATE OR REPLACE MACRO marts.quantity_unit_norm(unit) AS
    CASE lower(unit)
        WHEN 'kgm' THEN 'kg'
        WHEN 'l' THEN 'liter' WHEN 'ltr' THEN 'liter'
        WHEN 'no' THEN 'each' WHEN 'no.' THEN 'each' WHEN 'u' THEN 'each'
        WHEN 'doz' THEN 'doz.'
        ELSE lower(unit)
    END;

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
    marts.quantity_unit_norm(f.quantity_unit) AS quantity_unit_norm
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
    SELECT source, reporter_iso3, partner_iso3, flow_id, year, CAST(bit_count(bit_or(month_bits)) AS BIGINT) AS months_loaded
    FROM mart_tables.int_trade_yearly_sums
    GROUP BY ALL
),

yearly AS (
    SELECT
        s.*,
        s.published_values > 0 AS has_published_year,
        CASE WHEN s.published_values > 0 THEN s.published_partials > 0 END AS published_is_partial,
        m.months_loaded
    FROM mart_tables.int_trade_yearly_sums AS s
    JOIN series_months AS m USING (source, reporter_iso3, partner_iso3, flow_id, year)
)

SELECT
    y.source, y.reporter_iso3, y.partner_iso3, y.flow_id, y.product_id, y.year,
    CASE
        WHEN y.has_published_year THEN y.published_usd
        WHEN y.months_values > 0 THEN y.months_usd
    END AS value_usd,
    CAST(CASE  -- summed exactly (yearly_sums), read as the facts' DOUBLE
        WHEN y.has_published_year THEN CASE WHEN y.published_quantities > 0 THEN y.published_quantity END
        WHEN y.months_quantities > 0 THEN y.months_quantity
    END AS DOUBLE) AS quantity,
    y.unit_min AS quantity_unit,
    CAST(CASE WHEN y.unit_min IS NULL THEN 0 WHEN y.unit_min = y.unit_max THEN 1 ELSE 2 END AS BIGINT) AS quantity_units,
    CASE
        WHEN NOT y.has_published_year THEN y.months_loaded
        WHEN y.published_is_partial THEN nullif(y.months_loaded, 0)
        ELSE 12
    END AS months_covered,
    CASE WHEN y.has_published_year THEN y.published_is_partial ELSE y.months_loaded < 12 END AS is_partial_year,
    CASE WHEN y.has_published_year THEN 'published annual' ELSE 'sum of months' END AS year_basis,
    fl.direction, fl.value_basis, fl.headline_priority, fl.is_trade_value,
    fl.is_trade_value AND row_number() OVER (
        PARTITION BY y.source, y.reporter_iso3, y.partner_iso3, fl.direction, y.product_id, y.year, fl.is_trade_value
        ORDER BY fl.headline_priority
    ) = 1 AS is_headline,
    pr.classification, pr.hs_vintage, pr.code AS product_code, pr.level AS product_level,
    CASE WHEN pr.classification = 'HS' THEN left(pr.code, 2) END AS hs_chapter
FROM yearly AS y
JOIN core.dim_flow AS fl USING (flow_id)
JOIN core.dim_product AS pr USING (product_id);

-- marts.int_trade_series_yearly — grain: (source, reporter_iso3, partner_iso3, flow_id, year).
-- Each series' yearly value of all goods, never adding two product levels together: only the
-- coarsest level the source publishes for the series and year is summed (product_level: 0 the
-- publisher's total of all goods, 2 HS chapters, more a detailed extract, a total only if the
-- extract covered every code). Yearly values, months and basis as marts.int_trade_yearly;
-- is_headline picks the direction's headline measure of the source, pair and year.
CREATE OR REPLACE VIEW marts.int_trade_series_yearly AS
WITH levels AS (
    SELECT
        source, reporter_iso3, partner_iso3, flow_id, year,
        direction, value_basis, headline_priority, is_trade_value,
        product_level,
        sum(value_usd) AS value_usd,
        max(months_covered) AS months_covered,
        bool_or(is_partial_year) AS is_partial_year,
        CASE WHEN min(year_basis) = max(year_basis) THEN min(year_basis) ELSE 'mixed' END AS year_basis
    FROM marts.int_trade_yearly
    GROUP BY ALL
),

-- the coarsest level of each series and year (grouped first: a row per level, not one per product)
series AS (
    SELECT * FROM levels
    QUALIFY product_level = min(product_level) OVER (PARTITION BY source, reporter_iso3, partner_iso3, flow_id, year)
)

SELECT
    *,
    is_trade_value AND row_number() OVER (
        PARTITION BY source, reporter_iso3, partner_iso3, direction, year, is_trade_value
        ORDER BY headline_priority
    ) = 1 AS is_headline
FROM series;

-- marts.int_trade_reported_pairs — grain: (reporter_iso3, partner_iso3, year).
-- Each reporter's partners with any trade fact loaded for the year, from any source.
CREATE OR REPLACE VIEW marts.int_trade_reported_pairs AS
SELECT DISTINCT reporter_iso3, partner_iso3, year FROM mart_tables.int_trade_yearly_sums;
