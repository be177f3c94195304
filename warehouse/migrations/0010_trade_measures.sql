-- Measures that are not the value of a direction's trade (charges, duties, dutiable value), and the
-- flag that keeps them out of balances and rankings.
ALTER TABLE core.dim_flow ADD COLUMN is_trade_value BOOLEAN DEFAULT true;
UPDATE core.dim_flow SET is_trade_value = true WHERE is_trade_value IS NULL;
COMMENT ON COLUMN core.dim_flow.is_trade_value IS 'True when the measure is the value of all goods traded in that direction (usable in balances); false for charges, duties and partial values such as dutiable value.';

INSERT INTO core.dim_flow (flow_id, direction, value_basis, headline_priority, description, is_trade_value) VALUES
    ('M_GEN_CHARGES', 'import', 'charges', 90, 'Import charges of general imports: freight, insurance and other costs of bringing the goods to the US port, i.e. CIF value minus customs value (USITC DataWeb "General Import Charges", Census GEN_CHA_MO)', false),
    ('M_CAL_DUTY',    'import', 'duty',    91, 'Calculated duties on imports for consumption (Census CAL_DUT_MO, DataWeb "Calculated Duties")', false),
    ('M_DUTIABLE',    'import', 'customs', 92, 'Dutiable value: the part of imports for consumption that is subject to duty, at customs value (Census DUT_VAL_MO)', false);
