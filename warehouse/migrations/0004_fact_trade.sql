-- core.fact_trade — grain: (source, reporter_id, partner_id, product_id, period_id, flow_id).
-- One row per value as the source publishes it now; superseded values live in core.fact_trade_revision.
CREATE TABLE core.fact_trade (
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
    loaded_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, reporter_id, partner_id, product_id, period_id, flow_id)
);
COMMENT ON TABLE core.fact_trade IS 'Trade values as each source publishes them; grain: (source, reporter_id, partner_id, product_id, period_id, flow_id).';
COMMENT ON COLUMN core.fact_trade.source IS 'Dataset the value comes from: census_api, census_country_totals, ...';
COMMENT ON COLUMN core.fact_trade.reporter_id IS 'Country whose statistics these are (core.dim_country).';
COMMENT ON COLUMN core.fact_trade.partner_id IS 'Trading partner (core.dim_country); may be an aggregate such as WORLD.';
COMMENT ON COLUMN core.fact_trade.period_id IS 'Month (YYYY-MM) or year (YYYY, the publisher''s own annual figure).';
COMMENT ON COLUMN core.fact_trade.value_usd IS 'Value in US dollars (converted from the publisher''s unit, e.g. millions).';
COMMENT ON COLUMN core.fact_trade.quantity IS 'Quantity in quantity_unit, where published.';
COMMENT ON COLUMN core.fact_trade.value_status IS 'reported, or partial (a year-to-date figure for an unfinished year), or suppressed (null value withheld by the publisher).';
COMMENT ON COLUMN core.fact_trade.run_id IS 'Run that last wrote this value (meta.runs).';
COMMENT ON COLUMN core.fact_trade.file_hash IS 'Landed payload the value came from (meta.landed_files).';

-- core.fact_trade_revision — grain: the fact grain plus superseded_at; every value that was replaced.
CREATE TABLE core.fact_trade_revision (
    source             VARCHAR NOT NULL,
    reporter_id        VARCHAR NOT NULL,
    partner_id         VARCHAR NOT NULL,
    product_id         VARCHAR NOT NULL,
    period_id          VARCHAR NOT NULL,
    flow_id            VARCHAR NOT NULL,
    value_usd          DECIMAL(20, 2),
    quantity           DOUBLE,
    quantity_unit      VARCHAR,
    value_status       VARCHAR NOT NULL,
    run_id             VARCHAR NOT NULL,
    file_hash          VARCHAR NOT NULL,
    loaded_at          TIMESTAMPTZ NOT NULL,
    superseded_at      TIMESTAMPTZ NOT NULL,
    superseded_by_run  VARCHAR NOT NULL
);
COMMENT ON TABLE core.fact_trade_revision IS 'Previous values of core.fact_trade, valid from loaded_at until superseded_at; grain: fact grain + superseded_at.';
