-- marts.trade_yearly — grain: (source, reporter_id, partner_id, flow_id, year).
-- Yearly value of each published measure, nothing counted twice: marts.int_trade_series_yearly
-- (one product level per series, the coarsest the source publishes; the publisher's annual figure
-- where it gives one, else its months summed). reporter_iso3 / partner_iso3 repeat reporter_id /
-- partner_id under the names every other trade mart uses.
CREATE OR REPLACE VIEW marts.trade_yearly AS
SELECT
    source,
    reporter_iso3 AS reporter_id,
    partner_iso3 AS partner_id,
    flow_id,
    year,
    value_usd,
    months_covered,
    is_partial_year,
    year_basis,
    product_level,
    reporter_iso3,
    partner_iso3
FROM marts.int_trade_series_yearly;
