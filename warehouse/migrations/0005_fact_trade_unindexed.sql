-- core.fact_trade without its PRIMARY KEY index.
-- A DuckDB ART index over six text columns cost more than the rest of a load together at tens of
-- millions of rows (memory and merge time). The grain stays unique by construction: the loader
-- refuses a run whose rows repeat a key, and merges insert only keys not already present; the
-- quality checks assert it after every load.
CREATE TABLE core.fact_trade_v2 (
    source         VARCHAR NOT NULL,
    reporter_id    VARCHAR NOT NULL,
    partner_id     VARCHAR NOT NULL,
    product_id     VARCHAR NOT NULL,
    period_id      VARCHAR NOT NULL,
    flow_id        VARCHAR NOT NULL,
    value_usd      DECIMAL(20, 2),
    quantity       DOUBLE,
    quantity_unit  VARCHAR,
    value_status   VARCHAR NOT NULL,
    run_id         VARCHAR NOT NULL,
    file_hash      VARCHAR NOT NULL,
    loaded_at      TIMESTAMPTZ NOT NULL
);
INSERT INTO core.fact_trade_v2 SELECT * FROM core.fact_trade;
DROP TABLE core.fact_trade;
ALTER TABLE core.fact_trade_v2 RENAME TO fact_trade;
COMMENT ON TABLE core.fact_trade IS 'Trade values as each source publishes them; grain (unique, enforced by the loader): (source, reporter_id, partner_id, product_id, period_id, flow_id).';
COMMENT ON COLUMN core.fact_trade.source IS 'Dataset the value comes from: census_api, census_country_totals, ...';
COMMENT ON COLUMN core.fact_trade.reporter_id IS 'Country whose statistics these are (core.dim_country).';
COMMENT ON COLUMN core.fact_trade.partner_id IS 'Trading partner (core.dim_country); may be an aggregate such as WORLD.';
COMMENT ON COLUMN core.fact_trade.period_id IS 'Month (YYYY-MM) or year (YYYY, the publisher''s own annual figure).';
COMMENT ON COLUMN core.fact_trade.value_usd IS 'Value in US dollars (converted from the publisher''s unit, e.g. millions).';
COMMENT ON COLUMN core.fact_trade.quantity IS 'Quantity in quantity_unit, where published.';
COMMENT ON COLUMN core.fact_trade.value_status IS 'reported, or partial (a year-to-date figure for an unfinished year), or suppressed (null value withheld by the publisher).';
COMMENT ON COLUMN core.fact_trade.run_id IS 'Run that last wrote this value (meta.runs).';
COMMENT ON COLUMN core.fact_trade.file_hash IS 'Landed payload the value came from (meta.landed_files).';

