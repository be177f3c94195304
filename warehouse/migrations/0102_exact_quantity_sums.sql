-- mart_tables.int_trade_yearly_sums — grain unchanged: (source, reporter_iso3, partner_iso3, flow_id, product_id, year).
-- Its quantity sums become exact (DECIMAL, as its value sums are): a DOUBLE sum depends on the order its
-- facts were added in, so a warehouse that added them load by load (live) and one that summed them in one
-- pass (a rebuild) could differ in the last digit (0.1 + 0.2 then revised 0.2 -> 0.7: 0.8 against
-- 0.7999999999999999). Quantities are below 1e20 (schemas.numbers.QUANTITY_LIMIT); nine decimals are kept.
-- The stored marts are recomputed in full after this migration (their definitions changed).
ALTER TABLE mart_tables.int_trade_yearly_sums ALTER COLUMN published_quantity SET DATA TYPE DECIMAL(38, 9);
ALTER TABLE mart_tables.int_trade_yearly_sums ALTER COLUMN months_quantity SET DATA TYPE DECIMAL(38, 9);
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.published_quantity IS 'Sum of quantity of the annual facts, exact to nine decimals; 0 when none has one.';
COMMENT ON COLUMN mart_tables.int_trade_yearly_sums.months_quantity IS 'Sum of quantity of the monthly facts, exact to nine decimals; 0 when none has one.';
