-- Descriptions of the headline marts' columns, for `entrepot docs` and any SQL client that shows
-- comments. Runs after every mart file (views lose their comments when they are recreated).
COMMENT ON VIEW marts.trade_yearly IS 'Yearly value of each published measure, never adding two HS levels together: the publisher''s annual figure where it gives one, else its months summed; grain: (source, reporter_id, partner_id, flow_id, year).';
COMMENT ON COLUMN marts.trade_yearly.source IS 'Dataset the value comes from (core.fact_trade.source).';
COMMENT ON COLUMN marts.trade_yearly.reporter_id IS 'Country whose statistics these are (core.dim_country).';
COMMENT ON COLUMN marts.trade_yearly.partner_id IS 'Trading partner (core.dim_country); may be an aggregate such as WORLD.';
COMMENT ON COLUMN marts.trade_yearly.flow_id IS 'Direction and valuation basis (core.dim_flow).';
COMMENT ON COLUMN marts.trade_yearly.year IS 'Calendar year.';
COMMENT ON COLUMN marts.trade_yearly.value_usd IS 'Value in US dollars for the year (the months covered only, when the year is partial).';
COMMENT ON COLUMN marts.trade_yearly.months_covered IS 'Months of the year behind value_usd; 12 for a published annual figure.';
COMMENT ON COLUMN marts.trade_yearly.is_partial_year IS 'True when value_usd covers less than the whole year (a year to date).';
COMMENT ON COLUMN marts.trade_yearly.year_basis IS 'published annual (the publisher''s own annual figure) or sum of months.';
COMMENT ON COLUMN marts.trade_yearly.product_level IS 'What was summed: 0 the publisher''s total of all goods, 2 HS chapters, 4-10 detailed codes (a total only if the extract covered every code).';

COMMENT ON VIEW marts.trade_balance IS 'Exports, imports and the balance from the reporter''s side by year, each source on its own rows, using the headline measure of each direction; grain: (source, reporter_iso3, partner_iso3, year).';
COMMENT ON COLUMN marts.trade_balance.reporter_iso3 IS 'Country whose statistics these are (core.dim_country.country_id).';
COMMENT ON COLUMN marts.trade_balance.partner_iso3 IS 'Trading partner (core.dim_country.country_id); may be an aggregate such as WORLD.';
COMMENT ON COLUMN marts.trade_balance.year IS 'Calendar year.';
COMMENT ON COLUMN marts.trade_balance.exports_usd IS 'Reporter''s exports to the partner in US dollars, valued on exports_basis.';
COMMENT ON COLUMN marts.trade_balance.imports_usd IS 'Reporter''s imports from the partner in US dollars, valued on imports_basis.';
COMMENT ON COLUMN marts.trade_balance.balance_usd IS 'exports_usd - imports_usd in US dollars: negative is a deficit of the reporter.';
COMMENT ON COLUMN marts.trade_balance.source IS 'Dataset the values come from (core.fact_trade.source).';
COMMENT ON COLUMN marts.trade_balance.partner_name IS 'Partner''s name (core.dim_country.name).';
COMMENT ON COLUMN marts.trade_balance.partner_is_aggregate IS 'True when the partner is World, a union, a region or another group.';
COMMENT ON COLUMN marts.trade_balance.exports_basis IS 'Valuation of exports_usd: FAS or FOB (core.dim_flow.value_basis).';
COMMENT ON COLUMN marts.trade_balance.imports_basis IS 'Valuation of imports_usd: customs, CIF or FOB (core.dim_flow.value_basis).';
COMMENT ON COLUMN marts.trade_balance.months_covered IS 'Months of the year behind the values; 12 for a full or published annual year.';
COMMENT ON COLUMN marts.trade_balance.is_partial_year IS 'True when the values cover less than the whole year (a year to date).';
COMMENT ON COLUMN marts.trade_balance.product_level IS 'What was summed: 0 the publisher''s total of all goods, 2 HS chapters, 4-10 detailed codes (a total only if the extract covered every code).';

COMMENT ON VIEW marts.partner_rank IS 'Partners ranked by total trade (exports + imports) within each source, reporter and year; aggregates are never ranked; grain: (source, reporter_iso3, year, partner_iso3).';
COMMENT ON COLUMN marts.partner_rank.reporter_iso3 IS 'Country whose statistics these are (core.dim_country.country_id).';
COMMENT ON COLUMN marts.partner_rank.year IS 'Calendar year.';
COMMENT ON COLUMN marts.partner_rank.partner_iso3 IS 'Partner country (core.dim_country.country_id); never an aggregate.';
COMMENT ON COLUMN marts.partner_rank.total_trade_usd IS 'exports_usd + imports_usd in US dollars (a missing direction counts as 0).';
COMMENT ON COLUMN marts.partner_rank.rank IS '1 for the largest partner; ties share a rank.';
COMMENT ON COLUMN marts.partner_rank.source IS 'Dataset the values come from (core.fact_trade.source).';
COMMENT ON COLUMN marts.partner_rank.partner_name IS 'Partner''s name (core.dim_country.name).';
COMMENT ON COLUMN marts.partner_rank.exports_usd IS 'Reporter''s exports to the partner in US dollars.';
COMMENT ON COLUMN marts.partner_rank.imports_usd IS 'Reporter''s imports from the partner in US dollars.';
