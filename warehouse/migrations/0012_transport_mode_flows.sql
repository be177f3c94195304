-- Trade by mode of transport (Census port-level data): partial values, never a direction's total.
INSERT INTO core.dim_flow (flow_id, direction, value_basis, headline_priority, description, is_trade_value) VALUES
    ('X_AIR', 'export', 'FAS',     93, 'Total exports shipped by air, free alongside ship (Census AIR_VAL)', false),
    ('X_CNT', 'export', 'FAS',     94, 'Total exports shipped by containerised vessel, free alongside ship (Census CNT_VAL)', false),
    ('M_AIR', 'import', 'customs', 95, 'General imports arriving by air, at customs value (Census AIR_VAL)', false),
    ('M_CNT', 'import', 'customs', 96, 'General imports arriving by containerised vessel, at customs value (Census CNT_VAL)', false);
