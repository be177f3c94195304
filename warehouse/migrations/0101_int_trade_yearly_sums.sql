-- mart_tables.int_trade_yearly_sums — grain: (source, reporter_iso3, partner_iso3, flow_id, product_id, year).
-- The additive sums behind marts.int_trade_yearly, stored so that a yearly value never rescans every
-- month's facts: per group, the sums and counts of its annual facts and of its monthly facts, the
-- months it has and the units it is measured in. Every load adds its changes to it (new facts added,
-- a revised fact's old version taken away and its new one added, in the load's own transaction,
-- warehouse/mart_tables.py); marts.int_trade_yearly states the rule (published annual, else months
-- summed) over these sums.
CREATE TABLE mart_tables.int_trade_yearly_sums (
    source VARCHAR NOT NULL,
    reporter_iso3 VARCHAR NOT NULL,
    partner_iso3 VARCHAR NOT NULL,
    flow_id VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    published_usd DECIMAL(38,2) NOT NULL,
    published_values BIGINT NOT NULL,
    published_partials BIGINT NOT NULL,
    published_quantity DOUBLE NOT NULL,
    published_quantities BIGINT NOT NULL,
    months_usd DECIMAL(38,2) NOT NULL,
    months_values BIGINT NOT NULL,
    months_quantity DOUBLE NOT NULL,
    months_quantities BIGINT NOT NULL,
    month_bits INTEGER NOT NULL,
    unit_min VARCHAR,
    unit_max VARCHAR
);
COMMENT ON TABLE mart_tables.int_trade_yearly_sums IS 'The additive sums behind marts.int_trade_yearly; grain: (source, reporter_iso3, partner_iso3, flow_id, product_id, year); each load adds its changes in its own transaction.';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.published_usd IS 'Sum of value_usd of the annual facts (period_grain year); 0 when there is none with a value.';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.published_values IS 'Annual facts with a value_usd.';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.published_partials IS 'Annual facts with a value_usd whose value_status is partial (a year to date).';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.published_quantity IS 'Sum of quantity of the annual facts; 0 when none has one.';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.published_quantities IS 'Annual facts with a quantity.';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.months_usd IS 'Sum of value_usd of the monthly facts; 0 when there is none with a value.';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.months_values IS 'Monthly facts with a value_usd.';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.months_quantity IS 'Sum of quantity of the monthly facts; 0 when none has one.';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.months_quantities IS 'Monthly facts with a quantity.';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.month_bits IS 'The months the group has facts for, bit m set for month m (1-12).';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.unit_min IS 'The first of the quantity units of its annual and monthly facts (normalised by marts.quantity_unit_norm) in text order; null when none has a unit.';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.unit_max IS 'The last of those units in text order: equal to unit_min when every fact has the same unit.';
